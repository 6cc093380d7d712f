package fctest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"
)

// newVisitor returns a fresh browser for the service.
func (run *conformanceRun) newVisitor() (*Visitor, error) {
	origin := run.start.Scheme + "://" + run.start.Host
	var u *Visitor
	var err error
	if run.c.Handler != nil {
		u, err = run.s.NewHandlerVisitor(run.c.Handler, origin)
	} else {
		u, err = run.s.NewVisitor(origin)
	}
	if err != nil {
		return nil, err
	}
	u.LoginPath, u.LogoutPath = run.c.LoginPath, run.c.LogoutPath
	return u, nil
}

// login opens the start page, starts a login, picks who on the emulator
// and follows the service's redirects: it returns the service's last
// answer.
func (run *conformanceRun) login(ctx context.Context, u *Visitor, who string) (*Response, error) {
	page, err := u.Open(ctx, run.c.StartURL)
	if err != nil {
		return nil, err
	}
	r, err := u.StartLogin(ctx, page, nil)
	if err != nil {
		return nil, err
	}
	back, err := u.ChooseIdentity(ctx, r, who)
	if err != nil {
		return nil, err
	}
	return run.settle(ctx, u, back)
}

// settle follows the service's redirects within its origin.
func (run *conformanceRun) settle(ctx context.Context, u *Visitor, r *Response) (*Response, error) {
	for range 10 {
		loc := r.Location()
		if loc == nil || originOf(loc) != originOf(run.start) {
			return r, nil
		}
		next, err := u.Follow(ctx, r)
		if err != nil {
			return nil, err
		}
		r = next
	}
	return r, nil
}

// hasLogout is the default SignedIn: the page offers to log out.
func (run *conformanceRun) hasLogout(r *Response) bool {
	if r.Status != 200 {
		return false
	}
	want := run.start.ResolveReference(&url.URL{Path: run.c.LogoutPath})
	for _, f := range parseForms(r.Body) {
		if to := f.target(r.URL); to != nil && samePath(to, want) {
			return true
		}
	}
	for _, l := range parseLinks(r.Body) {
		if to, err := r.URL.Parse(l.href); err == nil && samePath(to, want) {
			return true
		}
	}
	return false
}

// signedIn reports whether the service shows u signed in: on its last
// answer, or on the start page opened again.
func (run *conformanceRun) signedIn(ctx context.Context, u *Visitor, last *Response) (bool, *Response) {
	if last != nil && run.c.SignedIn(last) {
		return true, last
	}
	page, err := u.Open(ctx, run.c.StartURL)
	if err != nil {
		return false, nil
	}
	return run.c.SignedIn(page), page
}

// cleanLogin logs who in without fault; for the main identity it keeps the
// browser and its signed-in page for the clean logout.
func (run *conformanceRun) cleanLogin(ctx context.Context, who string) ConformanceCase {
	cs, _, _ := run.signIn(ctx, who)
	return cs
}

// signIn is cleanLogin, returning the browser and the signed-in page.
func (run *conformanceRun) signIn(ctx context.Context, who string) (ConformanceCase, *Visitor, *Response) {
	ctx, cancel := run.withTimeout(ctx)
	defer cancel()
	start, n0 := time.Now(), run.s.obs.nextLogin(run.c.ClientID)
	cs := ConformanceCase{Name: "clean login", Identity: who, Expected: OutcomeContinue}
	defer func() { cs.Duration = time.Since(start) }()
	u, err := run.newVisitor()
	var last *Response
	if err == nil {
		last, err = run.login(ctx, u, who)
	}
	cs.Login = run.firstLogin(n0, who)
	if err != nil {
		cs.Outcome, cs.Detail = "refused", run.explain(err, n0, who)
		return cs, nil, nil
	}
	ok, page := run.signedIn(ctx, u, last)
	if !ok {
		cs.Outcome, cs.Detail = "refused", "no signed-in page: "+describe(last)+run.loginTrouble(n0, who)
		return cs, nil, nil
	}
	cs.Passed, cs.Outcome, cs.Detail = true, "signed in", describe(last)
	return cs, u, page
}

// firstLogin returns the number of the first login of who since n0.
func (run *conformanceRun) firstLogin(n0 int, who string) int {
	if ls := run.s.obs.loginsSince(run.c.ClientID, n0, who); len(ls) > 0 {
		return ls[0].n
	}
	return 0
}

// explain describes why a journey failed, with what the emulator saw.
func (run *conformanceRun) explain(err error, n0 int, who string) string {
	var pe *PageError
	if errors.As(err, &pe) {
		return fmt.Sprintf("the emulator refused the request: %s (%s): %s", pe.Code, pe.OAuthError, pe.Description)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within %v", run.c.CaseTimeout) + run.loginTrouble(n0, who)
	}
	return err.Error() + run.loginTrouble(n0, who)
}

