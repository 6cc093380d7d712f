package fchttp

import (
	"hash/maphash"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

// Handler serves the routes of one door of an FS: login, callback, logout,
// logout callback, and optionally the keys and sector identifier documents.
// It is an http.Handler, immutable after New and safe for concurrent use.
// Any number of instances built with the same Config (same SessionKeys,
// the same shared Store or Revocations) serve one user interchangeably.
type Handler struct {
	cfg         Config
	client      *franceconnect.Client
	door        Door
	sealer      *sealer
	store       Store
	revocations Revocations
	now         func() time.Time
	log         *slog.Logger
	cookieName  string
	binding     []byte   // what the cookie and stored sessions are bound to
	stateKeys   [][]byte // the MAC keys of the logins' states
	secure      bool     // https: Secure cookie and full-origin checks
	origin      *url.URL // scheme and host of the registered callback
	trusted     []string // TrustedOrigins
	cop         *http.CrossOriginProtection
	patterns    []string
	serve       http.Handler
	// refreshLocks serialise the refreshes of kept tokens (DataClient),
	// a session's lock chosen by a hash of its id under lockSeed.
	refreshLocks [refreshStripes]sync.Mutex
	lockSeed     maphash.Seed
}

// New validates cfg and returns the Handler. Errors wrap
// franceconnect.ErrConfig and name the field.
func New(cfg Config) (*Handler, error) {
	h := &Handler{cfg: cfg, client: cfg.Client, now: cfg.Now, log: cfg.Logger, lockSeed: maphash.MakeSeed()}
	if h.client == nil {
		return nil, configError("Client is required")
	}
	h.door = doorOf(h.client)
	for _, step := range []func() error{h.setDefaults, h.setAgentPolicy, h.setOrigin, h.setCookie, h.setRoutes} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// setOrigin takes the site's origin from the Client's URLs.
func (h *Handler) setOrigin() error {
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
	h.origin = &url.URL{Scheme: cb.Scheme, Host: strings.ToLower(cb.Host)}
	h.secure = cb.Scheme == "https"
	return nil
}

// setRoutes builds the routes behind the cross-origin checks: the callback
// paths come from the Client's URLs.
func (h *Handler) setRoutes() error {
	cb, _ := url.Parse(h.client.RedirectURL()) // parsed by setOrigin
	out, _ := url.Parse(h.client.PostLogoutRedirectURL())
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
		if err := h.handle(mux, rt.pattern, private(rt.handler)); err != nil {
			return err
		}
	}
	if err := h.setDocuments(mux); err != nil {
		return err
	}
	serve, err := h.protect(mux)
	h.serve = serve
	return err
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
	switch {
	case c.KeysPath != "" && len(c.DecryptionKeys) == 0:
		return configError("KeysPath %q needs DecryptionKeys, the keys whose public part it serves "+
			"(only FranceConnect+ encrypts to the FS: elsewhere leave KeysPath empty)", c.KeysPath)
	case c.KeysPath == "" && len(c.DecryptionKeys) > 0:
		return configError("DecryptionKeys are served at KeysPath: set it")
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

// Door returns the platform, issuer and client_id of the Handler's Client.
func (h *Handler) Door() Door { return h.door }

// Register mounts the Handler on mux under each of its Patterns. It panics,
// like http.ServeMux.Handle, when a pattern conflicts with one already
// registered. A site with several doors uses RegisterDoors instead.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, p := range h.patterns {
		mux.Handle(p, h)
	}
}

// ServeHTTP serves the Handler's routes; POSTs from another origin are
// refused with 403 (http.CrossOriginProtection, and over https the full
// origin). Other paths are 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.serve.ServeHTTP(w, r) }
