package fctest

import (
	"crypto/subtle"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// wrongIssuer is the iss used by the "wrong issuer" faults.
const wrongIssuer = "https://wrong-issuer.fctest.invalid/api/v2"

// tokenErr is a JSON error answer (spec §14.3).
type tokenErr struct {
	status                    int
	oauthErr, desc, detail, y string
}

func (e *tokenErr) write(w http.ResponseWriter) {
	jsonError(w, e.status, e.oauthErr, e.desc, e.detail, e.y)
}

func invalidRequest(desc string) *tokenErr {
	return &tokenErr{status: http.StatusBadRequest, oauthErr: "invalid_request", desc: desc}
}

func invalidGrant(detail, code string) *tokenErr {
	return &tokenErr{http.StatusBadRequest, "invalid_grant", "grant request is invalid", detail, code}
}

func invalidClient(detail, code string) *tokenErr {
	return &tokenErr{http.StatusUnauthorized, "invalid_client", "client authentication failed", detail, code}
}

// readForm parses an application/x-www-form-urlencoded body and refuses
// repeated parameters, like oidc-provider.
func readForm(r *http.Request) (url.Values, *tokenErr) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return nil, invalidRequest("only application/x-www-form-urlencoded content-type bodies are supported")
	}
	if err := r.ParseForm(); err != nil {
		return nil, invalidRequest("could not parse the request body")
	}
	for k, v := range r.PostForm {
		if len(v) > 1 {
			return nil, invalidRequest("'" + k + "' parameter must only be provided once")
		}
	}
	return r.PostForm, nil
}

// authenticateClient applies client_secret_post, the only method FranceConnect
// clients get (spec §5).
func (s *Server) authenticateClient(r *http.Request, form url.Values) (*registeredClient, *tokenErr) {
	_, _, basic := r.BasicAuth()
	id, secret := form.Get("client_id"), form.Get("client_secret")
	recordOf(r).ClientID = id
	switch {
	case basic && (id != "" || secret != ""):
		return nil, invalidRequest("client authentication must only be provided using one mechanism")
	case basic:
		return nil, invalidClient("the registered client token_endpoint_auth_method does not match the provided auth mechanism", "")
	case id == "":
		return nil, invalidRequest("no client authentication mechanism provided")
	}
	s.mu.Lock()
	rc, ok := s.clients[id]
	s.mu.Unlock()
	switch {
	case !ok:
		return nil, invalidClient("client not found", "")
	case secret == "":
		return nil, invalidClient("the registered client token_endpoint_auth_method does not match the provided auth mechanism", "")
	case subtle.ConstantTimeCompare([]byte(secret), []byte(rc.Secret)) != 1:
		return nil, invalidClient("invalid secret provided", codeBadSecret)
	}
	return rc, nil
}

// handleToken serves POST /token: the authorization code grant, and on
// ProConnect the refresh token grant.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	form, te := readForm(r)
	var rc *registeredClient
	if te == nil {
		rc, te = s.authenticateClient(r, form)
	}
	var fl flow
	if te == nil {
		fl = flowOf(r, rc.ID, s.grantLogin(form.Get("code"), form.Get("refresh_token")))
		if s.applyNetFault(w, r, "token", fl) {
			return
		}
	}
	switch {
	case te != nil:
	case s.platform == ProConnect && form.Get("grant_type") == "refresh_token":
		te = s.handleRefresh(w, r, rc, form, fl)
	default:
		var c *authCode
		if c, te = s.redeem(rc, form); te == nil {
			te = s.respondToken(w, r, rc, c, s.takeFault(pointToken, fl), fl)
		}
	}
	if te != nil {
		te.write(w)
	}
}

// redeem checks the grant in oidc-provider's order and consumes the code.
// Reusing a code revokes the access tokens issued with it (spec §5).
func (s *Server) redeem(rc *registeredClient, form url.Values) (*authCode, *tokenErr) {
	switch gt := form.Get("grant_type"); {
	case gt == "":
		return nil, invalidRequest("missing required parameter 'grant_type'")
	case gt != "authorization_code":
		return nil, &tokenErr{status: http.StatusBadRequest, oauthErr: "unsupported_grant_type", desc: "unsupported grant_type requested"}
	case form.Get("code") == "":
		return nil, &tokenErr{http.StatusBadRequest, "invalid_request", "missing required parameter 'code'", "undefined", codeMissingCode}
	}
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gcLocked(now)
	c := s.codes[form.Get("code")]
	switch {
	case c == nil:
		return nil, invalidGrant("authorization code not found", codeCodeNotFound)
	case c.clientID != rc.ID:
		return nil, invalidGrant("client mismatch", "")
	case !now.Before(c.expires):
		return nil, invalidGrant("authorization code is expired", codeCodeExpired)
	case c.redirectURI != form.Get("redirect_uri"):
		return nil, invalidGrant("authorization code redirect_uri mismatch", codeRedirectMismatch)
	case c.consumed:
		for _, t := range c.tokens {
			delete(s.tokens, t)
		}
		s.revokeRefreshLocked(c.grantID)
		return nil, invalidGrant("authorization code already consumed", codeCodeConsumed)
	case s.platform == ProConnect && !pkceVerified(c.codeChallenge, form):
		return nil, invalidGrant("PKCE verification failed", "")
	}
	c.consumed = true
	return c, nil
}

