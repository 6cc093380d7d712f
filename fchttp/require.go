package fchttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

// Requirement is what a page or an action needs of the person signed in
// at a door: a level, a recent authentication, or both. The zero
// Requirement needs someone signed in at the door, at any level of its
// Client.
type Requirement struct {
	// Levels are the levels the page needs. On FranceConnect+ one eIDAS
	// level, met by itself and the levels above (eidas3 meets eidas2);
	// below the Client's level it is raised to it. On ProConnect a set, met
	// by membership since ProConnect's levels are not ordered:
	// franceconnect.ProConnectWithMFA() for two factors; the levels outside
	// the Client's AcceptedACRs are dropped, and a set without any of them
	// is refused. FranceConnect has one level, eidas1, and no higher one:
	// Require refuses anything else there. Zero: any level of the Client.
	Levels []franceconnect.ACR
	// MaxAge is how long ago the person may have authenticated at most
	// (User.AuthTime): an older authentication, or none known, is renewed
	// by a login with prompt=login, whose auth_time must be fresh
	// (franceconnect.ErrStaleAuthentication). At least one minute. Zero:
	// any age.
	MaxAge time.Duration
	// ReturnPath is where the browser comes back, with GET, after the
	// login that a request other than GET (the POST of a form) started: a
	// path of this site, such as the page of the form. Zero: the request's
	// own path and query.
	ReturnPath string
}

// stepUpParam marks the POST of the form of a StepUpPage: the request that
// starts the login. It is a query parameter, so that the guard never reads
// a body meant for the application.
const stepUpParam = "fchttp-step-up"

// Require returns a middleware that lets through the requests of a person
// signed in at this door who meets req, and sends everyone else through a
// login that does, never running next for them:
//   - a GET or HEAD from someone signed in below req starts a step-up
//     (franceconnect.Client.StepUp): a new authentication (prompt=login) at
//     the levels req needs, which must come back about the same person
//     (sub), then the same page again with GET. The session is replaced
//     under a new id and keeps the application's data (OnLogin is not
//     called again); another person is refused with a 403 page, and the
//     session ends: nobody is signed in at the door afterwards. A step-up
//     that fails otherwise leaves the session as it was;
//   - a GET or HEAD from nobody starts a login at those levels, with MaxAge
//     as its maximum authentication age;
//   - any other request (the POST of a form) gets a StepUpPage, 403, whose
//     button starts the same login and comes back to ReturnPath with GET:
//     what the browser posted is not used, never replayed, and the page
//     says so.
//
// The levels, the age and the way back come from req, never from the
// request. The error, wrapping franceconnect.ErrConfig, says why req
// cannot work at this door: FranceConnect has no level above eidas1, and
// a ProConnect set must meet the Client's AcceptedACRs.
func (h *Handler) Require(req Requirement) (func(http.Handler) http.Handler, error) {
	g := &guard{h: h, levels: slices.Clone(req.Levels), maxAge: req.MaxAge, returnPath: req.ReturnPath}
	if err := g.check(); err != nil {
		return nil, err
	}
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic("fchttp: Require: nil handler")
		}
		c := *g
		c.next = next
		return &c
	}, nil
}

// RequireLevel is Require with the levels alone:
// RequireLevel(franceconnect.EIDAS3) on FranceConnect+,
// RequireLevel(franceconnect.ProConnectWithMFA()...) on ProConnect.
func (h *Handler) RequireLevel(levels ...franceconnect.ACR) (func(http.Handler) http.Handler, error) {
	return h.Require(Requirement{Levels: levels})
}

// guard is one page or action wrapped by Require.
type guard struct {
	h          *Handler
	levels     []franceconnect.ACR
	maxAge     time.Duration
	returnPath string
	next       http.Handler
}

// check says why the requirement cannot work at this door.
func (g *guard) check() error {
	c := g.h.client
	switch {
	case g.maxAge != 0 && g.maxAge < time.Minute:
		return configError("Requirement.MaxAge %v is below one minute", g.maxAge)
	case g.returnPath != "" && !localPath(g.returnPath):
		return configError("Requirement.ReturnPath %q is not a path of this site", g.returnPath)
	case len(g.levels) == 0:
		return nil
	case c.Platform() == franceconnect.FranceConnect && slices.ContainsFunc(g.levels, func(a franceconnect.ACR) bool { return a != franceconnect.EIDAS1 }):
		return configError("Requirement.Levels %q: FranceConnect has one level, eidas1, and none above it: no page can "+
			"require more at this door; sign people in with FranceConnect+ (eidas2, eidas3) for it", g.levels)
	}
	if err := c.CheckStepUp(g.levels...); err != nil {
		return fmt.Errorf("%w: fchttp: Requirement.Levels %q at the door %v: %w", franceconnect.ErrConfig, g.levels, g.h.door, err)
	}
	return nil
}

// ServeHTTP lets the request through when the person signed in meets the
// requirement, and otherwise starts the login or shows the StepUpPage.
func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := g.h
	u, err := h.User(w, r)
	if err != nil {
		h.fail(w, r, nil, stepLogin, err)
		return
	}
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	marked := r.URL.Query().Has(stepUpParam) // the form of a StepUpPage
	switch {
	case marked && !get && !h.sameSite(r):
		h.fail(w, r, nil, stepLogin, ErrCrossOrigin)
	case u != nil && g.met(u) && marked: // met in the meantime: next never runs without the form's data
		redirect(w, g.returnTo(r))
	case u != nil && g.met(u):
		g.next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), guardedUser{h}, u)))
	case get || marked:
		g.start(w, r, g.returnTo(r))
	default:
		g.page(w, r, u)
	}
}

// guardedUser is the context key of the User a guard read for the
// request it let through, at the door of h: Handler.User returns it
// without reading the session again (with a Store, a round trip).
type guardedUser struct{ h *Handler }

