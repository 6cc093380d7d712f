package fchttp_test

import (
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// marker is a person whose every claim is recognisable: no log event and
// no error page may show any of them.
var marker = fctest.Person{Login: "marqueur", GivenName: "Zéphyrine MARQUEURPRENOM", FamilyName: "MARQUEURNOM",
	PreferredUsername: "MARQUEURUSAGE", Gender: "female", Birthdate: "1903-04-05", Birthplace: "75056",
	Birthcountry: "99100", Email: "marqueur.courriel@exemple.fr"}

// markers are the pieces of the person (or of the agent marker) that
// must never show.
var markers = []string{"MARQUEUR", "Zéphyrine", "1903-04-05", "marqueur.courriel", agentMarker.SIRET, "eyJ"}

// wire records what goes between the browser, the site and the emulator:
// codes, states, nonces, and the token and userinfo answers; it can take
// the token endpoint down or make the userinfo answer too large.
type wire struct {
	mu           sync.Mutex
	seen         []string
	tokenDown    atomic.Bool
	userinfoHuge atomic.Bool
}

func (w *wire) add(values ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, v := range values {
		if len(v) >= 8 {
			w.seen = append(w.seen, v)
		}
	}
}

// secrets are the values seen and the pieces of them a message could
// quote: the tokens of a token answer and the segments of compact tokens.
func (w *wire) secrets() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, v := range w.seen {
		var answer map[string]any
		if json.Unmarshal([]byte(v), &answer) == nil {
			for _, k := range []string{"access_token", "id_token", "refresh_token"} {
				if s, ok := answer[k].(string); ok {
					out = append(out, s)
					out = append(out, strings.Split(s, ".")...)
				}
			}
			continue
		}
		out = append(out, v)
		out = append(out, strings.Split(v, ".")...)
	}
	return slices.DeleteFunc(out, func(s string) bool { return len(s) < 16 })
}

func (w *wire) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.add(r.URL.Query().Get("nonce"))
		if w.tokenDown.Load() && strings.HasSuffix(r.URL.Path, "/token") {
			http.Error(rw, "<html>maintenance</html>", http.StatusServiceUnavailable)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if strings.HasSuffix(r.URL.Path, "/token") || strings.HasSuffix(r.URL.Path, "/userinfo") {
			w.add(string(body))
		}
		if loc, err := url.Parse(rec.Header().Get("Location")); err == nil {
			w.add(loc.Query().Get("code"), loc.Query().Get("state"))
		}
		if w.userinfoHuge.Load() && strings.HasSuffix(r.URL.Path, "/userinfo") {
			body = []byte(strings.Repeat(string(body)+".", 2<<20/len(body)))
		}
		for k, v := range rec.Header() {
			rw.Header()[k] = v
		}
		rw.Header().Del("Content-Length")
		rw.WriteHeader(rec.Code)
		_, _ = rw.Write(body)
	})
}

// secretCase drives one failure through the site: a FranceConnect+ site
// where the marker person logs in, or with agents set a ProConnect site
// where the agent marker does.
type secretCase struct {
	name   string
	agents bool
	edit   func(*fchttp.Config, *secretSite)
	run    func(t *testing.T, s *secretSite) *fctest.Response
	// organisation is set when the page names the agent's organisation
	// and its SIRET, as ProConnect asks of a refusal page: those two
	// values may appear on the page (never in the log), nothing else.
	organisation bool
}

// secretSite is the site of one case: its emulator, wire, log, clock and
// the errors OnError received.
type secretSite struct {
	e     *env
	wire  *wire
	logs  logSink
	clock clock
	store *memStore
	a     *app
	u     *fctest.Visitor
	errs  []error
}

// login logs the marker person in after injecting faults.
func (s *secretSite) login(t *testing.T, faults ...fctest.Fault) *fctest.Response {
	t.Helper()
	for _, f := range faults {
		s.e.emu.InjectFault(f)
	}
	r, err := s.u.SignIn(context.Background(), "/", marker.Login)
	require.NoError(t, err)
	return r
}

// callback returns the URL the emulator sends s.u back to.
func (s *secretSite) callback(t *testing.T) string {
	t.Helper()
	start := mustOpen(t, s.u, "/login")
	cb, err := s.e.emu.SignIn(context.Background(), start.Location().String(), marker.Login)
	require.NoError(t, err)
	return cb
}

func faultCase(name string, faults ...fctest.Fault) secretCase {
	return secretCase{name: name, run: func(t *testing.T, s *secretSite) *fctest.Response { return s.login(t, faults...) }}
}

