package fctest

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// logoutParams is the whitelist of /session/end (spec §11).
var logoutParams = []string{"id_token_hint", "post_logout_redirect_uri", "state", "client_id", "logout_hint", "ui_locales"}

// handleEndSession serves GET /session/end: validates the request, destroys
// the FranceConnect session named by fc_session_id and answers 303 to
// post_logout_redirect_uri?state=… (only state, no iss), or to
// /session/end/success without post_logout_redirect_uri (spec §11).
func (s *Server) handleEndSession(w http.ResponseWriter, r *http.Request) {
	v, fl, pe := s.checkLogout(r)
	if pe != nil {
		s.renderError(w, pe)
		return
	}
	clearSessionCookie(w)
	w.Header().Set("Cache-Control", "no-store")
	target := apiPrefix + "/session/end/success"
	if plr := v.Get("post_logout_redirect_uri"); plr != "" {
		u, _ := url.Parse(plr) // validated by parseLogout
		q := u.Query()
		if v.Has("state") {
			q.Set("state", v.Get("state"))
		}
		if s.takeFault(pointLogout, fl) == FaultLogoutWrongState {
			q.Set("state", randomToken())
		}
		u.RawQuery = q.Encode()
		target = u.String()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// checkLogout validates the request and ends the session. The flow names
// the client of the id_token_hint and the person whose session ended.
func (s *Server) checkLogout(r *http.Request) (url.Values, flow, *pageErr) {
	v, pe := parseLogout(r.URL.RawQuery, s.opts.StrictRedirectTLD)
	if pe != nil {
		return nil, flow{}, pe
	}
	rc, pe := s.verifyHint(v.Get("id_token_hint"))
	if pe != nil {
		return nil, flow{}, pe
	}
	recordOf(r).ClientID = rc.ID
	plr := v.Get("post_logout_redirect_uri")
	switch {
	case v.Has("client_id") && v.Get("client_id") != rc.ID:
		return nil, flow{}, errPage(http.StatusBadRequest, "", "invalid_request", "client_id does not match the id_token_hint audience")
	case plr != "" && !slices.Contains(rc.PostLogoutRedirectURIs, plr):
		return nil, flow{}, errPage(http.StatusBadRequest, codeLogoutURIUnknown, "invalid_request", "post_logout_redirect_uri not registered")
	}
	login, pe := s.endSession(r)
	return v, flowOf(r, rc.ID, login), pe
}

// parseLogout applies the logout DTO (forbidNonWhitelisted): Y030007 pages.
func parseLogout(raw string, strict bool) (url.Values, *pageErr) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, invalidParam("malformed query string")
	}
	for k, vals := range v {
		if !slices.Contains(logoutParams, k) {
			return nil, invalidParam("property %s should not exist", k)
		}
		if len(vals) != 1 {
			return nil, invalidParam("%s must be a string", k)
		}
	}
	switch {
	case v.Get("id_token_hint") == "":
		return nil, invalidParam("id_token_hint should not be empty")
	case v.Has("post_logout_redirect_uri") && !validRequestURL(v.Get("post_logout_redirect_uri"), strict):
		return nil, invalidParam("post_logout_redirect_uri must be a URL address")
	}
	return v, nil
}

// verifyHint checks id_token_hint like oidc-provider: a 3-part JWS signed by
// a published key, iss = issuer, aud = a registered client; expiry ignored.
func (s *Server) verifyHint(hint string) (*registeredClient, *pageErr) {
	bad := func(detail string) (*registeredClient, *pageErr) {
		return nil, errPage(http.StatusBadRequest, "", "invalid_request", "could not validate id_token_hint ("+detail+")")
	}
	if strings.Count(hint, ".") != 2 {
		return bad("invalid JWT.decode input")
	}
	algs := []jose.SignatureAlgorithm{jose.ES256, jose.RS256}
	if s.platform == ProConnect {
		algs = append(algs, jose.HS256)
	}
	jws, err := jose.ParseSignedCompact(hint, algs)
	if err != nil || len(jws.Signatures) != 1 {
		return bad("invalid JWT.decode input")
	}
	var payload []byte
	if jws.Signatures[0].Header.Algorithm == algHS256 {
		if payload, err = s.verifyHMACHint(jws); err != nil {
			return bad(err.Error())
		}
	} else {
		now := s.clock()
		s.mu.Lock()
		s.keys.prune(now)
		k := s.keys.lookup(jws.Signatures[0].Header.KeyID)
		s.mu.Unlock()
		if k == nil || jws.Signatures[0].Header.Algorithm != k.alg {
			return bad("no matching key found in the provider keystore")
		}
		if payload, err = jws.Verify(k.priv.Public()); err != nil {
			return bad("invalid signature")
		}
	}
	var claims struct {
		Iss string          `json:"iss"`
		Aud json.RawMessage `json:"aud"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Iss != s.issuer {
		return bad("unexpected iss value")
	}
	var aud string
	if err := json.Unmarshal(claims.Aud, &aud); err != nil {
		return bad("unexpected aud value")
	}
	s.mu.Lock()
	rc := s.clients[aud]
	s.mu.Unlock()
	if rc == nil {
		return bad("aud does not name a registered client")
	}
	return rc, nil
}

// verifyHMACHint verifies an HS256 id_token_hint with the secret of the
// client it names in aud, which must have registered HS256.
func (s *Server) verifyHMACHint(jws *jose.JSONWebSignature) ([]byte, error) {
	var claims struct {
		Aud string `json:"aud"`
	}
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		return nil, errors.New("unexpected aud value")
	}
	s.mu.Lock()
	rc := s.clients[claims.Aud]
	s.mu.Unlock()
	if rc == nil || rc.SignedResponseAlg != algHS256 {
		return nil, errors.New("no client registered for HS256 in aud")
	}
	payload, err := jws.Verify([]byte(rc.Secret))
	if err != nil {
		return nil, errors.New("invalid signature")
	}
	return payload, nil
}

// endSession destroys the browser's authenticated FranceConnect session
// and returns its person; without one it is FranceConnect's Y100019 page
// (spec §11).
func (s *Server) endSession(r *http.Request) (string, *pageErr) {
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	se := s.sessionLocked(r, now)
	if se == nil || se.login == "" {
		return "", errPage(http.StatusBadRequest, codeNoSession, "invalid_request",
			"no FranceConnect session: logout must be a browser redirect carrying the fc_session_id cookie")
	}
	delete(s.sessions, se.id)
	return se.login, nil
}

// handleEndSessionSuccess is the page shown when no
// post_logout_redirect_uri was given.
func (s *Server) handleEndSessionSuccess(w http.ResponseWriter, _ *http.Request) {
	s.renderPage(w, http.StatusOK, "logout", s.pageBase("Déconnexion effectuée"))
}
