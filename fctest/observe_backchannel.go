package fctest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// codeFaults are the callback faults that still deliver a code: redeeming
// it means the relying party went on after a callback it had to refuse.
var codeFaults = []Fault{FaultCallbackWrongState, FaultCallbackWrongIssuer, FaultCallbackMissingState,
	FaultCallbackMissingIssuer}

// forged reports whether f, applied at step, makes the answer one that a
// correct relying party refuses before sending any other request.
func forged(f Fault, step Step) bool {
	m, ok := faultCatalogue[f]
	_, isNet := netFaults[f]
	return ok && !isNet && m.step == step && m.outcome == OutcomeRefuse
}

// browserMarks returns what shows that r was sent by a web browser (the
// emulator's session cookie, Origin, Sec-Fetch-Site), "" when nothing
// does. Sec-Fetch-Mode alone is no mark: server-side fetch implementations
// such as Node.js's send it.
func browserMarks(r *http.Request) string {
	var marks []string
	if _, err := r.Cookie(sessionCookie); err == nil {
		marks = append(marks, "the "+sessionCookie+" cookie")
	}
	for _, h := range []string{"Origin", "Sec-Fetch-Site"} {
		if r.Header.Get(h) != "" {
			marks = append(marks, "a "+h+" header")
		}
	}
	return strings.Join(marks, ", ")
}

// observeToken notes a code redemption, and what the client did after a
// callback it had to refuse.
func (s *Server) observeToken(r *http.Request, rec *RequestRecord, ans answerObs) {
	if r.PostForm.Get("grant_type") != "authorization_code" {
		return
	}
	_, grant := s.codeGrant(r.PostForm.Get("code"))
	o := s.obs
	l := o.loginOfGrant(grant)
	if l == nil {
		return
	}
	_, _, basic := r.BasicAuth()
	t := tokenObs{at: rec.Time, answer: ans, faults: slices.Clone(rec.Faults), browser: browserMarks(r), basic: basic}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, f := range l.callbackFaults {
		if slices.Contains(codeFaults, f) {
			l.wentOn = append(l.wentOn, wentOn{f, actRedeem})
		}
	}
	for _, prev := range l.tokens {
		if slices.Contains(prev.faults, FaultTokenServerError) {
			l.wentOn = append(l.wentOn, wentOn{FaultTokenServerError, actRedeemAgain})
		}
	}
	l.tokens = append(l.tokens, t)
}

// bearer returns the access token of a userinfo request and whether it
// came in the query string.
func bearer(r *http.Request) (string, bool) {
	if q := r.URL.Query()["access_token"]; len(q) == 1 {
		return q[0], true
	}
	scheme, v, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(v), false
}

// observeUserinfo notes a userinfo call, and whether it followed a token
// answer the client had to refuse: a forged one, or one without a new
// authentication after prompt=login.
func (s *Server) observeUserinfo(r *http.Request, rec *RequestRecord, ans answerObs) {
	tok, inQuery := bearer(r)
	o := s.obs
	l := o.loginOfGrant(s.tokenGrant(tok))
	if l == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, t := range l.tokens {
		for _, f := range t.faults {
			if forged(f, StepToken) && s.levelMoot(f, l) == "" {
				l.wentOn = append(l.wentOn, wentOn{f, actUserinfo})
			}
		}
	}
	for _, f := range l.appliedFaults() {
		if freshAuthRefused(f, l) {
			l.wentOn = append(l.wentOn, wentOn{f, actUserinfo})
		}
	}
	l.userinfo = append(l.userinfo, userinfoObs{at: rec.Time, answer: ans, faults: slices.Clone(rec.Faults),
		inQuery: inQuery})
}

// observeRevocation counts the revocations of a login's access token.
func (s *Server) observeRevocation(r *http.Request, ans answerObs) {
	o := s.obs
	l := o.loginOfGrant(s.tokenGrant(r.PostForm.Get("token")))
	if l == nil || ans.status >= 500 {
		return
	}
	o.mu.Lock()
	l.revocations++
	o.mu.Unlock()
}

// hintClaims is what the emulator reads of an id_token_hint, without
// verifying it (the platform's answer says whether it was valid).
type hintClaims struct {
	kind  string // "jws", "jwe", "missing", "invalid"
	aud   string
	nonce string
}

// readHint decodes the audience and nonce of an id_token_hint: from the
// payload of a JWS, from the protected header of a JWE (FranceConnect+
// puts aud there).
func readHint(hint string) hintClaims {
	var part string
	h := hintClaims{kind: "invalid"}
	switch strings.Count(hint, ".") {
	case 0:
		if hint == "" {
			h.kind = "missing"
		}
		return h
	case 2:
		h.kind, part = "jws", strings.Split(hint, ".")[1]
	case 4:
		h.kind, part = "jwe", strings.Split(hint, ".")[0]
	default:
		return h
	}
	raw, err := base64.RawURLEncoding.DecodeString(part)
	var claims struct {
		Aud   any    `json:"aud"`
		Nonce string `json:"nonce"`
	}
	if err != nil || json.Unmarshal(raw, &claims) != nil {
		h.kind = "invalid"
		return h
	}
	h.aud, _ = claims.Aud.(string)
	h.nonce = claims.Nonce
	return h
}

// observeLogout notes a call of session/end by the client named in the
// id_token_hint.
func (s *Server) observeLogout(r *http.Request, rec *RequestRecord, ans answerObs) {
	q := r.URL.Query()
	hint := readHint(q.Get("id_token_hint"))
	clientID := rec.ClientID
	if clientID == "" {
		clientID = hint.aud
	}
	if clientID == "" || !s.registered(clientID) {
		return
	}
	_, noCookie := r.Cookie(sessionCookie)
	lo := &logoutObs{at: rec.Time, answer: ans, hint: hint.kind, redirectURI: q.Get("post_logout_redirect_uri"),
		hasSessionCookie: noCookie == nil, faults: slices.Clone(rec.Faults)}
	o := s.obs
	o.mu.Lock()
	defer o.mu.Unlock()
	c := o.clientLocked(clientID)
	if prev, ok := c.seen[fingerprint("nonce", hint.nonce)]; ok && hint.nonce != "" && prev.what == "nonce" {
		lo.n = prev.login
	}
	lo.state = c.remember("state", "logout state", q.Get("state"), lo.n)
	if l := c.login(lo.n); l != nil {
		l.logout = lo
	}
	c.logouts = append(c.logouts, lo)
}

// login returns login number n of c, or nil.
func (c *clientObs) login(n int) *loginObs {
	for _, l := range c.logins {
		if l.n == n {
			return l
		}
	}
	return nil
}
