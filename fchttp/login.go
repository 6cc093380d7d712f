package fchttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

// maxFormBytes bounds the body of the login and logout forms.
const maxFormBytes = 16 << 10

// maxNextBytes bounds the "next" path kept with a login in progress.
const maxNextBytes = 512

// serveLogin starts a login: GET /login?acr=…&next=… or the same as a POST
// form. It keeps the login in the session under its state and sends the
// browser to FranceConnect.
func (h *Handler) serveLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, nil, stepLogin, fmt.Errorf("%w: unreadable form", franceconnect.ErrInvalidRequest))
		return
	}
	if to, ok := h.onRegisteredHost(r); !ok {
		redirect(w, to)
		return
	}
	req := h.requestFor(r.Form.Get("acr"))
	next := r.Form.Get("next")
	if !localPath(next) {
		next = h.cfg.HomePath
	}
	s, err := h.load(r)
	if err == nil {
		err = h.begin(w, r, s, req, next)
	}
	if err != nil {
		h.fail(w, r, nil, stepLogin, err)
	}
}

// requestFor is the AuthRequest of a login whose form carried acr: one
// level on FranceConnect and FranceConnect+, the space-separated accepted
// levels on ProConnect. Authorize refuses a level the platform does not
// offer; an empty or blank acr keeps the configured default.
func (h *Handler) requestFor(acr string) franceconnect.AuthRequest {
	req := h.cfg.AuthRequest
	levels := strings.Fields(acr)
	switch {
	case len(levels) == 0:
	case h.client.Platform() == franceconnect.ProConnect:
		req.AcceptedACRs = make([]franceconnect.ACR, len(levels))
		for i, a := range levels {
			req.AcceptedACRs[i] = franceconnect.ACR(a)
		}
	default:
		req.ACR = franceconnect.ACR(acr)
	}
	return req
}

// begin authorizes, keeps the login in progress and redirects to
// FranceConnect.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request, s *session, req franceconnect.AuthRequest, next string) error {
	req.State = h.newState(h.now())
	auth, err := h.client.Authorize(r.Context(), req)
	if err != nil {
		return err
	}
	s.env.addLogin(newPendingLogin(auth, next, h.now().Add(LoginTimeout)))
	if err := h.save(w, r, s); err != nil {
		return err
	}
	redirect(w, auth.URL)
	return nil
}

// serveCallback finishes a login when FranceConnect redirects back: it
// takes the login in progress named by the state (single use), lets the
// Client check everything, retries once with prompt=login on a level too
// low, then signs the user in.
func (h *Handler) serveCallback(w http.ResponseWriter, r *http.Request) {
	s, err := h.load(r)
	if err != nil {
		h.fail(w, r, nil, stepLogin, err)
		return
	}
	query := r.URL.Query()
	p, err := h.takeLogin(s, query.Get("state"))
	if err != nil {
		h.fail(w, r, s, stepLogin, err)
		return
	}
	login, err := h.client.Callback(r.Context(), query, p.authState())
	if h.retries(err, p) {
		h.log.Info("fchttp: single sign-on answered a lower level or an older authentication, retrying with prompt=login", "acr", p.ACR)
		err = h.begin(w, r, s, h.retryRequest(p), p.Next)
		if err == nil {
			return
		}
	}
	switch {
	case err != nil && p.Subject != "" && errors.Is(err, franceconnect.ErrSubjectMismatch):
		h.refuseStepUp(w, r, s, err)
	case err != nil:
		h.fail(w, r, s, stepLogin, err)
	default:
		h.complete(w, r, s, p, login)
	}
}

// retries reports whether a failed login is tried once more with
// prompt=login: single sign-on answered a level too low, or an
// authentication older than the maximum age, and the login had not asked
// for a new authentication yet.
func (h *Handler) retries(err error, p pendingLogin) bool {
	return err != nil && !p.Prompt && !h.cfg.NoACRRetry &&
		(errors.Is(err, franceconnect.ErrACRTooLow) || errors.Is(err, franceconnect.ErrStaleAuthentication))
}

// retryRequest is the request of the login p asking for a new
// authentication: the same levels, subject and maximum age.
func (h *Handler) retryRequest(p pendingLogin) franceconnect.AuthRequest {
	req := h.cfg.AuthRequest
	req.ACR, req.PromptLogin, req.Subject = p.ACR, true, p.Subject
	req.MaxAuthAge = time.Duration(p.MaxAge) * time.Second
	if !slices.Equal(p.ACRs, h.client.AcceptedACRs()) {
		req.AcceptedACRs = p.ACRs // a subset the login required
	}
	return req
}

