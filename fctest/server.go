package fctest

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Platform selects which FranceConnect platform the emulator imitates.
type Platform int

const (
	// FranceConnectPlus is FranceConnect+ ("core-fcp-high"): eidas2/eidas3,
	// ES256, id_token and userinfo encrypted to the FS key.
	FranceConnectPlus Platform = iota
	// FranceConnect is FranceConnect v2 ("core-fcp-low"): eidas1 only, ES256
	// or RS256 signatures, no encryption unless the client asks for it.
	FranceConnect
)

// String returns the platform's name.
func (p Platform) String() string {
	switch p {
	case FranceConnectPlus:
		return "FranceConnect+"
	case FranceConnect:
		return "FranceConnect"
	}
	return fmt.Sprintf("Platform(%d)", int(p))
}

// Options configures a Server. The zero value is a FranceConnect+ emulator
// with the demo identities on a random loopback port.
type Options struct {
	// Platform is the platform imitated; zero: FranceConnectPlus.
	Platform Platform
	// Now is the server clock. It drives iat, exp and auth_time, code, token,
	// session and interaction expiry, and the FS JWKS cache. Zero: time.Now.
	Now func() time.Time
	// Identities are the people offered on the identity-choice page; zero:
	// DemoIdentities().
	Identities []Identity
	// Listener is where the server listens; it must be bound to a loopback
	// address. Zero: a new listener on 127.0.0.1:0. The server closes it,
	// also when NewServer fails.
	Listener net.Listener
	// SigningAlg restricts the provider signing keys. FranceConnect+ only
	// accepts zero or "ES256" (one ES256 key). On FranceConnect zero publishes
	// an ES256 and an RS256 key; "ES256" or "RS256" publishes only that one.
	SigningAlg string
	// StrictRedirectTLD applies FranceConnect's "URL with a top-level domain"
	// rule to redirect_uri and post_logout_redirect_uri at request time:
	// host names without a dot, such as localhost, are refused with Y030007
	// (IP addresses pass, as on the platform). Off by default so that tests
	// can use http://localhost callbacks, which FranceConnect+ refuses.
	StrictRedirectTLD bool
	// AllowedIDPHints are the idp_hint values accepted at authorize; any
	// other value yields error=invalid_idp_hint. Zero: none allowed. An
	// accepted hint does not skip the identity-choice page.
	AllowedIDPHints []string
	// SubjectSecret is the platform secret mixed into every sub (spec §6).
	// Zero: a fixed value, so that subs are stable across runs.
	SubjectSecret string
}

// endpoints are the counter names accepted by Requests.
var endpoints = []string{"discovery", "jwks", "authorize", "interaction", "token", "userinfo",
	"session/end", "revocation"}

// Server is a running FranceConnect emulator. Its methods are safe for
// concurrent use.
type Server struct {
	platform   Platform
	opts       Options
	now        func() time.Time
	url        string
	issuer     string
	identities []Identity
	httpSrv    *http.Server
	closeOnce  sync.Once
	counters   map[string]*atomic.Int64 // fixed keys, set in NewServer
	browser    *Browser

	mu           sync.Mutex // guards the fields below
	keys         *keyring
	clients      map[string]*registeredClient
	interactions map[string]*interaction
	sessions     map[string]*session
	codes        map[string]*authCode
	tokens       map[string]*accessToken
	faults       []Fault
	lastGC       time.Time
}

// NewServer starts an emulator. Call Close when done.
func NewServer(opts Options) (*Server, error) {
	s, err := newServer(opts)
	if err != nil {
		if opts.Listener != nil {
			_ = opts.Listener.Close()
		}
		return nil, err
	}
	return s, nil
}

