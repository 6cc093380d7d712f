package fctest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// userinfo logs in with scope and returns the verified userinfo claims.
func (e *env) userinfo(identity, scope string) map[string]any {
	e.t.Helper()
	tok := e.exchange(e.code(identity, "scope", scope))
	resp, body := e.get(e.srv.Issuer()+"/userinfo", tok["access_token"].(string))
	require.Equal(e.t, http.StatusOK, resp.StatusCode, string(body))
	require.Equal(e.t, "application/jwt; charset=utf-8", resp.Header.Get("Content-Type"))
	_, claims := e.open(string(body))
	return claims
}

func TestUserinfoPerScope(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	envelope := []string{"aud", "exp", "iat", "iss", "sub"}
	for _, tc := range []struct {
		scope  string
		claims []string
	}{
		{"openid", nil},
		{"openid given_name", []string{"given_name"}},
		{"openid family_name", []string{"family_name"}},
		{"openid birthdate", []string{"birthdate"}},
		{"openid gender", []string{"gender"}},
		{"openid birthplace", []string{"birthplace"}},
		{"openid birthcountry", []string{"birthcountry"}},
		{"openid email", []string{"email"}},
		{"openid preferred_username", []string{"preferred_username"}},
		{"openid profile", []string{"birthdate", "family_name", "gender", "given_name", "preferred_username"}},
		{"openid birth", []string{"birthcountry", "birthplace"}},
		{"openid identite_pivot", []string{"birthcountry", "birthdate", "birthplace", "family_name", "gender", "given_name"}},
		{"openid rnipp_given_name", []string{"given_name", "rnipp_given_name", "rnipp_given_name_array"}},
		{"openid rnipp_family_name", []string{"family_name", "rnipp_family_name"}},
		{"openid rnipp_gender", []string{"gender", "rnipp_gender"}},
		{"openid rnipp_birthdate", []string{"birthdate", "rnipp_birthdate"}},
		{"openid rnipp_birthplace", []string{"birthplace", "rnipp_birthplace"}},
		{"openid rnipp_birthcountry", []string{"birthcountry", "rnipp_birthcountry"}},
		{"openid rnipp_birth", []string{"birthcountry", "birthplace", "rnipp_birthcountry", "rnipp_birthplace"}},
		{"openid rnipp_profile", []string{"birthdate", "family_name", "gender", "given_name", "preferred_username",
			"rnipp_birthdate", "rnipp_family_name", "rnipp_gender", "rnipp_given_name", "rnipp_given_name_array"}},
		{"openid rnipp_identite_pivot", []string{"birthcountry", "birthdate", "birthplace", "family_name", "gender",
			"given_name", "rnipp_birthcountry", "rnipp_birthdate", "rnipp_birthplace", "rnipp_family_name",
			"rnipp_gender", "rnipp_given_name", "rnipp_given_name_array"}},
		{"openid amr", []string{"amr"}},
		{"openid dgfip_rfr", nil},
	} {
		t.Run(tc.scope, func(t *testing.T) {
			claims := e.userinfo("nom_usage", tc.scope)
			want := append(append([]string{}, envelope...), tc.claims...)
			require.ElementsMatch(t, want, keysOf(claims))
		})
	}
}

func TestUserinfoValues(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	code := e.code("accents", "scope", "openid profile birth email rnipp_given_name")
	tok := e.exchange(code)
	_, idClaims := e.open(tok["id_token"].(string))
	resp, body := e.get(e.srv.Issuer()+"/userinfo", tok["access_token"].(string))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	_, c := e.open(string(body))
	require.Equal(t, idClaims["sub"], c["sub"])
	require.Equal(t, clientID, c["aud"])
	require.Equal(t, e.srv.Issuer(), c["iss"])
	require.EqualValues(t, e.clock.Now().Unix(), c["iat"])
	require.EqualValues(t, e.clock.Now().Add(60*time.Second).Unix(), c["exp"], "exp is the access token expiry")
	require.Equal(t, "Éloïse Maëlle", c["given_name"])
	require.Equal(t, []any{"Éloïse", "Maëlle"}, c["rnipp_given_name_array"])
	require.Equal(t, "D'HÉRICOURT", c["family_name"])
	require.Equal(t, "CŒURDEROY", c["preferred_username"])
	require.Equal(t, "female", c["gender"])
	require.Equal(t, "1988-12-09", c["birthdate"])
	require.Equal(t, "21231", c["birthplace"])
	require.Equal(t, "99100", c["birthcountry"])

	abroad := e.userinfo("ne_algerie", "openid birth email preferred_username")
	require.Equal(t, "", abroad["birthplace"], "born abroad: empty birthplace")
	require.Equal(t, "99352", abroad["birthcountry"])
	require.NotContains(t, abroad, "preferred_username", "no usage name: claim omitted")
	require.NotContains(t, e.userinfo("sans_email", "openid email"), "email")
}

