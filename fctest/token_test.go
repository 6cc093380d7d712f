package fctest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestCallbackCarriesCodeStateAndIss(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	q := e.login("camille")
	require.Equal(t, []string{"code", "iss", "state"}, keysOfValues(q))
	require.Equal(t, testState, q.Get("state"))
	require.Equal(t, e.srv.Issuer(), q.Get("iss"))
	require.Len(t, q.Get("code"), 43)
}

func keysOfValues(v url.Values) []string {
	m := make(map[string]any, len(v))
	for k := range v {
		m[k] = nil
	}
	return keysOf(m)
}

func TestTokenResponseHasExactlyFiveMembers(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	resp, body := e.post("/token", e.tokenForm(e.code("camille")))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	var tok map[string]any
	require.NoError(t, json.Unmarshal(body, &tok))
	require.Equal(t, []string{"access_token", "expires_in", "id_token", "scope", "token_type"}, keysOf(tok))
	require.Len(t, tok["access_token"], 43)
	require.EqualValues(t, 60, tok["expires_in"])
	require.Equal(t, "Bearer", tok["token_type"])
	require.Equal(t, "openid profile birth email", tok["scope"])
}

func TestIDTokenClaims(t *testing.T) {
	for _, tc := range []struct {
		name   string
		claims string
		want   []string
	}{
		{"without amr", "", []string{"acr", "aud", "auth_time", "exp", "iat", "iss", "nonce", "sub"}},
		{"with amr", `{"id_token":{"amr":{"essential":true}}}`,
			[]string{"acr", "amr", "aud", "auth_time", "exp", "iat", "iss", "nonce", "sub"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, fctest.Options{}, nil)
			code := e.code("camille", "claims", tc.claims)
			e.clock.Advance(5 * time.Second)
			tok := e.exchange(code)
			_, claims := e.open(tok["id_token"].(string))
			require.Equal(t, tc.want, keysOf(claims))
			now := e.clock.Now().Unix()
			require.Equal(t, e.srv.Issuer(), claims["iss"])
			require.Equal(t, clientID, claims["aud"])
			require.Equal(t, testNonce, claims["nonce"])
			require.Equal(t, "eidas3", claims["acr"], "the identity's level, higher than requested")
			require.EqualValues(t, now, claims["iat"])
			require.EqualValues(t, now+60, claims["exp"])
			require.EqualValues(t, now-5, claims["auth_time"])
			require.Equal(t, e.srv.Subject(clientID, "camille"), claims["sub"])
			if tc.claims != "" {
				require.Equal(t, []any{"pwd", "fr"}, claims["amr"])
			}
		})
	}
}

func TestSubFormatAndStability(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	sub := e.srv.Subject(clientID, "camille")
	require.Regexp(t, regexp.MustCompile(`^[0-9a-f]{64}v1$`), sub)
	require.Equal(t, sub, e.srv.Subject(clientID, "camille"))
	require.NotEqual(t, sub, e.srv.Subject("another-client", "camille"))
	require.NotEqual(t, sub, e.srv.Subject(clientID, "nom_usage"))

	_, claims := e.open(e.exchange(e.code("camille"))["id_token"].(string))
	require.Equal(t, sub, claims["sub"])
	_, again := e.open(e.exchange(e.code("camille"))["id_token"].(string))
	require.Equal(t, sub, again["sub"])

	other := fctest.New(t, fctest.Options{})
	require.Equal(t, sub, other.Subject(clientID, "camille"), "default subject secret is stable across servers")
	salted := fctest.New(t, fctest.Options{SubjectSecret: "another secret"})
	require.NotEqual(t, sub, salted.Subject(clientID, "camille"))
}

func TestEntityIDSharesSubs(t *testing.T) {
	e := newEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.EntityID = "legacy-v1-id" })
	require.Equal(t, e.srv.Subject("legacy-v1-id", "camille"), e.srv.Subject(clientID, "camille"))
	_, claims := e.open(e.exchange(e.code("camille"))["id_token"].(string))
	require.Equal(t, e.srv.Subject("legacy-v1-id", "camille"), claims["sub"])
}

func TestJWEHeaders(t *testing.T) {
	for _, alg := range []string{"ECDH-ES", "RSA-OAEP-256", "RSA-OAEP"} {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.EncryptedResponseAlg = alg })
			tok := e.exchange(e.code("camille"))
			idToken := tok["id_token"].(string)
			require.Equal(t, 4, strings.Count(idToken, "."), "compact JWE")
			h := header(t, idToken)
			want := []string{"aud", "alg", "cty", "enc", "iss", "kid"}
			if alg == "ECDH-ES" {
				want = append(want, "epk")
			}
			require.ElementsMatch(t, want, keysOf(h))
			require.Equal(t, alg, h["alg"])
			require.Equal(t, "A256GCM", h["enc"])
			require.Equal(t, "JWT", h["cty"])
			require.Equal(t, "fs-key-"+strings.ToLower(alg), h["kid"])
			require.Equal(t, e.srv.Issuer(), h["iss"])
			require.Equal(t, clientID, h["aud"])

			jws, _ := e.open(idToken)
			inner := header(t, jws)
			require.Equal(t, []string{"alg", "kid"}, keysOf(inner))
			require.Equal(t, "ES256", inner["alg"])
		})
	}
}