// loginTrouble says what the emulator refused in the logins of who since
// n0, "" when nothing.
func (run *conformanceRun) loginTrouble(n0 int, who string) string {
	for _, l := range run.s.obs.loginsSince(run.c.ClientID, n0, who) {
		if l.refused != nil {
			return fmt.Sprintf(" (the emulator answered the authorization request %s %s: %s)", l.refused.code,
				l.refused.oauthError, l.refused.detail)
		}
		for _, t := range l.tokens {
			if t.answer.status >= 400 {
				return fmt.Sprintf(" (the emulator answered the token request %s %s: %s)", t.answer.code,
					t.answer.oauthError, t.answer.detail)
			}
		}
	}
	return ""
}

// describe summarises an answer of the service.
func describe(r *Response) string {
	switch {
	case r == nil:
		return "no answer"
	case r.Location() != nil:
		return fmt.Sprintf("HTTP %d from %s to %s", r.Status, r.URL.Path, r.Location().Redacted())
	}
	return fmt.Sprintf("HTTP %d at %s", r.Status, r.URL.Path)
}

// cleanLogout logs the main identity in and out and records the service's
// answer to its logout callback, which the logout cases compare with.
func (run *conformanceRun) cleanLogout(ctx context.Context) ConformanceCase {
	cs, answer := run.logoutCase(ctx, run.c.Identity, FaultNone)
	cs.Name, cs.Expected = "clean logout", OutcomeContinue
	if cs.Passed && answer != nil {
		run.baseline = logoutAnswer{status: answer.Status, location: locationPath(answer)}
	}
	return cs
}

// locationPath is the path of a redirect's target, "" for other answers.
func locationPath(r *Response) string {
	if loc := r.Location(); loc != nil {
		return loc.Path
	}
	return ""
}

// logoutCase signs who in, applies f (when not FaultNone) and logs out:
// it passes when the person ends signed out.
func (run *conformanceRun) logoutCase(ctx context.Context, who string, f Fault) (ConformanceCase, *Response) {
	cs, u, page := run.signIn(ctx, who)
	if !cs.Passed {
		cs.Passed, cs.Skipped, cs.Outcome = false, f != FaultNone, "not run"
		cs.Detail = "the login before the logout failed: " + cs.Detail
		return cs, nil
	}
	ctx, cancel := run.withTimeout(ctx)
	defer cancel()
	start := time.Now()
	if f != FaultNone {
		if err := run.inject(f, who); err != nil {
			cs.Detail = err.Error()
			return cs, nil
		}
	}
	answer, err := run.logout(ctx, u, page)
	cs.Duration += time.Since(start)
	if err != nil {
		cs.Passed, cs.Outcome, cs.Detail = false, "failed", "logout: "+run.explain(err, cs.Login, who)
		return cs, nil
	}
	if in, _ := run.signedIn(ctx, u, nil); in {
		cs.Passed, cs.Outcome, cs.Detail = false, "signed in", "still signed in after the logout: "+describe(answer)
		return cs, answer
	}
	cs.Passed, cs.Outcome, cs.Detail = true, "signed out", describe(answer)
	return cs, answer
}

// logout submits the page's logout form (or follows its link), goes
// through the emulator's session/end and returns the service's answer to
// its logout callback.
func (run *conformanceRun) logout(ctx context.Context, u *Visitor, page *Response) (*Response, error) {
	want := run.start.ResolveReference(&url.URL{Path: run.c.LogoutPath})
	var r *Response
	var err error
	for _, f := range parseForms(page.Body) {
		if to := f.target(page.URL); to != nil && samePath(to, want) && r == nil && err == nil {
			r, err = u.submit(ctx, page, f, -1, nil)
		}
	}
	for _, l := range parseLinks(page.Body) {
		if to, perr := page.URL.Parse(l.href); perr == nil && samePath(to, want) && r == nil && err == nil {
			r, err = u.do(ctx, "GET", to, nil, page.URL)
		}
	}
	switch {
	case err != nil:
		return nil, err
	case r == nil:
		return nil, errNoLogout
	}
	end, back, err := u.intoEmulator(ctx, r)
	if err != nil || back != nil {
		return back, err
	}
	return nil, emulatorFailure(end)
}

// inject aims f at the client and who, with the run's latency.
func (run *conformanceRun) inject(f Fault, who string) error {
	in := Injection{Fault: f, ClientID: run.c.ClientID, Login: who}
	if nf, ok := netFaults[f]; ok && nf.kind == netLatency {
		in.Delay = run.c.Latency
	}
	return run.s.Inject(in)
}

// withdraw removes the injections still aimed at the client and who and
// returns their faults: those the case did not reach.
func (s *Server) withdraw(clientID, who string) []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	var left []Fault
	s.faults = slices.DeleteFunc(s.faults, func(q *queued) bool {
		if q.in.ClientID == clientID && q.in.Login == who {
			left = append(left, q.in.Fault)
			return true
		}
		return false
	})
	return left
}
