package fctest

import (
	"slices"
	"strings"
)

// freshAuthFaults are the auth_time faults, whose expected outcome depends
// on the login that met them: a login that asked for a new authentication
// (prompt=login: a step-up, a retry for a level) must refuse them; any
// other may accept them, and refuses them rightly under a maximum
// authentication age, which the emulator cannot see.
var freshAuthFaults = []Fault{FaultPromptLoginIgnored, FaultMissingAuthTime}

// askedFreshAuth reports whether l sent prompt=login.
func (l *loginObs) askedFreshAuth() bool { return slices.Contains(strings.Fields(l.prompt), "login") }

// freshAuthRefused reports whether f is an auth_time fault that met l
// after l asked for a new authentication: the client must stop there.
func freshAuthRefused(f Fault, l *loginObs) bool {
	return slices.Contains(freshAuthFaults, f) && l.askedFreshAuth()
}

// freshAuthExpected is the outcome a correct relying party gives fault f
// in the case whose first login is n0: refuse for an auth_time fault that
// met a login asking for a new authentication, expect otherwise.
func (run *conformanceRun) freshAuthExpected(f Fault, expect Outcome, n0 int, who string) Outcome {
	if !slices.Contains(freshAuthFaults, f) {
		return expect
	}
	for _, l := range run.s.obs.loginsSince(run.c.ClientID, n0, who) {
		if slices.Contains(l.appliedFaults(), f) && freshAuthRefused(f, &l) {
			return OutcomeRefuse
		}
	}
	return expect
}

// freshAuthMoot says why the case cs of an auth_time fault is not judged
// ("" when it is): the service refused a login that asked for no new
// authentication, which is right under a maximum authentication age.
func freshAuthMoot(cs ConformanceCase) string {
	if !slices.Contains(freshAuthFaults, cs.Fault) || cs.Expected != OutcomeContinue || cs.Passed ||
		cs.Outcome != "refused" {
		return ""
	}
	return "the service refused a login that asked for no new authentication (no prompt=login): right if it " +
		"has a maximum authentication age, which the emulator cannot see"
}
