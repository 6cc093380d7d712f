package fctest_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestAuthorizeWhitelist(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	for _, tc := range []struct {
		name string
		kv   []string
		raw  string // appended to the query as is
	}{
		{name: "unknown parameter", kv: []string{"foo", "bar"}},
		{name: "PKCE", kv: []string{"code_challenge", "abc", "code_challenge_method", "S256"}},
		{name: "response_mode", kv: []string{"response_mode", "form_post"}},
		{name: "login_hint", kv: []string{"login_hint", "camille"}},
		{name: "max_age", kv: []string{"max_age", "0"}},
		{name: "request object", kv: []string{"request", "eyJ.eyJ.sig"}},
		{name: "missing acr_values", kv: []string{"acr_values", ""}},
		{name: "acr_values too long", kv: []string{"acr_values", "eidas2 " + strings.Repeat("x", 60)}},
		{name: "missing nonce", kv: []string{"nonce", ""}},
		{name: "16-character nonce", kv: []string{"nonce", "0123456789abcdef"}},
		{name: "21-character nonce", kv: []string{"nonce", strings.Repeat("n", 21)}},
		{name: "missing state", kv: []string{"state", ""}},
		{name: "missing client_id", kv: []string{"client_id", ""}},
		{name: "missing redirect_uri", kv: []string{"redirect_uri", ""}},
		{name: "relative redirect_uri", kv: []string{"redirect_uri", "/callback"}},
		{name: "missing scope", kv: []string{"scope", ""}},
		{name: "prompt none", kv: []string{"prompt", "none"}},
		{name: "prompt select_account", kv: []string{"prompt", "select_account"}},
		{name: "prompt login none", kv: []string{"prompt", "login none"}},
		{name: "empty prompt", raw: "&prompt="},
		{name: "claims not JSON", kv: []string{"claims", "{amr"}},
		{name: "repeated scope", raw: "&scope=openid"},
		{name: "malformed query", raw: "&%zz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.srv.SignIn(context.Background(), e.authURL(tc.kv...)+tc.raw, "camille")
			pe := requirePageError(t, err, http.StatusBadRequest, "Y030007")
			require.Equal(t, "invalid_request", pe.OAuthError)
		})
	}
}

func TestAuthorizeAcceptedVariants(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	for _, kv := range [][]string{
		{"nonce", strings.Repeat("n", 22)},
		{"nonce", "0123456789abcdef0123456789abcdef@#&0123456789abcdef0123456789abcdef"},
		{"prompt", "login"},
		{"prompt", "login consent"},
		{"ui_locales", "fr-FR"},
		{"state", "short"},
		{"scope", "openid   profile"},
	} {
		t.Run(strings.Join(kv, "="), func(t *testing.T) {
			require.NotEmpty(t, e.login("camille", kv...).Get("code"))
		})
	}
}

func TestAuthorizeErrorPagesForClientAndRedirectURI(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	for _, tc := range []struct {
		name, key, value, code string
	}{
		{"unknown client", "client_id", "unknown-client", "Y04EA6EF"},
		{"unregistered redirect_uri", "redirect_uri", "https://evil.example.com/cb", "Y04C013C"},
		{"redirect_uri with trailing slash", "redirect_uri", callbackURL + "/", "Y04C013C"},
		{"redirect_uri with extra query", "redirect_uri", callbackURL + "?x=1", "Y04C013C"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.get(e.authURL(tc.key, tc.value), "")
			require.Equal(t, http.StatusBadRequest, resp.StatusCode)
			require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
			require.Contains(t, string(body), tc.code)
			_, err := e.srv.SignIn(context.Background(), e.authURL(tc.key, tc.value), "camille")
			requirePageError(t, err, http.StatusBadRequest, tc.code)
		})
	}
}

