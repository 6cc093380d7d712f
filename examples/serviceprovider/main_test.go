package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestFullFlow(t *testing.T) {
	a, site := startSite(t)
	u := newUser(t, a.doors[0].emu, site)
	ctx := context.Background()

	home := open(t, u, "/")
	require.Equal(t, http.StatusOK, home.Status)
	assert.Contains(t, home.Body, `id="fc-login"`)
	assert.Contains(t, home.Body, `<button class="fr-connect fr-connect--plus" type="submit" aria-label="S’identifier avec FranceConnect+">`)
	assert.Contains(t, home.Body, "FranceConnect+ est la solution proposée par l’État, pour renforcer la sécurité de vos services en ligne les plus sensibles")
	assert.Contains(t, home.Body, `name="acr" value="eidas3" id="acr-eidas3" form="fc-login"`, "the level radios belong to the button's form")
	assert.Contains(t, home.Body, `href="https://franceconnect.gouv.fr/france-connect-plus" target="_blank" rel="noopener"`)
	assert.Contains(t, home.Header.Get("Content-Security-Policy"), "default-src 'none'")

	start, err := u.StartLogin(ctx, home, map[string][]string{"acr": {"eidas3"}})
	require.NoError(t, err)
	cookie := start.Header.Get("Set-Cookie")
	for _, attr := range []string{"fs_session=", "Path=/", "HttpOnly", "SameSite=Lax"} {
		assert.Contains(t, cookie, attr)
	}
	assert.NotContains(t, cookie, "Secure", "the emulator site is plain http")
	cb, err := u.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	page := html.UnescapeString(cb.Body)
	require.Equal(t, http.StatusOK, cb.Status, page)
	for _, want := range []string{"Camille Hélène", "ARNAUD", "23 mai 1984", "Féminin", "75112", "99100 (France)",
		"camille.arnaud@exemple.fr", a.doors[0].emu.Subject(demoClientID, "camille"), "<code>eidas3</code> – élevé", "pwd", `id="logout"`} {
		assert.Contains(t, page, want)
	}
	assert.Equal(t, http.StatusBadRequest, open(t, u, cb.URL.String()).Status, "the callback is single use")

	home = open(t, u, "/")
	assert.Contains(t, home.Body, "Session ouverte au nom de Camille ARNAUD")
	assert.NotContains(t, home.Body, `id="fc-login"`)

	bye, err := u.Logout(ctx, home)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, bye.Status, bye.Body)
	assert.Equal(t, "/deconnecte", bye.Header.Get("Location"))
	home = open(t, u, "/deconnecte")
	assert.Contains(t, home.Body, `id="fc-login"`)
	assert.Contains(t, home.Body, "Votre session est fermée")
	assert.NotContains(t, home.Body, "Session ouverte au nom")
}

func TestFormsRefuseOtherOrigins(t *testing.T) {
	_, site := startSite(t)
	for _, path := range []string{"/login", "/logout"} {
		req, err := http.NewRequest(http.MethodPost, site+path, strings.NewReader("acr=eidas3"))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, path)
	}
}

func TestTamperedSessionCookie(t *testing.T) {
	a, site := startSite(t)
	u := newUser(t, a.doors[0].emu, site)
	require.Equal(t, http.StatusOK, signIn(t, u, "nom_usage").Status)
	var value string
	for _, c := range u.HTTPClient().Jar.Cookies(mustURL(t, site)) {
		if c.Name == "fs_session" {
			value = c.Value
		}
	}
	require.NotEmpty(t, value)
	raw, err := base64.RawURLEncoding.DecodeString(value)
	require.NoError(t, err)
	raw[len(raw)/2] ^= 1
	for name, v := range map[string]string{
		"valid":   value,
		"flipped": base64.RawURLEncoding.EncodeToString(raw),
		"garbage": "%%%.###",
	} {
		req, _ := http.NewRequest(http.MethodGet, site+"/", nil)
		req.AddCookie(&http.Cookie{Name: "fs_session", Value: v})
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body := readBody(t, resp)
		assert.Equal(t, http.StatusOK, resp.StatusCode, name)
		assert.Equal(t, name == "valid", strings.Contains(body, "Session ouverte au nom de Sophie ROUSSEL"), name)
	}
}

func TestErrorPages(t *testing.T) {
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
		{fctest.FaultCallbackWrongState, http.StatusBadRequest, []string{"ErrStateMismatch</code> – l'état de la requête ne correspond pas"}},
	} {
		t.Run(tt.fault.String(), func(t *testing.T) {
			a.doors[0].emu.InjectFault(tt.fault)
			u := newUser(t, a.doors[0].emu, site)
			page := signIn(t, u, "camille")
			assert.Equal(t, tt.status, page.Status)
			for _, want := range tt.want {
				assert.Contains(t, page.Body, want)
			}
			for _, leak := range []string{"Camille", "ARNAUD", "1984", "camille.arnaud", a.doors[0].emu.Subject(demoClientID, "camille"), "eyJ"} {
				assert.NotContains(t, page.Body, leak)
			}
			assert.Contains(t, open(t, u, "/").Body, `id="fc-login"`, "not signed in")
		})
	}
	page := open(t, newUser(t, a.doors[0].emu, site), "/logout-callback?state="+strings.Repeat("a", 64))
	assert.Equal(t, http.StatusBadRequest, page.Status)
	assert.Contains(t, page.Body, "ErrStateMismatch")
	assert.Equal(t, http.StatusNotFound, open(t, newUser(t, a.doors[0].emu, site), "/nowhere").Status)
}

