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
	confSecret   = "conformance-client-secret-0123456789"
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
	lastIDToken       string   // the last id_token that went through
	seen              []string // every token and answer that went through, for checkNoSecrets
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
			m.remember(string(b))
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
	case strings.HasSuffix(req.URL.Path, "/userinfo"):
		return rewriteBody(resp, func(b []byte) []byte {
			m.remember(string(b))
			if userinfo != nil {
				b = []byte(userinfo(string(b)))
			}
			return b
		})
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
	reg  fctest.Registration
	cfg  franceconnect.Config
	mitm *mitm
	c    *franceconnect.Client
	who  string // the identity of the last login
	// offset moves the clock of both the emulator and the Client (advance).
	offset time.Duration
}

// confSetup describes the FS of a case.
type confSetup struct {
	platform fctest.Platform
	encAlg   string // FS key algorithm; "" for signed-only FranceConnect
	sigAlg   string // registered signature algorithm, and configured; "" for both defaults
	// userinfoAlg is ProConnect's registered userinfo signature algorithm;
	// "" for plain JSON.
	userinfoAlg string
	sso         bool // the emulator plays single sign-on
}

func newConfEnv(t *testing.T, s confSetup) *confEnv {
	t.Helper()
	e := &confEnv{t: t, mitm: &mitm{}}
	e.srv = fctest.New(t, fctest.Options{Platform: s.platform, Now: e.now, SingleSignOn: s.sso})
	e.cfg = franceconnect.Config{
		Now:    e.now,
		Issuer: e.srv.Issuer(), ClientID: "fs-conformance", ClientSecret: confSecret,
		RedirectURL: confRedirect, PostLogoutRedirectURL: confLogout,
		Scopes: []string{"openid", "identite_pivot", "email"},
		HTTPClient: &http.Client{Transport: e.mitm, Timeout: 5 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
	e.reg = fctest.Registration{ID: e.cfg.ClientID, Secret: confSecret, RedirectURIs: []string{confRedirect},
		PostLogoutRedirectURIs: []string{confLogout}, AllowAMR: true, SignedResponseAlg: s.sigAlg, EncryptedResponseAlg: s.encAlg}
	switch s.platform {
	case fctest.FranceConnect:
		e.cfg.Platform = franceconnect.FranceConnect
		if s.sigAlg != "" {
			e.cfg.SigningAlgs = []string{s.sigAlg} // as registered
		}
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

// now is the clock of the emulator and the Client.
func (e *confEnv) now() time.Time { return time.Now().Add(e.offset) }

// advance moves the clock of the emulator and the Client by d.
func (e *confEnv) advance(d time.Duration) { e.offset += d }

// register registers the FS with the emulator and creates the Client.
func (e *confEnv) client() *franceconnect.Client {
	e.t.Helper()
	if e.c == nil {
		require.NoError(e.t, e.srv.Register(e.reg))
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
	cb, err := e.srv.SignIn(ctx, authURL, identity)
	require.NoError(e.t, err)
	u, err := url.Parse(cb)
	require.NoError(e.t, err)
	e.mitm.remember(u.Query().Get("code"), auth.State, auth.Nonce)
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
	fcDefault   = confSetup{platform: fctest.FranceConnect}
)

// defaultLogin is the run of most cases: a login as camille with the
// Config's defaults.
func defaultLogin(e *confEnv) (any, error) { return e.login(franceconnect.AuthRequest{}, "camille") }

// loginWith logs in with req as identity.
func loginWith(req franceconnect.AuthRequest, identity string) func(*confEnv) (any, error) {
	return func(e *confEnv) (any, error) { return e.login(req, identity) }
}

// saying runs run and requires its error, if any, to say what.
func saying(what string, run func(*confEnv) (any, error)) func(*confEnv) (any, error) {
	return func(e *confEnv) (any, error) {
		got, err := run(e)
		if err != nil {
			assert.Contains(e.t, err.Error(), what)
		}
		return got, err
	}
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
	require.NoError(e.t, e.srv.Register(e.reg))
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

func conformanceCases() []confCase {
	cases := append(franceConnectCases(), proConnectCases()...)
	return append(append(cases, dateCases()...), levelsCases()...)
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
				checkNoSecrets(t, e, err)
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
		franceconnect.ErrLevelOutsidePolicy: "ErrLevelOutsidePolicy", franceconnect.ErrStaleAuthentication: "ErrStaleAuthentication",
		franceconnect.ErrLevelUnreachable: "ErrLevelUnreachable", franceconnect.ErrPublicAgentsOnly: "ErrPublicAgentsOnly",
		franceconnect.ErrProviderSessionLost: "ErrProviderSessionLost", franceconnect.ErrServiceMisconfigured: "ErrServiceMisconfigured",
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
