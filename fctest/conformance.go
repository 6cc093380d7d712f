package fctest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Conformance describes a conformance run against a service provider: a
// clean login and logout, then every fault that applies to its client on
// the server's platform, each in a fresh browser, deciding from what the
// emulator saw and what the service answered whether it refused the fault
// (or, for the faults a correct relying party accepts, went on). It needs
// only the service's address and its registration: no code in the service.
type Conformance struct {
	// ClientID is the client the service is registered as on the server.
	// Required.
	ClientID string
	// StartURL is the absolute URL of the page where a login starts: a page
	// with a link or a form to LoginPath, found as Visitor.StartLogin finds it.
	// Required.
	StartURL string
	// Handler, when set, is the service itself, served in-process as if it
	// were at StartURL's origin (see NewHandlerVisitor). Zero: the service is
	// reached over the network.
	Handler http.Handler
	// LoginPath is the path of the link or form that starts a login; zero:
	// "/login". On a page that starts several logins (a site with a door
	// per platform), it names the door of the run, as LogoutPath names its
	// logout; a form is submitted with the controls that name it (form
	// attribute), as a browser submits it.
	LoginPath string
	// LogoutPath is the path of the form (or link) that logs out; zero:
	// "/logout".
	LogoutPath string
	// Identity is the identity (on ProConnect the agent) of the clean login
	// and of most cases; zero: the first the server offers. Cases that wait
	// (latency, timeout, hang) run at the same time, each as another
	// identity the service accepts.
	Identity string
	// SignedIn reports whether a page of the service shows a signed-in
	// person. Zero: the page has a form or link to LogoutPath.
	SignedIn func(*Response) bool
	// Faults are the faults to run; zero: every fault that applies to the
	// client (Server.ApplicableFaults), those of the discovery document and
	// the JWKS excepted (a service reads them at start, before any case).
	Faults []Fault
	// CaseTimeout bounds each case; a service still waiting then on a
	// silent platform is judged as not giving up. Zero: 30 seconds.
	CaseTimeout time.Duration
	// Latency is how long latency faults hold their answer; zero: 1 second.
	Latency time.Duration
}

// ConformanceCase is the verdict of one case of a run.
type ConformanceCase struct {
	// Name is "clean login", "clean logout" or the fault's name.
	Name string `json:"name"`
	// Fault is the fault of the case; FaultNone for the clean login and
	// logout.
	Fault Fault `json:"-"`
	// Step is where the fault applies.
	Step Step `json:"step,omitempty"`
	// Expected is what a correct relying party does.
	Expected Outcome `json:"expected,omitempty"`
	// Passed reports whether the service did what is expected.
	Passed bool `json:"passed"`
	// Skipped reports that the case could not be run; Detail says why.
	Skipped bool `json:"skipped,omitempty"`
	// Outcome is what the service did: "refused", "accepted", "signed in",
	// "signed out", "not run".
	Outcome string `json:"outcome"`
	// Detail says what showed it.
	Detail string `json:"detail"`
	// Identity is the identity (agent) the case logged in as.
	Identity string `json:"identity,omitempty"`
	// Login is the number of the emulator's login of the case (see
	// Evidence.Login); 0 when none.
	Login int `json:"login,omitempty"`
	// Duration is how long the case took.
	Duration time.Duration `json:"duration_ns"`
}

// ConformanceReport is the result of a run.
type ConformanceReport struct {
	// ClientID, Platform and StartURL say what was run against.
	ClientID string `json:"client_id"`
	Platform string `json:"platform"`
	StartURL string `json:"start_url"`
	// Cases are the cases, the clean login and logout first, then the
	// faults in declaration order.
	Cases []ConformanceCase `json:"cases"`
	// Qualification is the emulator's qualification report of the client
	// at the end of the run.
	Qualification *QualificationReport `json:"qualification"`
	// Duration is how long the run took.
	Duration time.Duration `json:"duration_ns"`
}

// Counts returns the number of passed, failed and skipped cases.
func (r *ConformanceReport) Counts() (passed, failed, skipped int) {
	for _, c := range r.Cases {
		switch {
		case c.Skipped:
			skipped++
		case c.Passed:
			passed++
		default:
			failed++
		}
	}
	return passed, failed, skipped
}

