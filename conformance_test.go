package franceconnect_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// The conformance suite drives the package end to end through the fctest
// emulator: every case injects one deviation (an fctest fault, a changed
// request, or a token altered in transit) and checks the exact sentinels
// and that no identity comes back. Case ids starting with "rp-" are the
// OpenID Foundation RP certification tests (Basic and Config RP profiles)
// for the code flow that apply to FranceConnect; the others are
// FranceConnect rules. With -conformance.report=FILE the results are
// written as a Markdown table (SECURITY.md quotes it).

var conformanceReport = flag.String("conformance.report", "", "write the conformance results as a Markdown table to this file")

const (
	confRedirect = "http://127.0.0.1:9/callback"
	confLogout   = "http://127.0.0.1:9/logout-callback"
	confSecret   = franceconnect.Secret("conformance-client-secret-0123456789")
)

// confKeys holds one FS decryption key per algorithm, generated once: RSA
// key generation is slow under the race detector.
var confKeys = map[string]func() franceconnect.Key{
	franceconnect.ECDHES:     sync.OnceValue(func() franceconnect.Key { return mustKey(franceconnect.ECDHES) }),
	franceconnect.RSAOAEP256: sync.OnceValue(func() franceconnect.Key { return mustKey(franceconnect.RSAOAEP256) }),
	franceconnect.RSAOAEP:    sync.OnceValue(func() franceconnect.Key { return mustKey(franceconnect.RSAOAEP) }),
}

func mustKey(alg string) franceconnect.Key {
	k, err := franceconnect.GenerateKey(alg, "fs-"+strings.ToLower(alg))
	if err != nil {
		panic(err)
	}
	return k
}

// mitm is an HTTP transport between the package and the emulator that
// alters tokens in transit: the id_token of the token response and the
// userinfo body.
type mitm struct {
	mu                sync.Mutex
	idToken, userinfo func(string) string
	userinfoRequests  []*http.Request
	lastIDToken       string // the last id_token that went through
}

func (m *mitm) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	idToken, userinfo := m.idToken, m.userinfo
	if strings.HasSuffix(req.URL.Path, "/userinfo") {
		m.userinfoRequests = append(m.userinfoRequests, req)
	}
	m.mu.Unlock()
	switch {
	case strings.HasSuffix(req.URL.Path, "/token"):
		return rewriteBody(resp, func(b []byte) []byte {
			var body map[string]any
			if json.Unmarshal(b, &body) != nil {
				return b
			}
			tok, ok := body["id_token"].(string)
			if ok && idToken != nil {
				tok = idToken(tok)
				body["id_token"] = tok
				b, _ = json.Marshal(body)
			}
			m.mu.Lock()
			m.lastIDToken = tok
			m.mu.Unlock()
			return b
		})
	case strings.HasSuffix(req.URL.Path, "/userinfo") && userinfo != nil:
		return rewriteBody(resp, func(b []byte) []byte { return []byte(userinfo(string(b))) })
	}
	return resp, nil
}

