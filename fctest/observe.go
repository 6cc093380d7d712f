package fctest

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The emulator watches, for every registered client, what FranceConnect's
// qualification checks and what a platform can see from its side: the
// authorization requests, the callbacks, the code redemptions, the
// userinfo calls, the logouts and the revocations, linked into logins. It
// reads the requests and the emulator's answers once they are sent (a
// sniffer on the wire, never a token or a secret kept), and
// Server.Qualification turns what it saw into the checklist's verdicts.

const (
	// qualMinRandom is the length of state and nonce that qualification
	// asks for (spec §3.3, §11, §21): 32 characters or more.
	qualMinRandom = 32
	// qualPromptly is what "right after" means for the redemption of a code
	// after the callback and for the userinfo call after the exchange, on
	// the server clock.
	qualPromptly = 10 * time.Second
	// maxObservedLogins bounds the logins kept per client, oldest dropped.
	maxObservedLogins = 1000
	// maxSeenValues bounds the fingerprints of state and nonce values kept
	// per client to detect reuse; beyond, the oldest half is forgotten.
	maxSeenValues = 4000
)

// observer holds what the emulator saw, per client. Its own mutex guards
// it; it takes Server.mu only through the Server's lookups, never while
// holding its own.
type observer struct {
	mu      sync.Mutex
	clients map[string]*clientObs
	byUID   map[string]*loginObs // interaction uid → login
	byGrant map[string]*loginObs // grant (the code's, shared by its tokens) → login
}

// clientObs is what was seen of one client.
type clientObs struct {
	next    int // number of the next login, from 1
	logins  []*loginObs
	logouts []*logoutObs
	cases   []caseObs // verdicts of conformance runs
	seen    map[string]seenValue
	seenOrd []string // keys of seen, oldest first
}

// seenValue says where a state or nonce value was first seen.
type seenValue struct {
	what  string // "state", "nonce", "logout state"
	login int
}

// valueObs describes a state or nonce without keeping it.
type valueObs struct {
	present bool
	length  int
	reuse   *seenValue // the earlier use of the same value, nil when new
}

// answerObs is how the emulator answered a request.
type answerObs struct {
	status     int
	oauthError string
	code       string
	detail     string
}

// loginObs is one login of a client: an authorization request and what
// followed it.
type loginObs struct {
	n                    int
	clientID, person     string
	at                   time.Time
	method               string
	responseType         string
	hasResponseType      bool
	state, nonce         valueObs
	scopes               []string
	acrValues, claims    string
	hasACR, hasClaims    bool
	prompt, redirectURI  string
	refused              *answerObs // authorize answered with an error
	callbackAt           time.Time  // zero until the browser came back
	callbackFaults       []Fault
	callbackError        string
	codeDelivered        bool
	tokens               []tokenObs
	userinfo             []userinfoObs
	revocations          int
	wentOn               []wentOn // what the FS did after faults it had to refuse
	logout               *logoutObs
	grantID, interaction string
}

// wentOn is a request the FS sent after a fault it had to refuse.
type wentOn struct {
	fault Fault
	act   string // one of the act constants
}

// What a relying party did after a fault it had to refuse.
const (
	actRedeem      = "redeem"       // redeemed the code of a forged callback
	actRedeemAgain = "redeem-again" // redeemed a code again after a token error
	actUserinfo    = "userinfo"     // called userinfo after a forged token answer
)

// tokenObs is one redemption of the login's code.
type tokenObs struct {
	at      time.Time
	answer  answerObs
	faults  []Fault
	browser string // what showed the request came from a browser; "" from a server
	basic   bool   // client authentication through HTTP Basic
}

// userinfoObs is one userinfo call with the login's access token.
type userinfoObs struct {
	at      time.Time
	answer  answerObs
	faults  []Fault
	inQuery bool
}

// logoutObs is one call of session/end.
type logoutObs struct {
	n                int // login the id_token_hint belongs to; 0 when unknown
	at               time.Time
	answer           answerObs
	hint             string // "jws", "jwe", "missing", "invalid"
	state            valueObs
	redirectURI      string
	hasSessionCookie bool
	faults           []Fault
}

