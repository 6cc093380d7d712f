package fctest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestProConnectCallbackFaults(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	for _, tc := range []struct {
		f     fctest.Fault
		check func(*testing.T, url.Values)
	}{
		{fctest.FaultCallbackMissingIssuer, func(t *testing.T, q url.Values) {
			require.Equal(t, []string{"code", "state"}, keysOfValues(q))
		}},
		{fctest.FaultLoginRequired, errorIs("login_required", "End-User authentication is required")},
		{fctest.FaultConsentRequired, errorIs("consent_required", "End-User consent is required")},
		{fctest.FaultInteractionRequired, errorIs("interaction_required", "End-User interaction is required")},
		{fctest.FaultACRNotSatisfied, func(t *testing.T, q url.Values) { requireACRNotSatisfied(t, e, q) }},
	} {
		t.Run(tc.f.String(), func(t *testing.T) {
			e.srv.InjectFault(tc.f)
			tc.check(t, e.callback("agent_mfa"))
			require.Equal(t, []string{"code", "iss", "state"}, keysOfValues(e.callback("agent_mfa")), "a fault applies once")
		})
	}

	e.callback("agent_mfa")
	e.srv.InjectFault(fctest.FaultLoginRequired)
	q := redirectQuery(t, e.srv.HTTPClient(), e.authURL("prompt", "none"))
	require.Equal(t, "login_required", q.Get("error"), "callback faults apply to silent logins too")
}

// pcTokenWithFault logs agent in under the request kv, injects f before
// the token request and returns the token response.
func pcTokenWithFault(t *testing.T, e *pcEnv, f fctest.Fault, agent string, kv ...string) map[string]any {
	t.Helper()
	code := e.code(agent, kv...)
	e.srv.InjectFault(f)
	return e.exchange(code)
}

func TestProConnectSigningFaults(t *testing.T) {
	for _, tc := range []struct {
		f       fctest.Fault
		alg     string
		wantAlg string
		check   func(t *testing.T, e *pcEnv, token string)
	}{
		{f: fctest.FaultAlgHS256, alg: "ES256", wantAlg: "HS256", check: func(t *testing.T, e *pcEnv, token string) {
			obj, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.HS256})
			require.NoError(t, err)
			_, err = obj.Verify([]byte(secret))
			require.NoError(t, err, "HS256 keyed by the secret, for a client registered ES256")
		}},
		{f: fctest.FaultSigningAlgMismatch, alg: "ES256", wantAlg: "RS256", check: func(t *testing.T, e *pcEnv, token string) {
			e.verify(token, "RS256") // a valid signature by the published RS256 key
		}},
		{f: fctest.FaultSigningAlgMismatch, alg: "RS256", wantAlg: "ES256", check: func(t *testing.T, e *pcEnv, token string) {
			e.verify(token, "ES256")
		}},
		{f: fctest.FaultSigningAlgMismatch, alg: "HS256", wantAlg: "ES256", check: func(t *testing.T, e *pcEnv, token string) {
			e.verify(token, "ES256")
		}},
		{f: fctest.FaultBadSignature, alg: "HS256", wantAlg: "HS256", check: func(t *testing.T, e *pcEnv, token string) {
			obj, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.HS256})
			require.NoError(t, err)
			_, err = obj.Verify([]byte(secret))
			require.Error(t, err)
		}},
		{f: fctest.FaultUnknownSigningKey, alg: "HS256", wantAlg: "HS256", check: func(t *testing.T, e *pcEnv, token string) {
			obj, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.HS256})
			require.NoError(t, err)
			_, err = obj.Verify([]byte(secret))
			require.Error(t, err, "another secret")
		}},
		{f: fctest.FaultAlgRS256, alg: "HS256", wantAlg: "RS256", check: func(t *testing.T, e *pcEnv, token string) {
			require.Contains(t, e.srv.KeyIDs(), header(t, token)["kid"])
		}},
	} {
		t.Run(tc.f.String()+"/"+tc.alg, func(t *testing.T) {
			e := newPCEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.SignedResponseAlg = tc.alg })
			token := pcTokenWithFault(t, e, tc.f, "agent_mfa")["id_token"].(string)
			require.Equal(t, tc.wantAlg, header(t, token)["alg"])
			tc.check(t, e, token)
			e.verify(e.tokens("agent_mfa")["id_token"].(string), tc.alg) // a fault applies once
		})
	}
}

func TestProConnectACRFaults(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	for _, tc := range []struct {
		f      fctest.Fault
		agent  string
		claims string
		want   any // nil: the genuine acr
	}{
		{fctest.FaultACRNotRequested, "agent_mfa", essential(mfaLevels...), "eidas0"},
		{fctest.FaultACRNotRequested, "agent_sans_mfa", essential("eidas0", "eidas1"), "eidas0-mfa"},
		{fctest.FaultACRHigherUnlisted, "agent_sans_mfa", essential("eidas1"), "eidas3"},
		{fctest.FaultACRHigherUnlisted, "agent_eidas3", essential("eidas1-mfa", "eidas3"), "eidas2"},
		{fctest.FaultACRHigherUnlisted, "agent_eidas2", essential("eidas2", "eidas3"), nil},
		{fctest.FaultACRLower, "agent_eidas2", essential("eidas2"), "eidas0"},
		{fctest.FaultACRHigher, "agent_sans_mfa", essential("eidas1"), "eidas3"},
		{fctest.FaultUnknownACR, "agent_sans_mfa", "", "http://eidas.europa.eu/LoA/substantial"},
		{fctest.FaultMissingACR, "agent_sans_mfa", "", "<missing>"},
	} {
		t.Run(tc.f.String()+"/"+tc.agent, func(t *testing.T) {
			tok := pcTokenWithFault(t, e, tc.f, tc.agent, "claims", tc.claims)
			claims := e.verify(tok["id_token"].(string), "ES256")
			switch tc.want {
			case nil:
				require.Equal(t, e.verify(e.tokens(tc.agent)["id_token"].(string), "ES256")["acr"], claims["acr"])
			case "<missing>":
				require.NotContains(t, claims, "acr")
			default:
				require.Equal(t, tc.want, claims["acr"])
			}
		})
	}
}

