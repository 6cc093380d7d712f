package fctest

import (
	"encoding/json"
	"net/http"
	"strings"
)

// handleUserinfo serves GET /userinfo (spec §7): the claims of the granted
// scopes plus sub, aud, iss, iat and exp (the access token's expiry), as an
// application/jwt body nested like the id_token; on ProConnect signed with
// the client's userinfo algorithm, or the claims and sub as plain JSON when
// the client registered none.
func (s *Server) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	at, te := s.lookupAccessToken(r)
	if te != nil {
		s.writeUserinfoError(w, te)
		return
	}
	s.mu.Lock()
	rc := s.clients[at.clientID]
	s.mu.Unlock()
	fl := flowOf(r, at.clientID, at.login)
	if rc == nil {
		invalidToken("client not found").write(w)
		return
	}
	if s.applyNetFault(w, r, "userinfo", fl) {
		return
	}
	f := s.takeFault(pointUserinfo, fl)
	if f == FaultUserinfoExpiredToken {
		s.writeUserinfoError(w, invalidToken("access token not found"))
		return
	}
	alg := s.userinfoAlg(rc)
	switch {
	case f == FaultUserinfoUnsigned:
		alg = ""
	case f == FaultUserinfoSigned && alg == "":
		alg = rc.SignedResponseAlg
	}
	claims := s.userinfoClaims(rc, at, f, alg != "" || s.platform != ProConnect)
	switch {
	case f == FaultUserinfoServerError:
		jsonError(w, http.StatusInternalServerError, "server_error", "oops! something went wrong", "", "")
		return
	case alg == "":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(claims)
		return
	}
	token, err := s.sealJWT(r.Context(), rc, alg, claims, f)
	if err != nil {
		jsonError(w, http.StatusInternalServerError, "server_error", "oops! something went wrong", err.Error(), "")
		return
	}
	w.Header().Set("Content-Type", "application/jwt; charset=utf-8")
	if f == FaultUserinfoWrongContentType {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(token))
}

// writeUserinfoError answers te, with a WWW-Authenticate header for a 401
// (RFC 6750 §3).
func (s *Server) writeUserinfoError(w http.ResponseWriter, te *tokenErr) {
	if te.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+s.issuer+`", error="`+te.oauthErr+
			`", error_description="`+te.desc+`"`)
	}
	te.write(w)
}

func invalidToken(detail string) *tokenErr {
	return &tokenErr{http.StatusUnauthorized, "invalid_token", "invalid token provided", detail, codeTokenNotFound}
}

// lookupAccessToken reads the token from the Authorization header or the
// access_token query parameter (not both) and returns it if live.
func (s *Server) lookupAccessToken(r *http.Request) (*accessToken, *tokenErr) {
	header := r.Header.Get("Authorization")
	query := r.URL.Query()["access_token"]
	var tok string
	switch {
	case header != "" && len(query) > 0:
		return nil, invalidRequest("access token must only be provided using one mechanism")
	case len(query) > 1:
		return nil, invalidRequest("'access_token' parameter must only be provided once")
	case len(query) == 1:
		tok = query[0]
	case header != "":
		scheme, value, ok := strings.Cut(header, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, invalidRequest("invalid authorization header value format")
		}
		tok = strings.TrimSpace(value)
	}
	if tok == "" {
		return nil, &tokenErr{http.StatusUnauthorized, "invalid_token", "no access token provided",
			"no access token provided", codeNoToken}
	}
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.tokens[tok]
	if at == nil || !now.Before(at.expires) {
		return nil, invalidToken("access token not found")
	}
	return at, nil
}

// userinfoClaims builds the userinfo payload for at, altered by f; jwt adds
// the members of a JWT (aud, iss, iat, exp).
func (s *Server) userinfoClaims(rc *registeredClient, at *accessToken, f Fault, jwt bool) map[string]any {
	claims := make(map[string]any)
	for c := range claimsForScopes(at.scopes, s.platform) {
		if v, ok := s.claimOf(at.login, c); ok {
			claims[c] = v
		}
	}
	claims["sub"] = s.subFor(rc, at.login)
	if jwt {
		claims["aud"] = rc.ID
		claims["iss"] = s.issuer
		claims["iat"] = s.clock().Unix()
		claims["exp"] = at.expires.Unix()
	}
	switch f {
	case FaultUserinfoSubMismatch:
		claims["sub"] = s.subFor(rc, at.login+"-someone-else")
	case FaultUserinfoWrongIssuer:
		claims["iss"] = wrongIssuer
	case FaultUserinfoWrongAudience:
		claims["aud"] = "another-client-" + randomHex(8)
	}
	return claims
}

// claimOf returns the value of claim for the identity or agent login, and
// false when it has none.
func (s *Server) claimOf(login, claim string) (any, bool) {
	if a, ok := s.agent(login); ok {
		return agentClaim(a, claim)
	}
	id, _ := s.identity(login)
	return identityClaim(id, claim, s.platform)
}
