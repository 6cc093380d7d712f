package fctest

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
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
	// ProConnect is ProConnect (formerly AgentConnect, "core-fca-low"), the
	// State's sign-in for public agents, a fork of FranceConnect's core:
	// agents instead of citizens, ES256, RS256 or HS256 signatures chosen per
	// client, no encryption, userinfo as a signed JWT or plain JSON, acr
	// values requested as a set through claims, PKCE, prompt=none and refresh
	// tokens (see the package documentation).
	ProConnect
)

// String returns the platform's name.
func (p Platform) String() string {
	switch p {
	case FranceConnectPlus:
		return "FranceConnect+"
	case FranceConnect:
		return "FranceConnect"
	case ProConnect:
		return "ProConnect"
	}
	return fmt.Sprintf("Platform(%d)", int(p))
}

// Options configures a Server. The zero value is a FranceConnect+ emulator
// with the demo identities on a random loopback port.
type Options struct {
	// Platform is the platform imitated; zero: FranceConnectPlus.
	Platform Platform
	// Now is the server clock. It drives iat, exp and auth_time, code, token,
	// session and interaction expiry, key retirement and the FS JWKS cache;
	// Server.AdvanceClock moves it forward. Zero: time.Now.
	Now func() time.Time
	// People are the people offered on the identity-choice page of the
	// FranceConnect platforms; zero: DemoPeople(). ProConnect refuses
	// them: it takes Agents.
	People []Person
	// Identities is the former name of People, read when People is nil.
	//
	// Deprecated: use People; setting both is an error.
	Identities []Person
	// Agents are the public agents offered on the agent-choice page of
	// ProConnect; zero: DemoAgents(). The FranceConnect platforms refuse
	// them.
	Agents []Agent
	// Listener is where the server listens; it must be bound to a loopback
	// address unless InsecureNonLoopback is set. Zero: a new listener on
	// 127.0.0.1:0. The server closes it, also when NewServer fails.
	Listener net.Listener
	// InsecureNonLoopback accepts a Listener bound to any address, such as
	// 0.0.0.0 inside a container, whose network is then the only boundary:
	// whoever reaches the address can sign in as every identity of the
	// emulator. Set BaseURL with it. Zero: loopback only.
	InsecureNonLoopback bool
	// BaseURL is the scheme://host[:port] at which clients reach the
	// server when it is not the listener's address (a container's
	// published port or service name); the issuer is BaseURL + "/api/v2".
	// Its scheme must be https with TLS and http without; a generated TLS
	// certificate covers its host too. Zero: the listener's address.
	BaseURL string
	// SigningAlg restricts the provider signing keys. FranceConnect+ only
	// accepts zero or "ES256" (one ES256 key). On FranceConnect and ProConnect
	// zero publishes an ES256 and an RS256 key; "ES256" or "RS256" publishes
	// only that one. HS256, which ProConnect clients may register, needs no
	// provider key: it is keyed by the client secret.
	SigningAlg string
	// StrictRedirectTLD applies FranceConnect's "URL with a top-level domain"
	// rule to redirect_uri and post_logout_redirect_uri at request time:
	// host names without a dot, such as localhost, are refused with Y030007
	// (IP addresses pass, as on the platform). Off by default so that tests
	// can use http://localhost callbacks, which FranceConnect+ refuses.
	StrictRedirectTLD bool
	// AllowedIDPHints are the idp_hint values accepted at authorize from
	// every client (Client.AllowedIDPHints adds a client's own); any other
	// value yields error=invalid_idp_hint. Zero: none allowed. An accepted
	// hint does not skip the identity-choice page. ProConnect has no such
	// list: it accepts any idp_hint and ignores this field.
	AllowedIDPHints []string
	// SubjectSecret is the platform secret mixed into every sub (spec §6),
	// and on ProConnect into the account id of the agents without Agent.Sub.
	// Zero: a fixed value, so that subs are stable across runs.
	SubjectSecret string
	// SigningKeys are the provider signing keys, at most one per published
	// algorithm (see SigningAlg and Platform.SigningAlgs): an
	// *ecdsa.PrivateKey on P-256 signs ES256, an *rsa.PrivateKey of at least
	// 2048 bits signs RS256. Each is published under its RFC 7638 SHA-256
	// thumbprint as kid, so that the same key given after a restart keeps its
	// kid and the service providers' cached copies of the JWKS stay valid. A
	// published algorithm without a key here gets a generated one. Zero:
	// every key is generated, with a random kid.
	SigningKeys []crypto.Signer
	// AutoLogin is the Login of an identity (an agent on ProConnect) that
	// every authorization request logs in at once: authorize answers with a
	// redirect to the service provider's callback instead of the
	// identity-choice page, so that a login is a pure chain of redirects (for
	// test clients that cannot fill in an HTML form). The identity's level is still checked against the request
	// (Y100001 page when lower; on ProConnect error=access_denied when the
	// agent's acr is not in the requested set) and callback faults still
	// apply. Zero: the identity-choice page is shown.
	AutoLogin string
	// TLS, when non-nil, makes the server speak HTTPS (HTTP/2 included) and
	// its issuer https://…/api/v2. The configuration is cloned. Without a
	// certificate (Certificates and GetCertificate unset) the server generates
	// a self-signed one for 127.0.0.1, ::1 and localhost; a given
	// Certificates[0] must be valid for the listener's IP address.
	// Server.Certificate returns the certificate; the server's Browsers trust
	// it. Zero: plain HTTP.
	TLS *tls.Config
	// ConnState, when set, is called on every change of state of a client
	// connection, like http.Server.ConnState (which it becomes): count
	// http.StateNew to know how many connections clients opened. It runs on
	// the connection's goroutine and must not block. Zero: none.
	ConnState func(net.Conn, http.ConnState)
	// SingleSignOn answers an authorization request from the browser's
	// session, without the identity-choice page, as the platforms do when
	// the request does not carry prompt=login. FranceConnect and
	// FranceConnect+ reuse any live session; FranceConnect+ then answers
	// eidas2, whatever the level of the session and of the request (a
	// service that needs eidas3 must ask for prompt=login), and auth_time is
	// the time of this login, since the platform finishes an interaction at
	// every login. ProConnect (since July 2026) reuses a session whose level
	// the request's essential levels accept, except at eidas2 and eidas3,
	// which always take a new authentication; its id_token carries the
	// session's auth_time. Zero: every authorization request shows the
	// identity-choice page (or logs AutoLogin in), so that a test picks its
	// person every time.
	SingleSignOn bool
	// Middleware, when set, wraps the server's handler: it receives every
	// request first, may answer some itself (under paths outside /api/v2, so
	// as not to shadow the platform's) and passes the others on, e.g. to log
	// them. Zero: none.
	Middleware func(http.Handler) http.Handler
	// OnRequest, when set, receives the record of every request the
	// emulator answers, once the answer is sent: endpoint, status, client,
	// error and code, the faults applied (see RequestRecord), never a token
	// or personal data. It runs on the request's goroutine, after the
	// answer, and must be safe for concurrent use. Zero: none.
	OnRequest func(RequestRecord)
	// StrictQualification refuses what FranceConnect's qualification
	// refuses although the platform's code lets it through: a state or
	// nonce missing, shorter than 32 characters or already used by the
	// client, a logout without such a state or without
	// post_logout_redirect_uri. Each gets the platform's parameter error
	// page (Y030007, Y000400 on ProConnect) saying why. Zero: the
	// platform's own rules (a nonce of 22 characters passes, a state of
	// one character too); Server.Qualification reports such requests
	// either way.
	StrictQualification bool
}

