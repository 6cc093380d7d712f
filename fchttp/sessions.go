package fchttp

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// session is one request's view of the browser's session at this door.
type session struct {
	cookie  bool        // the browser holds the cookie
	env     envelope    // the logins and the logout in progress
	user    *storedUser // the signed-in session, checked; nil when none
	create  bool        // user is new: Store.Create when saved
	update  bool        // user changed: Store.Update when saved
	dropped bool        // the cookie holds what opens nothing: rewrite it
	// unreadable: the cookie does not open (expired, altered, or sealed
	// with keys out of the ring)
	unreadable bool
}

// load reads r's session at this door. A missing, tampered, expired or
// foreign cookie is an empty session, and a session that ended (idle,
// expired, revoked, deleted) is none; only failing shared state is an
// error (ErrStore).
func (h *Handler) load(r *http.Request) (*session, error) {
	s := &session{}
	c, err := r.Cookie(h.cookieName)
	if err != nil || c.Value == "" {
		return s, nil
	}
	s.cookie = true
	now := h.now()
	data := h.sealer.open(c.Value, now)
	if data == nil || json.Unmarshal(data, &s.env) != nil {
		s.env, s.dropped, s.unreadable = envelope{}, true, true
		return s, nil
	}
	had := s.env.User != nil || s.env.Ref != nil
	s.user, err = h.signedIn(r.Context(), &s.env, now)
	s.dropped = had && s.user == nil
	return s, err
}

// signedIn returns the session the envelope holds, or with a Store names,
// if it is still on: not expired, not idle, not revoked.
func (h *Handler) signedIn(ctx context.Context, e *envelope, now time.Time) (*storedUser, error) {
	u := e.User
	if h.store != nil {
		u = nil
		if e.Ref != nil {
			var err error
			if u, err = h.loadStored(ctx, e.Ref.ID); err != nil {
				return nil, err
			}
		}
	}
	e.User, e.Ref = nil, nil
	if u == nil || now.Unix() >= u.end(h.cfg.IdleTimeout) {
		return nil, nil
	}
	if h.revocations != nil {
		revoked, err := h.revocations.Revoked(ctx, idKey(u.ID), subjectKey(h.door, u.Subject), time.UnixMilli(u.Start))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrStore, err)
		}
		if revoked {
			return nil, nil
		}
	}
	return u, nil
}

// loadStored reads session id from the Store; a record sealed for another
// id, door, cookie or origin, or by a key out of the ring, is none.
func (h *Handler) loadStored(ctx context.Context, id string) (*storedUser, error) {
	sealed, err := h.store.Load(ctx, idKey(id))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStore, err)
	}
	var u storedUser
	data := h.sealer.openRecord(id, sealed, h.now())
	if data == nil || json.Unmarshal(data, &u) != nil {
		return nil, nil
	}
	return &u, nil
}

// save writes the session: the Store's copy when it changed, and the
// cookie, deleted when the session holds nothing.
func (h *Handler) save(w http.ResponseWriter, r *http.Request, s *session) error {
	s.env.prune(h.now())
	if err := h.persist(r.Context(), s); err != nil {
		return err
	}
	s.env.User, s.env.Ref = nil, nil
	switch {
	case s.user != nil && h.store != nil:
		s.env.Ref = &storedUserRef{ID: s.user.ID, Expiry: s.user.Expiry}
	case s.user != nil:
		s.env.User = s.user
	}
	c := &http.Cookie{Name: h.cookieName, Path: "/", HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode}
	if s.env.empty() {
		if s.cookie {
			c.MaxAge = -1
			http.SetCookie(w, c)
		}
		s.cookie, s.dropped = false, false
		return nil
	}
	data, err := s.env.encode()
	if err != nil {
		return err
	}
	expiry := s.env.expiry(h.cfg.IdleTimeout)
	if c.Value, err = h.sealer.seal(data, expiry); err != nil {
		return err
	}
	c.MaxAge = max(1, int((expiry.Sub(h.now())+time.Second-1)/time.Second))
	http.SetCookie(w, c)
	s.cookie, s.dropped = true, false
	return nil
}