func TestUserinfoIsNestedJWE(t *testing.T) {
	e := newEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.EncryptedResponseAlg = "RSA-OAEP-256" })
	tok := e.exchange(e.code("camille"))
	_, body := e.get(e.srv.Issuer()+"/userinfo", tok["access_token"].(string))
	h := header(t, string(body))
	require.ElementsMatch(t, []string{"alg", "enc", "cty", "kid", "iss", "aud"}, keysOf(h))
	require.Equal(t, "RSA-OAEP-256", h["alg"])
	jws, _ := e.open(string(body))
	require.Equal(t, []string{"alg", "kid"}, keysOf(header(t, jws)))
}

func TestUserinfoTokenTransport(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	at := e.exchange(e.code("camille"))["access_token"].(string)
	ui := e.srv.Issuer() + "/userinfo"

	resp, body := e.get(ui+"?access_token="+url.QueryEscape(at), "")
	require.Equal(t, http.StatusOK, resp.StatusCode, "query parameter accepted")
	require.NotEmpty(t, body)

	resp, body = e.get(ui+"?access_token="+url.QueryEscape(at), at)
	requireJSONError(t, resp, body, http.StatusBadRequest, "invalid_request",
		"access token must only be provided using one mechanism", "")

	resp, body = e.get(ui, "")
	requireJSONError(t, resp, body, http.StatusUnauthorized, "invalid_token",
		"no access token provided (no access token provided)", "Y04146A2")
	require.Contains(t, resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`)

	resp, body = e.get(ui, strings.Repeat("u", 43))
	requireJSONError(t, resp, body, http.StatusUnauthorized, "invalid_token",
		"invalid token provided (access token not found)", "Y040001")

	resp, err := http.Post(ui, "application/x-www-form-urlencoded", strings.NewReader("access_token="+at))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, "userinfo is GET only")
}

func TestAccessTokenExpiresAfter60Seconds(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	at := e.exchange(e.code("camille"))["access_token"].(string)
	e.clock.Advance(59 * time.Second)
	resp, _ := e.get(e.srv.Issuer()+"/userinfo", at)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	e.clock.Advance(time.Second)
	resp, body := e.get(e.srv.Issuer()+"/userinfo", at)
	requireJSONError(t, resp, body, http.StatusUnauthorized, "invalid_token", "", "Y040001")
}

func TestRevocation(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	at := e.exchange(e.code("camille"))["access_token"].(string)
	form := func(kv ...string) url.Values {
		return changed(url.Values{"token": {at}, "client_id": {clientID}, "client_secret": {secret}}, kv...)
	}
	for _, tc := range []struct {
		name     string
		kv       []string
		status   int
		oauthErr string
	}{
		{"token_type_hint", []string{"token_type_hint", "access_token"}, 400, "invalid_request"},
		{"missing token", []string{"token", ""}, 400, "invalid_request"},
		{"short token", []string{"token", "abc"}, 400, "invalid_request"},
		{"token with a dot", []string{"token", strings.Repeat("a", 43) + "."}, 400, "invalid_request"},
		{"missing client_id", []string{"client_id", ""}, 400, "invalid_request"},
		{"short secret", []string{"client_secret", "short"}, 400, "invalid_request"},
		{"wrong secret", []string{"client_secret", strings.Repeat("w", 40)}, 401, "invalid_client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.post("/token/revocation", form(tc.kv...))
			requireJSONError(t, resp, body, tc.status, tc.oauthErr, "", "")
		})
	}
	resp, _ := e.get(e.srv.Issuer()+"/userinfo", at)
	require.Equal(t, http.StatusOK, resp.StatusCode, "failed revocations leave the token alive")

	resp, body := e.post("/token/revocation", form())
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Empty(t, body)
	resp, body = e.get(e.srv.Issuer()+"/userinfo", at)
	requireJSONError(t, resp, body, http.StatusUnauthorized, "invalid_token",
		"invalid token provided (access token not found)", "Y040001")

	resp, _ = e.post("/token/revocation", form("token", strings.Repeat("z", 43)))
	require.Equal(t, http.StatusOK, resp.StatusCode, "unknown tokens are answered 200 (RFC 7009)")
	require.Equal(t, 2, e.srv.Requests("userinfo"))
	require.Equal(t, 9, e.srv.Requests("revocation"))
}

func TestRevocationOfAnotherClientsToken(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	other := e.client
	other.ID, other.Secret = "other-client", fctest.Secret(strings.Repeat("o", 40))
	require.NoError(t, e.srv.Register(other))
	at := e.exchange(e.code("camille"))["access_token"].(string)
	resp, body := e.post("/token/revocation", url.Values{"token": {at}, "client_id": {other.ID}, "client_secret": {string(other.Secret)}})
	requireJSONError(t, resp, body, http.StatusBadRequest, "invalid_request", "this token does not belong to you", "")
}