func rewriteBody(resp *http.Response, f func([]byte) []byte) (*http.Response, error) {
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	b = f(b)
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// confEnv is one emulator with one registered FS and its Config.
type confEnv struct {
	t    *testing.T
	srv  *fctest.Server
	reg  fctest.Client
	cfg  franceconnect.Config
	mitm *mitm
	c    *franceconnect.Client
	who  string // the identity of the last login
}

// confSetup describes the FS of a case.
type confSetup struct {
	platform fctest.Platform
	encAlg   string // FS key algorithm; "" for signed-only FranceConnect
	sigAlg   string // registered signature algorithm; "" for ES256
	// userinfoAlg is ProConnect's registered userinfo signature algorithm;
	// "" for plain JSON.
	userinfoAlg string
}

func newConfEnv(t *testing.T, s confSetup) *confEnv {
	t.Helper()
	e := &confEnv{t: t, srv: fctest.New(t, fctest.Options{Platform: s.platform}), mitm: &mitm{}}
	e.cfg = franceconnect.Config{
		Issuer: e.srv.Issuer(), ClientID: "fs-conformance", ClientSecret: confSecret,
		RedirectURL: confRedirect, PostLogoutRedirectURL: confLogout,
		Scopes: []string{"openid", "identite_pivot", "email"},
		HTTPClient: &http.Client{Transport: e.mitm, Timeout: 5 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
	e.reg = fctest.Client{ID: e.cfg.ClientID, Secret: confSecret, RedirectURIs: []string{confRedirect},
		PostLogoutRedirectURIs: []string{confLogout}, AllowAMR: true, SignedResponseAlg: s.sigAlg, EncryptedResponseAlg: s.encAlg}
	switch s.platform {
	case fctest.FranceConnect:
		e.cfg.Platform = franceconnect.FranceConnect
	case fctest.ProConnect:
		setupProConnect(e, s)
	}
	if s.encAlg != "" {
		e.cfg.DecryptionKeys = []franceconnect.Key{confKeys[s.encAlg]()}
		pub, err := franceconnect.PublicJWKS(e.cfg.DecryptionKeys)
		require.NoError(t, err)
		e.reg.JWKS = pub
	}
	return e
}

// register registers the FS with the emulator and creates the Client.
func (e *confEnv) client() *franceconnect.Client {
	e.t.Helper()
	if e.c == nil {
		require.NoError(e.t, e.srv.RegisterClient(e.reg))
		c, err := franceconnect.New(context.Background(), e.cfg)
		require.NoError(e.t, err)
		e.c = c
	}
	return e.c
}

// callback authorizes, logs identity in and returns the callback query
// with the AuthState to check it against. edit may change the URL.
func (e *confEnv) callback(req franceconnect.AuthRequest, identity string, edit func(url.Values)) (url.Values, franceconnect.AuthState) {
	e.t.Helper()
	ctx := context.Background()
	auth, err := e.client().Authorize(ctx, req)
	require.NoError(e.t, err)
	authURL := auth.URL
	if edit != nil {
		u, err := url.Parse(auth.URL)
		require.NoError(e.t, err)
		q := u.Query()
		edit(q)
		u.RawQuery = q.Encode()
		authURL = u.String()
	}
	e.who = identity
	cb, err := e.srv.Login(ctx, authURL, identity)
	require.NoError(e.t, err)
	u, err := url.Parse(cb)
	require.NoError(e.t, err)
	return u.Query(), auth.AuthState
}

// login runs a whole login and returns what Callback returns.
func (e *confEnv) login(req franceconnect.AuthRequest, identity string) (*franceconnect.Login, error) {
	q, st := e.callback(req, identity, nil)
	return e.client().Callback(context.Background(), q, st)
}

// confCase is one conformance case. run returns the value the package
// gave (a *Login, a *Client, a code…), which must be nil on failure.
type confCase struct {
	id, name string
	setup    confSetup
	fault    fctest.Fault
	before   func(e *confEnv) // before the login (or run)
	run      func(e *confEnv) (any, error)
	want     []error // nil: the login must succeed
	code     string  // the *ProviderError code, when want holds ErrProvider
	after    func(t *testing.T, e *confEnv)
}

var (
	fcPlus      = confSetup{platform: fctest.FranceConnectPlus, encAlg: franceconnect.ECDHES}
	fcPlusOAEP  = confSetup{platform: fctest.FranceConnectPlus, encAlg: franceconnect.RSAOAEP256}
	fcPlusOAEP1 = confSetup{platform: fctest.FranceConnectPlus, encAlg: franceconnect.RSAOAEP}
	fcES256     = confSetup{platform: fctest.FranceConnect, sigAlg: "ES256"}
	fcRS256     = confSetup{platform: fctest.FranceConnect, sigAlg: "RS256"}
)

// defaultLogin is the run of most cases: a login as camille with the
// Config's defaults.
func defaultLogin(e *confEnv) (any, error) { return e.login(franceconnect.AuthRequest{}, "camille") }

// loginWith logs in with req as identity.
func loginWith(req franceconnect.AuthRequest, identity string) func(*confEnv) (any, error) {
	return func(e *confEnv) (any, error) { return e.login(req, identity) }
}

// loginEditing logs in with an authorization URL changed by edit.
func loginEditing(edit func(url.Values)) func(*confEnv) (any, error) {
	return func(e *confEnv) (any, error) {
		q, st := e.callback(franceconnect.AuthRequest{}, "camille", edit)
		return e.client().Callback(context.Background(), q, st)
	}
}

// newClient is the run of the discovery cases.
func newClient(e *confEnv) (any, error) {
	require.NoError(e.t, e.srv.RegisterClient(e.reg))
	return franceconnect.New(context.Background(), e.cfg)
}

// tamperIDToken alters the id_token in transit.
func tamperIDToken(f func(string) string) func(*confEnv) {
	return func(e *confEnv) { e.mitm.mu.Lock(); e.mitm.idToken = f; e.mitm.mu.Unlock() }
}

// tamperUserinfo alters the userinfo body in transit.
func tamperUserinfo(f func(string) string) func(*confEnv) {
	return func(e *confEnv) { e.mitm.mu.Lock(); e.mitm.userinfo = f; e.mitm.mu.Unlock() }
}

// flip changes one character in the middle of segment i of a compact token.
func flip(i int) func(string) string {
	return func(tok string) string {
		parts := strings.Split(tok, ".")
		s := []byte(parts[i])
		j := len(s) / 2
		s[j] = map[bool]byte{true: 'B', false: 'A'}[s[j] == 'A']
		parts[i] = string(s)
		return strings.Join(parts, ".")
	}
}

// reencodeHeader adds a member to the protected header of a compact JWE:
// the header stays well formed, but it is the AAD of the encryption.
func reencodeHeader(tok string) string {
	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return tok
	}
	var h map[string]any
	if json.Unmarshal(raw, &h) != nil {
		return tok
	}
	h["x-tampered"] = true
	b, _ := json.Marshal(h)
	parts[0] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

func conformanceCases() []confCase { return append(franceConnectCases(), proConnectCases()...) }

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

// confResult is one row of the report.
type confResult struct {
	id, name, want string
	pass           bool
}

func TestConformance(t *testing.T) {
	var results []confResult
	for _, tc := range conformanceCases() {
		ok := t.Run(tc.id+"/"+tc.name, func(t *testing.T) {
			e := newConfEnv(t, tc.setup)
			if tc.before != nil {
				tc.before(e)
			}
			if tc.fault != fctest.FaultNone {
				e.srv.InjectFault(tc.fault)
			}
			got, err := tc.run(e)
			if tc.want == nil {
				require.NoError(t, err)
				require.NotNil(t, got)
				if login, ok := got.(*franceconnect.Login); ok {
					require.Equal(t, e.srv.Subject(e.reg.ID, e.who), login.Identity.Subject)
					require.Equal(t, login.IDToken.Subject, login.Identity.Subject)
				}
			} else {
				require.Error(t, err)
				for _, want := range tc.want {
					require.ErrorIs(t, err, want)
				}
				require.Equal(t, 1, strings.Count(err.Error(), "franceconnect:"), "the package is named once: %q", err)
				assert.Nil(t, got, "nothing is returned with an error")
				if tc.code != "" {
					var pe *franceconnect.ProviderError
					require.ErrorAs(t, err, &pe)
					assert.Equal(t, tc.code, pe.Code)
				}
			}
			require.Empty(t, e.srv.PendingFaults(), "every injected fault was applied")
			if tc.after != nil {
				tc.after(t, e)
			}
		})
		results = append(results, confResult{tc.id, tc.name, sentinelNames(tc.want, tc.code), ok})
	}
	if *conformanceReport != "" {
		require.NoError(t, os.WriteFile(*conformanceReport, conformanceTable(results), 0o644))
	}
}

// sentinelNames names the expected errors for the report.
func sentinelNames(want []error, code string) string {
	if want == nil {
		return "accepted"
	}
	names := map[error]string{
		franceconnect.ErrInvalidIDToken: "ErrInvalidIDToken", franceconnect.ErrInvalidUserInfo: "ErrInvalidUserInfo",
		franceconnect.ErrAlgorithm: "ErrAlgorithm", franceconnect.ErrSignature: "ErrSignature",
		franceconnect.ErrUnknownKey: "ErrUnknownKey", franceconnect.ErrIssuerMismatch: "ErrIssuerMismatch",
		franceconnect.ErrInvalidAudience: "ErrInvalidAudience", franceconnect.ErrExpired: "ErrExpired",
		franceconnect.ErrIssuedInFuture: "ErrIssuedInFuture", franceconnect.ErrMissingClaim: "ErrMissingClaim",
		franceconnect.ErrNonceMismatch: "ErrNonceMismatch", franceconnect.ErrACRTooLow: "ErrACRTooLow",
		franceconnect.ErrUnknownACR: "ErrUnknownACR", franceconnect.ErrDecryption: "ErrDecryption",
		franceconnect.ErrUnencrypted: "ErrUnencrypted", franceconnect.ErrMalformedToken: "ErrMalformedToken",
		franceconnect.ErrSubjectMismatch: "ErrSubjectMismatch", franceconnect.ErrContentType: "ErrContentType",
		franceconnect.ErrProvider: "ErrProvider", franceconnect.ErrStateMismatch: "ErrStateMismatch",
		franceconnect.ErrDiscovery: "ErrDiscovery", franceconnect.ErrProviderKeys: "ErrProviderKeys",
		franceconnect.ErrHTTP: "ErrHTTP", franceconnect.ErrACRNotAccepted: "ErrACRNotAccepted",
		franceconnect.ErrInteractionRequired: "ErrInteractionRequired", franceconnect.ErrInvalidRequest: "ErrInvalidRequest",
	}
	var out []string
	for _, w := range want {
		n, ok := names[w]
		if !ok {
			n = w.Error()
		}
		if errors.Is(w, franceconnect.ErrProvider) && code != "" {
			n += " (" + code + ")"
		}
		out = append(out, n)
	}
	return strings.Join(out, " + ")
}

func conformanceTable(results []confResult) []byte {
	var b bytes.Buffer
	pass := 0
	b.WriteString("| Case | What the provider (or the network) does | Expected | Result |\n|---|---|---|---|\n")
	for _, r := range results {
		res := "FAIL"
		if r.pass {
			res, pass = "pass", pass+1
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.id, r.name, r.want, res)
	}
	fmt.Fprintf(&b, "\n%d of %d cases pass.\n", pass, len(results))
	return b.Bytes()
}
