package fctest_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestProConnectSigningAlgorithmPerClient(t *testing.T) {
	for _, tc := range []struct{ idToken, userinfo string }{
		{"ES256", "ES256"}, {"RS256", "RS256"}, {"HS256", "HS256"},
		{"ES256", ""}, {"RS256", ""}, {"HS256", ""},
		{"RS256", "ES256"}, {"ES256", "HS256"},
	} {
		t.Run(tc.idToken+"/userinfo-"+tc.userinfo, func(t *testing.T) {
			e := newPCEnv(t, fctest.Options{}, func(c *fctest.Registration) {
				c.SignedResponseAlg, c.UserinfoSignedResponseAlg = tc.idToken, tc.userinfo
			})
			tok := e.tokens("agent_mfa")
			idToken := tok["id_token"].(string)
			h := header(t, idToken)
			require.Equal(t, tc.idToken, h["alg"])
			if tc.idToken == "HS256" {
				require.Equal(t, []string{"alg"}, keysOf(h), "HS256 has no kid")
			} else {
				require.Equal(t, []string{"alg", "kid"}, keysOf(h))
			}
			claims := e.verify(idToken, tc.idToken)
			require.Equal(t, e.srv.Subject(pcClientID, "agent_mfa"), claims["sub"])

			resp, body := e.get(e.srv.Issuer()+"/userinfo", tok["access_token"].(string))
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			var info map[string]any
			if tc.userinfo == "" {
				require.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
				require.NoError(t, json.Unmarshal(body, &info))
				require.NotContains(t, info, "iss", "plain JSON has only the claims")
			} else {
				require.Equal(t, "application/jwt; charset=utf-8", resp.Header.Get("Content-Type"))
				info = e.verify(string(body), tc.userinfo)
				require.Equal(t, e.srv.Issuer(), info["iss"])
				require.Equal(t, pcClientID, info["aud"])
			}
			require.Equal(t, claims["sub"], info["sub"])
			require.Equal(t, "Claire", info["given_name"])
		})
	}
}

func TestProConnectHS256IsKeyedByTheClientSecret(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.SignedResponseAlg = "HS256" })
	idToken := e.tokens("agent_mfa")["id_token"].(string)
	obj, err := jose.ParseSignedCompact(idToken, []jose.SignatureAlgorithm{jose.HS256})
	require.NoError(t, err)
	_, err = obj.Verify([]byte(secret))
	require.NoError(t, err, "RFC 7518 §3.2: the client secret is the key")
	_, err = obj.Verify([]byte(strings.Repeat("x", len(secret))))
	require.Error(t, err, "another secret does not verify")
	for _, k := range e.providerKeys().Keys {
		_, err = obj.Verify(k.Key)
		require.Error(t, err, "no provider key verifies an HS256 token")
	}
}

func TestProConnectJWKSMixesES256AndRS256(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	set := e.providerKeys()
	require.Len(t, set.Keys, 2)
	require.Equal(t, "ES256", set.Keys[0].Algorithm)
	require.Equal(t, "RS256", set.Keys[1].Algorithm)
	require.NotEqual(t, set.Keys[0].KeyID, set.Keys[1].KeyID)
	for _, k := range set.Keys {
		require.Equal(t, "sig", k.Use)
		require.True(t, k.IsPublic())
	}

	only := newPCEnv(t, fctest.Options{SigningAlg: "ES256"}, nil)
	require.Len(t, only.providerKeys().Keys, 1)
	err := only.srv.Register(fctest.Registration{ID: "rs", Secret: secret, RedirectURIs: []string{callbackURL},
		SignedResponseAlg: "RS256"})
	require.ErrorContains(t, err, `client "rs": id_token_signed_response_alg: algorithm "RS256" is not published`)
	require.NoError(t, only.srv.Register(fctest.Registration{ID: "hs", Secret: secret,
		RedirectURIs: []string{callbackURL}, SignedResponseAlg: "HS256"}), "HS256 needs no provider key")
}

func TestProConnectTokenResponse(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	code := e.code("agent_territorial", "claims", `{"id_token":{"amr":null}}`)
	e.clock.Advance(5 * time.Second)
	tok := e.exchange(code)
	require.Equal(t, []string{"access_token", "expires_in", "id_token", "refresh_token", "scope", "token_type"}, keysOf(tok))
	require.EqualValues(t, 60, tok["expires_in"], "the expires_in ProConnect answers")
	require.Len(t, tok["refresh_token"], 43)
	require.Equal(t, pcScope, tok["scope"])
	claims := e.verify(tok["id_token"].(string), "ES256")
	require.Equal(t, []string{"acr", "amr", "aud", "auth_time", "exp", "iat", "iss", "nonce", "sub"}, keysOf(claims))
	require.Equal(t, []any{"mail"}, claims["amr"], "ProConnect's e-mail method")
	require.Equal(t, "eidas1", claims["acr"])
	require.EqualValues(t, e.clock.Now().Unix()-5, claims["auth_time"])
	require.EqualValues(t, e.clock.Now().Unix()+60, claims["exp"])

	_, plain := e.open(e.tokens("agent_territorial")["id_token"].(string))
	require.NotContains(t, plain, "amr", "amr only when requested through claims")
}

