package fchttp

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// setPrivate marks a response that may carry identity data: never stored
// by a browser or a proxy, never sniffed into another type, and never
// named in a Referer header, which would carry its URL (a callback's code
// and state, a page's query) to other sites.
func setPrivate(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// Private sets on every response of next the headers of a page that may
// show identity data: Cache-Control: no-store, X-Content-Type-Options:
// nosniff and Referrer-Policy: no-referrer. The Handler's routes and
// Handler.User set them already; wrap the FS's own pages with it, e.g.
// mux.Handle("/compte/", fchttp.Private(account)). next may change them.
func Private(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setPrivate(w.Header())
		next.ServeHTTP(w, r)
	})
}

// private is Private for the Handler's own routes.
func private(next http.HandlerFunc) http.Handler { return Private(next) }

// protect refuses POSTs from other origins to next: the standard library's
// checks (Sec-Fetch-Site, or else Origin against Host), and over https
// the full origin as well, so that a form on http:// the same host, from a
// browser that sends no Sec-Fetch-Site, is refused too.
func (h *Handler) protect(next http.Handler) (http.Handler, error) {
	cop := http.NewCrossOriginProtection()
	for _, o := range h.cfg.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, configError("TrustedOrigins: %v", err)
		}
		h.trusted = append(h.trusted, strings.ToLower(o))
	}
	deny := func(w http.ResponseWriter, r *http.Request) {
		setPrivate(w.Header())
		h.fail(w, r, nil, stepOf(h, r), ErrCrossOrigin)
	}
	cop.SetDenyHandler(http.HandlerFunc(deny))
	h.cop = cop
	checked := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if !h.sameOrigin(r) {
				deny(w, r)
				return
			}
		}
		checked.ServeHTTP(w, r)
	}), nil
}

// sameOrigin reports whether a request's Origin header, when it has one,
// is the site's origin or a trusted one: over https only, where the
// cookie is bound to the https origin.
func (h *Handler) sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if !h.secure || o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil {
		return false
	}
	got := strings.ToLower(u.Scheme + "://" + u.Host)
	return got == h.origin.String() || slices.Contains(h.trusted, got)
}
