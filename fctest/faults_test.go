package fctest_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// decrypt returns the JWS inside a JWE id_token or userinfo, accepting
// any algorithm so that faulty tokens can be inspected.
func (e *env) decrypt(token string) (string, error) {
	obj, err := jose.ParseEncryptedCompact(token,
		[]jose.KeyAlgorithm{jose.ECDH_ES, jose.ECDH_ES_A256KW, jose.RSA_OAEP_256, jose.RSA_OAEP},
		[]jose.ContentEncryption{jose.A256GCM, jose.A128GCM})
	if err != nil {
		return "", err
	}
	plain, err := obj.Decrypt(e.key.priv.Key)
	return string(plain), err
}

// verifyWithJWKS verifies jws against the emulator's published keys.
func (e *env) verifyWithJWKS(jws string) error {
	obj, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		return err
	}
	set := e.providerKeys()
	keys := set.Key(obj.Signatures[0].Header.KeyID)
	if len(keys) == 0 {
		return errUnknownKID
	}
	_, err = obj.Verify(keys[0].Key)
	return err
}

var errUnknownKID = &json.UnsupportedValueError{Str: "unknown kid"}

// tokenWithFault logs in, injects f and returns the raw token response.
func tokenWithFault(t *testing.T, e *env, f fctest.Fault, kv ...string) (*http.Response, map[string]any) {
	t.Helper()
	code := e.code("camille", kv...)
	e.srv.InjectFault(f)
	resp, body := e.post("/token", e.tokenForm(code))
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m), string(body))
	return resp, m
}

// idTokenWithFault returns the inner JWS of an id_token issued under f.
func idTokenWithFault(t *testing.T, e *env, f fctest.Fault, kv ...string) string {
	t.Helper()
	resp, m := tokenWithFault(t, e, f, kv...)
	require.Equal(t, http.StatusOK, resp.StatusCode, m)
	jws, err := e.decrypt(m["id_token"].(string))
	require.NoError(t, err)
	return jws
}

func TestCallbackFaults(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	for _, tc := range []struct {
		f     fctest.Fault
		check func(*testing.T, url.Values)
	}{
		{fctest.FaultAccessDenied, errorIs("access_denied", "User auth aborted")},
		{fctest.FaultServerError, errorIs("server_error",
			"authentication aborted due to a technical error on the authorization server")},
		{fctest.FaultTemporarilyUnavailable, errorIs("temporarily_unavailable",
			"authentication aborted due to a technical error on the authorization server")},
		{fctest.FaultCallbackWrongState, func(t *testing.T, q url.Values) {
			require.NotEmpty(t, q.Get("code"))
			require.NotEqual(t, testState, q.Get("state"))
			require.Equal(t, e.srv.Issuer(), q.Get("iss"))
		}},
		{fctest.FaultCallbackWrongIssuer, func(t *testing.T, q url.Values) {
			require.NotEmpty(t, q.Get("code"))
			require.Equal(t, testState, q.Get("state"))
			require.NotEqual(t, e.srv.Issuer(), q.Get("iss"))
		}},
		{fctest.FaultCallbackMissingState, func(t *testing.T, q url.Values) {
			require.Equal(t, []string{"code", "iss"}, keysOfValues(q))
		}},
	} {
		t.Run(tc.f.String(), func(t *testing.T) {
			e.srv.InjectFault(tc.f)
			tc.check(t, e.login("camille"))
			require.Empty(t, e.srv.PendingFaults())
			require.Empty(t, e.login("camille").Get("error"), "a fault applies once")
		})
	}
}

func errorIs(code, desc string) func(*testing.T, url.Values) {
	return func(t *testing.T, q url.Values) {
		require.Equal(t, []string{"error", "error_description", "iss", "state"}, keysOfValues(q))
		require.Equal(t, code, q.Get("error"))
		require.Equal(t, desc, q.Get("error_description"))
		require.Equal(t, testState, q.Get("state"))
	}
}

