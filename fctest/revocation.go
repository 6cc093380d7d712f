package fctest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// revocationParams is the exact body FranceConnect accepts (spec §11.1).
var revocationParams = []string{"token", "client_id", "client_secret"}

// handleRevocation serves POST /token/revocation (RFC 7009 with
// FranceConnect's whitelist): unknown tokens are answered 200 like RFC 7009
// requires; tokens of another client are refused.
func (s *Server) handleRevocation(w http.ResponseWriter, r *http.Request) {
	form, te := readForm(r)
	if te == nil {
		te = checkRevocationForm(form)
	}
	var rc *registeredClient
	if te == nil {
		rc, te = s.authenticateClient(r, form)
	}
	if te == nil {
		fl := flowOf(r, rc.ID, s.tokenLogin(form.Get("token")))
		if s.applyNetFault(w, r, "revocation", fl) {
			return
		}
		te = revocationFault(w, s.takeFault(pointRevocation, fl))
	}
	if te == nil {
		te = s.revoke(rc, form.Get("token"))
	}
	if te != nil {
		te.write(w)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// revocationFault returns the error answer of a revocation fault, nil for
// FaultNone.
func revocationFault(w http.ResponseWriter, f Fault) *tokenErr {
	switch f {
	case FaultRevocationServerError:
		return &tokenErr{http.StatusInternalServerError, "server_error", "oops! something went wrong", "", ""}
	case FaultRevocationUnavailable:
		w.Header().Set("Retry-After", "1")
		return &tokenErr{status: http.StatusServiceUnavailable, oauthErr: "temporarily_unavailable",
			desc: "the revocation service is temporarily unavailable"}
	}
	return nil
}

// tokenLogin returns the person of the access or refresh token tok, ""
// when it is unknown.
func (s *Server) tokenLogin(tok string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at := s.tokens[tok]; at != nil {
		return at.login
	}
	if rt := s.refresh[tok]; rt != nil {
		return rt.grant.login
	}
	return ""
}

// checkRevocationForm applies the revocation DTO (forbidNonWhitelisted).
func checkRevocationForm(form url.Values) *tokenErr {
	bad := func(desc string) *tokenErr {
		return &tokenErr{http.StatusBadRequest, "invalid_request", desc, "", codeInvalidParam}
	}
	for k := range form {
		if !slices.Contains(revocationParams, k) {
			return bad("property " + k + " should not exist")
		}
	}
	tok, secret := form.Get("token"), form.Get("client_secret")
	switch {
	case len(tok) < 43 || strings.ContainsAny(tok, ".*?{}()|[]\\ \t\r\n"):
		return bad("token must be an opaque token of at least 43 characters")
	case form.Get("client_id") == "":
		return bad("client_id should not be empty")
	case len(secret) < 32 || !isASCII(secret):
		return bad("client_secret must be at least 32 ASCII characters")
	}
	return nil
}

// revoke withdraws an access token, or on ProConnect a refresh token with
// every token of its grant (RFC 7009 §2.1).
func (s *Server) revoke(rc *registeredClient, tok string) *tokenErr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rt := s.refresh[tok]; rt != nil {
		if rt.grant.clientID != rc.ID {
			return invalidRequest("this token does not belong to you")
		}
		s.revokeGrantLocked(rt.grant.grantID)
		return nil
	}
	at := s.tokens[tok]
	if at == nil {
		return nil
	}
	if at.clientID != rc.ID {
		return invalidRequest("this token does not belong to you")
	}
	delete(s.tokens, tok)
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] > 0x7e || s[i] < 0x20 {
			return false
		}
	}
	return true
}