func TestProConnectEncryptedFaults(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	requireStrangerJWE := func(t *testing.T, token string) {
		require.Equal(t, 4, strings.Count(token, "."), "a compact JWE")
		h := header(t, token)
		require.Equal(t, "ECDH-ES", h["alg"])
		require.Equal(t, "A256GCM", h["enc"])
		require.Equal(t, "JWT", h["cty"])
		_, err := jose.ParseEncryptedCompact(token, []jose.KeyAlgorithm{jose.ECDH_ES}, []jose.ContentEncryption{jose.A256GCM})
		require.NoError(t, err)
	}
	tok := pcTokenWithFault(t, e, fctest.FaultEncrypted, "agent_mfa")
	requireStrangerJWE(t, tok["id_token"].(string))

	e.srv.InjectFault(fctest.FaultUserinfoEncrypted)
	resp, body := e.get(e.srv.Issuer()+"/userinfo", tok["access_token"].(string))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	requireStrangerJWE(t, string(body))
}

func TestProConnectRefreshOtherSub(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	e.srv.InjectFault(fctest.FaultRefreshOtherSub)
	tok := e.tokens("agent_mfa")
	sub := e.verify(tok["id_token"].(string), "ES256")["sub"]
	require.Equal(t, e.srv.Subject(pcClientID, "agent_mfa"), sub, "not applied to a code exchange")
	require.Equal(t, []fctest.Fault{fctest.FaultRefreshOtherSub}, e.srv.PendingFaults())

	status, m := e.refresh(tok["refresh_token"].(string))
	require.Equal(t, http.StatusOK, status, m)
	other := e.verify(m["id_token"].(string), "ES256")["sub"]
	require.NotEqual(t, sub, other)
	require.NotEmpty(t, other)

	e.srv.InjectFault(fctest.FaultWrongAudience)
	status, m = e.refresh(m["refresh_token"].(string))
	require.Equal(t, http.StatusOK, status, m)
	require.NotEqual(t, pcClientID, e.verify(m["id_token"].(string), "ES256")["aud"], "token faults apply to refreshes too")
}

func TestProConnectUserinfoFaults(t *testing.T) {
	for _, tc := range []struct {
		f           fctest.Fault
		registered  string // userinfo_signed_response_alg
		contentType string
		alg         string // the signature found; "" for JSON
	}{
		{fctest.FaultUserinfoUnsigned, "RS256", "application/json; charset=utf-8", ""},
		{fctest.FaultUserinfoSigned, "", "application/jwt; charset=utf-8", "ES256"},
		{fctest.FaultUserinfoSigningAlgMismatch, "ES256", "application/jwt; charset=utf-8", "RS256"},
		{fctest.FaultUserinfoSigningAlgMismatch, "HS256", "application/jwt; charset=utf-8", "ES256"},
		{fctest.FaultUserinfoSubMismatch, "", "application/json; charset=utf-8", ""},
	} {
		t.Run(tc.f.String()+"/"+tc.registered, func(t *testing.T) {
			e := newPCEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.UserinfoSignedResponseAlg = tc.registered })
			tok := e.tokens("agent_mfa")
			e.srv.InjectFault(tc.f)
			resp, body := e.get(e.srv.Issuer()+"/userinfo", tok["access_token"].(string))
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, tc.contentType, resp.Header.Get("Content-Type"))
			var info map[string]any
			if tc.alg == "" {
				require.NoError(t, json.Unmarshal(body, &info))
			} else {
				info = e.verify(string(body), tc.alg)
			}
			sub := e.srv.Subject(pcClientID, "agent_mfa")
			if tc.f == fctest.FaultUserinfoSubMismatch {
				require.NotEqual(t, sub, info["sub"])
			} else {
				require.Equal(t, sub, info["sub"])
			}
		})
	}
}

func TestProConnectDiscoveryFaults(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	e.srv.InjectFault(fctest.FaultDiscoveryUnsupportedAlgs)
	d := discovery(t, e.env)
	require.Equal(t, []any{"HS512", "PS256"}, d["id_token_signing_alg_values_supported"], "none that ProConnect uses")
	require.Equal(t, []any{"HS512", "PS256"}, d["userinfo_signing_alg_values_supported"])
	require.Equal(t, []any{"HS256", "ES256", "RS256"}, discovery(t, e.env)["id_token_signing_alg_values_supported"])

	e.srv.InjectFault(fctest.FaultDiscoveryWrongIssuer)
	require.NotEqual(t, e.srv.Issuer(), discovery(t, e.env)["issuer"])
}
