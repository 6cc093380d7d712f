package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

const (
	sessionCookie = "fs_session"
	sessionMaxAge = 2 * time.Hour
	// maxCookieBytes keeps the cookie under the 4 KB browsers accept.
	maxCookieBytes = 4000
)

// session is everything the site remembers about a browser. It travels in
// the fs_session cookie, signed but not encrypted: the browser can read it
// (not its scripts: the cookie is HttpOnly), so it holds no identity data
// beyond a display name. A production site would rather keep it server side.
type session struct {
	Expires int64 `json:"exp"`
	// CSRF is the anti-forgery token of the site's POST forms.
	CSRF string `json:"csrf,omitempty"`
	// Auth is the pending login, between /login and /callback (single use).
	Auth *franceconnect.AuthState `json:"auth,omitempty"`
	// Hint is the signed id_token, sent back to FranceConnect at logout.
	// A string: franceconnect.Token redacts itself when encoded.
	Hint string `json:"hint,omitempty"`
	// Name is the display name of the signed-in user.
	Name string `json:"name,omitempty"`
	// LogoutState is the pending logout, between /logout and /logout-callback.
	LogoutState string `json:"logout,omitempty"`
	// Flash is a one-time message for the home page.
	Flash string `json:"flash,omitempty"`
}

func (s *session) signedIn() bool { return s.Hint != "" }

// csrfToken returns the session's anti-forgery token, creating it if needed.
func (s *session) csrfToken() string {
	if s.CSRF == "" {
		s.CSRF = randomHex(32)
	}
	return s.CSRF
}

// validCSRF compares the token of a form with the session's, in constant time.
func (s *session) validCSRF(token string) bool {
	return s.CSRF != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRF)) == 1
}

// sessionStore encodes sessions as base64url(JSON) + "." + HMAC-SHA256.
type sessionStore struct {
	key    []byte
	secure bool // set the Secure attribute: the site is served over https
	now    func() time.Time
}

// load returns the request's session; a missing, malformed, expired or
// badly signed cookie gives an empty session.
func (st *sessionStore) load(r *http.Request) session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}
	}
	payload, mac, ok := strings.Cut(c.Value, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(st.sign(payload))) {
		return session{}
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return session{}
	}
	var s session
	if err := json.Unmarshal(raw, &s); err != nil || st.now().Unix() > s.Expires {
		return session{}
	}
	return s
}

// save writes s into the cookie, or deletes the cookie when s is empty.
func (st *sessionStore) save(w http.ResponseWriter, s session) error {
	c := &http.Cookie{Name: sessionCookie, Path: "/", HttpOnly: true, Secure: st.secure, SameSite: http.SameSiteLaxMode}
	s.Expires = 0
	if s == (session{}) {
		c.MaxAge = -1
		http.SetCookie(w, c)
		return nil
	}
	s.Expires = st.now().Add(sessionMaxAge).Unix()
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	payload := base64.RawURLEncoding.EncodeToString(raw)
	c.Value = payload + "." + st.sign(payload)
	if len(c.Value) > maxCookieBytes {
		return errors.New("session cookie too large")
	}
	http.SetCookie(w, c)
	return nil
}

func (st *sessionStore) sign(payload string) string {
	m := hmac.New(sha256.New, st.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// randomHex returns n random bytes in hexadecimal.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
