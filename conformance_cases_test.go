package franceconnect_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// The conformance cases of FranceConnect+ and FranceConnect v2.

func franceConnectCases() []confCase {
	idt := franceconnect.ErrInvalidIDToken
	ui := franceconnect.ErrInvalidUserInfo
	return []confCase{
		// Logins that must succeed.
		{id: "rp-response_type-code", name: "FranceConnect+ login, ECDH-ES + ES256", setup: fcPlus, run: defaultLogin},
		{id: "rp-scope-userinfo-claims", name: "identite_pivot and email claims in the userinfo", setup: fcPlus,
			run: func(e *confEnv) (any, error) {
				login, err := e.login(franceconnect.AuthRequest{}, "camille")
				if err == nil {
					assert.NotEmpty(e.t, login.Identity.FamilyName)
					assert.NotEmpty(e.t, login.Identity.GivenName)
					assert.False(e.t, login.Identity.Birthdate.IsZero())
					assert.NotEmpty(e.t, login.Identity.Email)
				}
				return login, err
			}},
		{id: "rp-userinfo-bearer-header", name: "access token sent in the Authorization header only", setup: fcPlus, run: defaultLogin,
			after: func(t *testing.T, e *confEnv) {
				e.mitm.mu.Lock()
				defer e.mitm.mu.Unlock()
				require.Len(t, e.mitm.userinfoRequests, 1)
				r := e.mitm.userinfoRequests[0]
				assert.Equal(t, http.MethodGet, r.Method)
				assert.True(t, strings.HasPrefix(r.Header.Get("Authorization"), "Bearer "))
				assert.Empty(t, r.URL.RawQuery)
			}},
		{id: "rp-id_token-sig+enc", name: "FranceConnect+ login, RSA-OAEP-256 + ES256", setup: fcPlusOAEP, run: defaultLogin},
		{id: "rp-id_token-sig+enc", name: "FranceConnect+ login, RSA-OAEP + ES256", setup: fcPlusOAEP1, run: defaultLogin},
		{id: "rp-id_token-sig-es256", name: "FranceConnect login, ES256", setup: fcES256,
			run: loginWith(franceconnect.AuthRequest{ACR: franceconnect.EIDAS1}, "camille")},
		{id: "rp-id_token-sig-rs256", name: "FranceConnect login, RS256", setup: fcRS256,
			run: loginWith(franceconnect.AuthRequest{ACR: franceconnect.EIDAS1}, "camille")},
		{id: "rp-claims_request-id_token", name: "amr requested through the claims parameter", setup: fcPlus,
			run: func(e *confEnv) (any, error) {
				login, err := e.login(franceconnect.AuthRequest{Claims: franceconnect.RequestAMR()}, "camille")
				if err == nil {
					assert.NotEmpty(e.t, login.IDToken.AMR)
				}
				return login, err
			}},
		{id: "rp-id_token-kid-absent-single-jwks", name: "kid absent, one provider key", setup: fcPlus,
			fault: fctest.FaultMissingKid, run: defaultLogin},
		{id: "fc-acr-higher", name: "acr eidas3 for an eidas2 request", setup: fcPlus, fault: fctest.FaultACRHigher, run: defaultLogin},
		{id: "rp-key-rotation-op-sign-key", name: "provider signing key rotated: one JWKS refresh", setup: fcPlus,
			before: func(e *confEnv) { e.client(); e.srv.RotateSigningKey() },
			run: func(e *confEnv) (any, error) {
				if _, err := e.login(franceconnect.AuthRequest{}, "camille"); err != nil {
					return nil, err
				}
				return e.login(franceconnect.AuthRequest{}, "camille")
			},
			after: func(t *testing.T, e *confEnv) {
				assert.Equal(t, 2, e.srv.Requests("jwks"), "New, then exactly one refresh for the new kid")
			}},

		// id_token signature and keys.
		{id: "rp-id_token-sig-none", name: "alg none (unsecured JWT)", setup: fcPlus, fault: fctest.FaultAlgNone,
			run: defaultLogin, want: []error{idt, franceconnect.ErrAlgorithm}},
		{id: "rp-id_token-bad-sig-es256", name: "ES256 signature corrupted", setup: fcPlus, fault: fctest.FaultBadSignature,
			run: defaultLogin, want: []error{idt, franceconnect.ErrSignature}},
		{id: "rp-id_token-bad-sig-rs256", name: "RS256 signature corrupted (FranceConnect)", setup: fcRS256, fault: fctest.FaultBadSignature,
			run: loginWith(franceconnect.AuthRequest{ACR: franceconnect.EIDAS1}, "camille"), want: []error{idt, franceconnect.ErrSignature}},
		{id: "rp-id_token-bad-sig-hs256", name: "HS256 keyed by the client secret under the real kid", setup: fcPlus, fault: fctest.FaultAlgHS256,
			run: defaultLogin, want: []error{idt, franceconnect.ErrAlgorithm}},
		{id: "fc-id_token-rs256", name: "RS256 on FranceConnect+ (ES256 only)", setup: fcPlus, fault: fctest.FaultAlgRS256,
			run: defaultLogin, want: []error{idt, franceconnect.ErrAlgorithm}},
		{id: "fc-id_token-rs256", name: "RS256 to a FranceConnect client that allows ES256 only", setup: fcRS256,
			before: func(e *confEnv) { e.cfg.SigningAlgs = []string{"ES256"} },
			run:    loginWith(franceconnect.AuthRequest{ACR: franceconnect.EIDAS1}, "camille"), want: []error{idt, franceconnect.ErrAlgorithm}},
		{id: "fc-id_token-alg-default", name: "FranceConnect login, the default registration (ES256) and configuration",
			setup: fcDefault, run: loginWith(franceconnect.AuthRequest{ACR: franceconnect.EIDAS1}, "camille")},
		{id: "fc-id_token-alg-default", name: "RS256 to a FranceConnect client configured by default (ES256)", setup: fcDefault,
			fault: fctest.FaultSigningAlgMismatch, want: []error{idt, franceconnect.ErrAlgorithm},
			run: saying("set FC_SIGNING_ALG=RS256", loginWith(franceconnect.AuthRequest{ACR: franceconnect.EIDAS1}, "camille"))},
		{id: "rp-id_token-kid-absent-multiple-jwks", name: "kid absent, two ES256 provider keys", setup: fcPlus,
			before: func(e *confEnv) { e.srv.RotateSigningKey(); e.srv.InjectFault(fctest.FaultMissingKid) },
			run:    defaultLogin, want: []error{idt, franceconnect.ErrUnknownKey}},
		{id: "fc-id_token-unknown-kid", name: "signed by a key absent from the JWKS: one refresh, then refused", setup: fcPlus,
			fault: fctest.FaultUnknownSigningKey, run: defaultLogin, want: []error{idt, franceconnect.ErrUnknownKey},
			after: func(t *testing.T, e *confEnv) { assert.Equal(t, 2, e.srv.Requests("jwks")) }},

		// id_token claims.
		{id: "rp-id_token-issuer-mismatch", name: "iss of another issuer", setup: fcPlus, fault: fctest.FaultWrongIssuer,
			run: defaultLogin, want: []error{idt, franceconnect.ErrIssuerMismatch}},
		{id: "rp-id_token-aud", name: "aud of another client", setup: fcPlus, fault: fctest.FaultWrongAudience,
			run: defaultLogin, want: []error{idt, franceconnect.ErrInvalidAudience}},
		{id: "fc-id_token-aud-array", name: "aud array with an extra untrusted audience", setup: fcPlus, fault: fctest.FaultExtraAudience,
			run: defaultLogin, want: []error{idt, franceconnect.ErrInvalidAudience}},
		{id: "fc-id_token-expired", name: "exp 60 s in the past", setup: fcPlus, fault: fctest.FaultExpiredToken,
			run: defaultLogin, want: []error{idt, franceconnect.ErrExpired}},
		{id: "fc-id_token-iat-future", name: "iat 10 minutes in the future", setup: fcPlus, fault: fctest.FaultIssuedInFuture,
			run: defaultLogin, want: []error{idt, franceconnect.ErrIssuedInFuture}},
		{id: "rp-id_token-iat", name: "iat missing", setup: fcPlus, fault: fctest.FaultMissingIssuedAt,
			run: defaultLogin, want: []error{idt, franceconnect.ErrMissingClaim}},
		{id: "rp-nonce-invalid", name: "nonce of another request", setup: fcPlus, fault: fctest.FaultWrongNonce,
			run: defaultLogin, want: []error{idt, franceconnect.ErrNonceMismatch}},
		{id: "fc-id_token-nonce-missing", name: "nonce missing", setup: fcPlus, fault: fctest.FaultMissingNonce,
			run: defaultLogin, want: []error{idt, franceconnect.ErrNonceMismatch}},
		{id: "rp-id_token-sub", name: "sub missing", setup: fcPlus, fault: fctest.FaultMissingSub,
			run: defaultLogin, want: []error{idt, franceconnect.ErrMissingClaim}},
		{id: "fc-acr-lower", name: "acr eidas1 for an eidas2 request", setup: fcPlus, fault: fctest.FaultACRLower,
			run: defaultLogin, want: []error{idt, franceconnect.ErrACRTooLow}},
		{id: "fc-acr-lower", name: "acr eidas2 for an eidas3 request", setup: fcPlus, fault: fctest.FaultACRLower,
			run: loginWith(franceconnect.AuthRequest{ACR: franceconnect.EIDAS3}, "camille"), want: []error{idt, franceconnect.ErrACRTooLow}},
		{id: "fc-acr-unknown", name: "acr not an eIDAS level of FranceConnect", setup: fcPlus, fault: fctest.FaultUnknownACR,
			run: defaultLogin, want: []error{idt, franceconnect.ErrUnknownACR}},
		{id: "fc-acr-missing", name: "acr missing", setup: fcPlus, fault: fctest.FaultMissingACR,
			run: defaultLogin, want: []error{idt, franceconnect.ErrUnknownACR}},
		{id: "fc-token-no-id_token", name: "token response without id_token", setup: fcPlus, fault: fctest.FaultTokenMissingIDToken,
			run: defaultLogin, want: []error{idt, franceconnect.ErrMissingClaim}},
		{id: "fc-token-error", name: "token endpoint answers server_error", setup: fcPlus, fault: fctest.FaultTokenServerError,
			run: defaultLogin, want: []error{franceconnect.ErrProvider}, code: "server_error"},

		// JWE.
		{id: "fc-jwe-other-key", name: "encrypted to another key (ECDH-ES)", setup: fcPlus, fault: fctest.FaultWrongEncryptionKey,
			run: defaultLogin, want: []error{idt, franceconnect.ErrDecryption}},
		{id: "fc-jwe-other-key", name: "encrypted to another key (RSA-OAEP-256)", setup: fcPlusOAEP, fault: fctest.FaultWrongEncryptionKey,
			run: defaultLogin, want: []error{idt, franceconnect.ErrDecryption}},
		{id: "fc-jwe-other-key", name: "encrypted to another key (RSA-OAEP)", setup: fcPlusOAEP1, fault: fctest.FaultWrongEncryptionKey,
			run: defaultLogin, want: []error{idt, franceconnect.ErrDecryption}},
		{id: "fc-jwe-alg", name: "ECDH-ES+A256KW instead of ECDH-ES", setup: fcPlus, fault: fctest.FaultEncryptionAlgMismatch,
			run: defaultLogin, want: []error{idt, franceconnect.ErrAlgorithm}},
		{id: "fc-jwe-alg", name: "RSA-OAEP to an RSA-OAEP-256 key", setup: fcPlusOAEP, fault: fctest.FaultEncryptionAlgMismatch,
			run: defaultLogin, want: []error{idt, franceconnect.ErrAlgorithm}},
		{id: "fc-jwe-alg", name: "alg dir keyed by the client secret", setup: fcPlus, fault: fctest.FaultEncryptionDir,
			run: defaultLogin, want: []error{idt, franceconnect.ErrAlgorithm}},
		{id: "fc-jwe-alg", name: "alg RSA1_5 to the FS RSA key", setup: fcPlusOAEP, fault: fctest.FaultEncryptionRSA15,
			run: defaultLogin, want: []error{idt, franceconnect.ErrAlgorithm}},
		{id: "fc-jwe-enc", name: "enc A128GCM", setup: fcPlus, fault: fctest.FaultEncryptionEncMismatch,
			run: defaultLogin, want: []error{idt, franceconnect.ErrAlgorithm}},
		{id: "fc-jwe-tampered", name: "ciphertext altered in transit", setup: fcPlus, before: tamperIDToken(flip(3)),
			run: defaultLogin, want: []error{idt, franceconnect.ErrDecryption}},
		{id: "fc-jwe-tampered", name: "authentication tag altered in transit", setup: fcPlus, before: tamperIDToken(flip(4)),
			run: defaultLogin, want: []error{idt, franceconnect.ErrDecryption}},
		{id: "fc-jwe-tampered", name: "IV altered in transit", setup: fcPlus, before: tamperIDToken(flip(2)),
			run: defaultLogin, want: []error{idt, franceconnect.ErrDecryption}},
		{id: "fc-jwe-tampered", name: "protected header re-encoded with an extra member", setup: fcPlus, before: tamperIDToken(reencodeHeader),
			run: defaultLogin, want: []error{idt, franceconnect.ErrDecryption}},
		{id: "fc-jwe-tampered", name: "encrypted key altered in transit (RSA-OAEP-256)", setup: fcPlusOAEP, before: tamperIDToken(flip(1)),
			run: defaultLogin, want: []error{idt, franceconnect.ErrDecryption}},
		{id: "fc-jwe-required", name: "bare JWS where FranceConnect+ encrypts", setup: fcPlus, fault: fctest.FaultUnencrypted,
			run: defaultLogin, want: []error{idt, franceconnect.ErrUnencrypted}},
		{id: "fc-jwe-not-jws", name: "JWE whose payload is the claims, not a JWS", setup: fcPlus, fault: fctest.FaultJWEPayloadNotJWS,
			run: defaultLogin, want: []error{idt, franceconnect.ErrMalformedToken}},
		{id: "fc-jwe-nested", name: "JWE inside a JWE", setup: fcPlus, fault: fctest.FaultNestedJWE,
			run: defaultLogin, want: []error{idt, franceconnect.ErrMalformedToken}},

		// Userinfo.
		{id: "rp-userinfo-bad-sub-claim", name: "userinfo sub of someone else", setup: fcPlus, fault: fctest.FaultUserinfoSubMismatch,
			run: defaultLogin, want: []error{ui, franceconnect.ErrSubjectMismatch}},
		{id: "fc-userinfo-iss", name: "userinfo iss of another issuer", setup: fcPlus, fault: fctest.FaultUserinfoWrongIssuer,
			run: defaultLogin, want: []error{ui, franceconnect.ErrIssuerMismatch}},
		{id: "fc-userinfo-aud", name: "userinfo aud of another client", setup: fcPlus, fault: fctest.FaultUserinfoWrongAudience,
			run: defaultLogin, want: []error{ui, franceconnect.ErrInvalidAudience}},
		{id: "rp-userinfo-sig", name: "unsigned JSON userinfo (application/json)", setup: fcPlus, fault: fctest.FaultUserinfoUnsigned,
			run: defaultLogin, want: []error{ui, franceconnect.ErrContentType}},
		{id: "rp-userinfo-sig", name: "unsigned JSON userinfo to a signed-only FranceConnect client", setup: fcES256, fault: fctest.FaultUserinfoUnsigned,
			run: loginWith(franceconnect.AuthRequest{ACR: franceconnect.EIDAS1}, "camille"), want: []error{ui, franceconnect.ErrContentType}},
		{id: "fc-userinfo-content-type", name: "genuine userinfo token served as text/plain", setup: fcPlus, fault: fctest.FaultUserinfoWrongContentType,
			run: defaultLogin, want: []error{ui, franceconnect.ErrContentType}},
		{id: "rp-userinfo-enc", name: "bare JWS userinfo where FranceConnect+ encrypts", setup: fcPlus, fault: fctest.FaultUserinfoUnencrypted,
			run: defaultLogin, want: []error{ui, franceconnect.ErrUnencrypted}},
		{id: "fc-userinfo-bad-sig", name: "userinfo signature corrupted", setup: fcPlus, fault: fctest.FaultUserinfoBadSignature,
			run: defaultLogin, want: []error{ui, franceconnect.ErrSignature}},
		{id: "fc-userinfo-unknown-kid", name: "userinfo signed by a key absent from the JWKS", setup: fcPlus, fault: fctest.FaultUserinfoUnknownSigningKey,
			run: defaultLogin, want: []error{ui, franceconnect.ErrUnknownKey}},
		{id: "fc-userinfo-tampered", name: "userinfo ciphertext altered in transit", setup: fcPlus, before: tamperUserinfo(flip(3)),
			run: defaultLogin, want: []error{ui, franceconnect.ErrDecryption}},
		{id: "fc-userinfo-id_token", name: "the id_token served as the userinfo (same iss, aud and sub)", setup: fcPlus,
			before: func(e *confEnv) {
				tamperUserinfo(func(string) string {
					e.mitm.mu.Lock()
					defer e.mitm.mu.Unlock()
					return e.mitm.lastIDToken
				})(e)
			},
			run: defaultLogin, want: []error{ui, franceconnect.ErrMalformedToken}},
		{id: "fc-userinfo-error", name: "userinfo answers a JSON server_error", setup: fcPlus, fault: fctest.FaultUserinfoServerError,
			run: defaultLogin, want: []error{franceconnect.ErrProvider}, code: "server_error"},
		{id: "fc-userinfo-revoked", name: "userinfo with a revoked access token", setup: fcPlus,
			run: func(e *confEnv) (any, error) {
				login, err := e.login(franceconnect.AuthRequest{}, "camille")
				require.NoError(e.t, err)
				require.NoError(e.t, e.client().Revoke(context.Background(), login.AccessToken))
				return e.client().UserInfo(context.Background(), &login.Tokens)
			}, want: []error{franceconnect.ErrProvider}, code: "invalid_token"},

		// Callback.
		{id: "fc-callback-state", name: "state of another request (CSRF)", setup: fcPlus, fault: fctest.FaultCallbackWrongState,
			run: defaultLogin, want: []error{franceconnect.ErrStateMismatch}},
		{id: "fc-callback-state", name: "state missing", setup: fcPlus, fault: fctest.FaultCallbackMissingState,
			run: defaultLogin, want: []error{franceconnect.ErrStateMismatch}},
		{id: "fc-callback-state", name: "session lost its state", setup: fcPlus,
			run: func(e *confEnv) (any, error) {
				q, _ := e.callback(franceconnect.AuthRequest{}, "camille", nil)
				return e.client().Callback(context.Background(), q, franceconnect.AuthState{})
			}, want: []error{franceconnect.ErrStateMismatch}},
		{id: "fc-callback-iss", name: "iss of another issuer (RFC 9207 mix-up)", setup: fcPlus, fault: fctest.FaultCallbackWrongIssuer,
			run: defaultLogin, want: []error{franceconnect.ErrIssuerMismatch}},
		{id: "fc-callback-error", name: "error=access_denied (user went back)", setup: fcPlus,
			run: func(e *confEnv) (any, error) {
				auth, err := e.client().Authorize(context.Background(), franceconnect.AuthRequest{})
				require.NoError(e.t, err)
				cb, err := e.srv.Cancel(context.Background(), auth.URL)
				require.NoError(e.t, err)
				u, _ := url.Parse(cb)
				return e.client().Callback(context.Background(), u.Query(), auth.AuthState)
			}, want: []error{franceconnect.ErrProvider}, code: "access_denied"},
		{id: "fc-callback-error", name: "error=access_denied", setup: fcPlus, fault: fctest.FaultAccessDenied,
			run: defaultLogin, want: []error{franceconnect.ErrProvider}, code: "access_denied"},
		{id: "fc-callback-error", name: "error=server_error", setup: fcPlus, fault: fctest.FaultServerError,
			run: defaultLogin, want: []error{franceconnect.ErrProvider}, code: "server_error"},
		{id: "fc-callback-error", name: "error=temporarily_unavailable", setup: fcPlus, fault: fctest.FaultTemporarilyUnavailable,
			run: defaultLogin, want: []error{franceconnect.ErrProvider}, code: "temporarily_unavailable"},
		{id: "fc-callback-error", name: "error=invalid_request (response_type removed)", setup: fcPlus,
			run: loginEditing(func(q url.Values) { q.Del("response_type") }), want: []error{franceconnect.ErrProvider}, code: "invalid_request"},
		{id: "fc-callback-error", name: "error=unsupported_response_type", setup: fcPlus,
			run: loginEditing(func(q url.Values) { q.Set("response_type", "id_token") }), want: []error{franceconnect.ErrProvider}, code: "unsupported_response_type"},
		{id: "fc-callback-error", name: "error=invalid_scope (scope not granted)", setup: fcPlus,
			before: func(e *confEnv) { e.reg.Scopes = []string{"openid", "identite_pivot"} },
			run:    defaultLogin, want: []error{franceconnect.ErrProvider}, code: "invalid_scope"},
		{id: "fc-callback-error", name: "error=invalid_acr (eidas1 on FranceConnect+)", setup: fcPlus,
			run: loginEditing(func(q url.Values) { q.Set("acr_values", "eidas1") }), want: []error{franceconnect.ErrProvider}, code: "invalid_acr"},
		{id: "fc-callback-error", name: "error=invalid_idp_hint", setup: fcPlus,
			run: loginWith(franceconnect.AuthRequest{IDPHint: "not-allowed"}, "camille"), want: []error{franceconnect.ErrProvider}, code: "invalid_idp_hint"},
		{id: "fc-callback-replay", name: "authorization code replayed", setup: fcPlus,
			run: func(e *confEnv) (any, error) {
				q, st := e.callback(franceconnect.AuthRequest{}, "camille", nil)
				_, err := e.client().Callback(context.Background(), q, st)
				require.NoError(e.t, err)
				return e.client().Callback(context.Background(), q, st)
			}, want: []error{franceconnect.ErrProvider}, code: "invalid_grant"},
		{id: "rp-init-logout", name: "logout callback with another state", setup: fcPlus, fault: fctest.FaultLogoutWrongState,
			run: func(e *confEnv) (any, error) {
				ctx := context.Background()
				login, err := e.login(franceconnect.AuthRequest{}, "camille")
				require.NoError(e.t, err)
				lr, err := e.client().Logout(ctx, login.IDToken.Hint())
				require.NoError(e.t, err)
				back, err := e.srv.Logout(ctx, lr.URL)
				require.NoError(e.t, err)
				u, _ := url.Parse(back)
				return nil, e.client().LogoutCallback(u.Query(), lr.State)
			}, want: []error{franceconnect.ErrStateMismatch}},

		// Discovery.
		{id: "rp-discovery-issuer-not-matching-config", name: "discovery names another issuer", setup: fcPlus,
			fault: fctest.FaultDiscoveryWrongIssuer, run: newClient, want: []error{franceconnect.ErrDiscovery}},
		{id: "rp-discovery-issuer-not-matching-config", name: "issuer configured under another host name (localhost)", setup: fcPlus,
			before: func(e *confEnv) { e.cfg.Issuer = strings.Replace(e.cfg.Issuer, "127.0.0.1", "localhost", 1) },
			run:    newClient, want: []error{franceconnect.ErrDiscovery}},
		{id: "rp-discovery-jwks_uri-keys", name: "jwks_uri unreachable", setup: fcPlus,
			fault: fctest.FaultDiscoveryJWKSUnreachable, run: newClient, want: []error{franceconnect.ErrProviderKeys, franceconnect.ErrHTTP}},
		{id: "fc-discovery-algorithms", name: "discovery advertises only HS256, RSA1_5 and A128CBC-HS256", setup: fcPlus,
			fault: fctest.FaultDiscoveryUnsupportedAlgs, run: newClient, want: []error{franceconnect.ErrDiscovery}},
	}
}
