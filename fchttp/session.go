package fchttp

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

// Limits of what a session holds.
const (
	// LoginTimeout is how long a login or a logout in progress waits for
	// FranceConnect's redirect back: ten minutes.
	LoginTimeout = 10 * time.Minute
	// DefaultSessionLifetime is how long a signed-in session lasts when
	// Config.SessionLifetime is zero.
	DefaultSessionLifetime = 12 * time.Hour
	// MaxSessionBytes bounds the encoded session. Logins in progress are
	// dropped, oldest first, to stay below it; a signed-in user alone takes
	// about 1.5 KB (the logout hint is about 1 KB).
	MaxSessionBytes = 2900
	// MaxUserData bounds the data OnLogin keeps in the session.
	MaxUserData = 512
	// maxLogins is how many logins may be in progress at once (tabs).
	maxLogins = 3
)

// User is the signed-in user as the session remembers it.
type User struct {
	// Subject is the sub of the id_token: stable for one person and one FS.
	Subject string
	// ACR is the level of the login: the eIDAS level on FranceConnect and
	// FranceConnect+, one of the accepted levels on ProConnect.
	ACR franceconnect.ACR
	// AuthTime is when the person authenticated (zero when not sent).
	AuthTime time.Time
	// Expiry is when the session ends (Config.SessionLifetime after login).
	Expiry time.Time
	// Data is what OnLogin returned, e.g. an account id or a display name.
	Data string
}

// record is what a session holds, encoded in JSON with short names.
type record struct {
	Logins []pendingLogin `json:"l,omitempty"`
	User   *storedUser    `json:"u,omitempty"`
	Logout *pendingLogout `json:"o,omitempty"`
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

// storedUser is a User with its logout hint: the signed id_token, kept as a
// string because franceconnect.Token marshals as "[redacted]".
type storedUser struct {
	Subject  string            `json:"s"`
	ACR      franceconnect.ACR `json:"a"`
	AuthTime int64             `json:"t,omitempty"`
	Expiry   int64             `json:"e"`
	Data     []byte            `json:"d,omitempty"`
	Hint     string            `json:"h"`
}

func (u *storedUser) public() *User {
	out := &User{Subject: u.Subject, ACR: u.ACR, Expiry: time.Unix(u.Expiry, 0), Data: string(u.Data)}
	if u.AuthTime != 0 {
		out.AuthTime = time.Unix(u.AuthTime, 0)
	}
	return out
}

// pendingLogout is a logout between session/end and the logout callback.
type pendingLogout struct {
	State  string `json:"s"`
	Expiry int64  `json:"e"`
}

// prune drops what has expired.
func (r *record) prune(now time.Time) {
	t := now.Unix()
	r.Logins = slices.DeleteFunc(r.Logins, func(p pendingLogin) bool { return p.Expiry <= t })
	if r.User != nil && r.User.Expiry <= t {
		r.User = nil
	}
	if r.Logout != nil && r.Logout.Expiry <= t {
		r.Logout = nil
	}
}

// expiry is when the last thing the record holds expires.
func (r *record) expiry() time.Time {
	var t int64
	for _, p := range r.Logins {
		t = max(t, p.Expiry)
	}
	if r.User != nil {
		t = max(t, r.User.Expiry)
	}
	if r.Logout != nil {
		t = max(t, r.Logout.Expiry)
	}
	return time.Unix(t, 0)
}

func (r *record) empty() bool { return len(r.Logins) == 0 && r.User == nil && r.Logout == nil }

// addLogin keeps p, dropping the oldest logins beyond maxLogins.
func (r *record) addLogin(p pendingLogin) {
	r.Logins = append(r.Logins, p)
	if n := len(r.Logins) - maxLogins; n > 0 {
		r.Logins = slices.Delete(r.Logins, 0, n)
	}
}

// takeLogin removes and returns the login in progress whose state is
// state: single use, whatever happens next. The states are compared in
// constant time.
func (r *record) takeLogin(state string, now time.Time) (pendingLogin, error) {
	i := slices.IndexFunc(r.Logins, func(p pendingLogin) bool {
		return state != "" && subtle.ConstantTimeCompare([]byte(p.State), []byte(state)) == 1
	})
	if i < 0 {
		return pendingLogin{}, fmt.Errorf("%w: %w", ErrLoginNotFound, franceconnect.ErrStateMismatch)
	}
	p := r.Logins[i]
	r.Logins = slices.Delete(r.Logins, i, i+1)
	if p.Expiry <= now.Unix() {
		return pendingLogin{}, fmt.Errorf("%w: %w", ErrLoginExpired, franceconnect.ErrStateMismatch)
	}
	return p, nil
}

// encode returns the record in JSON within MaxSessionBytes, dropping the
// oldest logins in progress when needed.
func (r *record) encode() ([]byte, error) {
	for {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			return nil, err
		}
		b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		switch {
		case len(b) <= MaxSessionBytes:
			return b, nil
		case len(r.Logins) == 0:
			return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrSessionTooLarge, len(b), MaxSessionBytes)
		}
		r.Logins = r.Logins[1:]
	}
}

// session is one request's view of the browser's session.
type session struct {
	value string // the cookie value received, "" when none
	rec   record
}

// load reads the request's session. A missing, unknown, expired, tampered
// or undecodable cookie is an empty session; only a failing Store is an
// error.
func (h *Handler) load(r *http.Request) (*session, error) {
	s := &session{}
	c, err := r.Cookie(h.cookieName)
	if err != nil || c.Value == "" {
		return s, nil
	}
	s.value = c.Value
	data, err := h.store.Load(r.Context(), c.Value)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStore, err)
	}
	if data != nil && json.Unmarshal(data, &s.rec) != nil {
		s.rec = record{}
	}
	return s, nil
}

// save stores the session and sets the cookie, or deletes both when the
// session holds nothing.
func (h *Handler) save(w http.ResponseWriter, r *http.Request, s *session) error {
	now := h.now()
	s.rec.prune(now)
	c := &http.Cookie{Name: h.cookieName, Path: "/", HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode}
	if s.rec.empty() {
		if s.value == "" {
			return nil
		}
		if err := h.store.Delete(r.Context(), s.value); err != nil {
			return fmt.Errorf("%w: %w", ErrStore, err)
		}
		c.MaxAge = -1
		http.SetCookie(w, c)
		s.value = ""
		return nil
	}
	data, err := s.rec.encode()
	if err != nil {
		return err
	}
	expiry := s.rec.expiry()
	value, err := h.store.Save(r.Context(), s.value, data, expiry)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStore, err)
	}
	c.Value, c.MaxAge = value, max(1, int((expiry.Sub(now)+time.Second-1)/time.Second))
	http.SetCookie(w, c)
	s.value = value
	return nil
}