func TestIDTokenFaults(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	now := func() int64 { return e.clock.Now().Unix() }
	for _, tc := range []struct {
		f     fctest.Fault
		check func(t *testing.T, jws string, claims map[string]any)
	}{
		{fctest.FaultUnknownSigningKey, func(t *testing.T, jws string, _ map[string]any) {
			require.ErrorIs(t, e.verifyWithJWKS(jws), errUnknownKID)
			require.Equal(t, []string{"alg", "kid"}, keysOf(header(t, jws)))
		}},
		{fctest.FaultBadSignature, func(t *testing.T, jws string, _ map[string]any) {
			err := e.verifyWithJWKS(jws)
			require.Error(t, err)
			require.NotErrorIs(t, err, errUnknownKID)
		}},
		{fctest.FaultAlgNone, func(t *testing.T, jws string, _ map[string]any) {
			require.Equal(t, map[string]any{"alg": "none"}, header(t, jws))
			require.True(t, strings.HasSuffix(jws, "."))
		}},
		{fctest.FaultAlgRS256, func(t *testing.T, jws string, _ map[string]any) {
			h := header(t, jws)
			require.Equal(t, "RS256", h["alg"])
			require.Contains(t, e.srv.KeyIDs(), h["kid"], "under the kid of the real ES256 key")
			require.Error(t, e.verifyWithJWKS(jws))
		}},
		{fctest.FaultMissingKid, func(t *testing.T, jws string, _ map[string]any) {
			require.Equal(t, map[string]any{"alg": "ES256"}, header(t, jws))
			obj, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.ES256})
			require.NoError(t, err)
			_, err = obj.Verify(e.providerKeys().Keys[0].Key)
			require.NoError(t, err, "signed by the real key")
		}},
		{fctest.FaultExtraAudience, func(t *testing.T, _ string, c map[string]any) {
			aud, ok := c["aud"].([]any)
			require.True(t, ok, "aud is an array")
			require.Len(t, aud, 2)
			require.Equal(t, clientID, aud[0])
			require.NotEqual(t, clientID, aud[1])
		}},
		{fctest.FaultMissingSub, func(t *testing.T, _ string, c map[string]any) {
			require.NotContains(t, c, "sub")
		}},
		{fctest.FaultMissingIssuedAt, func(t *testing.T, _ string, c map[string]any) {
			require.NotContains(t, c, "iat")
			require.Contains(t, c, "exp")
		}},
		{fctest.FaultUnknownACR, func(t *testing.T, _ string, c map[string]any) {
			require.Equal(t, "http://eidas.europa.eu/LoA/substantial", c["acr"])
		}},
		{fctest.FaultMissingACR, func(t *testing.T, _ string, c map[string]any) {
			require.NotContains(t, c, "acr")
		}},
		{fctest.FaultAlgHS256, func(t *testing.T, jws string, _ map[string]any) {
			h := header(t, jws)
			require.Equal(t, "HS256", h["alg"])
			require.Contains(t, e.srv.KeyIDs(), h["kid"])
			obj, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.HS256})
			require.NoError(t, err)
			_, err = obj.Verify([]byte(secret))
			require.NoError(t, err, "signed with the client secret")
		}},
		{fctest.FaultExpiredToken, func(t *testing.T, _ string, c map[string]any) {
			require.EqualValues(t, now()-120, c["iat"])
			require.EqualValues(t, now()-60, c["exp"])
		}},
		{fctest.FaultIssuedInFuture, func(t *testing.T, _ string, c map[string]any) {
			require.EqualValues(t, now()+600, c["iat"])
		}},
		{fctest.FaultWrongAudience, func(t *testing.T, _ string, c map[string]any) {
			require.NotEqual(t, clientID, c["aud"])
			require.NotEmpty(t, c["aud"])
		}},
		{fctest.FaultWrongIssuer, func(t *testing.T, _ string, c map[string]any) {
			require.NotEqual(t, e.srv.Issuer(), c["iss"])
		}},
		{fctest.FaultWrongNonce, func(t *testing.T, _ string, c map[string]any) {
			require.NotEqual(t, testNonce, c["nonce"])
			require.NotEmpty(t, c["nonce"])
		}},
		{fctest.FaultMissingNonce, func(t *testing.T, _ string, c map[string]any) {
			require.NotContains(t, c, "nonce")
		}},
	} {
		t.Run(tc.f.String(), func(t *testing.T) {
			jws := idTokenWithFault(t, e, tc.f)
			tc.check(t, jws, payload(t, jws))
			_, claims := e.open(e.exchange(e.code("camille"))["id_token"].(string))
			require.Equal(t, testNonce, claims["nonce"], "a fault applies once")
		})
	}
}