// endpoints are the counter names accepted by Requests.
var endpoints = []string{"discovery", "jwks", "authorize", "interaction", "token", "userinfo",
	"session/end", "revocation", "checktoken"}

// Server is a running FranceConnect emulator. Its methods are safe for
// concurrent use.
type Server struct {
	platform   Platform
	opts       Options
	now        func() time.Time
	url        string
	issuer     string
	identities []Person // FranceConnect platforms
	agents     []Agent  // ProConnect
	httpSrv    *http.Server
	closeOnce  sync.Once
	quit       chan struct{} // closed when the server stops: releases requests held by faults
	quitOnce   sync.Once
	counters   map[string]*atomic.Int64 // fixed keys, set in NewServer
	offset     atomic.Int64             // nanoseconds added to the clock by AdvanceClock
	browser    *Browser
	cert       *x509.Certificate // the TLS leaf; nil over plain HTTP

	mu           sync.Mutex // guards the fields below
	keys         *keyring
	clients      map[string]*registeredClient
	interactions map[string]*interaction
	sessions     map[string]*session
	codes        map[string]*authCode
	tokens       map[string]*accessToken
	refresh      map[string]*refreshToken // ProConnect
	dps          map[string]*registeredDP // data providers
	faults       []*queued
	lastGC       time.Time

	obs *observer // what qualification checks, per client; its own lock
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
	if opts.Platform < FranceConnectPlus || opts.Platform > ProConnect {
		return nil, fmt.Errorf("fctest: unknown platform %d", opts.Platform)
	}
	algs, err := platformAlgs(opts.Platform, opts.SigningAlg)
	if err != nil {
		return nil, err
	}
	ids, agents, err := people(&opts)
	if err != nil {
		return nil, err
	}
	keys, err := newKeyring(algs, opts.SigningKeys)
	if err != nil {
		return nil, err
	}
	ln, err := loopbackListener(opts.Listener, opts.InsecureNonLoopback)
	if err != nil {
		return nil, err
	}
	opts.AllowedIDPHints = slices.Clone(opts.AllowedIDPHints)
	opts.SigningKeys = nil // kept in the keyring
	if opts.SubjectSecret == "" {
		opts.SubjectSecret = "fctest-subject-secret"
	}
	s := &Server{
		platform: opts.Platform, opts: opts, now: opts.Now, identities: ids, agents: agents, keys: keys,
		counters: make(map[string]*atomic.Int64),
		clients:  make(map[string]*registeredClient), interactions: make(map[string]*interaction),
		sessions: make(map[string]*session), codes: make(map[string]*authCode),
		tokens: make(map[string]*accessToken), refresh: make(map[string]*refreshToken), quit: make(chan struct{}),
		obs: newObserver(),
	}
	if s.now == nil {
		s.now = time.Now
	}
	for _, e := range endpoints {
		s.counters[e] = new(atomic.Int64)
	}
	if err := s.serve(ln); err != nil {
		_ = ln.Close()
		return nil, err
	}
	return s, nil
}

