package fctest

import (
	"fmt"
	"slices"
	"time"
)

// Verdict is the emulator's finding on a qualification item or one of its
// checks.
type Verdict string

const (
	// VerdictPass: what the emulator saw satisfies the check.
	VerdictPass Verdict = "pass"
	// VerdictFail: the emulator saw the client do what qualification
	// refuses; the evidence says where.
	VerdictFail Verdict = "fail"
	// VerdictNotObserved: the emulator can judge this, but has not seen
	// what it needs yet (no logout, no fault injected, …).
	VerdictNotObserved Verdict = "not_observed"
	// VerdictByHand: the emulator cannot see this; ByHand says what to
	// check.
	VerdictByHand Verdict = "by_hand"
)

// QualificationReport is what the emulator can tell, from its side, of the
// 13 items of FranceConnect's qualification checklist (spec §17) for one
// registered client: a verdict per item, the checks behind it with their
// evidence (which login, which request), and what to check by hand.
// Server.Qualification builds it; GET /_emulator/qualification serves it
// from fcemulator.
type QualificationReport struct {
	// ClientID is the client observed.
	ClientID string `json:"client_id"`
	// Platform is the platform imitated.
	Platform string `json:"platform"`
	// Logins is the number of authorization requests the client sent.
	Logins int `json:"logins"`
	// Logouts is the number of logouts it sent.
	Logouts int `json:"logouts"`
	// Cases is the number of conformance cases whose verdict was noted.
	Cases int `json:"conformance_cases"`
	// Time is the server clock when the report was built.
	Time time.Time `json:"time"`
	// Items are the 13 items, in the checklist's order.
	Items []QualificationItem `json:"items"`
}

// QualificationItem is one item of the checklist.
type QualificationItem struct {
	// Number is the item's number in the checklist, 1 to 13.
	Number int `json:"number"`
	// Title says what qualification checks.
	Title string `json:"title"`
	// Verdict is fail when a check failed, pass when every check the
	// emulator could judge passed, not_observed when it could judge none
	// yet, by_hand when the item has no check the emulator can make.
	Verdict Verdict `json:"verdict"`
	// Checks are what the emulator checks of the item.
	Checks []QualificationCheck `json:"checks"`
	// ByHand says what remains to check by hand; "" when nothing does.
	ByHand string `json:"by_hand,omitempty"`

	titleFR, byHandFR string
}

// QualificationCheck is one thing the emulator checks, with its evidence.
type QualificationCheck struct {
	// ID names the check, stable across versions, e.g. "state-length".
	ID string `json:"id"`
	// Summary says what is checked.
	Summary string `json:"summary"`
	// Verdict is fail when some evidence failed, pass when there is
	// evidence and none failed, not_observed without evidence.
	Verdict Verdict `json:"verdict"`
	// Evidence lists what the emulator saw, failures first, at most
	// maxEvidence entries (Omitted counts the others).
	Evidence []Evidence `json:"evidence,omitempty"`
	// Omitted is how many entries of evidence were left out.
	Omitted int `json:"omitted,omitempty"`

	summaryFR string
}

// Evidence is one observation behind a check.
type Evidence struct {
	// Passed reports whether the observation satisfies the check.
	Passed bool `json:"passed"`
	// Login is the number of the client's login concerned, from 1 in the
	// order of the authorization requests; 0 when none.
	Login int `json:"login,omitempty"`
	// Request is the request concerned, e.g. "GET /api/v2/authorize"; ""
	// for a summary of several.
	Request string `json:"request,omitempty"`
	// Time is the server clock at that request; zero for a summary.
	Time time.Time `json:"time,omitzero"`
	// Detail says what was seen.
	Detail string `json:"detail"`

	detailFR string
}

// maxEvidence bounds the evidence listed per check.
const maxEvidence = 12

// Failed reports whether any item failed.
func (r *QualificationReport) Failed() bool {
	for _, it := range r.Items {
		if it.Verdict == VerdictFail {
			return true
		}
	}
	return false
}

// Item returns the item numbered n, or false.
func (r *QualificationReport) Item(n int) (QualificationItem, bool) {
	for _, it := range r.Items {
		if it.Number == n {
			return it, true
		}
	}
	return QualificationItem{}, false
}