func TestACRFaults(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	for _, tc := range []struct {
		f                   fctest.Fault
		identity, requested string
		want                string
	}{
		{fctest.FaultACRLower, "camille", "eidas3", "eidas2"},
		{fctest.FaultACRLower, "camille", "eidas2", "eidas1"},
		{fctest.FaultACRHigher, "substantiel", "eidas2", "eidas3"},
		{fctest.FaultACRHigher, "camille", "eidas3", "eidas3"},
	} {
		t.Run(tc.f.String()+"/"+tc.requested, func(t *testing.T) {
			code := e.code(tc.identity, "acr_values", tc.requested)
			e.srv.InjectFault(tc.f)
			_, claims := e.open(e.exchange(code)["id_token"].(string))
			require.Equal(t, tc.want, claims["acr"])
		})
	}
}

func TestEncryptionFaults(t *testing.T) {
	for _, alg := range []string{"ECDH-ES", "RSA-OAEP-256", "RSA-OAEP"} {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.EncryptedResponseAlg = alg })

			_, m := tokenWithFault(t, e, fctest.FaultUnencrypted)
			require.Equal(t, 2, strings.Count(m["id_token"].(string), "."), "bare JWS")
			require.NoError(t, e.verifyWithJWKS(m["id_token"].(string)))

			_, m = tokenWithFault(t, e, fctest.FaultEncryptionAlgMismatch)
			h := header(t, m["id_token"].(string))
			require.NotEqual(t, alg, h["alg"])
			require.Equal(t, map[string]string{"ECDH-ES": "ECDH-ES+A256KW", "RSA-OAEP-256": "RSA-OAEP",
				"RSA-OAEP": "RSA-OAEP-256"}[alg], h["alg"])
			_, err := e.decrypt(m["id_token"].(string))
			require.NoError(t, err, "still decryptable with the FS key")

			_, m = tokenWithFault(t, e, fctest.FaultEncryptionEncMismatch)
			require.Equal(t, "A128GCM", header(t, m["id_token"].(string))["enc"])

			_, m = tokenWithFault(t, e, fctest.FaultEncryptionDir)
			h = header(t, m["id_token"].(string))
			require.Equal(t, "dir", h["alg"])
			require.Equal(t, "fs-key-"+strings.ToLower(alg), h["kid"])
			sum := sha256.Sum256([]byte(secret))
			obj, err := jose.ParseEncryptedCompact(m["id_token"].(string), []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256GCM})
			require.NoError(t, err)
			_, err = obj.Decrypt(sum[:])
			require.NoError(t, err, "keyed by the SHA-256 of the client secret")

			_, m = tokenWithFault(t, e, fctest.FaultEncryptionRSA15)
			require.Equal(t, "RSA1_5", header(t, m["id_token"].(string))["alg"])
			if alg != "ECDH-ES" {
				obj, err := jose.ParseEncryptedCompact(m["id_token"].(string), []jose.KeyAlgorithm{jose.RSA1_5}, []jose.ContentEncryption{jose.A256GCM})
				require.NoError(t, err)
				_, err = obj.Decrypt(e.key.priv.Key)
				require.NoError(t, err, "encrypted to the client's RSA key")
			}

			_, m = tokenWithFault(t, e, fctest.FaultJWEPayloadNotJWS)
			plain, err := e.decrypt(m["id_token"].(string))
			require.NoError(t, err)
			var claims map[string]any
			require.NoError(t, json.Unmarshal([]byte(plain), &claims), "the claims, not a JWS")
			require.Equal(t, clientID, claims["aud"])

			_, m = tokenWithFault(t, e, fctest.FaultNestedJWE)
			inner, err := e.decrypt(m["id_token"].(string))
			require.NoError(t, err)
			require.Equal(t, 4, strings.Count(inner, "."), "a JWE inside")
			jws, err := e.decrypt(inner)
			require.NoError(t, err)
			require.NoError(t, e.verifyWithJWKS(jws))

			_, m = tokenWithFault(t, e, fctest.FaultWrongEncryptionKey)
			require.Equal(t, "fs-key-"+strings.ToLower(alg), header(t, m["id_token"].(string))["kid"])
			_, err = e.decrypt(m["id_token"].(string))
			require.Error(t, err)
		})
	}
}

