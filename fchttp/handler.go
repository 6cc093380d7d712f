package fchttp

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

// Config describes the web layer of one FS. New validates it and copies it.
// Every field documents its zero value.
type Config struct {
	// Client is the FranceConnect client. Required. The paths of its
	// RedirectURL and PostLogoutRedirectURL are the callback routes; both
	// URLs must share one origin, whose scheme decides the cookie: named
	// "__Host-fs_session" and Secure over https, "fs_session" over http
	// (loopback only).
	Client *franceconnect.Client

	// SessionKeys is the key ring of the default store, a sealed cookie
	// (AES-256-GCM): KeySize bytes each, the first seals, every key opens.
	// Give every instance of the FS the same ring; to rotate, put a new key
	// first and drop the last one a SessionLifetime later. Exactly one of
	// SessionKeys and Store is required.
	SessionKeys [][]byte
	// Store keeps sessions instead of the sealed cookie, e.g. on a server
	// shared by every instance.
	Store Store
	// SessionLifetime is how long a signed-in session lasts. Zero:
	// DefaultSessionLifetime.
	SessionLifetime time.Duration

	// LoginPath starts a login: GET (a link) or POST (a form), with an
	// optional "acr" (an eIDAS level the platform allows; on ProConnect the
	// accepted levels, separated by spaces) and an optional "next" (a path
	// of this site to return to). The browser sends "acr": it may ask for
	// more than the Client's level, never for less (on ProConnect a subset
	// of the Client's levels): a lower level is refused with a 400 page
	// (franceconnect.ErrLevelOutsidePolicy). A page that needs a level
	// checks User.ACR. Zero: "/login".
	LoginPath string
	// LogoutPath ends the session: POST only. Zero: "/logout".
	LogoutPath string
	// HomePath is where the browser goes after a login without "next" and
	// after a logout, and where error pages link. Zero: "/".
	HomePath string
	// LoggedOutPath is where the browser goes once FranceConnect confirmed
	// the logout. Zero: HomePath.
	LoggedOutPath string

	// AuthRequest holds the options of every login: Scopes, Claims (e.g.
	// franceconnect.RequestAMR()), IDPHint, and ACR, the level requested
	// when the login carries no "acr" (zero: the Client's), or on ProConnect
	// AcceptedACRs, LoginHint and SiretHint. State, Nonce, PromptLogin and
	// Subject must be zero: the Handler sets them.
	AuthRequest franceconnect.AuthRequest
	// NoACRRetry turns off the retry on franceconnect.ErrACRTooLow and
	// franceconnect.ErrStaleAuthentication. By default, when FranceConnect+
	// single sign-on answers a lower level than requested (eidas2 for
	// eidas3), or single sign-on answers an authentication older than the
	// Client's maximum age, the Handler starts the login once more with
	// prompt=login, unless that login already had it; the id_token of the
	// retry must then carry an auth_time after its start. FranceConnect
	// honours prompt=login only for FS it allows; elsewhere the retry fails
	// the same way and the error page follows. ProConnect's levels are not
	// ordered: a level outside the accepted ones (ErrACRNotAccepted) is not
	// retried.
	NoACRRetry bool

	// KeysPath serves the public part of DecryptionKeys, the "Client keys
	// URL" of the registration (franceconnect.KeysHandler). Zero: not served.
	KeysPath string
	// DecryptionKeys are the keys published at KeysPath; required with it.
	DecryptionKeys []franceconnect.Key
	// SectorIdentifierPath serves the sector identifier document
	// (franceconnect.SectorIdentifierHandler). Zero: not served.
	SectorIdentifierPath string
	// SectorRedirectURLs are the redirect URLs listed in that document.
	// Zero: the Client's RedirectURL.
	SectorRedirectURLs []string

	// TrustedOrigins are origins, such as "https://fs.example.fr", whose
	// POSTs pass the cross-origin check even when the Host header differs
	// (a proxy that rewrites it). Zero: none.
	TrustedOrigins []string

	// OnLogin decides what a verified login means for the application: find
	// or create the account, refuse the person. It returns the data to keep
	// in the session (at most MaxUserData bytes; User.Data). It may set
	// headers and cookies, and may write the response itself (the identity
	// page); otherwise the Handler redirects to "next". An error refuses the
	// login: nobody is signed in and OnError gets an ErrApplication. The
	// Login holds the identity: show it, never store what you do not need.
	// Zero: nothing is kept but the User.
	OnLogin func(w http.ResponseWriter, r *http.Request, login *franceconnect.Login) (data string, err error)
	// OnLogout is called when the user asks to log out, after the Handler
	// forgot the user and before it redirects to FranceConnect: end the
	// application's own session there. user is who was signed in, nil when
	// nobody was. It may set headers and cookies; what it writes is
	// dropped. Zero: nothing.
	OnLogout func(w http.ResponseWriter, r *http.Request, user *User)
	// OnError writes the error page of a failed step. Zero: Problem's
	// ServeHTTP, a plain French page.
	OnError func(w http.ResponseWriter, r *http.Request, p *Problem)

	// Now returns the current time. Zero: time.Now.
	Now func() time.Time
	// Logger receives one event per failed step, with its path, status and
	// error categories, never personal data or tokens. Zero: nothing.
	Logger *slog.Logger
}

