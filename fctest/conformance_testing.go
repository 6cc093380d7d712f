package fctest

import (
	"context"
	"fmt"
)

// ConformanceT is the part of *testing.T that RunConformanceTests uses;
// declaring it here keeps the testing package out of programs that run
// the emulator.
type ConformanceT[T any] interface {
	Helper()
	Errorf(format string, args ...any)
	Logf(format string, args ...any)
	Skip(args ...any)
	Run(name string, f func(T)) bool
}

// RunConformanceTests runs c against the service like RunConformance,
// then reports each case as a subtest of t (t.Run per case: failed cases
// fail, skipped ones skip, with what showed it) and each qualification
// item the emulator judged failed as a failing subtest "qualification/N".
// It returns the report, or nil after failing t when the run cannot start.
//
//	report := fctest.RunConformanceTests(t, emu, fctest.Conformance{
//		ClientID: "my-fs", StartURL: "https://fs.example.fr/", Handler: site})
func RunConformanceTests[T ConformanceT[T]](t T, s *Server, c Conformance) *ConformanceReport {
	t.Helper()
	report, err := s.RunConformance(context.Background(), c)
	if err != nil {
		t.Errorf("%v", err)
		return nil
	}
	for _, cs := range report.Cases {
		t.Run(cs.Name, func(t T) {
			switch {
			case cs.Skipped:
				t.Skip(cs.Detail)
			case !cs.Passed:
				t.Errorf("%s (expected: %s) as %s, login #%d: %s", cs.Outcome, cs.Expected, cs.Identity, cs.Login, cs.Detail)
			default:
				t.Logf("%s: %s", cs.Outcome, cs.Detail)
			}
		})
	}
	for _, it := range report.Qualification.Items {
		if it.Verdict != VerdictFail {
			continue
		}
		t.Run(fmt.Sprintf("qualification/%d", it.Number), func(t T) {
			for _, ck := range it.Checks {
				for _, e := range ck.Evidence {
					if !e.Passed {
						t.Errorf("%s: login #%d %s: %s", ck.ID, e.Login, e.Request, e.Detail)
					}
				}
			}
		})
	}
	return report
}