func TestKeysEndpoint(t *testing.T) {
	a, site := startSite(t)
	r := open(t, newUser(t, a.doors[0].emu, site), keysPath)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	var set struct{ Keys []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(r.Body), &set))
	require.Len(t, set.Keys, 1)
	assert.Equal(t, "ECDH-ES", set.Keys[0]["alg"])
	assert.NotContains(t, set.Keys[0], "d", "never the private part")
}

// configureFromEnv registers an FS on emu for site and sets the FC_*
// variables and FS_SESSION_KEYS as a deployment would.
func configureFromEnv(t *testing.T, emu *fctest.Server, site string) {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "keys.json")
	jwks, err := writeKeyFile(keyFile, franceconnect.RSAOAEP256)
	require.NoError(t, err)
	_, err = writeKeyFile(keyFile, franceconnect.ECDHES)
	require.ErrorIs(t, err, errKeyFileExists)
	info, err := os.Stat(keyFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	secret := strings.Repeat("x", 40)
	require.NoError(t, emu.Register(fctest.Registration{ID: "env-fs", Secret: fctest.Secret(secret),
		RedirectURIs: []string{site + "/oidc-callback"}, PostLogoutRedirectURIs: []string{site + "/bye"},
		AllowAMR: true, JWKS: jwks}))
	for k, v := range map[string]string{
		franceconnect.EnvEnvironment: "", franceconnect.EnvIssuer: emu.Issuer(),
		franceconnect.EnvClientID: "env-fs", franceconnect.EnvClientSecret: secret,
		franceconnect.EnvRedirectURL: site + "/oidc-callback", franceconnect.EnvPostLogoutRedirectURL: site + "/bye",
		franceconnect.EnvKeys: keyFile, franceconnect.EnvACR: "eidas2", franceconnect.EnvScopes: "openid identite_pivot",
		envSessionKeys: base64.StdEncoding.EncodeToString(randomKey()) + "," + base64.StdEncoding.EncodeToString(randomKey()),
	} {
		t.Setenv(k, v)
	}
}

// TestConfigFromEnv runs the site against a provider named by FC_ISSUER,
// with keys from FC_KEYS, as against the real FranceConnect+.
func TestConfigFromEnv(t *testing.T) {
	emu := fctest.New(t, fctest.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	site := "http://" + ln.Addr().String()
	configureFromEnv(t, emu, site)
	a, _ := serveSiteOn(t, ln)
	assert.Nil(t, a.doors[0].emu)

	u := newUser(t, emu, site)
	page := signIn(t, u, "ne_algerie")
	require.Equal(t, http.StatusOK, page.Status, page.Body)
	assert.Equal(t, "/oidc-callback", page.URL.Path)
	assert.Contains(t, page.Body, "À l'étranger")
	assert.Contains(t, page.Body, "BENHADDOU")
}

// TestTwoInstances starts two sites with the same variables behind a
// round-robin balancer: they serve one user's login and logout alternately.
func TestTwoInstances(t *testing.T) {
	emu := fctest.New(t, fctest.Options{})
	var n atomic.Int64
	var backends [2]string
	lb := httpServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		forward(w, r, backends[(n.Add(1)-1)%2])
	}))
	configureFromEnv(t, emu, lb)
	for i := range backends {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		_, backends[i] = serveSiteOn(t, ln)
	}
	u := newUser(t, emu, lb)
	page := signIn(t, u, "camille") // home on A, login on B, callback on A
	require.Equal(t, http.StatusOK, page.Status, page.Body)
	home := open(t, u, "/") // B
	require.Contains(t, home.Body, "Session ouverte au nom de Camille ARNAUD")
	bye, err := u.Logout(context.Background(), home) // logout on A, callback on B
	require.NoError(t, err)
	assert.Equal(t, http.StatusSeeOther, bye.Status, bye.Body)
	assert.Equal(t, int64(6), n.Load())
}

func TestSessionKeys(t *testing.T) {
	t.Setenv(envSessionKeys, "abcd")
	_, err := sessionKeys(nil)
	assert.ErrorIs(t, err, franceconnect.ErrConfig)

	t.Setenv(envSessionKeys, "")
	var logs bytes.Buffer
	keys, err := sessionKeys(slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.Len(t, keys[0], 32)
	assert.Contains(t, logs.String(), "sessions will not survive a restart nor span several instances")
}

func TestDeElides(t *testing.T) {
	for name, want := range map[string]string{"Éloïse D'HÉRICOURT": "d'", "Aiko NAKAMURA": "d'", "Camille ARNAUD": "de "} {
		assert.Equal(t, want, de(name), name)
	}
}
