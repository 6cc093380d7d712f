package fctest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// faultCase runs the case of f as who and notes its verdict for the
// qualification report.
func (run *conformanceRun) faultCase(ctx context.Context, f Fault, who string) ConformanceCase {
	info, _ := f.Info()
	if f == FaultMissingKid && run.s.publishedKeys(run.c.ClientID) > 1 {
		info.Outcome = OutcomeRefuse // which of the keys? A correct relying party does not guess.
	}
	var cs ConformanceCase
	switch info.Step {
	case StepLogout, StepRevocation:
		cs = run.logoutFaultCase(ctx, f, who)
	default:
		cs = run.loginFaultCase(ctx, f, info.Outcome, who)
	}
	cs.Name, cs.Fault, cs.Step, cs.Identity = f.String(), f, info.Step, who
	cs.Expected = cmp.Or(cs.Expected, info.Outcome)
	if why := cmp.Or(run.levelMoot(f, cs.Login), freshAuthMoot(cs)); why != "" {
		cs.Passed, cs.Skipped, cs.Outcome, cs.Detail = false, true, "not run", why
	}
	if left := run.s.withdraw(run.c.ClientID, who); slices.Contains(left, f) && !cs.Skipped {
		cs.Passed, cs.Skipped, cs.Outcome = false, true, "not run"
		cs.Detail = "the service never sent the request the fault applies to (" + string(info.Step) + ")"
	}
	run.s.obs.noteCase(run.c.ClientID, cs)
	return cs
}

// loginFaultCase logs who in under f and decides.
func (run *conformanceRun) loginFaultCase(ctx context.Context, f Fault, expect Outcome, who string) ConformanceCase {
	ctx, cancel := run.withTimeout(ctx)
	defer cancel()
	start, n0 := time.Now(), run.s.obs.nextLogin(run.c.ClientID)
	var cs ConformanceCase
	defer func() { cs.Duration = time.Since(start) }()
	if err := run.inject(f, who); err != nil {
		return ConformanceCase{Outcome: "not run", Detail: err.Error()}
	}
	u, err := run.newVisitor()
	var last *Response
	if err == nil {
		last, err = run.login(ctx, u, who)
	}
	expect = run.freshAuthExpected(f, expect, n0, who)
	cs = run.decide(ctx, expect, u, last, err, n0, who)
	cs.Login, cs.Expected = run.firstLogin(n0, who), expect
	return cs
}

// decide judges a login under a fault whose expected outcome is expect, from what the emulator saw (did the
// service go on after the fault?) and what the service answered (is the
// person signed in?).
func (run *conformanceRun) decide(ctx context.Context, expect Outcome, u *Visitor, last *Response, err error, n0 int, who string) ConformanceCase {
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && expect == OutcomeRefuse {
			return ConformanceCase{Outcome: "accepted", Detail: fmt.Sprintf("the service did not answer within %v: "+
				"it waits for the platform without a limit of its own", run.c.CaseTimeout)}
		}
		return ConformanceCase{Outcome: "failed", Detail: "the case could not complete: " + run.explain(err, n0, who)}
	}
	for _, l := range run.s.obs.loginsSince(run.c.ClientID, n0, who) {
		if len(l.wentOn) > 0 && expect == OutcomeRefuse {
			en, _ := wentOnText(l.wentOn[0])
			return ConformanceCase{Outcome: "accepted", Detail: "the service " + en}
		}
	}
	in, _ := run.signedIn(ctx, u, last)
	switch {
	case expect == OutcomeRefuse && in:
		return ConformanceCase{Outcome: "accepted", Detail: "signed in: " + describe(last)}
	case expect == OutcomeRefuse:
		return ConformanceCase{Passed: true, Outcome: "refused", Detail: "nobody signed in: " + describe(last)}
	case in:
		return ConformanceCase{Passed: true, Outcome: "signed in", Detail: describe(last)}
	}
	return ConformanceCase{Outcome: "refused", Detail: "refused a login it should accept: " + describe(last) +
		run.loginTrouble(n0, who)}
}

// logoutFaultCase logs who in and out under f. The return from logout
// with another state must not be taken as genuine: the service's answer
// must differ from its answer to the clean logout. A failing revocation
// must not keep the person signed in.
func (run *conformanceRun) logoutFaultCase(ctx context.Context, f Fault, who string) ConformanceCase {
	if run.baseline.status == 0 {
		return ConformanceCase{Skipped: true, Outcome: "not run", Detail: "the clean logout failed: no return from " +
			"logout can be compared with it"}
	}
	cs, answer := run.logoutCase(ctx, who, f)
	if cs.Skipped || answer == nil || f != FaultLogoutWrongState {
		return cs
	}
	same := logoutAnswer{status: answer.Status, location: locationPath(answer)} == run.baseline
	if same {
		cs.Passed, cs.Outcome = false, "accepted"
		cs.Detail = "answered the forged return like a genuine one: " + describe(answer)
		return cs
	}
	cs.Passed, cs.Outcome, cs.Detail = true, "refused", "answered unlike a genuine return: "+describe(answer)
	return cs
}

// publishedKeys returns how many published keys sign with the algorithm
// of the client clientID.
func (s *Server) publishedKeys(clientID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	rc := s.clients[clientID]
	n := 0
	for _, k := range s.keys.published {
		if rc != nil && k.alg == rc.SignedResponseAlg {
			n++
		}
	}
	return n
}

// levelMoot says why the ProConnect level fault f made no difference to
// login n of the run ("" when it did).
func (run *conformanceRun) levelMoot(f Fault, n int) string {
	for _, l := range run.s.obs.loginsSince(run.c.ClientID, n, "") {
		if l.n == n {
			return run.s.levelMoot(f, &l)
		}
	}
	return ""
}

// levelMoot says why the ProConnect level fault f made no difference to
// login l ("" when it did): the level it puts is one the request accepts,
// or no level is requested.
func (s *Server) levelMoot(f Fault, l *loginObs) string {
	if s.platform != ProConnect || !slices.Contains([]Fault{FaultACRLower, FaultACRNotRequested,
		FaultACRHigherUnlisted}, f) {
		return ""
	}
	requested, _, _ := parseProConnectClaims(l.claims)
	requested = append(requested, strings.Fields(l.acrValues)...)
	if len(requested) == 0 {
		return "the service requests no level (neither claims nor acr_values): every level satisfies it"
	}
	a, _ := s.agent(l.person)
	if acr, ok := s.acrFault(&authCode{requestedACRs: requested, acr: agentACR(a)}, f); !ok ||
		slices.Contains(requested, acr) {
		return "the service accepts every level the fault could put (" + strings.Join(requested, " ") + ")"
	}
	return ""
}