func TestTokenEndpointFaults(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	resp, m := tokenWithFault(t, e, fctest.FaultTokenServerError)
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	require.Equal(t, "server_error", m["error"])

	resp, m = tokenWithFault(t, e, fctest.FaultTokenMissingIDToken)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, []string{"access_token", "expires_in", "scope", "token_type"}, keysOf(m))
}

func TestUserinfoFaults(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	for _, tc := range []struct {
		f     fctest.Fault
		check func(t *testing.T, resp *http.Response, body string, idSub string)
	}{
		{fctest.FaultUserinfoSubMismatch, func(t *testing.T, _ *http.Response, body, idSub string) {
			_, c := e.open(body)
			require.NotEqual(t, idSub, c["sub"])
			require.Regexp(t, `^[0-9a-f]{64}v1$`, c["sub"])
		}},
		{fctest.FaultUserinfoUnsigned, func(t *testing.T, resp *http.Response, body, idSub string) {
			require.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
			var c map[string]any
			require.NoError(t, json.Unmarshal([]byte(body), &c))
			require.Equal(t, idSub, c["sub"])
		}},
		{fctest.FaultUserinfoUnencrypted, func(t *testing.T, _ *http.Response, body, _ string) {
			require.Equal(t, 2, strings.Count(body, "."))
			require.NoError(t, e.verifyWithJWKS(body))
		}},
		{fctest.FaultUserinfoWrongIssuer, func(t *testing.T, _ *http.Response, body, _ string) {
			_, c := e.open(body)
			require.NotEqual(t, e.srv.Issuer(), c["iss"])
		}},
		{fctest.FaultUserinfoWrongAudience, func(t *testing.T, _ *http.Response, body, _ string) {
			_, c := e.open(body)
			require.NotEqual(t, clientID, c["aud"])
		}},
		{fctest.FaultUserinfoBadSignature, func(t *testing.T, _ *http.Response, body, _ string) {
			jws, err := e.decrypt(body)
			require.NoError(t, err)
			require.Error(t, e.verifyWithJWKS(jws))
		}},
		{fctest.FaultUserinfoUnknownSigningKey, func(t *testing.T, _ *http.Response, body, _ string) {
			jws, err := e.decrypt(body)
			require.NoError(t, err)
			require.ErrorIs(t, e.verifyWithJWKS(jws), errUnknownKID)
		}},
		{fctest.FaultUserinfoServerError, func(t *testing.T, resp *http.Response, body, _ string) {
			require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
			require.Contains(t, body, `"server_error"`)
		}},
		{fctest.FaultUserinfoWrongContentType, func(t *testing.T, resp *http.Response, body, idSub string) {
			require.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
			_, c := e.open(body)
			require.Equal(t, idSub, c["sub"], "the genuine token")
		}},
	} {
		t.Run(tc.f.String(), func(t *testing.T) {
			tok := e.exchange(e.code("camille"))
			_, idClaims := e.open(tok["id_token"].(string))
			e.srv.InjectFault(tc.f)
			resp, body := e.get(e.srv.Issuer()+"/userinfo", tok["access_token"].(string))
			tc.check(t, resp, string(body), idClaims["sub"].(string))

			resp, body = e.get(e.srv.Issuer()+"/userinfo", tok["access_token"].(string))
			require.Equal(t, http.StatusOK, resp.StatusCode)
			_, c := e.open(string(body))
			require.Equal(t, idClaims["sub"], c["sub"], "a fault applies once")
		})
	}
}

