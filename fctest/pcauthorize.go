package fctest

import (
	"encoding/json"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// pcAuthorizeParams is ProConnect's authorize whitelist (authorize-params
// DTO); any other parameter is the Y000400 page.
var pcAuthorizeParams = []string{"client_id", "response_type", "redirect_uri", "scope", "state", "nonce",
	"claims", "acr_values", "prompt", "idp_hint", "login_hint", "siret_hint", "code_challenge",
	"code_challenge_method", "response_mode"}

// pcRedirectURL is the DTO's pattern for redirect_uri.
var pcRedirectURL = regexp.MustCompile(`^https?://[^/].+$`)

// loginRequired is oidc-provider's description of error=login_required.
const loginRequired = "End-User authentication is required"

// pcInteraction is what a ProConnect login adds to an interaction.
type pcInteraction struct {
	essential     []string // acr values required through claims (membership); nil: none
	acrValues     []string // acr_values known to ProConnect (soft, shown only)
	codeChallenge string   // PKCE S256 challenge
	hints         []string // login_hint, siret_hint and idp_hint, for the page
}

// requestedACRs returns the levels the request asked for.
func (pc *pcInteraction) requestedACRs() []string {
	if pc.essential != nil {
		return slices.Clone(pc.essential)
	}
	return slices.Clone(pc.acrValues)
}

// accepts reports whether a login at acr satisfies the request.
func (pc *pcInteraction) accepts(acr string) bool {
	return len(pc.essential) == 0 || slices.Contains(pc.essential, acr)
}

// handleProConnectAuthorize serves GET and POST /authorize on ProConnect.
func (s *Server) handleProConnectAuthorize(w http.ResponseWriter, r *http.Request) {
	v, pe := authorizeValues(r)
	if pe == nil {
		pe = s.checkProConnectParams(v)
	}
	if pe == nil {
		pe = s.authorizeProConnect(w, r, v)
	}
	if pe != nil {
		s.renderError(w, pe)
	}
}

// checkProConnectParams applies the authorize DTO (whitelist, types,
// formats): every failure is the Y000400 page.
func (s *Server) checkProConnectParams(v url.Values) *pageErr {
	for k, vals := range v {
		if !slices.Contains(pcAuthorizeParams, k) {
			return invalidParam("property %s should not exist", k)
		}
		if len(vals) != 1 {
			return invalidParam("%s must be a string", k)
		}
	}
	for _, k := range []string{"client_id", "response_type", "state", "scope"} {
		if !v.Has(k) {
			return invalidParam("%s must be a string", k)
		}
	}
	nonce, redirect := v.Get("nonce"), v.Get("redirect_uri")
	switch {
	case !pcRedirectURL.MatchString(redirect) || !validRequestURL(redirect, s.opts.StrictRedirectTLD):
		return invalidParam("redirect_uri must match /^https?:\\/\\/[^/].+$/ regular expression")
	case v.Has("nonce") && (nonce == "" || len(nonce) > 512 || !isASCII(nonce)):
		return invalidParam("nonce must be 1 to 512 ASCII characters")
	case v.Has("login_hint") && !isEmailAddress(v.Get("login_hint")):
		return invalidParam("login_hint must be an email")
	case v.Has("siret_hint") && !siretPattern.MatchString(v.Get("siret_hint")):
		return invalidParam("siret_hint must be 14 digits")
	}
	return nil
}

// isEmailAddress reports whether v is a bare e-mail address.
func isEmailAddress(v string) bool {
	a, err := mail.ParseAddress(v)
	return err == nil && a.Address == v
}

// authorizeProConnect checks client and redirect_uri (error pages), then
// the errors redirected to the FS, then logs in silently (prompt=none) or
// starts the interaction.
func (s *Server) authorizeProConnect(w http.ResponseWriter, r *http.Request, v url.Values) *pageErr {
	s.mu.Lock()
	rc, ok := s.clients[v.Get("client_id")]
	s.mu.Unlock()
	redirectURI, state := v.Get("redirect_uri"), v.Get("state")
	switch {
	case !ok:
		return errPage(http.StatusBadRequest, codeUnknownClient, "invalid_client", "client is invalid (client not found)")
	case !slices.Contains(rc.RedirectURIs, redirectURI):
		return errPage(http.StatusBadRequest, codeBadRedirectURI, "invalid_redirect_uri",
			"redirect_uri did not match any of the client's registered redirect_uris")
	}
	in, prompts, re := s.proConnectRequest(rc, v)
	switch {
	case re != nil:
		s.redirectError(w, r, redirectURI, state, re.code, re.description)
		return nil
	case slices.Contains(prompts, "none"):
		s.silentLogin(w, r, in)
		return nil
	}
	return s.startInteraction(w, r, in)
}

// proConnectRequest applies oidc-provider's checks in its order and
// returns the interaction and the prompts, or the error to redirect with.
func (s *Server) proConnectRequest(rc *registeredClient, v url.Values) (*interaction, []string, *redirectErr) {
	scopes := dedupe(strings.Fields(v.Get("scope")))
	if re := checkResponse(v); re != nil {
		return nil, nil, re
	}
	if re := s.checkScopes(rc, scopes); re != nil {
		return nil, nil, re
	}
	prompts, re := checkPrompt(v.Get("prompt"))
	if re != nil {
		return nil, nil, re
	}
	if re := checkChallenge(v); re != nil {
		return nil, nil, re
	}
	essential, amr, re := parseProConnectClaims(v.Get("claims"))
	if re != nil {
		return nil, nil, re
	}
	pc := &pcInteraction{essential: essential, codeChallenge: v.Get("code_challenge")}
	for _, a := range strings.Fields(v.Get("acr_values")) {
		if slices.Contains(pcACRs, a) && !slices.Contains(pc.acrValues, a) {
			pc.acrValues = append(pc.acrValues, a)
		}
	}
	for _, k := range []string{"login_hint", "siret_hint", "idp_hint"} {
		if v.Has(k) {
			pc.hints = append(pc.hints, k+"="+v.Get(k))
		}
	}
	return &interaction{clientID: rc.ID, redirectURI: v.Get("redirect_uri"), state: v.Get("state"),
		nonce: v.Get("nonce"), scopes: scopes, amr: amr, pc: pc, promptLogin: slices.Contains(prompts, "login")}, prompts, nil
}

// checkResponse checks response_type and response_mode.
func checkResponse(v url.Values) *redirectErr {
	switch rt, mode := v.Get("response_type"), v.Get("response_mode"); {
	case rt == "":
		return &redirectErr{"invalid_request", "missing required parameter 'response_type'"}
	case rt != "code":
		return &redirectErr{"unsupported_response_type", "unsupported response_type requested"}
	case mode != "" && mode != "query":
		return &redirectErr{"invalid_request", "unsupported response_mode requested (the emulator answers with query only)"}
	}
	return nil
}

// checkScopes requires openid and refuses scopes unknown to the platform or
// not granted to rc.
func (s *Server) checkScopes(rc *registeredClient, scopes []string) *redirectErr {
	if !slices.Contains(scopes, "openid") {
		return &redirectErr{"invalid_request", "openid scope must be requested"}
	}
	known := knownScopes(s.platform)
	for _, sc := range scopes {
		if !slices.Contains(known, sc) || (rc.granted != nil && !rc.granted[sc]) {
			return &redirectErr{"invalid_scope", "requested scope is not allowed"}
		}
	}
	return nil
}

// checkPrompt accepts login, consent and none, none alone.
func checkPrompt(prompt string) ([]string, *redirectErr) {
	prompts := strings.Fields(prompt)
	for _, p := range prompts {
		if p != "login" && p != "consent" && p != "none" {
			return nil, &redirectErr{"invalid_request", "unsupported prompt value requested"}
		}
	}
	if slices.Contains(prompts, "none") && len(prompts) > 1 {
		return nil, &redirectErr{"invalid_request", "prompt none must only be used alone"}
	}
	return prompts, nil
}

// checkChallenge applies PKCE's rules (RFC 7636): S256 only, no plain
// fallback.
func checkChallenge(v url.Values) *redirectErr {
	challenge, method := v.Get("code_challenge"), v.Get("code_challenge_method")
	switch {
	case !v.Has("code_challenge") && !v.Has("code_challenge_method"):
		return nil
	case !v.Has("code_challenge"):
		return &redirectErr{"invalid_request", "code_challenge must be provided with code_challenge_method"}
	case !v.Has("code_challenge_method"):
		return &redirectErr{"invalid_request", "plain code_challenge_method fallback disabled, code_challenge_method must be provided"}
	case method != "S256":
		return &redirectErr{"invalid_request", "not supported value of code_challenge_method"}
	case !pkceChallenge.MatchString(challenge):
		return &redirectErr{"invalid_request", "code_challenge must be the 43-character base64url SHA-256 of the verifier"}
	}
	return nil
}

var pkceChallenge = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// claimRequest is one member of the claims parameter (OIDC Core §5.5.1).
type claimRequest struct {
	Essential bool     `json:"essential"`
	Value     *string  `json:"value"`
	Values    []string `json:"values"`
}

// parseProConnectClaims returns the acr values required through claims
// (essential) and whether amr is requested in the id_token. Non-essential
// acr requests are soft, like acr_values, and only shown.
func parseProConnectClaims(claims string) ([]string, bool, *redirectErr) {
	if claims == "" {
		return nil, false, nil
	}
	var req struct {
		IDToken map[string]*claimRequest `json:"id_token"`
	}
	if err := json.Unmarshal([]byte(claims), &req); err != nil {
		return nil, false, &redirectErr{"invalid_request", "could not parse the claims parameter JSON"}
	}
	_, amr := req.IDToken["amr"]
	acr := req.IDToken["acr"]
	if acr == nil || !acr.Essential {
		return nil, amr, nil
	}
	values := acr.Values
	if acr.Value != nil {
		values = append(values, *acr.Value)
	}
	if len(values) == 0 {
		return nil, amr, nil
	}
	return dedupe(values), amr, nil
}

// silentLogin answers prompt=none: a code for the agent of the browser's
// session when its level satisfies the request, error=login_required
// otherwise (no session, or a level outside the required set).
func (s *Server) silentLogin(w http.ResponseWriter, r *http.Request, in *interaction) {
	now := s.clock()
	s.mu.Lock()
	var login, acr string
	var authTime time.Time
	if se := s.sessionLocked(r, now); se != nil {
		login, acr, authTime, in.sessionID = se.login, se.acr, se.authTime, se.id
	}
	s.mu.Unlock()
	if login == "" || !in.pc.accepts(acr) {
		s.redirectError(w, r, in.redirectURI, in.state, "login_required", loginRequired)
		return
	}
	s.finishLogin(w, r, in, login, acr, authTime)
}

// loginAgent checks the agent's level against the levels required through
// claims (membership, not order) and completes the login, or redirects
// with error=access_denied and ProConnect's Y020032.
func (s *Server) loginAgent(w http.ResponseWriter, r *http.Request, in *interaction, login string) {
	a, _ := s.agent(login)
	acr := agentACR(a)
	if !in.pc.accepts(acr) {
		s.redirectACRNotSatisfied(w, r, in)
		return
	}
	s.completeLogin(w, r, in, login, acr)
}

// redirectACRNotSatisfied sends the browser back to the FS with
// access_denied, "requested ACRs could not be satisfied" and an error_uri
// carrying Y020032.
func (s *Server) redirectACRNotSatisfied(w http.ResponseWriter, r *http.Request, in *interaction) {
	noteError(w, "access_denied", codeACRNotSatisfied, "requested ACRs could not be satisfied")
	s.redirectToClient(w, r, in.redirectURI, url.Values{"error": {"access_denied"},
		"error_description": {"requested ACRs could not be satisfied"}, "error_uri": {errorURI(codeACRNotSatisfied)},
		"state": {in.state}})
}