func secretCases() []secretCase {
	return []secretCase{
		faultCase("access_denied", fctest.FaultAccessDenied),
		faultCase("a forged state", fctest.FaultCallbackWrongState),
		faultCase("another issuer", fctest.FaultCallbackWrongIssuer),
		faultCase("a bad signature", fctest.FaultBadSignature),
		faultCase("alg none", fctest.FaultAlgNone),
		faultCase("another key", fctest.FaultWrongEncryptionKey),
		faultCase("not encrypted", fctest.FaultUnencrypted),
		faultCase("an unknown signing key", fctest.FaultUnknownSigningKey),
		faultCase("another audience", fctest.FaultWrongAudience),
		faultCase("expired", fctest.FaultExpiredToken),
		faultCase("issued in the future", fctest.FaultIssuedInFuture),
		faultCase("another nonce", fctest.FaultWrongNonce),
		faultCase("a lower level", fctest.FaultACRLower, fctest.FaultACRLower),
		faultCase("an unknown level", fctest.FaultUnknownACR),
		faultCase("no sub", fctest.FaultMissingSub),
		faultCase("a JWE without a JWS", fctest.FaultJWEPayloadNotJWS),
		faultCase("a userinfo about someone else", fctest.FaultUserinfoSubMismatch),
		faultCase("a userinfo as text/plain", fctest.FaultUserinfoWrongContentType),
		faultCase("the token endpoint fails", fctest.FaultTokenServerError),
		{name: "the token endpoint is down", run: func(t *testing.T, s *secretSite) *fctest.Response {
			s.wire.tokenDown.Store(true)
			defer s.wire.tokenDown.Store(false)
			return s.login(t)
		}},
		{name: "a userinfo above the limit", run: func(t *testing.T, s *secretSite) *fctest.Response {
			s.wire.userinfoHuge.Store(true)
			defer s.wire.userinfoHuge.Store(false)
			return s.login(t)
		}},
		{name: "a repeated code", run: func(t *testing.T, s *secretSite) *fctest.Response {
			cb := s.callback(t)
			u, _ := url.Parse(cb)
			return mustOpen(t, s.u, cb+"&code="+url.QueryEscape(u.Query().Get("code")))
		}},
		{name: "a level the platform does not offer", run: func(t *testing.T, s *secretSite) *fctest.Response {
			return mustOpen(t, s.u, "/login?acr=eidas9")
		}},
		{name: "no cookie", run: func(t *testing.T, s *secretSite) *fctest.Response {
			return mustOpen(t, s.e.user(s.a), s.callback(t))
		}},
		{name: "expired login", run: func(t *testing.T, s *secretSite) *fctest.Response {
			cb := s.callback(t)
			s.clock.Advance(time.Hour)
			return mustOpen(t, s.u, cb)
		}},
		{name: "a reloaded callback", run: func(t *testing.T, s *secretSite) *fctest.Response {
			cb := s.callback(t)
			mustOpen(t, s.u, cb)
			return mustOpen(t, s.u, cb)
		}},
		{name: "a cross-origin logout", run: func(t *testing.T, s *secretSite) *fctest.Response {
			s.login(t)
			req := httptest.NewRequest(http.MethodPost, site+"/logout", nil)
			req.Header.Set("Origin", "https://attaquant.example")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			base, _ := url.Parse(site)
			for _, c := range s.u.HTTPClient().Jar.Cookies(base) {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			s.a.ServeHTTP(rec, req)
			return &fctest.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
		}},
		{name: "the store fails", edit: func(c *fchttp.Config, s *secretSite) { c.Store = s.store }, run: func(t *testing.T, s *secretSite) *fctest.Response {
			cb := s.callback(t)
			s.store.down.Store(true)
			defer s.store.down.Store(false)
			return mustOpen(t, s.u, cb)
		}},
		{name: "the store fails keeping the tokens", edit: func(c *fchttp.Config, s *secretSite) {
			c.Store, c.KeepTokens = failingCreate{s.store}, true
		}, run: func(t *testing.T, s *secretSite) *fctest.Response { return s.login(t) }},
		{name: "OnLogin keeps too much", edit: func(c *fchttp.Config, _ *secretSite) {
			c.OnLogin = func(_ http.ResponseWriter, _ *http.Request, l *franceconnect.Login) (any, error) {
				return strings.Repeat(l.Identity.FamilyName, fchttp.MaxStoredUserData), nil
			}
		}, run: func(t *testing.T, s *secretSite) *fctest.Response { return s.login(t) }},
		{name: "OnLogin panics with the login", edit: func(c *fchttp.Config, _ *secretSite) {
			c.OnLogin = func(_ http.ResponseWriter, _ *http.Request, l *franceconnect.Login) (any, error) { panic(l) }
		}, run: func(t *testing.T, s *secretSite) *fctest.Response { return s.login(t) }},
		{name: "OnLogin calls a data provider once the access token has expired", edit: dataCallTooLate,
			run: func(t *testing.T, s *secretSite) *fctest.Response { return s.login(t) }},
		{name: "a level below the configured one", edit: func(c *fchttp.Config, s *secretSite) {
			c.Client = s.e.clientWith(func(cfg *franceconnect.Config) { cfg.ACR = franceconnect.EIDAS3 })
		}, run: func(t *testing.T, s *secretSite) *fctest.Response { return mustOpen(t, s.u, "/login?acr=eidas2") }},
		{name: "an authentication older than MaxAuthAge", edit: func(c *fchttp.Config, s *secretSite) {
			c.Client = s.e.clientWith(func(cfg *franceconnect.Config) { cfg.MaxAuthAge = 30 * time.Minute })
		}, run: func(t *testing.T, s *secretSite) *fctest.Response { return s.login(t, fctest.FaultPromptLoginIgnored) }},
	}
}

// notThroughTheWeb are the sentinels no failure of a Handler's routes
// reaches, and where their messages are checked instead.
var notThroughTheWeb = map[string]string{
	"ErrConfig":              "New and configuration: TestErrorMessagesHoldNoSecrets (root package)",
	"ErrDiscovery":           "franceconnect.New: TestConformance",
	"ErrProviderKeys":        "franceconnect.New: TestConformance",
	"ErrRevocation":          "the Handler never revokes: TestErrorMessagesHoldNoSecrets",
	"ErrKeyMismatch":         "a JWE header naming our key for another algorithm: TestErrorMessagesHoldNoSecrets",
	"ErrInteractionRequired": "ProConnect's prompt=none, which the Handler never sends: TestConformance",
	"ErrNoSharedState":       "Handler.LogoutEverywhere, checked below",
	"ErrNotSignedIn":         "Handler.DataClient: TestDataClientRefusals, TestDataClientProConnectLogoutDuringRefresh",
	"ErrNoTokens":            "Handler.DataClient: TestDataClientRefusals, TestDataClientSessionsReachTheirOwnTokens",
}

// TestFailuresHoldNoSecrets: for every sentinel of fchttp and of the
// franceconnect package, a failure of the marker person's login shows
// no personal data, token, code, state, nonce or cookie, neither in the
// log event nor on the error page.
func TestFailuresHoldNoSecrets(t *testing.T) {
	w := &wire{}
	opts := fctest.Options{People: append(fctest.DemoPeople(), marker), Middleware: w.middleware}
	reached := map[string]bool{}
	for _, tc := range append(secretCases(), agentSecretCases()...) {
		t.Run(tc.name, func(t *testing.T) {
			s := &secretSite{wire: w, store: newMemStore()}
			edit := func(c *fchttp.Config) {
				c.Logger, c.Now, c.NoACRRetry = s.logs.logger(), s.clock.Now, true
				c.OnError = func(w http.ResponseWriter, r *http.Request, p *fchttp.Problem) {
					s.errs = append(s.errs, p.Err)
					p.ServeHTTP(w, r)
				}
				if tc.edit != nil {
					tc.edit(c, s)
				}
			}
			if tc.agents {
				s.e, s.a = agentSite(t, w, edit)
			} else {
				s.e = newEnvWith(t, opts)
				s.a = s.e.newApp(edit)
			}
			s.u = s.e.user(s.a)
			r := tc.run(t, s)
			require.GreaterOrEqual(t, r.Status, 400, r.Body)
			require.NotEmpty(t, s.errs, "the failure went through OnError")
			secrets := append(w.secrets(), markers...)
			secrets = append(secrets, s.e.emu.Subject(clientID, marker.Login), secret)
			base, _ := url.Parse(site)
			for _, c := range s.u.HTTPClient().Jar.Cookies(base) {
				secrets = append(secrets, c.Value)
			}
			logs := s.logs.String()
			require.Contains(t, logs, "fchttp: step failed")
			page := r.Body
			if tc.organisation {
				for _, shown := range []string{agentMarker.OrganizationLabel, agentMarker.SIRET} {
					require.Contains(t, page, shown, "the refusal names the agent's organisation")
					page = strings.ReplaceAll(page, shown, "")
				}
			}
			for _, x := range secrets {
				require.NotContains(t, logs, x, "the log event holds a secret or personal data")
				require.NotContains(t, page, x, "the error page holds a secret or personal data")
			}
			for name, err := range allSentinels(t) {
				if slices.ContainsFunc(s.errs, func(e error) bool { return errors.Is(e, err) }) {
					reached[name] = true
				}
			}
		})
	}

	e := newEnvWith(t, opts)
	err := e.newApp(nil).fc.LogoutEverywhere(context.Background(), e.emu.Subject(clientID, marker.Login))
	require.ErrorIs(t, err, fchttp.ErrNoSharedState)
	assert.NotContains(t, err.Error(), e.emu.Subject(clientID, marker.Login))

	for name := range allSentinels(t) {
		if _, elsewhere := notThroughTheWeb[name]; !elsewhere {
			assert.True(t, reached[name], "no failure above reaches %s: add one, or say in notThroughTheWeb where it is checked", name)
		}
	}
}

// allSentinels are the exported Err… variables of fchttp and of the
// franceconnect package, read from their source, with their values.
func allSentinels(t *testing.T) map[string]error {
	t.Helper()
	values := map[string]error{
		"ErrLoginNotFound": fchttp.ErrLoginNotFound, "ErrLoginExpired": fchttp.ErrLoginExpired,
		"ErrLoginMismatch": fchttp.ErrLoginMismatch, "ErrLoginUsed": fchttp.ErrLoginUsed,
		"ErrCrossOrigin": fchttp.ErrCrossOrigin, "ErrStore": fchttp.ErrStore, "ErrSessionTooLarge": fchttp.ErrSessionTooLarge,
		"ErrApplication": fchttp.ErrApplication, "ErrNoSharedState": fchttp.ErrNoSharedState,
		"ErrNotSignedIn": fchttp.ErrNotSignedIn, "ErrNoTokens": fchttp.ErrNoTokens,
		"ErrConfig": franceconnect.ErrConfig, "ErrDiscovery": franceconnect.ErrDiscovery,
		"ErrProviderKeys": franceconnect.ErrProviderKeys, "ErrHTTP": franceconnect.ErrHTTP,
		"ErrResponseTooLarge": franceconnect.ErrResponseTooLarge, "ErrContentType": franceconnect.ErrContentType,
		"ErrInvalidRequest": franceconnect.ErrInvalidRequest, "ErrInvalidCallback": franceconnect.ErrInvalidCallback,
		"ErrStateMismatch": franceconnect.ErrStateMismatch, "ErrIssuerMismatch": franceconnect.ErrIssuerMismatch,
		"ErrExchange": franceconnect.ErrExchange, "ErrRevocation": franceconnect.ErrRevocation,
		"ErrProvider": franceconnect.ErrProvider, "ErrInvalidIDToken": franceconnect.ErrInvalidIDToken,
		"ErrInvalidUserInfo": franceconnect.ErrInvalidUserInfo, "ErrMalformedToken": franceconnect.ErrMalformedToken,
		"ErrAlgorithm": franceconnect.ErrAlgorithm, "ErrDecryption": franceconnect.ErrDecryption,
		"ErrSignature": franceconnect.ErrSignature, "ErrKeyMismatch": franceconnect.ErrKeyMismatch,
		"ErrUnencrypted": franceconnect.ErrUnencrypted, "ErrUnknownKey": franceconnect.ErrUnknownKey,
		"ErrInvalidAudience": franceconnect.ErrInvalidAudience, "ErrExpired": franceconnect.ErrExpired,
		"ErrIssuedInFuture": franceconnect.ErrIssuedInFuture, "ErrNonceMismatch": franceconnect.ErrNonceMismatch,
		"ErrACRTooLow": franceconnect.ErrACRTooLow, "ErrACRNotAccepted": franceconnect.ErrACRNotAccepted,
		"ErrUnknownACR": franceconnect.ErrUnknownACR, "ErrMissingClaim": franceconnect.ErrMissingClaim,
		"ErrSubjectMismatch": franceconnect.ErrSubjectMismatch, "ErrInteractionRequired": franceconnect.ErrInteractionRequired,
		"ErrLevelOutsidePolicy": franceconnect.ErrLevelOutsidePolicy, "ErrStaleAuthentication": franceconnect.ErrStaleAuthentication,
		"ErrLevelUnreachable": franceconnect.ErrLevelUnreachable, "ErrPublicAgentsOnly": franceconnect.ErrPublicAgentsOnly,
		"ErrProviderSessionLost": franceconnect.ErrProviderSessionLost, "ErrServiceMisconfigured": franceconnect.ErrServiceMisconfigured,
		"ErrAgentRefused": franceconnect.ErrAgentRefused, "ErrAccessTokenExpired": franceconnect.ErrAccessTokenExpired,
	}
	declared := append(exportedErrors(t, ".", "fchttp"), exportedErrors(t, "..", "franceconnect")...)
	slices.Sort(declared)
	var listed []string
	for n := range values {
		listed = append(listed, n)
	}
	slices.Sort(listed)
	require.Equal(t, declared, listed, "a new sentinel needs its line here and a failure in secretCases")
	return values
}

// exportedErrors reads the exported Err… variables of package pkg in dir.
func exportedErrors(t *testing.T, dir, pkg string) []string {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	require.NoError(t, err)
	var names []string
	for _, f := range pkgs[pkg].Files {
		for name, obj := range f.Scope.Objects {
			if obj.Kind == ast.Var && strings.HasPrefix(name, "Err") && ast.IsExported(name) {
				names = append(names, name)
			}
		}
	}
	return names
}
