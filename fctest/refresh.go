package fctest

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// refreshToken is a ProConnect refresh token. Each use rotates it: the
// token answered replaces it, and using it again revokes the whole grant.
type refreshToken struct {
	grant   authCode // the login it continues: client, agent, acr, scopes, amr, auth time; no nonce
	expires time.Time
	used    bool
}

// issueRefreshToken stores a refresh token continuing the login c.
func (s *Server) issueRefreshToken(c *authCode, now time.Time) string {
	g := authCode{clientID: c.clientID, login: c.login, acr: c.acr, requestedACRs: slices.Clone(c.requestedACRs),
		grantID: c.grantID, scopes: slices.Clone(c.scopes), amr: c.amr, authTime: c.authTime}
	tok := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh[tok] = &refreshToken{grant: g, expires: now.Add(pcRefreshTokenTTL)}
	return tok
}

// handleRefresh serves grant_type=refresh_token: it checks and rotates the
// refresh token, then answers like a code exchange, with a new access
// token, a new refresh token and an id_token without nonce for the same
// person.
func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request, rc *registeredClient, form url.Values, fl flow) *tokenErr {
	g, te := s.rotate(rc, form)
	if te != nil {
		return te
	}
	f := s.takeFault(pointRefresh, fl)
	if f == FaultNone {
		f = s.takeFault(pointToken, fl)
	}
	return s.respondToken(w, r, rc, g, f, fl)
}

// rotate consumes the refresh token of form and returns the login it
// continues, narrowed to the requested scope if any. Reusing a consumed
// token revokes every token of its grant.
func (s *Server) rotate(rc *registeredClient, form url.Values) (*authCode, *tokenErr) {
	tok := form.Get("refresh_token")
	if tok == "" {
		return nil, invalidRequest("missing required parameter 'refresh_token'")
	}
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gcLocked(now)
	rt := s.refresh[tok]
	switch {
	case rt == nil:
		return nil, invalidGrant("refresh token not found", "")
	case rt.grant.clientID != rc.ID:
		return nil, invalidGrant("client mismatch", "")
	case !now.Before(rt.expires):
		return nil, invalidGrant("refresh token is expired", "")
	case rt.used:
		s.revokeGrantLocked(rt.grant.grantID)
		return nil, invalidGrant("refresh token already used: every token of the grant is revoked", "")
	}
	g := rt.grant
	if form.Has("scope") {
		requested := dedupe(strings.Fields(form.Get("scope")))
		if len(requested) == 0 || slices.ContainsFunc(requested, func(sc string) bool { return !slices.Contains(g.scopes, sc) }) {
			return nil, &tokenErr{status: http.StatusBadRequest, oauthErr: "invalid_scope",
				desc: "refresh token missing requested scope"}
		}
		g.scopes = requested
	}
	rt.used = true
	return &g, nil
}

// revokeRefreshLocked withdraws the refresh tokens of grant. The caller
// holds s.mu.
func (s *Server) revokeRefreshLocked(grant string) {
	for k, rt := range s.refresh {
		if rt.grant.grantID == grant {
			delete(s.refresh, k)
		}
	}
}

// revokeGrantLocked withdraws every access and refresh token of grant. The
// caller holds s.mu.
func (s *Server) revokeGrantLocked(grant string) {
	for k, at := range s.tokens {
		if at.grantID == grant {
			delete(s.tokens, k)
		}
	}
	s.revokeRefreshLocked(grant)
}

var pkceVerifier = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// pkceVerified applies RFC 7636 §4.6 at the token endpoint: a code issued
// with a challenge needs the matching code_verifier; a code issued without
// one refuses a code_verifier.
func pkceVerified(challenge string, form url.Values) bool {
	verifier := form.Get("code_verifier")
	if challenge == "" {
		return !form.Has("code_verifier")
	}
	if !pkceVerifier.MatchString(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(b64.EncodeToString(sum[:])), []byte(challenge)) == 1
}