// complete signs the user in: it ends the session the browser had,
// applies the AgentPolicy and lets OnLogin decide (a refusal or a panic
// leaves nobody signed in), or for a step-up of the same person keeps the
// application's data, starts the new session under a new id, then sends
// the hook's page or goes to the login's next.
func (h *Handler) complete(w http.ResponseWriter, r *http.Request, s *session, p pendingLogin, login *franceconnect.Login) {
	prev := s.user
	if err := h.endSession(r.Context(), s); err != nil {
		h.fail(w, r, s, stepLogin, err)
		return
	}
	if err := h.admit(login); err != nil {
		h.fail(w, r, s, stepLogin, err)
		return
	}
	page := newDeferred()
	data, kept := keptData(prev, p, login)
	if !kept {
		var err error
		if data, err = h.onLogin(page, r, login); err != nil {
			h.fail(w, r, s, stepLogin, err)
			return
		}
	}
	u := &storedUser{Subject: login.IDToken.Subject, ACR: login.IDToken.ACR, Hint: string(login.IDToken.Hint()), Data: data}
	if t := login.IDToken.AuthTime; !t.IsZero() {
		u.AuthTime = t.Unix()
	}
	s.env.Logout = nil
	err := h.replaceSession(r.Context(), s, u)
	if err == nil && h.cfg.KeepTokens {
		err = h.createTokens(r.Context(), u, &login.Tokens)
	}
	if err == nil {
		err = h.save(w, r, s)
	}
	if err != nil {
		s.user, s.create = nil, false
		h.fail(w, r, s, stepLogin, err)
		return
	}
	page.copyHeader(w)
	setPrivate(w.Header())
	if page.status != 0 {
		page.send(w)
		return
	}
	redirect(w, p.Next)
}

// onLogin runs OnLogin and returns its data in JSON, within the limit of
// the session's storage: a refusal, a panic or data that does not encode
// is an ErrApplication, data too large an ErrSessionTooLarge naming its
// size and the limit.
func (h *Handler) onLogin(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (json.RawMessage, error) {
	if h.cfg.OnLogin == nil {
		return nil, nil
	}
	var data any
	err := safely("OnLogin", func() (err error) {
		data, err = h.cfg.OnLogin(w, r, l)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrApplication, err)
	}
	b, err := marshal(data)
	switch limit := h.maxUserData(); {
	case err != nil:
		return nil, fmt.Errorf("%w: OnLogin's data does not encode in JSON: %w", ErrApplication, err)
	case string(b) == "null":
		return nil, nil
	case len(b) > limit:
		return nil, &sizeError{what: "OnLogin's data in JSON", size: len(b), limit: limit}
	}
	return b, nil
}

// maxUserData is MaxUserData, or MaxStoredUserData with a Store.
func (h *Handler) maxUserData() int {
	if h.store != nil {
		return MaxStoredUserData
	}
	return MaxUserData
}

// redirect answers 303 See Other to to, which is either a path checked by
// localPath or FranceConnect's URL.
func redirect(w http.ResponseWriter, to string) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", to)
	w.WriteHeader(http.StatusSeeOther)
}

// localPath reports whether p is a path of this site, safe to redirect to:
// one leading slash (not "//", which browsers read as another host), no
// backslash (read as a slash), no space or control character (which
// browsers strip), only ASCII, no scheme or host, at most maxNextBytes.
func localPath(p string) bool {
	if len(p) == 0 || len(p) > maxNextBytes || p[0] != '/' || len(p) > 1 && p[1] == '/' {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return false
		}
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil
}

// onRegisteredHost reports whether a login starts on the host of the
// registered callback. On a loopback site opened under another loopback
// name (localhost for 127.0.0.1, say) it is not: the session cookie would
// belong to the host FranceConnect does not come back to, and the callback
// would find no login. It then returns the same login on the registered
// origin. Public hosts are left alone: behind a reverse proxy the Host
// header may legitimately differ.
func (h *Handler) onRegisteredHost(r *http.Request) (string, bool) {
	want, got := h.origin.Hostname(), hostname(r.Host)
	if strings.EqualFold(got, want) || !loopback(got) || !loopback(want) {
		return "", true
	}
	q := url.Values{}
	for _, k := range []string{"acr", "next"} {
		if v := r.Form.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	to := *h.origin
	to.Path, to.RawQuery = h.cfg.LoginPath, q.Encode()
	return to.String(), false
}

// hostname strips the port of a Host header.
func hostname(host string) string { return (&url.URL{Host: host}).Hostname() }

// loopback reports whether host is localhost or a loopback address.
func loopback(host string) bool {
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback()
}
