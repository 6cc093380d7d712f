package main

import (
	"encoding/json"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestFullFlow(t *testing.T) {
	a, site := startSite(t)
	b := newBrowser(t)

	home := b.get(site + "/")
	require.Equal(t, http.StatusOK, home.status)
	assert.Contains(t, home.body, `id="fc-login"`)
	assert.Contains(t, home.body, "S'identifier avec")
	assert.Contains(t, home.body, "FranceConnect+ est la solution proposée par l'État, pour renforcer la sécurité de vos services en ligne les plus sensibles")
	assert.Contains(t, home.body, `href="https://franceconnect.gouv.fr/france-connect-plus" target="_blank" rel="noopener"`)
	assert.Contains(t, home.header.Get("Content-Security-Policy"), "default-src 'none'")
	cookie := home.header.Get("Set-Cookie")
	for _, attr := range []string{"fs_session=", "Path=/", "HttpOnly", "SameSite=Lax"} {
		assert.Contains(t, cookie, attr)
	}
	assert.NotContains(t, cookie, "Secure", "the emulator site is plain http")

	cb := b.signIn(site, a.emu.Issuer(), "camille")
	page := b.get(cb)
	require.Equal(t, http.StatusOK, page.status, page.body)
	for _, want := range []string{"Camille Hélène", "ARNAUD", "23 mai 1984", "Féminin", "75112", "99100 (France)",
		"camille.arnaud@exemple.fr", a.emu.Subject(demoClientID, "camille"), "eidas", "pwd", `id="logout"`} {
		assert.Contains(t, page.body, want)
	}
	assert.Regexp(t, `<code>eidas[23]</code> – (substantiel|élevé)`, page.body)
	assert.Equal(t, http.StatusBadRequest, b.get(cb).status, "the callback is single use")

	home = b.get(site + "/")
	assert.Contains(t, home.body, "Connecté·e en tant que Camille ARNAUD")
	assert.NotContains(t, home.body, `id="fc-login"`)

	r := b.post(site+"/logout", url.Values{"csrf": {csrfOf(t, home)}})
	require.Equal(t, http.StatusSeeOther, r.status)
	require.True(t, strings.HasPrefix(r.location, a.emu.Issuer()+"/session/end?"), r.location)
	back := b.followUntil(b.get(r.location), site)
	require.True(t, strings.HasPrefix(back, site+"/logout-callback?state="), back)
	r = b.get(back)
	require.Equal(t, http.StatusSeeOther, r.status, r.body)
	assert.Equal(t, site+"/", r.location)
	home = b.get(site + "/")
	assert.Contains(t, home.body, `id="fc-login"`)
	assert.Contains(t, home.body, "Vous êtes déconnecté·e")
	assert.NotContains(t, home.body, "Connecté·e en tant que")
	assert.NotContains(t, b.get(site+"/").body, "Vous êtes déconnecté·e", "the message shows once")
}

func TestFormsNeedTheCSRFToken(t *testing.T) {
	_, site := startSite(t)
	b := newBrowser(t)
	b.get(site + "/")
	for _, path := range []string{"/login", "/logout"} {
		r := b.post(site+path, url.Values{"csrf": {strings.Repeat("0", 64)}})
		assert.Equal(t, http.StatusForbidden, r.status, path)
		r = b.post(site+path, nil)
		assert.Equal(t, http.StatusForbidden, r.status, path)
	}
}

func TestTamperedSessionCookie(t *testing.T) {
	a, site := startSite(t)
	b := newBrowser(t)
	require.Equal(t, http.StatusOK, b.get(b.signIn(site, a.emu.Issuer(), "nom_usage")).status)
	u, _ := url.Parse(site)
	var value string
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			value = c.Value
		}
	}
	payload, mac, ok := strings.Cut(value, ".")
	require.True(t, ok)

	forged := strings.Replace(mustDecode(t, payload), "Sophie ROUSSEL", "Eve ROUSSEL", 1)
	for name, v := range map[string]string{
		"valid":          value,
		"forged payload": encode(forged) + "." + mac,
		"bad mac":        payload + "." + strings.Repeat("A", len(mac)),
		"no mac":         payload,
		"garbage":        "%%%.###",
	} {
		req, _ := http.NewRequest(http.MethodGet, site+"/", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: v})
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		signedIn := strings.Contains(html.UnescapeString(string(body)), "Connecté·e en tant que Sophie ROUSSEL")
		assert.Equal(t, name == "valid", signedIn, name)
		assert.NotContains(t, string(body), "Eve", name)
	}
}

// assertNoIdentity checks that an error page shows nothing about camille.
func assertNoIdentity(t *testing.T, a *app, body string) {
	t.Helper()
	for _, leak := range []string{"Camille", "ARNAUD", "1984", "camille.arnaud", a.emu.Subject(demoClientID, "camille"), "eyJ"} {
		assert.NotContains(t, body, leak)
	}
}

func TestCallbackWithWrongState(t *testing.T) {
	a, site := startSite(t)
	b := newBrowser(t)
	cb, err := url.Parse(b.signIn(site, a.emu.Issuer(), "camille"))
	require.NoError(t, err)
	q := cb.Query()
	q.Set("state", strings.Repeat("f", 64))
	cb.RawQuery = q.Encode()
	page := b.get(cb.String())
	assert.Equal(t, http.StatusBadRequest, page.status)
	assert.Contains(t, page.body, "ErrStateMismatch</code> – l'état de la requête ne correspond pas")
	assertNoIdentity(t, a, page.body)
}