// Check returns the check id of the item, or false.
func (it QualificationItem) Check(id string) (QualificationCheck, bool) {
	for _, c := range it.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return QualificationCheck{}, false
}

// Qualification reports what the emulator saw of the registered client
// clientID against FranceConnect's qualification checklist: every login
// since the server started (the last 1000), every logout, and the verdicts
// of the conformance runs of the client. It fails for a client that is not
// registered.
func (s *Server) Qualification(clientID string) (*QualificationReport, error) {
	s.mu.Lock()
	rc := s.clients[clientID]
	s.mu.Unlock()
	if rc == nil {
		return nil, fmt.Errorf("fctest: no client %q is registered", clientID)
	}
	v := s.obs.view(clientID)
	v.s, v.rc = s, rc
	r := &QualificationReport{ClientID: clientID, Platform: s.platform.String(), Logins: len(v.logins),
		Logouts: len(v.logouts), Cases: len(v.cases), Time: s.clock()}
	for _, def := range itemDefs {
		r.Items = append(r.Items, v.item(def))
	}
	return r, nil
}

// qualView is a copy of what was seen of a client, for one report.
type qualView struct {
	s       *Server
	rc      *registeredClient
	logins  []loginObs
	logouts []logoutObs
	cases   []caseObs
}

// view copies the observations of clientID.
func (o *observer) view(clientID string) *qualView {
	o.mu.Lock()
	defer o.mu.Unlock()
	v := &qualView{}
	c := o.clients[clientID]
	if c == nil {
		return v
	}
	for _, l := range c.logins {
		cp := *l
		cp.callbackFaults, cp.tokens = slices.Clone(l.callbackFaults), slices.Clone(l.tokens)
		cp.userinfo, cp.wentOn, cp.logout = slices.Clone(l.userinfo), slices.Clone(l.wentOn), nil
		if l.logout != nil {
			lo := *l.logout
			cp.logout = &lo
		}
		v.logins = append(v.logins, cp)
	}
	for _, lo := range c.logouts {
		v.logouts = append(v.logouts, *lo)
	}
	v.cases = slices.Clone(c.cases)
	return v
}

// item evaluates the checks of def.
func (v *qualView) item(def itemDef) QualificationItem {
	it := QualificationItem{Number: def.n, Title: def.en, titleFR: def.fr, ByHand: def.byHandEN,
		byHandFR: def.byHandFR, Checks: []QualificationCheck{}}
	for _, cd := range def.checks {
		it.Checks = append(it.Checks, v.check(cd))
	}
	it.Verdict = itemVerdict(it)
	return it
}

// itemVerdict combines the verdicts of the checks of it.
func itemVerdict(it QualificationItem) Verdict {
	if len(it.Checks) == 0 {
		return VerdictByHand
	}
	verdict := VerdictNotObserved
	for _, c := range it.Checks {
		switch c.Verdict {
		case VerdictFail:
			return VerdictFail
		case VerdictPass:
			verdict = VerdictPass
		}
	}
	return verdict
}

// check evaluates one check: its observations, then the faults it reads.
func (v *qualView) check(cd checkDef) QualificationCheck {
	var ev []Evidence
	if cd.eval != nil {
		ev = cd.eval(v)
	}
	ev = append(ev, v.faultEvidence(cd.faults)...)
	c := QualificationCheck{ID: cd.id, Summary: cd.en, summaryFR: cd.fr, Verdict: VerdictNotObserved}
	slices.SortStableFunc(ev, func(a, b Evidence) int {
		if a.Passed == b.Passed {
			return 0
		}
		if !a.Passed {
			return -1
		}
		return 1
	})
	for i, e := range ev {
		if !e.Passed {
			c.Verdict = VerdictFail
		} else if c.Verdict == VerdictNotObserved {
			c.Verdict = VerdictPass
		}
		if i < maxEvidence {
			c.Evidence = append(c.Evidence, e)
		}
	}
	c.Omitted = max(len(ev)-maxEvidence, 0)
	return c
}