func newServer(opts Options) (*Server, error) {
	if opts.Platform != FranceConnectPlus && opts.Platform != FranceConnect {
		return nil, fmt.Errorf("fctest: unknown platform %d", opts.Platform)
	}
	algs, err := platformAlgs(opts.Platform, opts.SigningAlg)
	if err != nil {
		return nil, err
	}
	if opts.Identities == nil {
		opts.Identities = DemoIdentities()
	}
	ids, err := validateIdentities(opts.Identities)
	if err != nil {
		return nil, err
	}
	keys, err := newKeyring(algs)
	if err != nil {
		return nil, err
	}
	ln, err := loopbackListener(opts.Listener)
	if err != nil {
		return nil, err
	}
	opts.AllowedIDPHints = slices.Clone(opts.AllowedIDPHints)
	if opts.SubjectSecret == "" {
		opts.SubjectSecret = "fctest-subject-secret"
	}
	s := &Server{
		platform: opts.Platform, opts: opts, now: opts.Now, identities: ids, keys: keys,
		url: "http://" + ln.Addr().String(), counters: make(map[string]*atomic.Int64),
		clients: make(map[string]*registeredClient), interactions: make(map[string]*interaction),
		sessions: make(map[string]*session), codes: make(map[string]*authCode),
		tokens: make(map[string]*accessToken),
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.issuer = s.url + apiPrefix
	for _, e := range endpoints {
		s.counters[e] = new(atomic.Int64)
	}
	s.browser = s.NewBrowser()
	s.httpSrv = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() { _ = s.httpSrv.Serve(ln) }()
	return s, nil
}

// loopbackListener returns ln after checking it is bound to a loopback
// address, or a new listener on 127.0.0.1:0.
func loopbackListener(ln net.Listener) (net.Listener, error) {
	if ln == nil {
		return net.Listen("tcp", "127.0.0.1:0")
	}
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok || !addr.IP.IsLoopback() {
		return nil, fmt.Errorf("fctest: listener %s is not a loopback TCP address", ln.Addr())
	}
	return ln, nil
}

// TB is the part of testing.TB that New uses; *testing.T, *testing.B and
// *testing.F satisfy it. Declaring it here keeps the testing package out of
// programs that run the emulator, such as examples/serviceprovider.
type TB interface {
	Helper()
	Fatal(args ...any)
	Cleanup(func())
}

// New is NewServer for tests: it fails tb on error and closes the server
// with tb.Cleanup.
func New(tb TB, opts Options) *Server {
	tb.Helper()
	s, err := NewServer(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Close shuts the server down, closing its listener and connections. It may
// be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		_ = s.httpSrv.Close()
		s.browser.closeIdle()
	})
}

// URL returns the server's base URL, e.g. http://127.0.0.1:40123.
func (s *Server) URL() string { return s.url }

// Issuer returns the issuer, URL() + "/api/v2" (spec §1.1).
func (s *Server) Issuer() string { return s.issuer }

// Platform returns the platform the server imitates.
func (s *Server) Platform() Platform { return s.platform }

// Client returns the HTTP client of the server's default Browser (the one
// behind Server.Login and Server.Logout): it keeps cookies in its jar, so it
// carries the fc_session_id cookie set during Login, and it does NOT follow
// redirects, so callers see the 303 responses and their Location.
func (s *Server) Client() *http.Client { return s.browser.client }

// Requests returns how many requests reached endpoint, one of "discovery",
// "jwks", "authorize", "interaction", "token", "userinfo", "session/end" and
// "revocation". Unknown names return 0.
func (s *Server) Requests(endpoint string) int {
	if c, ok := s.counters[endpoint]; ok {
		return int(c.Load())
	}
	return 0
}

// Subject returns the sub the server gives the identity login at the
// registered client clientID (spec §8.1), using the client's EntityID when
// it has one.
func (s *Server) Subject(clientID, login string) string {
	s.mu.Lock()
	entity := clientID
	if rc, ok := s.clients[clientID]; ok && rc.EntityID != "" {
		entity = rc.EntityID
	}
	s.mu.Unlock()
	return computeSub(entity, login, s.opts.SubjectSecret)
}

// Identities returns a copy of the identities offered by the server.
func (s *Server) Identities() []Identity {
	out := slices.Clone(s.identities)
	for i := range out {
		out[i].AMR = slices.Clone(out[i].AMR)
	}
	return out
}

// identity returns the identity with login.
func (s *Server) identity(login string) (Identity, bool) {
	for _, id := range s.identities {
		if id.Login == login {
			return id, true
		}
	}
	return Identity{}, false
}
