package fctest

import (
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// authorizeParams is the whitelist of /authorize (spec §3.1).
var authorizeParams = []string{"response_type", "client_id", "redirect_uri", "scope", "acr_values",
	"nonce", "state", "prompt", "claims", "idp_hint", "ui_locales"}

// authRequest is a validated authorization request.
type authRequest struct {
	responseType, clientID, redirectURI, scope, acrValues string
	nonce, state, prompt, claims, idpHint                 string
	hasResponseType                                       bool
}

// redirectErr is an OAuth error returned to the FS redirect_uri.
type redirectErr struct{ code, description string }

// handleAuthorize serves GET and POST /authorize.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if s.platform == ProConnect {
		s.handleProConnectAuthorize(w, r)
		return
	}
	params, pe := authorizeValues(r)
	if pe == nil {
		var req *authRequest
		if req, pe = s.parseAuthorize(params); pe == nil {
			if r.Method == http.MethodGet {
				req.idpHint = params.Get("idp_hint")
			}
			pe = s.authorize(w, r, req)
		}
	}
	if pe != nil {
		s.renderError(w, pe)
	}
}

// authorizeValues reads the query (GET) or the form body (POST).
func authorizeValues(r *http.Request) (url.Values, *pageErr) {
	raw := r.URL.RawQuery
	if r.Method == http.MethodPost {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "application/x-www-form-urlencoded" {
			return nil, invalidParam("authorize POST body must be application/x-www-form-urlencoded")
		}
		if err := r.ParseForm(); err != nil {
			return nil, invalidParam("unreadable form body")
		}
		return r.PostForm, nil
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, invalidParam("malformed query string")
	}
	return v, nil
}

// parseAuthorize applies FranceConnect's DTO validation (forbidNonWhitelisted):
// every failure is the Y030007 error page.
func (s *Server) parseAuthorize(v url.Values) (*authRequest, *pageErr) {
	for k, vals := range v {
		if !slices.Contains(authorizeParams, k) {
			return nil, invalidParam("property %s should not exist", k)
		}
		if len(vals) != 1 {
			return nil, invalidParam("%s must be a string", k)
		}
	}
	req := &authRequest{
		responseType: v.Get("response_type"), clientID: v.Get("client_id"), redirectURI: v.Get("redirect_uri"),
		scope: v.Get("scope"), acrValues: v.Get("acr_values"), nonce: v.Get("nonce"), state: v.Get("state"),
		prompt: v.Get("prompt"), claims: v.Get("claims"), hasResponseType: v.Has("response_type"),
	}
	switch {
	case req.clientID == "":
		return nil, invalidParam("client_id should not be empty")
	case !validRequestURL(req.redirectURI, s.opts.StrictRedirectTLD):
		return nil, invalidParam("redirect_uri must be a URL address")
	case !v.Has("scope"):
		return nil, invalidParam("scope must be a string")
	case req.acrValues == "" || len(req.acrValues) > 64:
		return nil, invalidParam("acr_values must be a string of at most 64 characters")
	case len(req.nonce) < 22:
		return nil, invalidParam("nonce must be longer than or equal to 22 characters")
	case !v.Has("state"):
		return nil, invalidParam("state must be a string")
	case v.Has("prompt") && !validPrompt(req.prompt):
		return nil, invalidParam("prompt must be a list of login or consent")
	case v.Has("claims") && !json.Valid([]byte(req.claims)):
		return nil, invalidParam("claims must be a json string")
	}
	return req, nil
}

// validPrompt accepts space-separated login/consent values (spec §3.1).
func validPrompt(p string) bool {
	fields := strings.Fields(p)
	if len(fields) == 0 || len(p) > 64 {
		return false
	}
	for _, f := range fields {
		if f != "login" && f != "consent" {
			return false
		}
	}
	return true
}

// validRequestURL checks a URL like class-validator's IsUrl with, when
// strict, require_tld: host names need a dot and an alphabetic TLD; IP
// addresses are accepted.
func validRequestURL(raw string, strict bool) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return false
	}
	host := u.Hostname()
	if !strict || net.ParseIP(host) != nil {
		return true
	}
	i := strings.LastIndexByte(host, '.')
	tld := host[i+1:]
	if i <= 0 || len(tld) < 2 {
		return false
	}
	return strings.IndexFunc(tld, func(r rune) bool { return r < 'a' || r > 'z' }) < 0 ||
		strings.HasPrefix(tld, "xn--")
}