// respondToken issues the access token and id_token of the login c, under
// fault f: exactly five members (spec §5), six with ProConnect's refresh
// token. A key rotation queued for fl happens before the id_token is
// signed.
func (s *Server) respondToken(w http.ResponseWriter, r *http.Request, rc *registeredClient, c *authCode, f Fault, fl flow) *tokenErr {
	if f == FaultTokenServerError {
		return &tokenErr{http.StatusInternalServerError, "server_error", "oops! something went wrong", "", ""}
	}
	if s.takeFault(pointKeys, fl) == FaultSigningKeyRotated && rc.SignedResponseAlg != algHS256 {
		_, _, _ = s.RotateSigningKeyAlg(rc.SignedResponseAlg) // published: checked at registration
	}
	now := s.clock()
	at := randomToken()
	s.mu.Lock()
	s.tokens[at] = &accessToken{clientID: rc.ID, login: c.login, grantID: c.grantID, acr: c.acr, scopes: c.scopes,
		expires: now.Add(accessTokenTTL)}
	c.tokens = append(c.tokens, at)
	s.mu.Unlock()
	idToken, err := s.sealJWT(r.Context(), rc, rc.SignedResponseAlg, s.idTokenClaims(rc, c, now, f), f)
	if err != nil {
		return &tokenErr{http.StatusInternalServerError, "server_error", "oops! something went wrong", err.Error(), ""}
	}
	body := map[string]any{
		"access_token": at, "expires_in": int(accessTokenTTL / time.Second), "id_token": idToken,
		"scope": strings.Join(c.scopes, " "), "token_type": "Bearer",
	}
	if s.platform == ProConnect {
		body["refresh_token"] = s.issueRefreshToken(c, now)
	}
	if f == FaultTokenMissingIDToken {
		delete(body, "id_token")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	_ = json.NewEncoder(w).Encode(body)
	return nil
}

// idTokenClaims returns the 8 claims (9 with amr) of an id_token (spec §6),
// altered by f. ProConnect leaves out a nonce the request did not carry,
// as in the id_tokens of its refresh responses.
func (s *Server) idTokenClaims(rc *registeredClient, c *authCode, now time.Time, f Fault) map[string]any {
	iat := now.Unix()
	claims := map[string]any{
		"iss": s.issuer, "sub": s.subFor(rc, c.login), "aud": rc.ID, "exp": iat + int64(idTokenTTL/time.Second),
		"iat": iat, "nonce": c.nonce, "acr": c.acr, "auth_time": c.authTime.Unix(),
	}
	if c.nonce == "" && s.platform == ProConnect {
		delete(claims, "nonce")
	}
	if c.amr {
		claims["amr"] = s.amrOf(c.login)
	}
	if acr, ok := s.acrFault(c, f); ok {
		claims["acr"] = acr
	}
	switch f {
	case FaultRefreshOtherSub:
		claims["sub"] = s.subFor(rc, c.login+"-someone-else")
	case FaultMissingACR:
		delete(claims, "acr")
	case FaultMissingSub:
		delete(claims, "sub")
	case FaultMissingIssuedAt:
		delete(claims, "iat")
	case FaultExpiredToken:
		claims["iat"], claims["exp"] = iat-120, iat-60
	case FaultIssuedInFuture:
		claims["iat"], claims["exp"] = iat+600, iat+600+int64(idTokenTTL/time.Second)
	case FaultWrongAudience:
		claims["aud"] = "another-client-" + randomHex(8)
	case FaultExtraAudience:
		claims["aud"] = []string{rc.ID, "another-client-" + randomHex(8)}
	case FaultWrongIssuer:
		claims["iss"] = wrongIssuer
	case FaultWrongNonce:
		claims["nonce"] = randomToken()
	case FaultMissingNonce:
		delete(claims, "nonce")
	case FaultMissingAuthTime:
		delete(claims, "auth_time")
	case FaultAZPOtherClient:
		claims["azp"] = "another-client-" + randomHex(8)
	}
	return claims
}

// grantLogin returns the person of the code or refresh token given, ""
// when neither is known.
func (s *Server) grantLogin(code, refreshToken string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.codes[code]; c != nil {
		return c.login
	}
	if rt := s.refresh[refreshToken]; rt != nil {
		return rt.grant.login
	}
	return ""
}

// subFor returns the sub of login at rc: pairwise on the FranceConnect
// platforms, the agent's account id on ProConnect.
func (s *Server) subFor(rc *registeredClient, login string) string {
	if s.platform == ProConnect {
		return s.agentSub(login)
	}
	entity := rc.EntityID
	if entity == "" {
		entity = rc.ID
	}
	return computeSub(entity, login, s.opts.SubjectSecret)
}