// redirectError sends an authorize request and returns the error redirect.
func redirectError(t *testing.T, e *env, rawURL string) url.Values {
	t.Helper()
	q := redirectQuery(t, noRedirect, rawURL)
	require.Equal(t, []string{"error", "error_description", "iss", "state"}, keysOfValues(q))
	require.Equal(t, testState, q.Get("state"))
	require.Equal(t, e.srv.Issuer(), q.Get("iss"))
	return q
}

func TestAuthorizeRedirectedErrors(t *testing.T) {
	e := newEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.Scopes = []string{"openid", "profile", "birth", "email"} })
	for _, tc := range []struct {
		name       string
		kv         []string
		err, descr string
	}{
		{"missing response_type", []string{"response_type", ""}, "invalid_request", "missing required parameter 'response_type'"},
		{"implicit flow", []string{"response_type", "id_token"}, "unsupported_response_type", "unsupported response_type requested"},
		{"scope without openid", []string{"scope", "profile email"}, "invalid_request",
			"openid scope must be requested when using the acr_values parameter"},
		{"scope not granted", []string{"scope", "openid gender"}, "invalid_scope", "requested scope is not allowed"},
		{"unknown scope", []string{"scope", "openid offline_access"}, "invalid_scope", "requested scope is not allowed"},
		{"eidas1 on FranceConnect+", []string{"acr_values", "eidas1"}, "invalid_acr",
			"acr_value is not valid, should be equal one of these values, expected eidas2,eidas3, got eidas1"},
		{"eidas1 among others", []string{"acr_values", "eidas1 eidas2 eidas3"}, "invalid_acr",
			"acr_value is not valid, should be equal one of these values, expected eidas2,eidas3, got eidas1"},
		{"idp_hint not allowed", []string{"idp_hint", "some-idp"}, "invalid_idp_hint", "An idp_hint was provided but is not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := redirectError(t, e, e.authURL(tc.kv...))
			require.Equal(t, tc.err, q.Get("error"))
			require.Equal(t, tc.descr, q.Get("error_description"))

			cb, err := e.srv.SignIn(context.Background(), e.authURL(tc.kv...), "camille")
			require.NoError(t, err)
			require.Contains(t, cb, "error="+tc.err)
		})
	}
}

var requestedLevel = regexp.MustCompile(`Niveau de sécurité demandé : <span class="badge">(eidas\d)`)

// effectiveACR opens the identity-choice page and reads the requested level.
func effectiveACR(t *testing.T, e *env, acrValues string) string {
	t.Helper()
	b := e.srv.NewBrowser()
	resp, err := b.HTTPClient().Get(e.authURL("acr_values", acrValues))
	require.NoError(t, err)
	resp.Body.Close()
	if resp.StatusCode == http.StatusSeeOther && !strings.HasPrefix(resp.Header.Get("Location"), "/api/v2/interaction/") {
		loc, _ := url.Parse(resp.Header.Get("Location"))
		return "error=" + loc.Query().Get("error")
	}
	resp, err = b.HTTPClient().Get(e.srv.URL() + resp.Header.Get("Location"))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := requestedLevel.FindSubmatch(body)
	require.NotNil(t, m, string(body))
	return string(m[1])
}

func TestACRSelection(t *testing.T) {
	plus := newEnv(t, fctest.Options{}, nil)
	fc := newEnv(t, fctest.Options{Platform: fctest.FranceConnect}, nil)
	for _, tc := range []struct {
		e         *env
		acrValues string
		want      string
	}{
		{plus, "eidas2", "eidas2"},
		{plus, "eidas3", "eidas3"},
		{plus, "eidas2 eidas3", "eidas2"},
		{plus, "eidas3 eidas2", "eidas2"},
		{plus, "eidas2 niveau_inconnu", "eidas2"},
		{plus, "niveau_inconnu", "eidas3"},
		{plus, "eidas1", "error=invalid_acr"},
		{plus, "eidas1 eidas2 eidas3", "error=invalid_acr"},
		{fc, "eidas1", "eidas1"},
		{fc, "niveau_inconnu", "eidas1"},
		{fc, "eidas1 eidas3", "eidas1"},
		{fc, "eidas2", "error=invalid_acr"},
		{fc, "eidas3", "error=invalid_acr"},
	} {
		t.Run(tc.e.srv.Platform().String()+"/"+tc.acrValues, func(t *testing.T) {
			require.Equal(t, tc.want, effectiveACR(t, tc.e, tc.acrValues))
		})
	}
}

