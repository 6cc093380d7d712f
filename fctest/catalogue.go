package fctest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Step is the step of a login where a fault applies.
type Step string

// The steps of a login, as FaultInfo names them.
const (
	// StepAuthorize is the redirect back to the service provider's callback
	// (after the identity is picked, or a silent login).
	StepAuthorize Step = "authorize"
	// StepToken is the token response, from a code or a refresh token.
	StepToken Step = "token"
	// StepUserinfo is the userinfo response.
	StepUserinfo Step = "userinfo"
	// StepLogout is the redirect back from session/end.
	StepLogout Step = "logout"
	// StepDiscovery is the discovery document.
	StepDiscovery Step = "discovery"
	// StepKeys is the provider's signing keys: the JWKS and the key that
	// signs the tokens.
	StepKeys Step = "keys"
	// StepRevocation is the token revocation endpoint.
	StepRevocation Step = "revocation"
	// StepCheckToken is a data provider's check of an access token:
	// FranceConnect's checktoken, ProConnect's introspection.
	StepCheckToken Step = "checktoken"
)

// Outcome is what a correct relying party does with a login that met a
// fault.
type Outcome string

const (
	// OutcomeRefuse: it stops the step: nobody is signed in (at the
	// logout step, the return is not taken as genuine), an error is shown
	// or logged, and no later request of the login is sent. At the
	// checktoken step, a data provider serves no data.
	OutcomeRefuse Outcome = "refuse"
	// OutcomeContinue: it completes the step as if nothing were wrong (it
	// waits out the latency, fetches the keys again, ends the local session
	// although revocation failed, serves the data).
	OutcomeContinue Outcome = "continue"
)

// FaultInfo describes a fault for the people and programs that test a
// relying party with it. Catalogue lists one per fault.
type FaultInfo struct {
	// Fault is the fault described.
	Fault Fault
	// Description says what the emulator does, in one sentence.
	Description string
	// Platforms are those where the fault applies; Inject refuses it
	// elsewhere.
	Platforms []Platform
	// Step is where in a login it applies.
	Step Step
	// Expected says what a correct relying party does; at the checktoken
	// step, what a correct data provider does.
	Expected string
	// Outcome is Expected for programs: refuse or continue.
	Outcome Outcome
}

// MarshalJSON encodes the description with the fault's and the platforms'
// names: {"name", "description", "platforms", "step", "expected",
// "outcome"}.
func (fi FaultInfo) MarshalJSON() ([]byte, error) {
	names := make([]string, 0, len(fi.Platforms))
	for _, p := range fi.Platforms {
		names = append(names, p.String())
	}
	return json.Marshal(struct {
		Name        string   `json:"name"`
		Description string   `json:"description"`
		Platforms   []string `json:"platforms"`
		Step        Step     `json:"step"`
		Expected    string   `json:"expected"`
		Outcome     Outcome  `json:"outcome"`
	}{fi.Fault.String(), fi.Description, names, fi.Step, fi.Expected, fi.Outcome})
}

// faultMeta is a catalogue entry.
type faultMeta struct {
	step      Step
	platforms []Platform
	outcome   Outcome
	desc      string
	expect    string
	// notOn says why the fault cannot apply on the platforms it leaves out.
	notOn string
	// notFor, when set, returns why the fault makes no difference to the
	// registered client rc, or "" when it applies.
	notFor func(s *Server, rc *registeredClient) string
	// notForDP is notFor for the data provider of a StepCheckToken fault.
	notForDP func(s *Server, dp *registeredDP) string
}

// why explains why the fault does not apply on p.
func (m faultMeta) why(p Platform) string {
	if m.notOn != "" {
		return m.notOn
	}
	return fmt.Sprintf("it applies on %s only", platformList(m.platforms))
}

// platformList joins the names of ps.
func platformList(ps []Platform) string {
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		names = append(names, p.String())
	}
	return strings.Join(names, " and ")
}

// Info returns the catalogue entry of f; false for FaultNone, unknown
// values and faults without an entry.
func (f Fault) Info() (FaultInfo, bool) {
	m, ok := faultCatalogue[f]
	if !ok {
		return FaultInfo{}, false
	}
	return FaultInfo{Fault: f, Description: m.desc, Platforms: slices.Clone(m.platforms), Step: m.step,
		Expected: m.expect, Outcome: m.outcome}, true
}

// Catalogue returns the description of every fault, in declaration order.
func Catalogue() []FaultInfo {
	out := make([]FaultInfo, 0, faultCount-1)
	for _, f := range AllFaults() {
		if fi, ok := f.Info(); ok {
			out = append(out, fi)
		}
	}
	return out
}

// AppliesOn reports whether f can apply on platform p.
func (f Fault) AppliesOn(p Platform) bool {
	m, ok := faultCatalogue[f]
	return ok && slices.Contains(m.platforms, p)
}

// FaultApplies returns nil when f can apply on the server's platform and,
// when clientID is not zero, to that registered client; otherwise an error
// that says why, as Inject would. The faults of StepCheckToken apply to
// data providers only, those of the other steps to service providers only:
// clientID names one or the other.
func (s *Server) FaultApplies(f Fault, clientID string) error {
	meta, ok := faultCatalogue[f]
	if !ok || f.point() == 0 {
		return fmt.Errorf("fctest: unknown fault %v", f)
	}
	if !slices.Contains(meta.platforms, s.platform) {
		return fmt.Errorf("fctest: %v cannot apply on %s: %s", f, s.platform, meta.why(s.platform))
	}
	if clientID == "" {
		return nil
	}
	s.mu.Lock()
	rc, dp := s.clients[clientID], s.dps[clientID]
	s.mu.Unlock()
	if meta.step == StepCheckToken {
		return dataProviderFault(s, f, meta, clientID, dp)
	}
	switch {
	case dp != nil:
		return fmt.Errorf("fctest: %v applies to a service provider's login: %q is a data provider, which only "+
			"checktoken faults concern", f, clientID)
	case rc == nil:
		return fmt.Errorf("fctest: %v: no client %q is registered", f, clientID)
	}
	if meta.notFor != nil {
		if why := meta.notFor(s, rc); why != "" {
			return fmt.Errorf("fctest: %v cannot apply to client %q: %s", f, clientID, why)
		}
	}
	return nil
}

// dataProviderFault says why the checktoken fault f cannot apply to the
// data provider clientID (dp, nil when none is registered), or nil.
func dataProviderFault(s *Server, f Fault, meta faultMeta, clientID string, dp *registeredDP) error {
	if dp == nil {
		return fmt.Errorf("fctest: %v concerns a data provider's check of a token: no data provider %q is registered "+
			"(service providers meet no checktoken fault)", f, clientID)
	}
	if meta.notForDP != nil {
		if why := meta.notForDP(s, dp); why != "" {
			return fmt.Errorf("fctest: %v cannot apply to data provider %q: %s", f, clientID, why)
		}
	}
	return nil
}

// ApplicableFaults returns the faults that can apply to the registered
// client clientID on the server's platform, in declaration order: for a
// service provider, what a conformance run of that client goes through
// (no checktoken fault); for a data provider, the checktoken faults.
func (s *Server) ApplicableFaults(clientID string) []Fault {
	var out []Fault
	for _, f := range AllFaults() {
		if s.FaultApplies(f, clientID) == nil {
			out = append(out, f)
		}
	}
	return out
}
