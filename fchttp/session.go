package fchttp

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

// Limits of what a session holds.
const (
	// LoginTimeout is how long a login or a logout in progress waits for
	// FranceConnect's redirect back: ten minutes.
	LoginTimeout = 10 * time.Minute
	// MaxSessionBytes bounds the encoded cookie before sealing. Logins in
	// progress are dropped, oldest first, to stay below it; a signed-in
	// FranceConnect+ user alone takes about 1.6 KB in a sealed cookie (the
	// logout hint is about 1 KB), and about 100 bytes with a Store.
	MaxSessionBytes = 2900
	// MaxUserData bounds what OnLogin keeps, in JSON, when the session
	// travels in the sealed cookie.
	MaxUserData = 512
	// MaxStoredUserData bounds what OnLogin keeps, in JSON, with a Store.
	MaxStoredUserData = 16 << 10
	// maxLogins is how many logins may be in progress at once (tabs).
	maxLogins = 3
)

// User is the signed-in user as the session remembers it.
type User struct {
	// Subject is the sub of the id_token: stable for one person and one
	// door (pairwise on FranceConnect and FranceConnect+).
	Subject string
	// ACR is the level of the login: the eIDAS level on FranceConnect and
	// FranceConnect+, one of the accepted levels on ProConnect; after a
	// step-up (Handler.Require), the level it reached.
	ACR franceconnect.ACR
	// AuthTime is when the person last authenticated, the login's or the
	// step-up's auth_time (zero when not sent).
	AuthTime time.Time
	// Door is the platform, issuer and client_id the user came through.
	Door Door
	// Start is when the session started: the login.
	Start time.Time
	// Expiry is when the session ends at the latest (SessionLifetime after
	// Start); it ends sooner after IdleTimeout without a request.
	Expiry time.Time
	// Data is what OnLogin returned, in JSON; Decode reads it.
	Data json.RawMessage
}

// Decode decodes Data into v, a pointer to the type OnLogin returned.
func (u *User) Decode(v any) error {
	if len(u.Data) == 0 {
		return errors.New("fchttp: the session holds no data: OnLogin returned nil")
	}
	return json.Unmarshal(u.Data, v)
}

// envelope is what the sealed cookie holds, in JSON with short names: the
// logins and the logout in progress, and the signed-in session itself, or
// with a Store its id.
type envelope struct {
	Logins []pendingLogin `json:"l,omitempty"`
	Used   []usedLogin    `json:"d,omitempty"`
	Logout *pendingLogout `json:"o,omitempty"`
	User   *storedUser    `json:"u,omitempty"` // without a Store
	Ref    *storedUserRef `json:"r,omitempty"` // with a Store
}

// storedUserRef names the session kept in a Store.
type storedUserRef struct {
	ID     string `json:"i"`
	Expiry int64  `json:"e"` // the session's absolute end
}

// pendingLogin is a login between Authorize and the callback: everything
// of its franceconnect.AuthState, so that the callback checks the level
// (or on ProConnect the accepted levels) and redeems the code with the
// PKCE verifier.
type pendingLogin struct {
	State    string              `json:"s"`
	Nonce    string              `json:"n"`
	ACR      franceconnect.ACR   `json:"a,omitempty"`
	ACRs     []franceconnect.ACR `json:"as,omitempty"` // ProConnect: the accepted levels
	Verifier string              `json:"v,omitempty"`  // ProConnect: the PKCE code_verifier
	Prompt   bool                `json:"p,omitempty"`  // prompt=login was sent: a new authentication
	Next     string              `json:"x,omitempty"`  // local path to go to after login
	Expiry   int64               `json:"e"`
	Started  int64               `json:"t,omitempty"` // when the login started, for auth_time
	MaxAge   int64               `json:"m,omitempty"` // the login's maximum authentication age, in seconds
	Subject  string              `json:"u,omitempty"` // the person the login must be about (a step-up)
}

// newPendingLogin keeps everything of auth's AuthState.
func newPendingLogin(auth *franceconnect.Authorization, next string, expiry time.Time) pendingLogin {
	return pendingLogin{
		State: auth.State, Nonce: auth.Nonce, ACR: auth.ACR, ACRs: auth.ACRs, Verifier: auth.CodeVerifier,
		Prompt: auth.FreshAuth, Next: next, Expiry: expiry.Unix(), Started: auth.Started.Unix(),
		MaxAge: int64(auth.MaxAuthAge / time.Second), Subject: auth.Subject,
	}
}

func (p pendingLogin) authState() franceconnect.AuthState {
	st := franceconnect.AuthState{State: p.State, Nonce: p.Nonce, ACR: p.ACR, ACRs: p.ACRs, CodeVerifier: p.Verifier,
		FreshAuth: p.Prompt, MaxAuthAge: time.Duration(p.MaxAge) * time.Second, Subject: p.Subject}
	if p.Started != 0 {
		st.Started = time.Unix(p.Started, 0)
	}
	return st
}

// storedUser is a signed-in session: the User, its id, its times, and the
// logout hint, the signed id_token kept as a string because
// franceconnect.Token marshals as "[redacted]".
type storedUser struct {
	ID       string            `json:"i"` // random session id, never shown to a Store
	Subject  string            `json:"s"`
	ACR      franceconnect.ACR `json:"a"`
	AuthTime int64             `json:"t,omitempty"`
	Start    int64             `json:"st"` // Unix milliseconds
	Expiry   int64             `json:"e"`  // absolute end, Unix seconds
	Seen     int64             `json:"ls"` // last idle refresh, Unix seconds
	Data     json.RawMessage   `json:"d,omitempty"`
	Hint     string            `json:"h"`
}

