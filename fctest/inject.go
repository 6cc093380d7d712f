package fctest

import (
	"fmt"
	"slices"
	"time"
)

// DefaultFaultDelay is how long a latency fault holds its answer when the
// Injection sets no Delay.
const DefaultFaultDelay = 2 * time.Second

// MaxFaultHold bounds how long a timeout or hang fault holds a request whose
// client never gives up, and the Delay of a latency fault: the connection
// is then dropped, so that no request of a careless client waits forever.
const MaxFaultHold = 2 * time.Minute

// MaxFaultCount bounds Injection.Count.
const MaxFaultCount = 1000

// Injection is a fault aimed at some flows. A flow is one pass of a login
// (or logout) through the fault's step: a callback, a token or refresh
// response, a userinfo response, a revocation, a logout redirect, a
// discovery document or a JWKS. The zero target (no ClientID, no Login,
// Count 0) is what InjectFault queues: the next flow of any client.
type Injection struct {
	// Fault is the fault to commit. Required.
	Fault Fault
	// ClientID aims the fault at the flows of this registered client, so
	// that parallel test suites and several service providers do not take
	// each other's faults. Zero: any client. Discovery and JWKS requests do
	// not say which client they serve: faults of those steps (and the
	// latency, timeout and hang faults of those endpoints) refuse a
	// ClientID.
	ClientID string
	// Login aims the fault at the logins of this identity (an agent on
	// ProConnect): the flows of the codes, tokens and sessions of that
	// person. Zero: anyone. Refused like ClientID on discovery and JWKS.
	Login string
	// Count is how many flows the fault applies to, at most MaxFaultCount;
	// zero: one.
	Count int
	// Delay is how long a latency fault holds its answer, in real time, at
	// most MaxFaultHold; zero: DefaultFaultDelay. Other faults refuse it.
	Delay time.Duration
}

// queued is an injection in the queue, with the flows it still applies to.
type queued struct {
	in   Injection
	left int
}

// flow is what a request tells of the login it belongs to: it aims faults
// and receives the record of those applied.
type flow struct {
	clientID, login string
	rec             *RequestRecord // never nil
}

// matches reports whether q aims at fl.
func (q *queued) matches(fl flow) bool {
	return (q.in.ClientID == "" || q.in.ClientID == fl.clientID) && (q.in.Login == "" || q.in.Login == fl.login)
}

// InjectFault queues f for the next flow of any client that reaches the
// point where it applies (see Fault). Unknown values and FaultNone are
// ignored. It checks nothing else: a fault that cannot apply on the
// platform stays queued (PendingFaults shows it). Inject checks, aims and
// repeats faults, and says why it refuses one.
func (s *Server) InjectFault(f Fault) {
	if f.point() == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &queued{in: Injection{Fault: f}, left: 1})
}

// Inject queues the injections, all of them or, when one is refused, none.
// It refuses an unknown fault; a fault that cannot apply on the server's
// platform (see Catalogue), or to the registered client named by ClientID
// (an encryption fault to a client that receives signed-only tokens, …);
// a ClientID or Login that is not registered or offered; a target on
// discovery or JWKS, which do not say whom they serve; a Count or Delay out
// of bounds, or a Delay on a fault that is not a latency fault. The error
// says why.
func (s *Server) Inject(ins ...Injection) error {
	checked := make([]*queued, 0, len(ins))
	for _, in := range ins {
		q, err := s.checkInjection(in)
		if err != nil {
			return err
		}
		checked = append(checked, q)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, checked...)
	return nil
}

// checkInjection validates in and returns its queue entry.
func (s *Server) checkInjection(in Injection) (*queued, error) {
	if err := s.FaultApplies(in.Fault, in.ClientID); err != nil {
		return nil, err
	}
	meta := faultCatalogue[in.Fault]
	anonymous := meta.step == StepDiscovery || (meta.step == StepKeys && in.Fault != FaultSigningKeyRotated)
	nf, isNet := netFaults[in.Fault]
	switch {
	case anonymous && (in.ClientID != "" || in.Login != ""):
		return nil, fmt.Errorf("fctest: %v applies to the %s endpoint, whose requests do not say which client or "+
			"person they serve: it cannot be aimed at a client_id or a login", in.Fault, meta.step)
	case in.Login != "" && !s.knows(in.Login):
		return nil, fmt.Errorf("fctest: %v: no %s %q on this server", in.Fault, s.personWord(), in.Login)
	case in.Count < 0 || in.Count > MaxFaultCount:
		return nil, fmt.Errorf("fctest: %v: count %d is out of 0..%d", in.Fault, in.Count, MaxFaultCount)
	case in.Delay != 0 && (!isNet || nf.kind != netLatency):
		return nil, fmt.Errorf("fctest: %v: only latency faults take a delay", in.Fault)
	case in.Delay < 0 || in.Delay > MaxFaultHold:
		return nil, fmt.Errorf("fctest: %v: delay %v is out of 0..%v", in.Fault, in.Delay, MaxFaultHold)
	}
	q := &queued{in: in, left: max(in.Count, 1)}
	q.in.Count = 0
	return q, nil
}

// personWord names the people of the platform.
func (s *Server) personWord() string {
	if s.platform == ProConnect {
		return "agent"
	}
	return "identity"
}

// PendingFaults returns the faults of the queued injections, one per
// injection, in queue order.
func (s *Server) PendingFaults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, 0, len(s.faults))
	for _, q := range s.faults {
		out = append(out, q.in.Fault)
	}
	return out
}

// Pending returns the queued injections, in queue order, with Count the
// number of flows each still applies to.
func (s *Server) Pending() []Injection {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Injection, 0, len(s.faults))
	for _, q := range s.faults {
		in := q.in
		in.Count = q.left
		out = append(out, in)
	}
	return out
}

// ClearFaults empties the fault queue.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// ClearClientFaults removes the injections aimed at the client clientID,
// leaving those of the other clients and the untargeted ones.
func (s *Server) ClearClientFaults(clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = slices.DeleteFunc(s.faults, func(q *queued) bool { return q.in.ClientID == clientID })
}

// takeFault applies the first queued fault for p that aims at fl, or
// returns FaultNone.
func (s *Server) takeFault(p faultPoint, fl flow) Fault {
	in, _ := s.take(fl, func(f Fault) bool { return f.point() == p })
	return in.Fault
}

// take consumes one application of the first queued injection whose fault
// satisfies want and that aims at fl, notes the fault in fl's record and
// returns the injection; false when there is none.
func (s *Server) take(fl flow, want func(Fault) bool) (Injection, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, q := range s.faults {
		if !want(q.in.Fault) || !q.matches(fl) {
			continue
		}
		if q.left--; q.left <= 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		}
		fl.rec.Faults = append(fl.rec.Faults, q.in.Fault)
		return q.in, true
	}
	return Injection{}, false
}
