package fcdata

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// Middleware returns the Bearer middleware of RFC 6750 for a route that
// needs scopes (with Config.Scopes): the access token is read from the
// Authorization header only (a token in the query string counts as none),
// checked with Introspect, and the Introspection put in the request's
// context (FromContext) before next runs. Otherwise it answers, with a
// JSON body {"error", "error_description"} and Cache-Control no-store:
//
//	no Bearer token            401  WWW-Authenticate: Bearer
//	several Authorization      400  WWW-Authenticate: Bearer error="invalid_request"
//	malformed, unknown,
//	expired or revoked token   401  WWW-Authenticate: Bearer error="invalid_token"
//	a scope missing            403  WWW-Authenticate: Bearer error="insufficient_scope", scope="…"
//	platform unavailable or
//	its answer refused         503  (the token's status is unknown; logged)
//
// Like http.ServeMux with an invalid pattern, Middleware panics when a
// scope is not an RFC 6749 scope token (empty, or with spaces, quotes or
// backslashes): a route that could never be served is a programming error.
func (v *Verifier) Middleware(scopes ...string) func(http.Handler) http.Handler {
	for _, sc := range scopes {
		if !wire.IsScopeToken(sc) {
			panic(fmt.Sprintf("fcdata: Middleware: %q is not a scope (no spaces, quotes or backslashes)", sc))
		}
	}
	required := slices.Concat(v.s.scopes, scopes)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			res, ok := v.authorize(w, r, required)
			if ok {
				next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), res)))
			}
		})
	}
}

// authorize answers the request itself unless its token is active and
// carries the required scopes.
func (v *Verifier) authorize(w http.ResponseWriter, r *http.Request, required []string) (*Introspection, bool) {
	headers := r.Header.Values("Authorization")
	if len(headers) > 1 {
		challenge(w, http.StatusBadRequest, "invalid_request", "send one Authorization header", "")
		return nil, false
	}
	scheme, token, _ := strings.Cut(strings.Join(headers, ""), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeError(w, http.StatusUnauthorized, "invalid_request", "a Bearer access token is required in the Authorization header")
		return nil, false
	}
	res, err := v.Introspect(r.Context(), token)
	switch {
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "the access token could not be checked: try again later")
		return nil, false
	case !res.Active:
		challenge(w, http.StatusUnauthorized, "invalid_token", "the access token is unknown, expired or revoked", "")
		return nil, false
	}
	if missing := res.MissingScope(required...); missing != "" {
		challenge(w, http.StatusForbidden, "insufficient_scope", "the access token lacks the scope "+missing, strings.Join(required, " "))
		return nil, false
	}
	return res, true
}

// challenge answers with a Bearer challenge carrying an error code (RFC
// 6750 §3).
func challenge(w http.ResponseWriter, status int, code, desc, scope string) {
	c := `Bearer error="` + code + `", error_description="` + desc + `"`
	if scope != "" {
		c += `, scope="` + scope + `"`
	}
	w.Header().Set("WWW-Authenticate", c)
	writeError(w, status, code, desc)
}

func writeError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}