func (u *storedUser) public(d Door) *User {
	out := &User{Subject: u.Subject, ACR: u.ACR, Door: d, Start: time.UnixMilli(u.Start),
		Expiry: time.Unix(u.Expiry, 0), Data: bytes.Clone(u.Data)}
	if u.AuthTime != 0 {
		out.AuthTime = time.Unix(u.AuthTime, 0)
	}
	return out
}

// end is when the session ends without a request: the sooner of its
// absolute expiry and its idle deadline.
func (u *storedUser) end(idle time.Duration) int64 {
	return min(u.Expiry, u.Seen+int64(idle/time.Second))
}

// usedLogin is a login whose callback came: kept until the login would
// have expired, so that the same callback again reads as already used,
// not as a login this browser never started. At most maxLogins are kept,
// the oldest dropped first: bounded, in the browser's own cookie.
type usedLogin struct {
	Digest string `json:"h"` // stateDigest
	Expiry int64  `json:"e"`
}

// pendingLogout is a logout between session/end and the logout callback.
type pendingLogout struct {
	State  string `json:"s"`
	Expiry int64  `json:"e"`
}

// prune drops the logins and logout in progress that have expired.
func (e *envelope) prune(now time.Time) {
	t := now.Unix()
	e.Logins = slices.DeleteFunc(e.Logins, func(p pendingLogin) bool { return p.Expiry <= t })
	e.Used = slices.DeleteFunc(e.Used, func(u usedLogin) bool { return u.Expiry <= t })
	if e.Logout != nil && e.Logout.Expiry <= t {
		e.Logout = nil
	}
}

// expiry is when the last thing the envelope holds expires, the used
// logins counting only when it holds nothing else; idle is the idle
// timeout of a session it holds.
func (e *envelope) expiry(idle time.Duration) time.Time {
	var t int64
	for _, p := range e.Logins {
		t = max(t, p.Expiry)
	}
	if e.Logout != nil {
		t = max(t, e.Logout.Expiry)
	}
	if e.User != nil {
		t = max(t, e.User.end(idle))
	}
	if e.Ref != nil {
		t = max(t, e.Ref.Expiry)
	}
	if t == 0 { // used logins alone: they never lengthen another's cookie
		for _, u := range e.Used {
			t = max(t, u.Expiry)
		}
	}
	return time.Unix(t, 0)
}

func (e *envelope) empty() bool {
	return len(e.Logins) == 0 && len(e.Used) == 0 && e.Logout == nil && e.User == nil && e.Ref == nil
}

// addLogin keeps p, dropping the oldest logins beyond maxLogins.
func (e *envelope) addLogin(p pendingLogin) {
	e.Logins = append(e.Logins, p)
	if n := len(e.Logins) - maxLogins; n > 0 {
		e.Logins = slices.Delete(e.Logins, 0, n)
	}
}

// takeLogin removes and returns the login in progress whose state is
// state, and remembers it as used: single use, whatever happens next. The
// states are compared in constant time.
func (e *envelope) takeLogin(state string) (pendingLogin, bool) {
	i := slices.IndexFunc(e.Logins, func(p pendingLogin) bool {
		return state != "" && subtle.ConstantTimeCompare([]byte(p.State), []byte(state)) == 1
	})
	if i < 0 {
		return pendingLogin{}, false
	}
	p := e.Logins[i]
	e.Logins = slices.Delete(e.Logins, i, i+1)
	e.Used = append(e.Used, usedLogin{Digest: stateDigest(state), Expiry: p.Expiry})
	if n := len(e.Used) - maxLogins; n > 0 {
		e.Used = slices.Delete(e.Used, 0, n)
	}
	return p, true
}

// used reports whether the callback of state already came.
func (e *envelope) used(state string) bool {
	d := stateDigest(state)
	return slices.ContainsFunc(e.Used, func(u usedLogin) bool { return u.Digest == d })
}

// encode returns the envelope in JSON within MaxSessionBytes, dropping the
// used logins, then the oldest logins in progress, when needed.
func (e *envelope) encode() ([]byte, error) {
	for {
		b, err := marshal(e)
		if err != nil {
			return nil, err
		}
		switch {
		case len(b) <= MaxSessionBytes:
			return b, nil
		case len(e.Used) > 0:
			e.Used = e.Used[1:]
		case len(e.Logins) == 0:
			return nil, &sizeError{what: "the session", size: len(b), limit: MaxSessionBytes}
		default:
			e.Logins = e.Logins[1:]
		}
	}
}

// marshal is json.Marshal without HTML escaping.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// sizeError reports a value above its limit, naming both; it is an
// ErrSessionTooLarge.
type sizeError struct {
	what        string
	size, limit int
}

func (e *sizeError) Error() string {
	return fmt.Sprintf("%v: %s is %d bytes, at most %d", ErrSessionTooLarge, e.what, e.size, e.limit)
}

func (e *sizeError) Is(target error) bool { return target == ErrSessionTooLarge }
