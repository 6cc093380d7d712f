package fctest

import (
	"fmt"
	"time"
)

// Now returns the server clock: Options.Now (zero: time.Now) moved forward
// by AdvanceClock.
func (s *Server) Now() time.Time { return s.clock() }

// AdvanceClock moves the server clock forward by d and returns the new
// time, so that codes (30 s), access and id tokens (60 s), sessions,
// interactions, refresh tokens, cached client keys and retired signing
// keys expire without sleeping; the tokens issued afterwards carry the
// moved time in iat, exp and auth_time, so a relying party under test
// moves its own clock by as much. The clock never goes back: a negative d
// is an error. Real-time waits (the latency, timeout and hang faults, the
// TLS certificate) are not affected.
func (s *Server) AdvanceClock(d time.Duration) (time.Time, error) {
	if d < 0 {
		return s.clock(), fmt.Errorf("fctest: the clock only moves forward, not by %v", d)
	}
	s.offset.Add(int64(d))
	return s.clock(), nil
}

// ClockOffset returns how far AdvanceClock moved the server clock in all.
func (s *Server) ClockOffset() time.Duration { return time.Duration(s.offset.Load()) }