// caseObs is the verdict of a conformance case, kept for the report.
type caseObs struct {
	fault   Fault
	passed  bool
	skipped bool // judged moot or unreachable: no evidence, but its login is not judged either
	login   int
	outcome string
	detail  string
}

func newObserver() *observer {
	return &observer{clients: make(map[string]*clientObs), byUID: make(map[string]*loginObs),
		byGrant: make(map[string]*loginObs)}
}

// fingerprint is the key under which a state or nonce value is remembered.
func fingerprint(what, v string) string {
	sum := sha256.Sum256([]byte(what + "\x00" + v))
	return hex.EncodeToString(sum[:12])
}

// clientLocked returns the observations of clientID, created on first use.
// The caller holds o.mu.
func (o *observer) clientLocked(clientID string) *clientObs {
	c := o.clients[clientID]
	if c == nil {
		c = &clientObs{next: 1, seen: make(map[string]seenValue)}
		o.clients[clientID] = c
	}
	return c
}

// remember notes a state or nonce value of login n and returns where it was
// seen before, if anywhere. Nonces and states are remembered apart: the
// same random string as a state and as a nonce is not a reuse. The caller
// holds o.mu.
func (c *clientObs) remember(kind, what, v string, n int) valueObs {
	obs := valueObs{present: v != "", length: len(v)}
	if v == "" {
		return obs
	}
	key := fingerprint(kind, v)
	if prev, ok := c.seen[key]; ok {
		obs.reuse = &prev
		return obs
	}
	if len(c.seenOrd) >= maxSeenValues {
		for _, k := range c.seenOrd[:maxSeenValues/2] {
			delete(c.seen, k)
		}
		c.seenOrd = append([]string(nil), c.seenOrd[maxSeenValues/2:]...)
	}
	c.seen[key] = seenValue{what: what, login: n}
	c.seenOrd = append(c.seenOrd, key)
	return obs
}

// addLogin appends l to c, dropping the oldest beyond the bound and their
// links. The caller holds o.mu.
func (o *observer) addLogin(c *clientObs, l *loginObs) {
	if len(c.logins) >= maxObservedLogins {
		old := c.logins[0]
		delete(o.byUID, old.interaction)
		delete(o.byGrant, old.grantID)
		c.logins = c.logins[1:]
	}
	c.logins = append(c.logins, l)
	if len(c.logouts) >= maxObservedLogins {
		c.logouts = c.logouts[1:]
	}
}

// observing wraps the routes, inside recording: in strict mode it refuses
// first what qualification refuses, then lets the platform answer, then
// notes what the request and the answer showed.
func (s *Server) observing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opts.StrictQualification && s.strictRefusal(w, r) {
			return
		}
		next.ServeHTTP(w, r)
		s.observe(w, r)
	})
}

// observe notes the request r, answered on w, in the client's record.
func (s *Server) observe(w http.ResponseWriter, r *http.Request) {
	rec := recordOf(r)
	ans := answerObs{status: rec.Status, oauthError: rec.Error, code: rec.Code, detail: rec.Detail}
	if ans.status == 0 {
		ans.status = http.StatusOK
	}
	loc := w.Header().Get("Location")
	switch rec.Endpoint {
	case "authorize":
		s.observeAuthorize(r, rec, ans, loc)
	case "interaction":
		if r.Method == http.MethodPost || strings.HasSuffix(r.URL.Path, "/abort") {
			s.observeCallback(r, rec, loc)
		}
	case "token":
		s.observeToken(r, rec, ans)
	case "userinfo":
		s.observeUserinfo(r, rec, ans)
	case "session/end":
		s.observeLogout(r, rec, ans)
	case "revocation":
		s.observeRevocation(r, ans)
	}
}

