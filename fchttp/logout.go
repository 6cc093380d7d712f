package fchttp

import (
	"net/http"

	"github.com/go-franceconnect/franceconnect"
)

// serveLogout ends the session here, then sends the browser to
// FranceConnect's session/end with the logout hint (spec §11): FranceConnect
// needs its own cookie, so the logout is a browser redirect, never a call
// from the server. Without a signed-in user it just goes home.
func (h *Handler) serveLogout(w http.ResponseWriter, r *http.Request) {
	s, err := h.load(r)
	if err != nil {
		h.fail(w, r, nil, stepLogout, err)
		return
	}
	var user *User
	hint := ""
	if u := s.rec.User; u != nil && u.Expiry > h.now().Unix() {
		user, hint = u.public(), u.Hint
	}
	s.rec.User, s.rec.Logout = nil, nil
	if h.cfg.OnLogout != nil {
		hook := &deferredResponse{header: make(http.Header)}
		h.cfg.OnLogout(hook, r, user)
		hook.copyHeader(w)
	}
	to := h.cfg.HomePath
	if hint != "" {
		lr, err := h.client.Logout(r.Context(), franceconnect.Token(hint))
		if err != nil {
			h.fail(w, r, s, stepLogout, err)
			return
		}
		s.rec.Logout = &pendingLogout{State: lr.State, Expiry: h.now().Add(LoginTimeout).Unix()}
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
	if lo := s.rec.Logout; lo != nil && lo.Expiry > h.now().Unix() {
		state = lo.State
	}
	s.rec.Logout = nil
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