// Failed reports whether a case failed or a qualification item the
// emulator can observe failed: what should fail a CI pipeline.
func (r *ConformanceReport) Failed() bool {
	_, failed, _ := r.Counts()
	return failed > 0 || r.Qualification != nil && r.Qualification.Failed()
}

// Case returns the case called name, or false.
func (r *ConformanceReport) Case(name string) (ConformanceCase, bool) {
	for _, c := range r.Cases {
		if c.Name == name {
			return c, true
		}
	}
	return ConformanceCase{}, false
}

// RunConformance runs c against the service and returns the report. It
// fails only when the run cannot start (unknown client, bad URL); a
// service that cannot even log in gives a report whose clean login failed
// and whose other cases are skipped.
func (s *Server) RunConformance(ctx context.Context, c Conformance) (*ConformanceReport, error) {
	start := time.Now()
	run, err := s.newRun(c)
	if err != nil {
		return nil, err
	}
	report := &ConformanceReport{ClientID: c.ClientID, Platform: s.platform.String(), StartURL: c.StartURL}
	report.Cases = run.all(ctx)
	report.Qualification, _ = s.Qualification(c.ClientID) // registered: checked by newRun
	report.Duration = time.Since(start)
	return report, nil
}

// conformanceRun is a run in progress.
type conformanceRun struct {
	s        *Server
	c        Conformance
	start    *url.URL
	baseline logoutAnswer // the service's answer to a clean logout
}

// logoutAnswer is the part of a logout callback's answer that cases
// compare with the clean logout's.
type logoutAnswer struct {
	status   int
	location string
}

// newRun checks c and fills its defaults.
func (s *Server) newRun(c Conformance) (*conformanceRun, error) {
	if !s.registered(c.ClientID) {
		return nil, fmt.Errorf("fctest: conformance: no client %q is registered", c.ClientID)
	}
	u, err := url.Parse(c.StartURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("fctest: conformance: start URL %q is not an absolute http(s) URL", c.StartURL)
	}
	c.LoginPath, c.LogoutPath = cmp.Or(c.LoginPath, "/login"), cmp.Or(c.LogoutPath, "/logout")
	c.CaseTimeout, c.Latency = cmp.Or(c.CaseTimeout, 30*time.Second), cmp.Or(c.Latency, time.Second)
	if c.Identity == "" {
		c.Identity = s.people()[0]
	} else if !s.knows(c.Identity) {
		return nil, fmt.Errorf("fctest: conformance: no %s %q on this server", s.personWord(), c.Identity)
	}
	if c.Faults == nil {
		c.Faults = s.ConformanceFaults(c.ClientID)
	}
	for _, f := range c.Faults {
		if err := s.FaultApplies(f, c.ClientID); err != nil {
			return nil, err
		}
	}
	run := &conformanceRun{s: s, c: c, start: u}
	if run.c.SignedIn == nil {
		run.c.SignedIn = run.hasLogout
	}
	return run, nil
}

// people returns the logins of the identities, or of the agents on
// ProConnect.
func (s *Server) people() []string {
	var out []string
	for _, id := range s.identities {
		out = append(out, id.Login)
	}
	for _, a := range s.agents {
		out = append(out, a.Login)
	}
	return out
}

// ConformanceFaults returns the faults a conformance run of the client
// clientID goes through by default: those that apply to it, in declaration
// order, except the faults of the discovery document and the JWKS, which a
// service fetches at start, before any case (the key rotation, which
// applies when a token is signed, is kept).
func (s *Server) ConformanceFaults(clientID string) []Fault {
	var out []Fault
	for _, f := range s.ApplicableFaults(clientID) {
		if !startupFault(f) {
			out = append(out, f)
		}
	}
	return out
}

// startupFault reports whether f applies to the discovery document or the
// JWKS, which a service fetches before any case (the key rotation, which
// applies when a token is signed, excepted).
func startupFault(f Fault) bool {
	step := faultCatalogue[f].step
	return step == StepDiscovery || step == StepKeys && f != FaultSigningKeyRotated
}

// slow reports whether the case of f waits (latency, timeout, hang).
func slow(f Fault) bool {
	_, ok := netFaults[f]
	return ok
}

