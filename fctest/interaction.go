package fctest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// newInteraction returns the interaction of a validated FranceConnect
// request.
func newInteraction(rc *registeredClient, req *authRequest, acr string, amr bool) *interaction {
	return &interaction{clientID: rc.ID, redirectURI: req.redirectURI, state: req.state, nonce: req.nonce,
		requestedACR: acr, scopes: dedupe(strings.Fields(req.scope)), amr: amr,
		promptLogin: slices.Contains(strings.Fields(req.prompt), "login")}
}

// startInteraction records the validated request in, binds it to the
// browser's session (setting fc_session_id) and sends the browser to the
// identity-choice page, or logs Options.AutoLogin in at once.
func (s *Server) startInteraction(w http.ResponseWriter, r *http.Request, in *interaction) *pageErr {
	now := s.clock()
	s.mu.Lock()
	s.gcLocked(now)
	se := s.ensureSessionLocked(w, r, now)
	in.uid, in.sessionID, in.expires = randomToken()[:22], se.id, now.Add(s.interactionTTL())
	if login, acr, authTime, ok := s.singleSignOnLocked(in, se); ok {
		s.mu.Unlock()
		s.finishLogin(w, r, in, login, acr, authTime)
		return nil
	}
	if s.opts.AutoLogin == "" {
		s.interactions[in.uid] = in
	}
	s.mu.Unlock()
	if s.opts.AutoLogin != "" {
		s.loginAs(w, r, in, s.opts.AutoLogin) // checked by NewServer
		return nil
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, apiPrefix+"/interaction/"+in.uid, http.StatusSeeOther)
	return nil
}