// authorize performs the oidc-provider and FranceConnect checks that follow
// the DTO: client and redirect_uri (error pages), then the errors redirected
// to the FS, then starts the interaction.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, req *authRequest) *pageErr {
	s.mu.Lock()
	rc, ok := s.clients[req.clientID]
	s.mu.Unlock()
	recordOf(r).ClientID = req.clientID
	if !ok {
		return errPage(http.StatusBadRequest, codeUnknownClient, "invalid_client", "client is invalid (client not found)")
	}
	if !slices.Contains(rc.RedirectURIs, req.redirectURI) {
		return errPage(http.StatusBadRequest, codeBadRedirectURI, "invalid_redirect_uri",
			"redirect_uri did not match any of the client's registered redirect_uris")
	}
	acr, re := s.checkAuthorize(rc, req)
	if re != nil {
		s.redirectError(w, r, req.redirectURI, req.state, re.code, re.description)
		return nil
	}
	amr, pe := s.checkClaims(rc, req.claims)
	if pe != nil {
		return pe
	}
	if req.idpHint != "" && !slices.Contains(s.opts.AllowedIDPHints, req.idpHint) &&
		!slices.Contains(rc.AllowedIDPHints, req.idpHint) {
		s.redirectError(w, r, req.redirectURI, req.state, "invalid_idp_hint", "An idp_hint was provided but is not allowed")
		return nil
	}
	return s.startInteraction(w, r, newInteraction(rc, req, acr, amr))
}

// checkAuthorize returns the effective acr or the error to redirect with.
func (s *Server) checkAuthorize(rc *registeredClient, req *authRequest) (string, *redirectErr) {
	if !req.hasResponseType || req.responseType == "" {
		return "", &redirectErr{"invalid_request", "missing required parameter 'response_type'"}
	}
	if req.responseType != "code" {
		return "", &redirectErr{"unsupported_response_type", "unsupported response_type requested"}
	}
	scopes := strings.Fields(req.scope)
	if !slices.Contains(scopes, "openid") {
		return "", &redirectErr{"invalid_request", "openid scope must be requested when using the acr_values parameter"}
	}
	known := knownScopes(s.platform)
	for _, sc := range scopes {
		if !slices.Contains(known, sc) || (rc.granted != nil && !rc.granted[sc]) {
			return "", &redirectErr{"invalid_scope", "requested scope is not allowed"}
		}
	}
	acr := selectACR(req.acrValues, s.platform)
	if !slices.Contains(supportedACRs(s.platform), acr) {
		return "", &redirectErr{"invalid_acr", "acr_value is not valid, should be equal one of these values, expected " +
			strings.Join(supportedACRs(s.platform), ",") + ", got " + acr}
	}
	return acr, nil
}

// checkClaims reports whether the claims parameter requests amr in the
// id_token, refusing it (Y100009) when the client is not authorised.
func (s *Server) checkClaims(rc *registeredClient, claims string) (bool, *pageErr) {
	if claims == "" {
		return false, nil
	}
	var req struct {
		IDToken map[string]json.RawMessage `json:"id_token"`
	}
	if err := json.Unmarshal([]byte(claims), &req); err != nil {
		return false, errPage(http.StatusBadRequest, "", "invalid_request", "could not parse the claims parameter JSON")
	}
	_, amr := req.IDToken["amr"]
	if amr && !rc.AllowAMR {
		return false, errPage(http.StatusBadRequest, codeAMRNotAllowed, "server_error",
			"the service provider is not authorised to request the amr claim")
	}
	return amr, nil
}

// redirectError sends the browser back to the FS with an OAuth error, state
// and iss (spec §4), with a 303.
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, redirectURI, state, code, desc string) {
	noteError(w, code, "", desc)
	s.redirectToClient(w, r, redirectURI, url.Values{"error": {code}, "error_description": {desc}, "state": {state}})
}

// redirectToClient merges params and iss into redirectURI's query and
// answers 303 See Other.
func (s *Server) redirectToClient(w http.ResponseWriter, r *http.Request, redirectURI string, params url.Values) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		s.renderError(w, errPage(http.StatusBadRequest, codeBadRedirectURI, "invalid_redirect_uri", "invalid redirect_uri"))
		return
	}
	q := u.Query()
	q.Set("iss", s.issuer)
	for k, v := range params {
		q[k] = v
		if len(v) == 0 {
			delete(q, k)
		}
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// interactionTTL is the lifetime of an interaction (spec §12).
func (s *Server) interactionTTL() time.Duration {
	if s.platform == FranceConnect {
		return 30 * time.Minute
	}
	return 10 * time.Minute
}
