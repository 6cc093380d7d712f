package fctest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func discovery(t *testing.T, e *env) map[string]any {
	t.Helper()
	resp, body := e.get(e.srv.Issuer()+"/.well-known/openid-configuration", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Equal(t, "public, max-age=600", resp.Header.Get("Cache-Control"))
	var d map[string]any
	require.NoError(t, json.Unmarshal(body, &d))
	return d
}

func TestDiscoveryFranceConnectPlus(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	d := discovery(t, e)
	iss := e.srv.Issuer()
	require.Equal(t, e.srv.URL()+"/api/v2", iss)
	require.Equal(t, iss, d["issuer"])
	for k, path := range map[string]string{
		"authorization_endpoint": "/authorize", "token_endpoint": "/token", "userinfo_endpoint": "/userinfo",
		"end_session_endpoint": "/session/end", "jwks_uri": "/jwks", "revocation_endpoint": "/token/revocation",
	} {
		require.Equal(t, iss+path, d[k], k)
	}
	require.Equal(t, []any{"eidas2", "eidas3"}, d["acr_values_supported"])
	require.Equal(t, []any{"ES256"}, d["id_token_signing_alg_values_supported"])
	require.Equal(t, []any{"ES256"}, d["userinfo_signing_alg_values_supported"])
	require.ElementsMatch(t, []any{"ECDH-ES", "RSA-OAEP", "RSA-OAEP-256"}, d["id_token_encryption_alg_values_supported"])
	require.ElementsMatch(t, []any{"ECDH-ES", "RSA-OAEP", "RSA-OAEP-256"}, d["userinfo_encryption_alg_values_supported"])
	require.Equal(t, []any{"A256GCM"}, d["id_token_encryption_enc_values_supported"])
	require.Equal(t, []any{"A256GCM"}, d["userinfo_encryption_enc_values_supported"])
	require.Equal(t, []any{"code"}, d["response_types_supported"])
	require.Equal(t, []any{"authorization_code"}, d["grant_types_supported"])
	require.Equal(t, true, d["claims_parameter_supported"])
	require.Equal(t, true, d["authorization_response_iss_parameter_supported"])
	require.Subset(t, d["scopes_supported"], []any{"openid", "profile", "preferred_username", "rnipp_birth", "amr"})
	require.NotContains(t, d["scopes_supported"], "offline_access")
	require.Subset(t, d["claims_supported"], []any{"sub", "given_name", "rnipp_given_name_array", "amr", "acr"})
	for _, absent := range []string{"backchannel_logout_supported", "backchannel_logout_session_supported",
		"registration_endpoint", "introspection_endpoint", "check_session_iframe"} {
		require.NotContains(t, d, absent)
	}
	require.Equal(t, 1, e.srv.Requests("discovery"))

	// Only what the platform accepts from a service provider: its real
	// document also lists what its authorize whitelist refuses (Y030007).
	require.Equal(t, []any{"query"}, d["response_modes_supported"])
	require.Equal(t, []any{"client_secret_post"}, d["token_endpoint_auth_methods_supported"])
	require.Equal(t, false, d["request_parameter_supported"])
	for _, absent := range []string{"code_challenge_methods_supported", "token_endpoint_auth_signing_alg_values_supported",
		"request_object_signing_alg_values_supported", "request_object_encryption_alg_values_supported",
		"request_object_encryption_enc_values_supported", "dpop_signing_alg_values_supported"} {
		require.NotContains(t, d, absent, "FranceConnect+ refuses it")
	}
}

func TestDiscoveryFranceConnect(t *testing.T) {
	e := newEnv(t, fctest.Options{Platform: fctest.FranceConnect}, nil)
	d := discovery(t, e)
	require.Equal(t, []any{"eidas1"}, d["acr_values_supported"])
	require.Equal(t, []any{"ES256", "RS256"}, d["id_token_signing_alg_values_supported"],
		"HS256, which the platform keeps for legacy clients, is not emulated")
	require.Equal(t, []any{"ES256", "RS256"}, d["userinfo_signing_alg_values_supported"])
	rs256Only := newEnv(t, fctest.Options{Platform: fctest.FranceConnect, SigningAlg: "RS256"}, func(c *fctest.Registration) {
		c.SignedResponseAlg = "RS256"
	})
	require.Equal(t, []any{"RS256"}, discovery(t, rs256Only)["id_token_signing_alg_values_supported"])
	for _, absent := range []string{"id_token_encryption_alg_values_supported", "id_token_encryption_enc_values_supported",
		"userinfo_encryption_alg_values_supported", "userinfo_encryption_enc_values_supported"} {
		require.NotContains(t, d, absent)
	}
	require.Subset(t, d["scopes_supported"], []any{"openid", "profile", "preferred_username", "idp_birthdate", "idp_id"})
	require.NotContains(t, d["scopes_supported"], "rnipp_birth")
	require.Subset(t, d["claims_supported"], []any{"sub", "given_name", "given_name_array", "amr", "acr"})
}

func TestJWKS(t *testing.T) {
	for _, tc := range []struct {
		opts fctest.Options
		algs []string
	}{
		{fctest.Options{}, []string{"ES256"}},
		{fctest.Options{Platform: fctest.FranceConnect}, []string{"ES256", "RS256"}},
		{fctest.Options{Platform: fctest.FranceConnect, SigningAlg: "RS256"}, []string{"RS256"}},
	} {
		t.Run(tc.opts.Platform.String()+tc.opts.SigningAlg, func(t *testing.T) {
			e := newEnv(t, tc.opts, nil)
			resp, body := e.get(e.srv.Issuer()+"/jwks", "")
			require.Equal(t, "application/jwk-set+json; charset=utf-8", resp.Header.Get("Content-Type"))
			require.Equal(t, "public, max-age=600", resp.Header.Get("Cache-Control"))
			var raw struct {
				Keys []map[string]any `json:"keys"`
			}
			require.NoError(t, json.Unmarshal(body, &raw))
			require.Len(t, raw.Keys, len(tc.algs))
			for i, k := range raw.Keys {
				require.Equal(t, tc.algs[i], k["alg"])
				require.Equal(t, "sig", k["use"])
				require.NotContains(t, k, "d", "public keys only")
				if k["alg"] == "ES256" {
					require.Equal(t, "EC", k["kty"])
					require.Equal(t, "P-256", k["crv"])
				}
			}
			set := e.providerKeys()
			for _, k := range set.Keys {
				require.True(t, k.IsPublic())
				switch k.Key.(type) {
				case *ecdsa.PublicKey, *rsa.PublicKey:
				default:
					t.Fatalf("unexpected key type %T", k.Key)
				}
			}
		})
	}
}

func TestSigningKeyRotation(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	before := e.exchange(e.code("camille"))["id_token"].(string)
	oldKID, newKID := e.srv.RotateSigningKey()
	require.NotEqual(t, oldKID, newKID)
	require.Equal(t, []string{oldKID, newKID}, e.srv.KeyIDs())

	jws, _ := e.open(e.exchange(e.code("camille"))["id_token"].(string))
	require.Equal(t, newKID, header(t, jws)["kid"])
	oldJWS, _ := e.open(before)
	require.Equal(t, oldKID, header(t, oldJWS)["kid"], "old tokens still verify while the key is listed")

	require.Error(t, e.srv.RemoveKey(newKID), "the active key cannot be removed")
	require.Error(t, e.srv.RemoveKey("nope"))
	require.NoError(t, e.srv.RemoveKey(oldKID))
	require.Equal(t, []string{newKID}, e.srv.KeyIDs())
	require.ErrorIs(t, e.verifyWithJWKS(oldJWS), errUnknownKID)

	_, _, err := e.srv.RotateSigningKeyAlg("RS256")
	require.Error(t, err, "FranceConnect+ publishes no RS256 key")
}

func TestServerOptions(t *testing.T) {
	_, err := fctest.NewServer(fctest.Options{SigningAlg: "RS256"})
	require.Error(t, err, "FranceConnect+ only signs with ES256")
	_, err = fctest.NewServer(fctest.Options{Platform: fctest.FranceConnect, SigningAlg: "HS256"})
	require.Error(t, err)
	_, err = fctest.NewServer(fctest.Options{Platform: fctest.Platform(7)})
	require.Error(t, err)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s, err := fctest.NewServer(fctest.Options{Listener: ln})
	require.NoError(t, err)
	require.Equal(t, "http://"+ln.Addr().String(), s.URL())
	s.Close()
	s.Close() // idempotent
	_, err = http.Get(s.Issuer() + "/jwks")
	require.Error(t, err, "closed")
}

func TestNonLoopbackListenerRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skip("cannot listen on 0.0.0.0")
	}
	_, err = fctest.NewServer(fctest.Options{Listener: ln})
	require.ErrorContains(t, err, "loopback")
}

func TestRequestCounters(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	e.exchange(e.code("camille"))
	_, _ = e.srv.Logout(context.Background(), e.logoutURL("id_token_hint", "x.y.z"))
	require.Equal(t, 1, e.srv.Requests("authorize"))
	require.Equal(t, 2, e.srv.Requests("interaction"))
	require.Equal(t, 1, e.srv.Requests("token"))
	require.Equal(t, 1, e.srv.Requests("session/end"))
	require.Equal(t, 0, e.srv.Requests("userinfo"))
	require.Equal(t, 0, e.srv.Requests("no such endpoint"))
}

func TestPlatformString(t *testing.T) {
	require.Equal(t, "FranceConnect+", fctest.FranceConnectPlus.String())
	require.Equal(t, "FranceConnect", fctest.FranceConnect.String())
	require.Equal(t, "Platform(9)", fctest.Platform(9).String())
}
