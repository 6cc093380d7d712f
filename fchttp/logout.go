package fchttp

import (
	"fmt"
	"net/http"

	"github.com/go-franceconnect/franceconnect"
)

// serveLogout ends the session here (deleted from the Store or revoked,
// whenever the site has shared state), lets OnLogout end the
// application's, then sends the browser to FranceConnect's session/end
// with the logout hint (spec §11): FranceConnect needs its own cookie, so
// the logout is a browser redirect, never a call from the server. Without
// a signed-in user it just goes home.
func (h *Handler) serveLogout(w http.ResponseWriter, r *http.Request) {
	s, err := h.load(r)
	if err != nil { // this browser forgets the session all the same
		http.SetCookie(w, &http.Cookie{Name: h.cookieName, Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
		h.fail(w, r, nil, stepLogout, err)
		return
	}
	var user *User
	hint := ""
	if u := s.user; u != nil {
		user, hint = u.public(h.door), u.Hint
	}
	s.env.Logout, s.env.Used = nil, nil
	if err := h.endSession(r.Context(), s); err != nil {
		h.fail(w, r, s, stepLogout, err) // the cookie forgets the session all the same
		return
	}
	if h.cfg.OnLogout != nil {
		hook := newDeferred()
		err := safely("OnLogout", func() error { h.cfg.OnLogout(hook, r, user); return nil })
		if err != nil {
			h.fail(w, r, s, stepLogout, fmt.Errorf("%w: %w", ErrApplication, err))
			return
		}
		hook.copyHeader(w)
	}
	to := h.cfg.HomePath
	if hint != "" {
		lr, err := h.client.Logout(r.Context(), franceconnect.Token(hint))
		if err != nil {
			h.fail(w, r, s, stepLogout, err)
			return
		}
		s.env.Logout = &pendingLogout{State: lr.State, Expiry: h.now().Add(LoginTimeout).Unix()}
		to = lr.URL
	}
	if err := h.save(w, r, s); err != nil {
		h.fail(w, r, nil, stepLogout, err)
		return
	}
	redirect(w, to)
}

// serveLogoutCallback checks the state FranceConnect sends back after
// logout (single use) and goes to LoggedOutPath.
func (h *Handler) serveLogoutCallback(w http.ResponseWriter, r *http.Request) {
	s, err := h.load(r)
	if err != nil {
		h.fail(w, r, nil, stepLogout, err)
		return
	}
	state := ""
	if lo := s.env.Logout; lo != nil {
		state = lo.State
	}
	s.env.Logout = nil
	if err := h.client.LogoutCallback(r.URL.Query(), state); err != nil {
		h.fail(w, r, s, stepLogout, err)
		return
	}
	if err := h.save(w, r, s); err != nil {
		h.fail(w, r, nil, stepLogout, err)
		return
	}
	redirect(w, h.cfg.LoggedOutPath)
}
