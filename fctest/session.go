package fctest

import (
	"net/http"
	"time"
)

// sessionCookie is the name of FranceConnect's session cookie (spec §11).
const sessionCookie = "fc_session_id"

// session is the FranceConnect browser session named by the cookie.
type session struct {
	id       string
	login    string // authenticated identity; "" before the first login
	acr      string // the level returned at that login
	authTime time.Time
	expires  time.Time
}

// interaction is a pending login on the identity-choice page.
type interaction struct {
	uid, sessionID, clientID  string
	redirectURI, state, nonce string
	requestedACR              string // FranceConnect platforms
	scopes                    []string
	amr                       bool
	expires                   time.Time
	pc                        *pcInteraction // ProConnect's extras; nil on the FranceConnect platforms
	promptLogin               bool           // the request asked for a new authentication
	earlier                   earlierLogin   // the browser's session before this login
	reuse                     bool           // FaultPromptLoginIgnored: answer from earlier
}

// authCode is an issued authorization code; a copy of its login data backs
// ProConnect's refresh tokens.
type authCode struct {
	clientID, redirectURI, nonce, login string
	requestedACR, acr                   string
	requestedACRs                       []string // the requested levels, for the acr faults
	codeChallenge                       string   // PKCE S256 challenge; "" without PKCE
	grantID                             string   // shared by the tokens of the login
	scopes                              []string
	amr                                 bool
	authTime, expires                   time.Time
	consumed                            bool
	tokens                              []string // access tokens issued with it
}

// accessToken is an issued opaque access token.
type accessToken struct {
	clientID, login, grantID string
	acr                      string
	scopes                   []string
	expires                  time.Time
}

// Lifetimes (spec §12).
const (
	codeTTL        = 30 * time.Second
	accessTokenTTL = 60 * time.Second
	idTokenTTL     = 60 * time.Second
)

// sessionTTL is 10 minutes absolute on FC+, 30 minutes sliding on FC, 12
// hours absolute on ProConnect.
func (s *Server) sessionTTL() time.Duration {
	switch s.platform {
	case FranceConnect:
		return 30 * time.Minute
	case ProConnect:
		return pcSessionTTL
	}
	return 10 * time.Minute
}

// codeLifetime is the lifetime of an authorization code: 30 seconds on the
// FranceConnect platforms, 60 on ProConnect.
func (s *Server) codeLifetime() time.Duration {
	if s.platform == ProConnect {
		return pcCodeTTL
	}
	return codeTTL
}

// sessionLocked returns the live session named by the request cookie, or
// nil. On FranceConnect the session expiry slides. The caller holds s.mu.
func (s *Server) sessionLocked(r *http.Request, now time.Time) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	se := s.sessions[c.Value]
	if se == nil || !now.Before(se.expires) {
		return nil
	}
	if s.platform == FranceConnect {
		se.expires = now.Add(s.sessionTTL())
	}
	return se
}

// ensureSessionLocked returns the request's live session or creates one and
// sets the cookie. The caller holds s.mu.
func (s *Server) ensureSessionLocked(w http.ResponseWriter, r *http.Request, now time.Time) *session {
	se := s.sessionLocked(r, now)
	if se == nil {
		se = &session{id: randomToken(), expires: now.Add(s.sessionTTL())}
		s.sessions[se.id] = se
	}
	c := &http.Cookie{Name: sessionCookie, Value: se.id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if s.platform == FranceConnect {
		c.MaxAge = int(s.sessionTTL() / time.Second)
	}
	http.SetCookie(w, c)
	return se
}

// clearSessionCookie expires the session cookie.
func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode})
}

// gcLocked drops expired state at most every 10 seconds of server time.
// Codes, tokens and interactions are kept 10 minutes past expiry so that
// late use is reported as expired rather than unknown. The caller holds s.mu.
func (s *Server) gcLocked(now time.Time) {
	if now.Sub(s.lastGC) < 10*time.Second && !now.Before(s.lastGC) {
		return
	}
	s.lastGC = now
	grace := now.Add(-10 * time.Minute)
	for k, v := range s.sessions {
		if !now.Before(v.expires) {
			delete(s.sessions, k)
		}
	}
	for k, v := range s.interactions {
		if v.expires.Before(grace) {
			delete(s.interactions, k)
		}
	}
	for k, v := range s.codes {
		if v.expires.Before(grace) {
			delete(s.codes, k)
		}
	}
	for k, v := range s.tokens {
		if v.expires.Before(grace) {
			delete(s.tokens, k)
		}
	}
	for k, v := range s.refresh {
		if v.expires.Before(grace) {
			delete(s.refresh, k)
		}
	}
}
