package fctest

import (
	"net/http"
	"net/url"
	"time"
)

// earlierLogin is what the browser's session held before a login replaced
// it: the person, the level and when they authenticated.
type earlierLogin struct {
	login, acr string
	authTime   time.Time
}

// staleAge is how old the authentication of FaultPromptLoginIgnored is when
// the browser had no earlier login.
const staleAge = time.Hour

// singleSignOnLocked returns the login that answers in from the browser's
// session se when Options.SingleSignOn allows it (see there): on
// ProConnect with the session's auth_time, on the FranceConnect platforms
// with the time of this interaction, which they always run. The caller
// holds s.mu.
func (s *Server) singleSignOnLocked(in *interaction, se *session) (login, acr string, authTime time.Time, ok bool) {
	if !s.opts.SingleSignOn || in.promptLogin || se.login == "" {
		return "", "", time.Time{}, false
	}
	if s.platform != ProConnect {
		return se.login, s.ssoACR(se.acr), s.clock(), true
	}
	if se.acr == acrEidas2 || se.acr == acrEidas3 || !in.pc.accepts(se.acr) {
		return "", "", time.Time{}, false
	}
	return se.login, se.acr, se.authTime, true
}

// ssoACR is the level a reused session answers: eidas2 on FranceConnect+
// (its allowedSsoAcrs), eidas1 on FranceConnect, the session's own level on
// ProConnect.
func (s *Server) ssoACR(acr string) string {
	switch s.platform {
	case FranceConnectPlus:
		return acrEidas2
	case FranceConnect:
		return acrEidas1
	}
	return acr
}

// reusedSession is the login FaultPromptLoginIgnored answers instead of the
// one just authenticated: the browser's earlier login, its level as single
// sign-on answers it and its auth_time, or without an earlier login the
// identity picked, authenticated an hour ago. The session goes back to
// what it answers.
func (s *Server) reusedSession(in *interaction, login, acr string, authTime time.Time) (string, string, time.Time) {
	if in.earlier.login != "" {
		login, acr, authTime = in.earlier.login, in.earlier.acr, in.earlier.authTime
	} else {
		authTime = authTime.Add(-staleAge)
	}
	acr = s.ssoACR(acr)
	s.mu.Lock()
	if se := s.sessions[in.sessionID]; se != nil {
		se.login, se.acr, se.authTime = login, acr, authTime
	}
	s.mu.Unlock()
	return login, acr, authTime
}

// redirectPublicAgentsOnly sends the browser back to the FS the way
// ProConnect refuses an agent of a private organisation to a service
// registered for public agents: access_denied and an error_uri carrying
// Y500015.
func (s *Server) redirectPublicAgentsOnly(w http.ResponseWriter, r *http.Request, in *interaction) {
	s.redirectToClient(w, r, in.redirectURI, url.Values{"error": {"access_denied"},
		"error_description": {"this service is restricted to public agents (agent of a private organisation)"},
		"error_uri":         {errorURI(codePublicAgentsOnly)}, "state": {in.state}})
}