// dedupe removes repeated values, keeping the first occurrence.
func dedupe(in []string) []string {
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// lookupInteraction returns the interaction named in the path if it is live
// and belongs to the browser's session; consume removes it.
func (s *Server) lookupInteraction(r *http.Request, consume bool) (*interaction, *pageErr) {
	uid := r.PathValue("uid")
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.interactions[uid]
	switch {
	case in == nil:
		return nil, errPage(http.StatusBadRequest, codeBadNavigation, "access_denied",
			"unknown or already completed interaction (abnormal navigation)")
	case !now.Before(in.expires):
		delete(s.interactions, uid)
		return nil, errPage(http.StatusUnauthorized, codeSessionExpired, "access_denied", "the interaction has expired")
	}
	if se := s.sessionLocked(r, now); se == nil || se.id != in.sessionID {
		return nil, errPage(http.StatusUnauthorized, codeSessionExpired, "access_denied",
			"no live FranceConnect session (fc_session_id cookie) for this interaction")
	}
	if consume {
		delete(s.interactions, uid)
	}
	return in, nil
}

// handleInteraction serves the identity-choice page.
func (s *Server) handleInteraction(w http.ResponseWriter, r *http.Request) {
	in, pe := s.lookupInteraction(r, false)
	if pe != nil {
		s.renderError(w, pe)
		return
	}
	s.renderInteraction(w, in)
}

// handleInteractionAbort serves the "Revenir sur le service" link: the FS
// gets error=access_denied (spec §4).
func (s *Server) handleInteractionAbort(w http.ResponseWriter, r *http.Request) {
	in, pe := s.lookupInteraction(r, true)
	if pe != nil {
		s.renderError(w, pe)
		return
	}
	s.redirectError(w, r, in.redirectURI, in.state, "access_denied", "User auth aborted")
}

// technicalError is FranceConnect's description for server_error and
// temporarily_unavailable redirects (spec §4).
const technicalError = "authentication aborted due to a technical error on the authorization server"

// handleInteractionLogin authenticates the chosen identity, checks its level
// against the request (Y100001 when lower, spec §10) and redirects to the FS
// with a code, or with the error of an injected callback fault.
func (s *Server) handleInteractionLogin(w http.ResponseWriter, r *http.Request) {
	if _, pe := s.lookupInteraction(r, false); pe != nil {
		s.renderError(w, pe)
		return
	}
	login := r.PostFormValue("login")
	if !s.knows(login) {
		s.renderError(w, errPage(http.StatusBadRequest, "", "invalid_request", "unknown identity"))
		return
	}
	in, pe := s.lookupInteraction(r, true)
	if pe != nil {
		s.renderError(w, pe)
		return
	}
	s.loginAs(w, r, in, login)
}

// loginAs checks the level of the identity (or agent) login against the
// request and completes the login. On the FranceConnect platforms a lower
// level is the Y100001 page (spec §10); the acr returned is the identity's
// level on FranceConnect+ and always eidas1 on FranceConnect.
func (s *Server) loginAs(w http.ResponseWriter, r *http.Request, in *interaction, login string) {
	if s.platform == ProConnect {
		s.loginAgent(w, r, in, login)
		return
	}
	id, _ := s.identity(login)
	if acrRank(identityACR(id)) < acrRank(in.requestedACR) {
		s.renderError(w, errPage(http.StatusInternalServerError, codeACRTooLow, "access_denied",
			"the identity provider authenticated the user at "+identityACR(id)+", below the requested "+in.requestedACR))
		return
	}
	returned := acrEidas1
	if s.platform == FranceConnectPlus {
		returned = identityACR(id)
	}
	s.completeLogin(w, r, in, login, returned)
}

// completeLogin marks the session authenticated as login at level acr and
// finishes the login.
func (s *Server) completeLogin(w http.ResponseWriter, r *http.Request, in *interaction, login, acr string) {
	now := s.clock()
	s.mu.Lock()
	if se := s.sessions[in.sessionID]; se != nil {
		in.earlier = earlierLogin{se.login, se.acr, se.authTime}
		se.login, se.acr, se.authTime = login, acr, now
	}
	s.mu.Unlock()
	s.finishLogin(w, r, in, login, acr, now)
}

// finishLogin redirects to the FS with a code for login, authenticated at
// authTime, or with what an injected callback fault dictates.
func (s *Server) finishLogin(w http.ResponseWriter, r *http.Request, in *interaction, login, acr string, authTime time.Time) {
	params := url.Values{"state": {in.state}}
	if s.applyCallbackFault(w, r, in, params, flowOf(r, in.clientID, login)) {
		return
	}
	if in.reuse {
		login, acr, authTime = s.reusedSession(in, login, acr, authTime)
	}
	params.Set("code", s.issueCode(in, login, acr, authTime))
	s.redirectToClient(w, r, in.redirectURI, params)
}

// applyCallbackFault consumes a callback fault: error faults redirect and
// report true; the others alter params.
func (s *Server) applyCallbackFault(w http.ResponseWriter, r *http.Request, in *interaction, params url.Values, fl flow) bool {
	errs := map[Fault][2]string{
		FaultAccessDenied:           {"access_denied", "User auth aborted"},
		FaultServerError:            {"server_error", technicalError},
		FaultTemporarilyUnavailable: {"temporarily_unavailable", technicalError},
		FaultLoginRequired:          {"login_required", loginRequired},
		FaultConsentRequired:        {"consent_required", "End-User consent is required"},
		FaultInteractionRequired:    {"interaction_required", "End-User interaction is required"},
	}
	f := s.takeFault(pointCallback, fl)
	if e, ok := errs[f]; ok {
		s.redirectError(w, r, in.redirectURI, in.state, e[0], e[1])
		return true
	}
	switch f {
	case FaultACRNotSatisfied:
		s.redirectACRNotSatisfied(w, r, in)
		return true
	case FaultCallbackWrongState:
		params.Set("state", randomToken())
	case FaultCallbackWrongIssuer:
		params.Set("iss", wrongIssuer)
	case FaultCallbackMissingState:
		params.Del("state")
	case FaultCallbackMissingIssuer:
		params["iss"] = nil // redirectToClient drops empty parameters
	case FaultPromptLoginIgnored:
		in.reuse = true
	case FaultPublicAgentsOnly:
		s.redirectPublicAgentsOnly(w, r, in)
		return true
	}
	return false
}

// issueCode stores a single-use authorization code for login at level acr
// (spec §5): it lives 30 seconds, 60 on ProConnect.
func (s *Server) issueCode(in *interaction, login, acr string, authTime time.Time) string {
	now := s.clock()
	c := &authCode{
		clientID: in.clientID, redirectURI: in.redirectURI, nonce: in.nonce, login: login,
		requestedACR: in.requestedACR, requestedACRs: []string{in.requestedACR}, acr: acr, scopes: in.scopes,
		amr: in.amr, grantID: randomToken(), authTime: authTime, expires: now.Add(s.codeLifetime()),
	}
	if in.pc != nil {
		c.requestedACRs, c.codeChallenge = in.pc.requestedACRs(), in.pc.codeChallenge
	}
	code := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = c
	return code
}
