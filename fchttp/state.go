package fchttp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

// The state of every login is made here rather than by the Client, so
// that a callback whose login the browser no longer holds can still be
// explained. It is 40 bytes in hexadecimal: when the login started (8
// bytes), 16 random bytes, and an HMAC-SHA256 of both (truncated to 16
// bytes) under a key derived from the session key ring and bound to the
// cookie, origin and door. The random bytes make it unguessable; the
// session still keeps it and the callback still compares it, in constant
// time. The MAC only tells whether this door issued a state, and when:
// a diagnostic, never a reason to accept a callback.
const (
	stateRandomBytes = 16
	stateMACBytes    = 16
	stateBytes       = 8 + stateRandomBytes + stateMACBytes
)

// stateKeys derives the MAC keys of the states from the session keys,
// the first making new states, every one checking them.
func stateKeys(ring [][]byte) [][]byte {
	keys := make([][]byte, len(ring))
	for i, k := range ring {
		m := hmac.New(sha256.New, k)
		m.Write([]byte("fchttp login state v1"))
		keys[i] = m.Sum(nil)
	}
	return keys
}

// newState returns the state of a login starting at now.
func (h *Handler) newState(now time.Time) string {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, stateBytes), uint64(now.Unix()))
	b = append(b, make([]byte, stateRandomBytes)...)
	_, _ = rand.Read(b[8:]) // never fails (crypto/rand)
	b = append(b, h.stateMAC(h.stateKeys[0], b)...)
	return hex.EncodeToString(b)
}

// stateIssued returns when a state was issued, and whether this door, with
// a key of its ring, issued it.
func (h *Handler) stateIssued(state string) (time.Time, bool) {
	b, err := hex.DecodeString(state)
	if err != nil || len(b) != stateBytes {
		return time.Time{}, false
	}
	body, mac := b[:stateBytes-stateMACBytes], b[stateBytes-stateMACBytes:]
	for _, k := range h.stateKeys {
		if hmac.Equal(mac, h.stateMAC(k, body)) {
			return time.Unix(int64(binary.BigEndian.Uint64(body)), 0), true
		}
	}
	return time.Time{}, false
}

func (h *Handler) stateMAC(key, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(h.binding)
	m.Write(body)
	return m.Sum(nil)[:stateMACBytes]
}

// stateDigest names a state among the used ones: a short hash, so that
// the cookie keeps no state twice.
func stateDigest(state string) string {
	sum := sha256.Sum256([]byte("fchttp used state v1\x00" + state))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// takeLogin removes and returns the login in progress the callback's state
// names; it stays used whatever happens next. When the browser's session
// does not hold it, the error says why, from what the browser sent and
// what the state tells: already used here, not issued by this door,
// expired, no session in this browser, or another login of this browser.
// Each wraps franceconnect.ErrStateMismatch.
func (h *Handler) takeLogin(s *session, state string) (pendingLogin, error) {
	now := h.now()
	p, ok := s.env.takeLogin(state)
	switch {
	case ok && p.Expiry <= now.Unix():
		return pendingLogin{}, loginError(ErrLoginExpired, "the login started more than %v ago", LoginTimeout)
	case ok:
		return p, nil
	}
	issued, ours := h.stateIssued(state)
	switch {
	case state == "":
		return pendingLogin{}, loginError(ErrLoginMismatch, "the callback has no state")
	case s.env.used(state):
		return pendingLogin{}, loginError(ErrLoginUsed, "this browser already came back with this state: the page was reloaded, or opened again from the history")
	case ours && now.Sub(issued) >= LoginTimeout:
		return pendingLogin{}, loginError(ErrLoginExpired, "the login started %v ago, more than %v", now.Sub(issued).Round(time.Second), LoginTimeout)
	case !s.cookie:
		return pendingLogin{}, loginError(ErrLoginNotFound, "the browser sent no session cookie: it refuses this site's cookies, or the login started in another browser or app")
	case s.unreadable:
		return pendingLogin{}, loginError(ErrLoginNotFound, "the session cookie does not open: it expired, or was sealed with keys no longer in SessionKeys (every instance needs the same ring)")
	case !ours:
		return pendingLogin{}, loginError(ErrLoginMismatch, "this door did not issue the state: it belongs to another door or site, or was altered")
	case len(s.env.Logins) > 0:
		return pendingLogin{}, loginError(ErrLoginMismatch, "this browser has %d other login(s) in progress: a newer login replaced this one, or it started in another browser", len(s.env.Logins))
	}
	return pendingLogin{}, loginError(ErrLoginNotFound, "this browser has no login in progress: the login started in another browser or app, or the session was reset")
}

// loginError is a login-state failure of kind, a sentinel of this package.
func loginError(kind error, detail string, args ...any) error {
	return fmt.Errorf("%w: %w: "+detail, append([]any{kind, franceconnect.ErrStateMismatch}, args...)...)
}