// Handler serves the FranceConnect routes of an FS: login, callback,
// logout, logout callback, and optionally the keys and sector identifier
// documents. It is an http.Handler, immutable after New and safe for
// concurrent use. Any number of instances built with the same Config (same
// SessionKeys, or the same shared Store) serve one user interchangeably.
type Handler struct {
	cfg        Config
	client     *franceconnect.Client
	store      Store
	now        func() time.Time
	log        *slog.Logger
	cookieName string
	secure     bool
	origin     *url.URL // scheme and host of the registered callback
	patterns   []string
	serve      http.Handler
}

// New validates cfg and returns the Handler. Errors wrap
// franceconnect.ErrConfig and name the field.
func New(cfg Config) (*Handler, error) {
	h := &Handler{cfg: cfg, client: cfg.Client, now: cfg.Now, log: cfg.Logger}
	if h.client == nil {
		return nil, configError("Client is required")
	}
	steps := []func() error{h.setDefaults, h.setStore, h.setRoutes}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return h, nil
}

func configError(format string, args ...any) error {
	return fmt.Errorf("%w: fchttp: "+format, append([]any{franceconnect.ErrConfig}, args...)...)
}

func (h *Handler) setDefaults() error {
	c := &h.cfg
	c.LoginPath = cmp.Or(c.LoginPath, "/login")
	c.LogoutPath = cmp.Or(c.LogoutPath, "/logout")
	c.HomePath = cmp.Or(c.HomePath, "/")
	c.LoggedOutPath = cmp.Or(c.LoggedOutPath, c.HomePath)
	for name, p := range map[string]string{"HomePath": c.HomePath, "LoggedOutPath": c.LoggedOutPath} {
		if !localPath(p) {
			return configError("%s %q is not a path of this site", name, p)
		}
	}
	switch {
	case c.SessionLifetime == 0:
		c.SessionLifetime = DefaultSessionLifetime
	case c.SessionLifetime < time.Minute:
		return configError("SessionLifetime %v is below one minute", c.SessionLifetime)
	}
	if a := c.AuthRequest; a.State != "" || a.Nonce != "" || a.PromptLogin || a.Subject != "" {
		return configError("AuthRequest: State, Nonce, PromptLogin and Subject are set by the Handler")
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return nil
}

func (h *Handler) setStore() error {
	switch c := h.cfg; {
	case c.Store != nil && len(c.SessionKeys) > 0:
		return configError("SessionKeys and Store are exclusive")
	case c.Store != nil:
		h.store = c.Store
	case len(c.SessionKeys) == 0:
		return configError("SessionKeys or Store is required")
	default:
		s, err := newSealedCookies(c.SessionKeys, h.now)
		if err != nil {
			return err
		}
		h.store = s
	}
	return nil
}

// setRoutes derives the callback paths and the cookie from the Client's
// URLs and builds the routes behind the cross-origin check.
func (h *Handler) setRoutes() error {
	cb, err := url.Parse(h.client.RedirectURL())
	if err != nil {
		return configError("Client.RedirectURL: %v", err)
	}
	out, err := url.Parse(h.client.PostLogoutRedirectURL())
	if err != nil {
		return configError("Client.PostLogoutRedirectURL: %v", err)
	}
	if cb.Scheme != out.Scheme || cb.Host != out.Host {
		return configError("the Client's RedirectURL and PostLogoutRedirectURL must share one origin: the session cookie belongs to one host")
	}
	h.origin = &url.URL{Scheme: cb.Scheme, Host: cb.Host}
	h.secure = cb.Scheme == "https"
	h.cookieName = "fs_session"
	if h.secure {
		h.cookieName = "__Host-fs_session"
	}
	mux := http.NewServeMux()
	routes := []struct {
		pattern string
		handler http.HandlerFunc
	}{
		{"GET " + h.cfg.LoginPath, h.serveLogin},
		{"POST " + h.cfg.LoginPath, h.serveLogin},
		{"GET " + pathOf(cb), h.serveCallback},
		{"POST " + h.cfg.LogoutPath, h.serveLogout},
		{"GET " + pathOf(out), h.serveLogoutCallback},
	}
	for _, rt := range routes {
		if err := h.handle(mux, rt.pattern, rt.handler); err != nil {
			return err
		}
	}
	if err := h.setDocuments(mux); err != nil {
		return err
	}
	cop := http.NewCrossOriginProtection()
	for _, o := range h.cfg.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return configError("TrustedOrigins: %v", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, nil, stepOf(h, r), ErrCrossOrigin)
	}))
	h.serve = cop.Handler(mux)
	return nil
}