// persist creates or updates the session in the Store. An update of a
// session that a logout deleted in the meantime leaves nobody signed in.
func (h *Handler) persist(ctx context.Context, s *session) error {
	u := s.user
	if h.store == nil || u == nil || !s.create && !s.update {
		return nil
	}
	data, err := marshal(u)
	if err != nil {
		return err
	}
	expiry := time.Unix(u.end(h.cfg.IdleTimeout), 0)
	data = h.sealer.sealRecord(u.ID, data, expiry)
	ok := true
	if s.create {
		err = h.store.Create(ctx, idKey(u.ID), subjectKey(h.door, u.Subject), data, expiry)
	} else {
		ok, err = h.store.Update(ctx, idKey(u.ID), data, expiry)
	}
	s.create, s.update = false, false
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStore, err)
	}
	if !ok {
		s.user, s.dropped = nil, true
	}
	return nil
}

// User returns who is signed in at this door on r's session, or nil; a
// session opened at another door is nobody here. It marks the response
// private (Cache-Control: no-store, X-Content-Type-Options: nosniff,
// Referrer-Policy: no-referrer) and keeps the session from going idle,
// rewriting the cookie or the Store's copy now and then: call it before
// writing the response. The error is non-nil only when the Store or the
// Revocations fail; show a 503 then, never a signed-out page. On a request
// that a guard of this Handler (Require) let through, it returns what the
// guard read.
func (h *Handler) User(w http.ResponseWriter, r *http.Request) (*User, error) {
	setPrivate(w.Header())
	if u, ok := r.Context().Value(guardedUser{h}).(*User); ok {
		c := *u
		c.Data = bytes.Clone(u.Data)
		return &c, nil
	}
	s, err := h.load(r)
	if err != nil {
		return nil, err
	}
	now := h.now()
	if u := s.user; u != nil && now.Unix()-u.Seen >= refreshEvery(h.cfg.IdleTimeout) {
		u.Seen, s.update = now.Unix(), true
		if h.store != nil {
			err = h.persist(r.Context(), s) // the cookie names the same session
		} else {
			err = h.save(w, r, s)
		}
		if err != nil {
			return nil, err
		}
	}
	if s.dropped {
		if err := h.save(w, r, s); err != nil {
			return nil, err
		}
	}
	if s.user == nil {
		return nil, nil
	}
	return s.user.public(h.door), nil
}

// refreshEvery is how often, in seconds, a request pushes the idle
// deadline back: an eighth of the timeout, so that a user active within
// seven eighths of it stays signed in.
func refreshEvery(idle time.Duration) int64 { return max(1, int64(idle/time.Second)/8) }

// endSession ends the session s holds, if any: deleted from the Store, or
// revoked until its expiry; without shared state it is only forgotten by
// this response's cookie.
func (h *Handler) endSession(ctx context.Context, s *session) error {
	u := s.user
	s.user, s.create, s.update = nil, false, false
	var err error
	switch {
	case u == nil:
	case h.store != nil:
		err = h.store.Delete(ctx, idKey(u.ID))
		if err == nil && h.cfg.KeepTokens {
			err = h.store.Delete(ctx, tokensKey(u.ID))
		}
	case h.revocations != nil:
		err = h.revocations.Revoke(ctx, idKey(u.ID), time.Unix(u.Expiry, 0))
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStore, err)
	}
	return nil
}

// replaceSession ends the session s holds, if any, and starts u in its
// place under a new session id, with a new start and expiry: every change
// of who is signed in, or of their level, goes through it, so that an id
// seen before never opens the session after. save then keeps it.
func (h *Handler) replaceSession(ctx context.Context, s *session, u *storedUser) error {
	if err := h.endSession(ctx, s); err != nil {
		return err
	}
	now := h.now()
	u.ID = rand.Text()
	u.Start, u.Seen, u.Expiry = now.UnixMilli(), now.Unix(), now.Add(h.cfg.SessionLifetime).Unix()
	s.user, s.create = u, true
	return nil
}

// LogoutEverywhere ends every session of the person whose sub at this door
// is subject, on every device: after an account deletion, when an
// administrator blocks someone, or for a compromised account. It needs
// shared state: with a Store it deletes the sessions, with Revocations it
// revokes those that started until now. Without either it returns
// ErrNoSharedState: a sealed cookie cannot be recalled.
func (h *Handler) LogoutEverywhere(ctx context.Context, subject string) error {
	key := subjectKey(h.door, subject)
	var err error
	switch {
	case h.store != nil:
		err = h.store.DeleteSubject(ctx, key)
	case h.revocations != nil:
		now := h.now()
		err = h.revocations.RevokeSubject(ctx, key, now, now.Add(MaxSessionLifetime))
	default:
		return ErrNoSharedState
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStore, err)
	}
	return nil
}