func TestProviderAndVerificationErrors(t *testing.T) {
	a, site := startSite(t)
	for _, tt := range []struct {
		fault  fctest.Fault
		status int
		want   []string
	}{
		{fctest.FaultAccessDenied, http.StatusBadRequest, []string{"ProviderError access_denied",
			(&franceconnect.ProviderError{Code: "access_denied"}).UserMessage()}},
		{fctest.FaultUserinfoSubMismatch, http.StatusBadGateway, []string{"ErrSubjectMismatch", "ErrInvalidUserInfo"}},
		{fctest.FaultBadSignature, http.StatusBadGateway, []string{"ErrSignature", "ErrInvalidIDToken"}},
		{fctest.FaultCallbackWrongIssuer, http.StatusBadRequest, []string{"ErrIssuerMismatch"}},
	} {
		t.Run(tt.fault.String(), func(t *testing.T) {
			a.emu.InjectFault(tt.fault)
			b := newBrowser(t)
			page := b.get(b.signIn(site, a.emu.Issuer(), "camille"))
			assert.Equal(t, tt.status, page.status)
			for _, want := range tt.want {
				assert.Contains(t, page.body, want)
			}
			assertNoIdentity(t, a, page.body)
			assert.Contains(t, b.get(site+"/").body, `id="fc-login"`, "not signed in")
		})
	}
}

func TestLogoutCallbackWithWrongState(t *testing.T) {
	_, site := startSite(t)
	b := newBrowser(t)
	page := b.get(site + "/logout-callback?state=" + strings.Repeat("a", 64))
	assert.Equal(t, http.StatusBadRequest, page.status)
	assert.Contains(t, page.body, "ErrStateMismatch")
}

func TestKeysEndpoint(t *testing.T) {
	a, site := startSite(t)
	r := newBrowser(t).get(site + "/client/.well-known/keys")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	assert.Contains(t, r.header.Get("Cache-Control"), "max-age=600")
	var set struct{ Keys []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(r.body), &set))
	require.Len(t, set.Keys, 1)
	k := set.Keys[0]
	assert.Equal(t, "EC", k["kty"])
	assert.Equal(t, "P-256", k["crv"])
	assert.Equal(t, "ECDH-ES", k["alg"])
	assert.Equal(t, "enc", k["use"])
	assert.NotEmpty(t, k["kid"])
	assert.NotContains(t, k, "d", "never the private part")
	// The emulator fetched these keys to encrypt the tokens of a login.
	b := newBrowser(t)
	assert.Equal(t, http.StatusOK, b.get(b.signIn(site, a.emu.Issuer(), "camille")).status)
}

func TestNotFound(t *testing.T) {
	_, site := startSite(t)
	r := newBrowser(t).get(site + "/nowhere")
	assert.Equal(t, http.StatusNotFound, r.status)
}

// TestConfigFromEnv runs the site against a provider named by FC_ISSUER,
// with keys from FC_KEYS, as against the real FranceConnect+.
func TestConfigFromEnv(t *testing.T) {
	emu := fctest.New(t, fctest.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	site := "http://" + ln.Addr().String()
	keyFile := filepath.Join(t.TempDir(), "keys.json")
	jwks, err := writeKeyFile(keyFile, franceconnect.RSAOAEP256)
	require.NoError(t, err)
	_, err = writeKeyFile(keyFile, franceconnect.ECDHES)
	require.ErrorIs(t, err, errKeyFileExists)
	info, err := os.Stat(keyFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	secret := strings.Repeat("x", 40)
	require.NoError(t, emu.RegisterClient(fctest.Client{ID: "env-fs", Secret: secret,
		RedirectURIs: []string{site + "/oidc-callback"}, PostLogoutRedirectURIs: []string{site + "/bye"},
		AllowAMR: true, JWKS: jwks}))
	for k, v := range map[string]string{
		franceconnect.EnvEnvironment: "", franceconnect.EnvIssuer: emu.Issuer(),
		franceconnect.EnvClientID: "env-fs", franceconnect.EnvClientSecret: secret,
		franceconnect.EnvRedirectURL: site + "/oidc-callback", franceconnect.EnvPostLogoutRedirectURL: site + "/bye",
		franceconnect.EnvKeys: keyFile, franceconnect.EnvACR: "eidas2", franceconnect.EnvScopes: "openid identite_pivot",
		envSessionKey: strings.Repeat("ab", 32),
	} {
		t.Setenv(k, v)
	}
	a, _ := serveSiteOn(t, ln)
	assert.Nil(t, a.emu)

	b := newBrowser(t)
	cb := b.signIn(site, emu.Issuer(), "ne_algerie")
	require.True(t, strings.HasPrefix(cb, site+"/oidc-callback?"), cb)
	page := b.get(cb)
	require.Equal(t, http.StatusOK, page.status, page.body)
	assert.Contains(t, page.body, "Né·e à l'étranger")
	assert.Contains(t, page.body, "BENHADDOU")
	var want, got any
	require.NoError(t, json.Unmarshal(jwks, &want))
	require.NoError(t, json.Unmarshal([]byte(b.get(site+"/client/.well-known/keys").body), &got))
	assert.Equal(t, want, got, "the site serves the public part of FC_KEYS")
}

func TestBadSessionKey(t *testing.T) {
	t.Setenv(envSessionKey, "abcd")
	_, err := sessionKey()
	assert.Error(t, err)
}