func pathOf(u *url.URL) string {
	if u.Path == "" {
		return "/"
	}
	return u.Path
}

// handle registers one route, refusing paths that clash or that
// http.ServeMux would read as wildcards.
func (h *Handler) handle(mux *http.ServeMux, pattern string, handler http.Handler) error {
	_, p, _ := strings.Cut(pattern, " ")
	if !localPath(p) || strings.ContainsAny(p, "{}?#") {
		return configError("route %q: the path must be a plain path of this site", pattern)
	}
	if slices.Contains(h.patterns, pattern) {
		return configError("route %q is used twice: every route needs its own path", pattern)
	}
	h.patterns = append(h.patterns, pattern)
	mux.Handle(pattern, handler)
	return nil
}

func (h *Handler) setDocuments(mux *http.ServeMux) error {
	c := h.cfg
	if (c.KeysPath == "") != (len(c.DecryptionKeys) == 0) {
		return configError("KeysPath and DecryptionKeys go together")
	}
	if c.KeysPath != "" {
		keys, err := franceconnect.KeysHandler(c.DecryptionKeys)
		if err != nil {
			return err
		}
		if err := h.handle(mux, "GET "+c.KeysPath, keys); err != nil {
			return err
		}
	}
	if c.SectorIdentifierPath == "" {
		return nil
	}
	urls := c.SectorRedirectURLs
	if len(urls) == 0 {
		urls = []string{h.client.RedirectURL()}
	}
	sector, err := franceconnect.SectorIdentifierHandler(urls...)
	if err != nil {
		return err
	}
	return h.handle(mux, "GET "+c.SectorIdentifierPath, sector)
}

// Patterns returns the http.ServeMux patterns of the Handler's routes, e.g.
// "GET /login", "POST /logout", "GET /callback".
func (h *Handler) Patterns() []string { return slices.Clone(h.patterns) }

// Register mounts the Handler on mux under each of its Patterns. It panics,
// like http.ServeMux.Handle, when a pattern conflicts with one already
// registered.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, p := range h.patterns {
		mux.Handle(p, h)
	}
}

// ServeHTTP serves the Handler's routes; POSTs from another origin are
// refused with 403 (http.CrossOriginProtection). Other paths are 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.serve.ServeHTTP(w, r) }

// User returns who is signed in on r's session, or nil. The error is
// non-nil only when the Store fails.
func (h *Handler) User(r *http.Request) (*User, error) {
	s, err := h.load(r)
	if err != nil || s.rec.User == nil || s.rec.User.Expiry <= h.now().Unix() {
		return nil, err
	}
	return s.rec.User.public(), nil
}