func TestEncryptionAlgChosenFromKey(t *testing.T) {
	e := newEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.JWKS = fsKeys["RSA-OAEP-256"]().pub })
	e.key = fsKeys["RSA-OAEP-256"]()
	require.Equal(t, "RSA-OAEP-256", header(t, e.exchange(e.code("camille"))["id_token"].(string))["alg"])
}

func TestCodeIsSingleUseAndReuseRevokesTokens(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	code := e.code("camille")
	tok := e.exchange(code)
	resp, _ := e.get(e.srv.Issuer()+"/userinfo", tok["access_token"].(string))
	require.Equal(t, http.StatusOK, resp.StatusCode)

	resp, body := e.post("/token", e.tokenForm(code))
	requireJSONError(t, resp, body, http.StatusBadRequest, "invalid_grant",
		"grant request is invalid (authorization code already consumed)", "Y0416228")

	resp, _ = e.get(e.srv.Issuer()+"/userinfo", tok["access_token"].(string))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "reuse revokes the grant's tokens")
}

func TestCodeExpiresAfter30Seconds(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	code := e.code("camille")
	e.clock.Advance(29 * time.Second)
	e.exchange(code)

	code = e.code("camille")
	e.clock.Advance(30 * time.Second)
	resp, body := e.post("/token", e.tokenForm(code))
	requireJSONError(t, resp, body, http.StatusBadRequest, "invalid_grant",
		"grant request is invalid (authorization code is expired)", "Y043F0A8")
}

func TestTokenErrors(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	for _, tc := range []struct {
		name             string
		change           func(url.Values)
		basic            bool
		status           int
		oauthErr, desc   string
		code             string
		needsRealCodeArg bool
	}{
		{"wrong secret", func(v url.Values) { v.Set("client_secret", strings.Repeat("x", 40)) }, false,
			401, "invalid_client", "client authentication failed (invalid secret provided)", "Y0434A7B", true},
		{"unknown code", func(v url.Values) { v.Set("code", strings.Repeat("c", 43)) }, false,
			400, "invalid_grant", "grant request is invalid (authorization code not found)", "Y049E20B", false},
		{"empty code", func(v url.Values) { v.Set("code", "") }, false,
			400, "invalid_request", "missing required parameter 'code' (undefined)", "Y048017B", false},
		{"redirect_uri mismatch", func(v url.Values) { v.Set("redirect_uri", "https://fs.example.fr/other") }, false,
			400, "invalid_grant", "grant request is invalid (authorization code redirect_uri mismatch)", "Y04F8199", true},
		{"basic and post", func(url.Values) {}, true,
			400, "invalid_request", "client authentication must only be provided using one mechanism", "", true},
		{"basic only", func(v url.Values) { v.Del("client_id"); v.Del("client_secret") }, true,
			401, "invalid_client", "", "", true},
		{"unknown client", func(v url.Values) { v.Set("client_id", "nobody") }, false,
			401, "invalid_client", "client authentication failed (client not found)", "", true},
		{"missing grant_type", func(v url.Values) { v.Del("grant_type") }, false,
			400, "invalid_request", "missing required parameter 'grant_type'", "", true},
		{"refresh grant", func(v url.Values) { v.Set("grant_type", "refresh_token") }, false,
			400, "unsupported_grant_type", "unsupported grant_type requested", "", true},
		{"repeated parameter", func(v url.Values) { v.Add("code", "again") }, false,
			400, "invalid_request", "'code' parameter must only be provided once", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := e.tokenForm(strings.Repeat("c", 43))
			if tc.needsRealCodeArg {
				form = e.tokenForm(e.code("camille"))
			}
			tc.change(form)
			req, err := http.NewRequest(http.MethodPost, e.srv.Issuer()+"/token", strings.NewReader(form.Encode()))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basic {
				req.SetBasicAuth(clientID, secret)
			}
			resp, body := do(t, req)
			requireJSONError(t, resp, body, tc.status, tc.oauthErr, tc.desc, tc.code)
		})
	}
}

func TestTokenRefusesJSONBodyAndGET(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	resp, err := http.Post(e.srv.Issuer()+"/token", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = e.get(e.srv.Issuer()+"/token", "")
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

// requireJSONError checks a FranceConnect JSON error (spec §14.3). Empty
// desc or code are not checked.
func requireJSONError(t *testing.T, resp *http.Response, body []byte, status int, oauthErr, desc, code string) {
	t.Helper()
	require.Equal(t, status, resp.StatusCode, string(body))
	require.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	var m map[string]string
	require.NoError(t, json.Unmarshal(body, &m), string(body))
	require.Equal(t, []string{"error", "error_description", "error_uri"}, keysOf(anyMap(m)))
	require.Equal(t, oauthErr, m["error"])
	if desc != "" {
		require.Equal(t, desc, m["error_description"])
	}
	u, err := url.Parse(m["error_uri"])
	require.NoError(t, err)
	require.Equal(t, "https://docs.partenaires.franceconnect.gouv.fr/fs/fs-technique/fs-technique-erreurs/",
		u.Scheme+"://"+u.Host+u.Path)
	require.Regexp(t, `^Y[0-9A-F]{6,7}$`, u.Query().Get("code"))
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, u.Query().Get("id"))
	if code != "" {
		require.Equal(t, code, u.Query().Get("code"))
	}
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