func TestDiscoveryFaults(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	discovery := func() map[string]any {
		_, body := e.get(e.srv.Issuer()+"/.well-known/openid-configuration", "")
		var d map[string]any
		require.NoError(t, json.Unmarshal(body, &d))
		return d
	}
	for _, tc := range []struct {
		f     fctest.Fault
		check func(t *testing.T, d map[string]any)
	}{
		{fctest.FaultDiscoveryWrongIssuer, func(t *testing.T, d map[string]any) {
			require.NotEqual(t, e.srv.Issuer(), d["issuer"])
		}},
		{fctest.FaultDiscoveryJWKSUnreachable, func(t *testing.T, d map[string]any) {
			u, err := url.Parse(d["jwks_uri"].(string))
			require.NoError(t, err)
			require.Equal(t, "127.0.0.1", u.Hostname())
			_, err = http.Get(u.String())
			require.Error(t, err, "nothing listens there")
		}},
		{fctest.FaultDiscoveryUnsupportedAlgs, func(t *testing.T, d map[string]any) {
			require.Equal(t, []any{"HS256"}, d["id_token_signing_alg_values_supported"])
			require.Equal(t, []any{"HS256"}, d["userinfo_signing_alg_values_supported"])
			require.Equal(t, []any{"RSA1_5"}, d["id_token_encryption_alg_values_supported"])
			require.Equal(t, []any{"RSA1_5"}, d["userinfo_encryption_alg_values_supported"])
			require.Equal(t, []any{"A128CBC-HS256"}, d["id_token_encryption_enc_values_supported"])
			require.Equal(t, []any{"A128CBC-HS256"}, d["userinfo_encryption_enc_values_supported"])
		}},
	} {
		t.Run(tc.f.String(), func(t *testing.T) {
			e.srv.InjectFault(tc.f)
			tc.check(t, discovery())
			d := discovery()
			require.Equal(t, e.srv.Issuer(), d["issuer"], "a fault applies once")
			require.Equal(t, e.srv.Issuer()+"/jwks", d["jwks_uri"])
			require.Equal(t, []any{"ES256"}, d["id_token_signing_alg_values_supported"])
		})
	}
}

func TestLogoutFault(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	const state = "logout-state-0123456789abcdefghijklmnop"
	logout := func() url.Values {
		got, err := e.srv.Logout(context.Background(), e.logoutURL("id_token_hint", e.loggedIn(), "state", state,
			"post_logout_redirect_uri", logoutURL))
		require.NoError(t, err)
		u, err := url.Parse(got)
		require.NoError(t, err)
		return u.Query()
	}
	e.srv.InjectFault(fctest.FaultLogoutWrongState)
	q := logout()
	require.Equal(t, []string{"state"}, keysOfValues(q))
	require.NotEqual(t, state, q.Get("state"))
	require.Equal(t, state, logout().Get("state"), "a fault applies once")
}

func TestFaultQueue(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	e.srv.InjectFault(fctest.FaultNone)
	e.srv.InjectFault(fctest.Fault(999))
	require.Empty(t, e.srv.PendingFaults())

	e.srv.InjectFault(fctest.FaultUserinfoWrongIssuer)
	e.srv.InjectFault(fctest.FaultWrongNonce)
	e.srv.InjectFault(fctest.FaultExpiredToken)
	e.srv.InjectFault(fctest.FaultAccessDenied)
	require.Equal(t, []fctest.Fault{fctest.FaultUserinfoWrongIssuer, fctest.FaultWrongNonce,
		fctest.FaultExpiredToken, fctest.FaultAccessDenied}, e.srv.PendingFaults())

	require.Equal(t, "access_denied", e.login("camille").Get("error"), "callback fault first at its point")
	_, c := e.open(e.exchange(e.code("camille"))["id_token"].(string))
	require.NotEqual(t, testNonce, c["nonce"], "token faults in queue order")
	_, c = e.open(e.exchange(e.code("camille"))["id_token"].(string))
	require.EqualValues(t, e.clock.Now().Add(-60*time.Second).Unix(), c["exp"])
	require.Equal(t, []fctest.Fault{fctest.FaultUserinfoWrongIssuer}, e.srv.PendingFaults())

	e.srv.ClearFaults()
	require.Empty(t, e.srv.PendingFaults())
}

func TestFaultNamesAndConcurrency(t *testing.T) {
	all := fctest.AllFaults()
	require.Len(t, all, 108)
	seen := map[string]bool{}
	for _, f := range all {
		require.True(t, strings.HasPrefix(f.String(), "Fault"), f.String())
		require.False(t, seen[f.String()])
		seen[f.String()] = true
	}
	require.Equal(t, "FaultNone", fctest.FaultNone.String())
	require.Equal(t, "Fault(999)", fctest.Fault(999).String())

	e := newEnv(t, fctest.Options{}, nil)
	var wg sync.WaitGroup
	for _, f := range all {
		wg.Go(func() { e.srv.InjectFault(f) })
	}
	wg.Wait()
	require.ElementsMatch(t, all, e.srv.PendingFaults())
}
