package fctest

import (
	"net/http"
	"time"
)

// apiPrefix is the path prefix of every FranceConnect endpoint (spec §1).
const apiPrefix = "/api/v2"

// routes builds the HTTP handler. Method mismatches are answered 405 by the
// mux; FranceConnect answers 404 for unrouted methods.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern, counter string, h http.HandlerFunc) {
		mux.Handle(pattern, s.guard(counter, h))
	}
	handle("GET "+apiPrefix+"/.well-known/openid-configuration", "discovery", s.handleDiscovery)
	handle("GET "+apiPrefix+"/jwks", "jwks", s.handleJWKS)
	handle("GET "+apiPrefix+"/authorize", "authorize", s.handleAuthorize)
	handle("POST "+apiPrefix+"/authorize", "authorize", s.handleAuthorize)
	handle("GET "+apiPrefix+"/interaction/{uid}", "interaction", s.handleInteraction)
	handle("POST "+apiPrefix+"/interaction/{uid}/login", "interaction", s.handleInteractionLogin)
	handle("GET "+apiPrefix+"/interaction/{uid}/abort", "interaction", s.handleInteractionAbort)
	handle("POST "+apiPrefix+"/token", "token", s.handleToken)
	handle("GET "+apiPrefix+"/userinfo", "userinfo", s.handleUserinfo)
	handle("GET "+apiPrefix+"/session/end", "session/end", s.handleEndSession)
	handle("GET "+apiPrefix+"/session/end/success", "", s.handleEndSessionSuccess)
	handle("POST "+apiPrefix+"/token/revocation", "revocation", s.handleRevocation)
	handle("POST "+apiPrefix+"/checktoken", "checktoken", s.handleChecktoken)
	handle("POST "+apiPrefix+"/token/introspection", "checktoken", s.handleIntrospection)
	return s.recording(s.observing(mux))
}

// guard counts the request, limits the body and turns a panic into a 500 so
// that hostile input cannot bring the server down.
func (s *Server) guard(counter string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := s.counters[counter]; ok {
			c.Add(1)
		}
		recordOf(r).Endpoint = counter
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				noteError(w, "server_error", "", "internal error (a panic, recovered)")
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h(w, r)
	})
}

// clock returns the server time: Options.Now moved by AdvanceClock.
func (s *Server) clock() time.Time { return s.now().Add(time.Duration(s.offset.Load())) }