// met reports whether u meets the requirement: a level among (on
// ProConnect) or at least (elsewhere) the levels, within the Client's
// policy, and an authentication recent enough.
func (g *guard) met(u *User) bool {
	if !g.h.client.Meets(u.ACR, g.levels...) {
		return false
	}
	return g.maxAge == 0 || !u.AuthTime.IsZero() && g.h.now().Sub(u.AuthTime) <= g.maxAge
}

// returnTo is where the login comes back: the request's path and query
// for a GET, ReturnPath (or else the same) for another method, without
// the step-up parameter; HomePath when that is not a path of this site.
func (g *guard) returnTo(r *http.Request) string {
	if g.returnPath != "" && r.Method != http.MethodGet && r.Method != http.MethodHead {
		return g.returnPath
	}
	q := r.URL.Query()
	q.Del(stepUpParam)
	to := (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).RequestURI()
	if !localPath(to) {
		return g.h.cfg.HomePath
	}
	return to
}

// start begins the login that meets the requirement: a step-up of the
// person signed in, or a login for nobody, which comes back to next.
func (g *guard) start(w http.ResponseWriter, r *http.Request, next string) {
	h := g.h
	s, err := h.load(r)
	if err == nil {
		dropCookie(w.Header(), h.cookieName) // User's refresh: begin writes the cookie anew
		var req franceconnect.AuthRequest
		if req, err = g.request(s.user); err == nil {
			err = h.begin(w, r, s, req, next)
		}
	}
	if err != nil {
		h.fail(w, r, nil, stepLogin, err)
	}
}

// request is the AuthRequest of the login that meets the requirement: for
// the person signed in, the step-up franceconnect.Client.StepUp makes
// (their sub, prompt=login); for nobody, the same levels without either,
// and MaxAge as the maximum authentication age.
func (g *guard) request(u *storedUser) (franceconnect.AuthRequest, error) {
	c, base := g.h.client, g.h.cfg.AuthRequest
	if u == nil && len(g.levels) == 0 {
		base.MaxAuthAge = g.maxAge
		return base, nil
	}
	need := g.need(u)
	if u != nil {
		return c.StepUp(base, u.Subject, need...)
	}
	req, err := c.StepUp(base, "nobody signed in", need...) // the levels of a step-up, for a first login
	req.Subject, req.PromptLogin, req.MaxAuthAge = "", false, g.maxAge
	return req, err
}

// need is the levels the login asks for: the requirement's, or when it
// names none (a maximum age alone), the session's level on FranceConnect
// and FranceConnect+ (a new authentication keeps it) and the Client's
// levels on ProConnect.
func (g *guard) need(u *storedUser) []franceconnect.ACR {
	c := g.h.client
	switch {
	case len(g.levels) > 0:
		return g.levels
	case c.Platform() == franceconnect.ProConnect && len(c.AcceptedACRs()) > 0:
		return c.AcceptedACRs()
	case c.Platform() == franceconnect.ProConnect:
		return franceconnect.ProConnectAnyLevel()
	case u != nil && c.Meets(u.ACR):
		return []franceconnect.ACR{u.ACR}
	}
	return []franceconnect.ACR{c.ACR()}
}

// sameSite reports whether a POST comes from this site: the standard
// library's cross-origin checks, and over https the full origin, as for
// the Handler's own routes.
func (h *Handler) sameSite(r *http.Request) bool {
	return h.cop.Check(r) == nil && h.sameOrigin(r)
}

// dropCookie removes the Set-Cookie lines of the cookie name from header.
func dropCookie(header http.Header, name string) {
	lines := slices.DeleteFunc(header.Values("Set-Cookie"), func(l string) bool { return strings.HasPrefix(l, name+"=") })
	header.Del("Set-Cookie")
	for _, l := range lines {
		header.Add("Set-Cookie", l)
	}
}

// stepUpRefused fills p for a step-up that another person confirmed: the
// id_token is about someone else than the step-up's subject (the only
// source of franceconnect.ErrSubjectMismatch in an id_token at the
// callback). The session has been ended.
func stepUpRefused(p *Problem, err error, brand string) bool {
	if !errors.Is(err, franceconnect.ErrSubjectMismatch) || !errors.Is(err, franceconnect.ErrInvalidIDToken) {
		return false
	}
	p.Status, p.Title = http.StatusForbidden, "Confirmation par une autre personne"
	p.Message = brand + " a authentifié une autre personne que celle qui était connectée à ce service. " +
		"Par sécurité, la session est fermée : personne n'est plus connecté sur ce service."
	p.UserMessage = "Si vous partagez cet appareil, fermez votre navigateur pour terminer la session " + brand +
		", puis reconnectez-vous avec votre propre compte."
	return true
}

// refuseStepUp ends the session of a step-up that another person
// confirmed, then shows why: the browser just proved someone else, so the
// session of the person signed in must not go on either.
func (h *Handler) refuseStepUp(w http.ResponseWriter, r *http.Request, s *session, err error) {
	if eerr := h.endSession(r.Context(), s); eerr != nil {
		err = eerr // the cookie forgets the session all the same
	}
	h.fail(w, r, s, stepLogin, err)
}

// keptData returns the application's data a step-up keeps: the data of
// the session the callback found, when the login was a step-up (it named
// the person signed in) and that session is still the same person's. A
// step-up that comes back to another person's session (they signed in
// meanwhile, in another tab) is a new login: OnLogin decides.
func keptData(prev *storedUser, p pendingLogin, login *franceconnect.Login) (json.RawMessage, bool) {
	if p.Subject == "" || prev == nil || prev.Subject != login.IDToken.Subject {
		return nil, false
	}
	return prev.Data, true
}
