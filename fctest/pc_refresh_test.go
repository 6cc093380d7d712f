package fctest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// refresh redeems rt and returns the status and decoded body.
func (e *pcEnv) refresh(rt string, kv ...string) (int, map[string]any) {
	e.t.Helper()
	form := e.refreshForm(rt)
	for i := 0; i+1 < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	resp, body := e.post("/token", form)
	var m map[string]any
	require.NoError(e.t, json.Unmarshal(body, &m), string(body))
	return resp.StatusCode, m
}

func TestProConnectRefreshRotates(t *testing.T) {
	for _, alg := range []string{"ES256", "RS256", "HS256"} {
		t.Run(alg, func(t *testing.T) {
			e := newPCEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.SignedResponseAlg = alg })
			first := e.tokens("agent_eidas2", "claims", `{"id_token":{"amr":null}}`)
			login := e.verify(first["id_token"].(string), alg)
			e.clock.Advance(10 * time.Minute)

			status, second := e.refresh(first["refresh_token"].(string))
			require.Equal(t, http.StatusOK, status, second)
			require.Equal(t, []string{"access_token", "expires_in", "id_token", "refresh_token", "scope", "token_type"}, keysOf(second))
			require.NotEqual(t, first["access_token"], second["access_token"])
			require.NotEqual(t, first["refresh_token"], second["refresh_token"], "rotation")
			again := e.verify(second["id_token"].(string), alg)
			require.Equal(t, []string{"acr", "amr", "aud", "auth_time", "exp", "iat", "iss", "sub"}, keysOf(again),
				"no nonce in a refreshed id_token")
			require.Equal(t, login["sub"], again["sub"])
			require.Equal(t, login["acr"], again["acr"])
			require.Equal(t, login["auth_time"], again["auth_time"], "no new authentication")
			require.EqualValues(t, e.clock.Now().Unix(), again["iat"])

			resp, body := e.get(e.srv.Issuer()+"/userinfo", second["access_token"].(string))
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))

			status, reused := e.refresh(first["refresh_token"].(string))
			require.Equal(t, http.StatusBadRequest, status)
			require.Equal(t, "invalid_grant", reused["error"])
			require.Contains(t, reused["error_description"], "refresh token already used")
			status, _ = e.refresh(second["refresh_token"].(string))
			require.Equal(t, http.StatusBadRequest, status, "reusing a rotated token revokes the grant")
			resp, _ = e.get(e.srv.Issuer()+"/userinfo", second["access_token"].(string))
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "its access tokens too")
		})
	}
}

func TestProConnectRefreshRefusals(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	require.NoError(t, e.srv.Register(fctest.Registration{ID: "other-fs", Secret: secret, RedirectURIs: []string{callbackURL}}))
	for _, tc := range []struct {
		name  string
		kv    []string
		wait  time.Duration
		error string
		desc  string
	}{
		{"another client", []string{"client_id", "other-fs"}, 0, "invalid_grant", "grant request is invalid (client mismatch)"},
		{"unknown token", []string{"refresh_token", "unknown"}, 0, "invalid_grant", "grant request is invalid (refresh token not found)"},
		{"no token", []string{"refresh_token", ""}, 0, "invalid_request", "missing required parameter 'refresh_token'"},
		{"expired after two hours", nil, 2 * time.Hour, "invalid_grant", "grant request is invalid (refresh token is expired)"},
		{"wider scope", []string{"scope", "openid phone"}, 0, "invalid_scope", "refresh token missing requested scope"},
		{"wrong secret", []string{"client_secret", "another-client-secret-of-32-characters"}, 0, "invalid_client", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := e.tokens("agent_mfa", "scope", "openid email")
			e.clock.Advance(tc.wait)
			status, m := e.refresh(tok["refresh_token"].(string), tc.kv...)
			require.GreaterOrEqual(t, status, 400)
			require.Equal(t, tc.error, m["error"])
			if tc.desc != "" {
				require.Equal(t, tc.desc, m["error_description"])
			}
			if tc.wait == 0 && tc.name != "wider scope" {
				status, m = e.refresh(tok["refresh_token"].(string))
				require.Equal(t, http.StatusOK, status, "a refused request leaves the token usable: %v", m)
			}
		})
	}

	tok := e.tokens("agent_mfa", "scope", "openid email siret")
	status, m := e.refresh(tok["refresh_token"].(string), "scope", "openid siret")
	require.Equal(t, http.StatusOK, status, m)
	require.Equal(t, "openid siret", m["scope"], "a narrower scope")
	resp, body := e.get(e.srv.Issuer()+"/userinfo", m["access_token"].(string))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotContains(t, e.verify(string(body), "ES256"), "email")

	fc := newEnv(t, fctest.Options{Platform: fctest.FranceConnect}, nil)
	resp, body = fc.post("/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)},
		"client_id": {fc.client.ID}, "client_secret": {string(fc.client.Secret)}})
	requireJSONError(t, resp, body, http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type requested", "")
}

func TestProConnectCodeReuseRevokesRefreshTokens(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	code := e.code("agent_mfa")
	tok := e.exchange(code)
	resp, _ := e.post("/token", e.tokenForm(code))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	status, _ := e.refresh(tok["refresh_token"].(string))
	require.Equal(t, http.StatusBadRequest, status, "the grant is revoked")
}

func TestProConnectRevokeRefreshToken(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	tok := e.tokens("agent_mfa")
	require.NoError(t, e.srv.Register(fctest.Registration{ID: "other-fs", Secret: secret, RedirectURIs: []string{callbackURL}}))
	revoke := func(id string) *http.Response {
		resp, _ := e.post("/token/revocation", url.Values{"token": {tok["refresh_token"].(string)},
			"client_id": {id}, "client_secret": {secret}})
		return resp
	}
	require.Equal(t, http.StatusBadRequest, revoke("other-fs").StatusCode, "not the other client's token")
	require.Equal(t, http.StatusOK, revoke(pcClientID).StatusCode)
	status, _ := e.refresh(tok["refresh_token"].(string))
	require.Equal(t, http.StatusBadRequest, status)
	resp, _ := e.get(e.srv.Issuer()+"/userinfo", tok["access_token"].(string))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "RFC 7009: the access tokens of the grant go too")
}