// serve starts the HTTP server on ln, with TLS when the options ask for it.
func (s *Server) serve(ln net.Listener) error {
	handler := s.routes()
	if s.opts.Middleware != nil {
		if handler = s.opts.Middleware(handler); handler == nil {
			return errors.New("fctest: Middleware returned a nil handler")
		}
	}
	s.httpSrv = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(io.Discard, "", 0),
		ConnState:         s.opts.ConnState,
	}
	host, err := s.baseURL(ln.Addr())
	if err != nil {
		return err
	}
	if s.opts.TLS != nil {
		conf, leaf, err := tlsConfig(s.opts.TLS, host)
		if err != nil {
			return err
		}
		s.httpSrv.TLSConfig, s.cert = conf, leaf
	}
	s.issuer = s.url + apiPrefix
	s.browser = s.NewBrowser()
	if s.httpSrv.TLSConfig != nil {
		go func() { _ = s.httpSrv.ServeTLS(ln, "", "") }()
	} else {
		go func() { _ = s.httpSrv.Serve(ln) }()
	}
	return nil
}

// baseURL sets s.url from Options.BaseURL or the listener's address addr,
// and returns the host name clients reach the server by.
func (s *Server) baseURL(addr net.Addr) (string, error) {
	scheme := "http"
	if s.opts.TLS != nil {
		scheme = "https"
	}
	if s.opts.BaseURL == "" {
		host, port, err := net.SplitHostPort(addr.String())
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			host = "127.0.0.1" // listening on every address: reached on loopback
		}
		s.url = scheme + "://" + net.JoinHostPort(host, port)
		return host, err
	}
	u, err := url.Parse(s.opts.BaseURL)
	switch {
	case err != nil || u.Host == "" || u.User != nil:
		return "", fmt.Errorf("fctest: BaseURL %q: want scheme://host[:port]", s.opts.BaseURL)
	case u.Scheme != scheme:
		return "", fmt.Errorf("fctest: BaseURL %q: the scheme must be %s (TLS is %s)", s.opts.BaseURL, scheme,
			map[bool]string{true: "on", false: "off"}[s.opts.TLS != nil])
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("fctest: BaseURL %q: no path, query or fragment (the issuer adds /api/v2)", s.opts.BaseURL)
	}
	s.url = scheme + "://" + u.Host
	return u.Hostname(), nil
}