func TestProConnectSubIsTheAccountIDAtEveryClient(t *testing.T) {
	agents := fctest.DemoAgents()
	agents[0].Sub = "4b6c1d8a-0f5e-4c1b-9d3a-2e7f6a5b4c3d"
	e := newPCEnv(t, fctest.Options{Agents: agents}, nil)
	require.NoError(t, e.srv.Register(fctest.Registration{ID: "other-fs", Secret: secret,
		RedirectURIs: []string{callbackURL}}))
	sub := e.srv.Subject(pcClientID, "agent_sans_mfa")
	require.Regexp(t, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`), sub)
	require.Equal(t, sub, e.srv.Subject("other-fs", "agent_sans_mfa"), "not pairwise")
	require.NotEqual(t, sub, e.srv.Subject(pcClientID, "agent_eidas2"))
	require.Equal(t, agents[0].Sub, e.srv.Subject("other-fs", agents[0].Login))

	_, claims := e.open(e.tokens("agent_sans_mfa")["id_token"].(string))
	require.Equal(t, sub, claims["sub"])
	form := e.tokenForm(e.code("agent_sans_mfa", "client_id", "other-fs"))
	form.Set("client_id", "other-fs")
	resp, body := e.post("/token", form)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var tok map[string]any
	require.NoError(t, json.Unmarshal(body, &tok))
	require.Equal(t, sub, payload(t, tok["id_token"].(string))["sub"], "the same sub at another client")
	require.Equal(t, agents[0].Sub, payload(t, e.tokens(agents[0].Login)["id_token"].(string))["sub"])

	salted := fctest.New(t, fctest.Options{Platform: fctest.ProConnect, SubjectSecret: "another"})
	require.NotEqual(t, sub, salted.Subject(pcClientID, "agent_sans_mfa"))
	require.Equal(t, sub, fctest.New(t, fctest.Options{Platform: fctest.ProConnect}).Subject("x", "agent_sans_mfa"),
		"stable across servers")
}

func TestProConnectPKCE(t *testing.T) {
	verifier := strings.Repeat("abcdefgh-._~", 5)
	e := newPCEnv(t, fctest.Options{}, nil)
	withPKCE := func() string {
		return e.code("agent_mfa", "code_challenge", challengeOf(verifier), "code_challenge_method", "S256")
	}
	for _, tc := range []struct {
		name     string
		code     func() string
		verifier string // "" leaves code_verifier out
		ok       bool
	}{
		{"matching verifier", withPKCE, verifier, true},
		{"wrong verifier", withPKCE, strings.Repeat("x", 60), false},
		{"no verifier", withPKCE, "", false},
		{"challenge as verifier", withPKCE, challengeOf(verifier), false},
		{"verifier too short", withPKCE, "abc", false},
		{"verifier without challenge", func() string { return e.code("agent_mfa") }, verifier, false},
		{"neither", func() string { return e.code("agent_mfa") }, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := e.tokenForm(tc.code())
			if tc.verifier != "" {
				form.Set("code_verifier", tc.verifier)
			}
			resp, body := e.post("/token", form)
			if tc.ok {
				require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
				return
			}
			requireJSONError(t, resp, body, http.StatusBadRequest, "invalid_grant",
				"grant request is invalid (PKCE verification failed)", "")
			form.Del("code_verifier")
			if tc.name != "verifier without challenge" {
				form.Set("code_verifier", verifier)
			}
			resp, body = e.post("/token", form)
			require.Equal(t, http.StatusOK, resp.StatusCode, "a failed PKCE check does not consume the code: %s", body)
		})
	}
}

func TestProConnectCodeLivesSixtySeconds(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	code := e.code("agent_mfa")
	e.clock.Advance(59 * time.Second)
	e.exchange(code)

	code = e.code("agent_mfa")
	e.clock.Advance(60 * time.Second)
	resp, body := e.post("/token", e.tokenForm(code))
	requireJSONError(t, resp, body, http.StatusBadRequest, "invalid_grant",
		"grant request is invalid (authorization code is expired)", "Y043F0A8")
}