func TestAMRNotAllowedIsY100009(t *testing.T) {
	e := newEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.AllowAMR = false })
	_, err := e.srv.SignIn(context.Background(), e.authURL("claims", `{"id_token":{"amr":{"essential":true}}}`), "camille")
	requirePageError(t, err, http.StatusBadRequest, "Y100009")
	require.NotEmpty(t, e.login("camille", "claims", `{"userinfo":{"given_name":null}}`).Get("code"))
}

func TestAllowedIDPHint(t *testing.T) {
	e := newEnv(t, fctest.Options{AllowedIDPHints: []string{"demo-idp"}}, nil)
	require.NotEmpty(t, e.login("camille", "idp_hint", "demo-idp").Get("code"))
	q := redirectError(t, e, e.authURL("idp_hint", "other-idp"))
	require.Equal(t, "invalid_idp_hint", q.Get("error"))
}

func TestAuthorizePOST(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	cb, err := e.srv.NewBrowser().SignInPost(context.Background(), e.params(), "camille")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(cb, callbackURL+"?"))

	params := e.params("idp_hint", "ignored-in-the-body")
	cb, err = e.srv.NewBrowser().SignInPost(context.Background(), params, "camille")
	require.NoError(t, err)
	require.Contains(t, cb, "code=", "idp_hint is only read from the query string")

	resp, err := http.Post(e.srv.Issuer()+"/authorize", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	_, err = e.srv.NewBrowser().SignInPost(context.Background(), e.params("foo", "bar"), "camille")
	requirePageError(t, err, http.StatusBadRequest, "Y030007")
}

func TestAuthorizeRedirectsWith303AndSetsSessionCookie(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	resp, err := noRedirect.Get(e.authURL())
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Regexp(t, `^/api/v2/interaction/[A-Za-z0-9_-]+$`, resp.Header.Get("Location"))
	var found bool
	for _, c := range resp.Cookies() {
		if c.Name == "fc_session_id" {
			found = true
			require.True(t, c.HttpOnly)
		}
	}
	require.True(t, found, "fc_session_id cookie")
}

func TestStrictRedirectTLD(t *testing.T) {
	const local = "http://localhost:8080/callback"
	const ip = "http://127.0.0.1:8080/callback"
	register := func(c *fctest.Registration) { c.RedirectURIs = append(c.RedirectURIs, local, ip) }

	strict := newEnv(t, fctest.Options{StrictRedirectTLD: true}, register)
	_, err := strict.srv.SignIn(context.Background(), strict.authURL("redirect_uri", local), "camille")
	requirePageError(t, err, http.StatusBadRequest, "Y030007")
	cb, err := strict.srv.SignIn(context.Background(), strict.authURL("redirect_uri", ip), "camille")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(cb, ip+"?"))

	lax := newEnv(t, fctest.Options{}, register)
	cb, err = lax.srv.SignIn(context.Background(), lax.authURL("redirect_uri", local), "camille")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(cb, local+"?"))
}

func TestRedirectURIQueryIsKept(t *testing.T) {
	const withQuery = "https://fs.example.fr/cb?tenant=paris"
	e := newEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.RedirectURIs = []string{withQuery} })
	cb, err := e.srv.SignIn(context.Background(), e.authURL("redirect_uri", withQuery), "camille")
	require.NoError(t, err)
	u, err := url.Parse(cb)
	require.NoError(t, err)
	require.Equal(t, "paris", u.Query().Get("tenant"))
	require.NotEmpty(t, u.Query().Get("code"))
}