// loopbackListener returns ln after checking it is bound to a loopback
// address (any TCP address with anyAddr), or a new listener on
// 127.0.0.1:0.
func loopbackListener(ln net.Listener, anyAddr bool) (net.Listener, error) {
	if ln == nil {
		return net.Listen("tcp", "127.0.0.1:0")
	}
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok || (!addr.IP.IsLoopback() && !anyAddr) {
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

// Shutdown stops the server gracefully, like http.Server.Shutdown: it closes
// the listener, waits for the requests in progress to complete or ctx to be
// done, then closes every connection. It returns ctx's error if requests were
// still running. Close may follow; Shutdown after Close returns at once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.quitOnce.Do(func() { close(s.quit) })
	err := s.httpSrv.Shutdown(ctx)
	s.Close()
	return err
}

// Close shuts the server down, closing its listener and connections. It may
// be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.quitOnce.Do(func() { close(s.quit) })
		_ = s.httpSrv.Close()
		s.browser.closeIdle()
	})
}

// URL returns the server's base URL, e.g. http://127.0.0.1:40123, or
// https://127.0.0.1:40123 with Options.TLS.
func (s *Server) URL() string { return s.url }

// Certificate returns the TLS certificate the server presents (the
// generated self-signed one, or the leaf of Options.TLS.Certificates[0]),
// for clients to trust; nil over plain HTTP or when the certificate comes
// from a GetCertificate callback.
func (s *Server) Certificate() *x509.Certificate { return s.cert }

// Issuer returns the issuer, URL() + "/api/v2" (spec §1.1).
func (s *Server) Issuer() string { return s.issuer }

// Platform returns the platform the server imitates.
func (s *Server) Platform() Platform { return s.platform }

// HTTPClient returns the HTTP client of the server's default Browser (the one
// behind Server.SignIn and Server.Logout): it keeps cookies in its jar, so it
// carries the fc_session_id cookie set during SignIn, and it does NOT follow
// redirects, so callers see the 303 responses and their Location.
func (s *Server) HTTPClient() *http.Client { return s.browser.client }

// Requests returns how many requests reached endpoint, one of "discovery",
// "jwks", "authorize", "interaction", "token", "userinfo", "session/end",
// "revocation" and "checktoken" (checktoken, or ProConnect's token
// introspection). Unknown names return 0.
func (s *Server) Requests(endpoint string) int {
	if c, ok := s.counters[endpoint]; ok {
		return int(c.Load())
	}
	return 0
}

// Subject returns the sub the server gives the identity login at the
// registered client clientID (spec §8.1), using the client's EntityID when
// it has one. On ProConnect it is the agent's account id, the same at every
// client (see Agent.Sub).
func (s *Server) Subject(clientID, login string) string {
	if s.platform == ProConnect {
		return s.agentSub(login)
	}
	s.mu.Lock()
	entity := clientID
	if rc, ok := s.clients[clientID]; ok && rc.EntityID != "" {
		entity = rc.EntityID
	}
	s.mu.Unlock()
	return computeSub(entity, login, s.opts.SubjectSecret)
}

// People returns a copy of the identities offered by the server; none
// on ProConnect, which offers Agents.
func (s *Server) People() []Person {
	out := slices.Clone(s.identities)
	for i := range out {
		out[i].AMR = slices.Clone(out[i].AMR)
	}
	return out
}

// identity returns the identity with login.
func (s *Server) identity(login string) (Person, bool) {
	for _, id := range s.identities {
		if id.Login == login {
			return id, true
		}
	}
	return Person{}, false
}