// authorizeQuery returns the parameters of an authorization request.
func authorizeQuery(r *http.Request) url.Values {
	if r.Method == http.MethodPost {
		return r.PostForm
	}
	v, _ := url.ParseQuery(r.URL.RawQuery)
	return v
}

// observeAuthorize starts a login for a registered client.
func (s *Server) observeAuthorize(r *http.Request, rec *RequestRecord, ans answerObs, loc string) {
	v := authorizeQuery(r)
	clientID := v.Get("client_id")
	if clientID == "" || !s.registered(clientID) {
		return
	}
	o := s.obs
	o.mu.Lock()
	c := o.clientLocked(clientID)
	l := &loginObs{n: c.next, clientID: clientID, at: rec.Time, method: r.Method,
		responseType: v.Get("response_type"), hasResponseType: v.Has("response_type"),
		scopes: strings.Fields(v.Get("scope")), acrValues: v.Get("acr_values"), hasACR: v.Has("acr_values"),
		claims: v.Get("claims"), hasClaims: v.Has("claims"), prompt: v.Get("prompt"),
		redirectURI: v.Get("redirect_uri")}
	c.next++
	l.state = c.remember("state", "state", v.Get("state"), l.n)
	l.nonce = c.remember("nonce", "nonce", v.Get("nonce"), l.n)
	if ans.oauthError != "" || ans.status >= 400 {
		l.refused = &ans
	}
	o.addLogin(c, l)
	o.mu.Unlock()
	s.followRedirect(l, rec, loc)
}

// followRedirect links l to what the emulator's redirect leads to: the
// interaction page, or the callback of an automatic or silent login.
func (s *Server) followRedirect(l *loginObs, rec *RequestRecord, loc string) {
	if uid, ok := strings.CutPrefix(loc, apiPrefix+"/interaction/"); ok {
		s.obs.mu.Lock()
		l.interaction = uid
		s.obs.byUID[uid] = l
		s.obs.mu.Unlock()
		return
	}
	if loc != "" && l.refused == nil {
		s.noteCallback(l, rec, loc)
	}
}

// observeCallback notes the redirect back to the client after the
// identity was picked (or the person cancelled).
func (s *Server) observeCallback(r *http.Request, rec *RequestRecord, loc string) {
	rest, _ := strings.CutPrefix(r.URL.Path, apiPrefix+"/interaction/")
	uid, _, _ := strings.Cut(rest, "/")
	s.obs.mu.Lock()
	l := s.obs.byUID[uid]
	s.obs.mu.Unlock()
	if l != nil && loc != "" {
		s.noteCallback(l, rec, loc)
	}
}

// noteCallback notes the callback URL loc of login l: its code (linked to
// the grant) or its error, and the faults applied.
func (s *Server) noteCallback(l *loginObs, rec *RequestRecord, loc string) {
	u, err := url.Parse(loc)
	if err != nil {
		return
	}
	q := u.Query()
	person, grant := s.codeGrant(q.Get("code"))
	o := s.obs
	o.mu.Lock()
	defer o.mu.Unlock()
	l.callbackAt, l.callbackFaults = rec.Time, append(l.callbackFaults, rec.Faults...)
	l.callbackError, l.codeDelivered = q.Get("error"), q.Get("code") != ""
	if person != "" {
		l.person = person
	}
	if grant != "" {
		l.grantID = grant
		o.byGrant[grant] = l
	}
}

// registered reports whether clientID is a registered client.
func (s *Server) registered(clientID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clients[clientID] != nil
}

// codeGrant returns the person and grant of an issued code.
func (s *Server) codeGrant(code string) (string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.codes[code]; c != nil {
		return c.login, c.grantID
	}
	return "", ""
}

// tokenGrant returns the grant of an access token.
func (s *Server) tokenGrant(tok string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at := s.tokens[tok]; at != nil {
		return at.grantID
	}
	return ""
}

// loginOfGrant returns the login of a grant, or nil.
func (o *observer) loginOfGrant(grant string) *loginObs {
	if grant == "" {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.byGrant[grant]
}