// all runs the clean login and logout, then the cases: those that wait at
// the same time as the others, each as its own identity.
func (run *conformanceRun) all(ctx context.Context) []ConformanceCase {
	clean := run.cleanLogin(ctx, run.c.Identity)
	logout := run.cleanLogout(ctx)
	cases := []ConformanceCase{clean, logout}
	results := make([]ConformanceCase, len(run.c.Faults))
	if !clean.Passed {
		for i, f := range run.c.Faults {
			results[i] = skippedCase(f, "the clean login failed: no case can be judged")
		}
		return append(cases, results...)
	}
	// The key rotation first: a relying party that rate-limits its key
	// refreshes, as it should, could not fetch the new key right after a
	// case with an unknown kid forced a refresh.
	// A token without kid before, since a correct relying party refuses it
	// once two keys of its algorithm are published.
	done := make([]bool, len(run.c.Faults))
	for _, first := range []Fault{FaultMissingKid, FaultSigningKeyRotated} {
		if i := slices.Index(run.c.Faults, first); i >= 0 {
			results[i], done[i] = run.faultCase(ctx, first, run.c.Identity), true
		}
	}
	var wg sync.WaitGroup
	spare := run.spareIdentities(ctx, run.c.Faults)
	for i, f := range run.c.Faults {
		if !slow(f) {
			continue
		}
		wg.Go(func() {
			who := <-spare
			defer func() { spare <- who }()
			if who == "" {
				results[i] = skippedCase(f, "no other identity the service accepts, to wait at the same time")
				return
			}
			results[i] = run.faultCase(ctx, f, who)
		})
	}
	for i, f := range run.c.Faults {
		if !slow(f) && !done[i] {
			results[i] = run.faultCase(ctx, f, run.c.Identity)
		}
	}
	wg.Wait()
	return append(cases, results...)
}

// spareIdentities returns a pool of identities other than the main one
// that the service signs in, one per waiting case at most; "" stands for
// none when no identity passes.
func (run *conformanceRun) spareIdentities(ctx context.Context, faults []Fault) chan string {
	want := 0
	for _, f := range faults {
		if slow(f) {
			want++
		}
	}
	pool := make(chan string, max(want, 1))
	for _, who := range run.s.people() {
		if len(pool) == want || ctx.Err() != nil {
			break
		}
		if who != run.c.Identity && run.cleanLogin(ctx, who).Passed {
			pool <- who
		}
	}
	if len(pool) == 0 {
		pool <- ""
	}
	return pool
}

func skippedCase(f Fault, why string) ConformanceCase {
	info, _ := f.Info()
	return ConformanceCase{Name: f.String(), Fault: f, Step: info.Step, Expected: info.Outcome, Skipped: true,
		Outcome: "not run", Detail: why}
}

// errNoLogout is returned when a page has no way to log out.
var errNoLogout = errors.New("no form or link to the logout path")

// withTimeout bounds a case.
func (run *conformanceRun) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, run.c.CaseTimeout)
}

// loginsSince copies the logins of clientID numbered from on, of person
// who (or not yet attributed; any person when who is "").
func (o *observer) loginsSince(clientID string, from int, who string) []loginObs {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []loginObs
	if c := o.clients[clientID]; c != nil {
		for _, l := range c.logins {
			if l.n >= from && (who == "" || l.person == who || l.person == "") {
				cp := *l
				cp.wentOn, cp.tokens, cp.userinfo = slices.Clone(l.wentOn), slices.Clone(l.tokens), slices.Clone(l.userinfo)
				out = append(out, cp)
			}
		}
	}
	return out
}

// nextLogin returns the number the client's next login will get.
func (o *observer) nextLogin(clientID string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.clientLocked(clientID).next
}

// noteCase keeps the verdict of a case for the qualification report.
func (o *observer) noteCase(clientID string, cs ConformanceCase) {
	if cs.Fault == FaultNone {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	c := o.clientLocked(clientID)
	c.cases = append(c.cases, caseObs{fault: cs.Fault, passed: cs.Passed, skipped: cs.Skipped, login: cs.Login,
		outcome: cs.Outcome, detail: cs.Detail})
	if len(c.cases) > maxObservedLogins {
		c.cases = c.cases[1:]
	}
}

// Waits reports whether the case of f waits for the service's own timeout
// or a delay (the latency, timeout and hang faults): a run runs these at
// the same time, each as another identity.
func (f Fault) Waits() bool { return slow(f) }
