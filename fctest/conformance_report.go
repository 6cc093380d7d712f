package fctest

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// caseView is a case on the French HTML report.
type caseView struct {
	Name, Anchor, Class, VerdictText, Description string
	ExpectedText, OutcomeText, Detail             string
	Identity                                      string
	Login                                         int
}

var outcomeFR = map[string]string{"refused": "refusé", "accepted": "accepté", "signed in": "connexion",
	"signed out": "déconnexion", "not run": "non exécuté", "failed": "échec"}

var expectedFR = map[Outcome]string{OutcomeRefuse: "refuser", OutcomeContinue: "continuer"}

// cleanCaseFR names the cases without fault in French.
var cleanCaseFR = map[string]string{"clean login": "connexion sans défaut", "clean logout": "déconnexion sans défaut"}

// WriteText writes one line per case, the qualification items with the
// failing evidence, and a summary line.
func (r *ConformanceReport) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, c := range r.Cases {
		status, text := "PASS", c.Outcome+": "+c.Detail
		switch {
		case c.Skipped:
			status, text = "SKIP", c.Detail
		case !c.Passed:
			text = fmt.Sprintf("%s (expected: %s): %s", c.Outcome, c.Expected, c.Detail)
			status = "FAIL"
		}
		fmt.Fprintf(&b, "%-4s  %-32s  %s\n", status, c.Name, text)
	}
	if q := r.Qualification; q != nil {
		b.WriteString("qualification (" + r.ClientID + "):\n")
		for _, it := range q.Items {
			fmt.Fprintf(&b, "  %2d  %-12s  %s\n", it.Number, it.Verdict, it.Title)
			for _, ck := range it.Checks {
				for _, e := range ck.Evidence {
					if !e.Passed {
						fmt.Fprintf(&b, "        %s: login #%d %s: %s\n", ck.ID, e.Login, e.Request, e.Detail)
					}
				}
			}
		}
	}
	b.WriteString(r.Summary() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Summary is one line: the cases passed, failed and skipped, the
// qualification items by verdict, the duration, and FAIL or PASS.
func (r *ConformanceReport) Summary() string {
	passed, failed, skipped := r.Counts()
	verdicts := map[Verdict]int{}
	if r.Qualification != nil {
		for _, it := range r.Qualification.Items {
			verdicts[it.Verdict]++
		}
	}
	result := "PASS"
	if r.Failed() {
		result = "FAIL"
	}
	return fmt.Sprintf("%s: %d cases, %d passed, %d failed, %d skipped; qualification items: %d failed, %d passed, "+
		"%d not observed, %d by hand (%s)", result, len(r.Cases), passed, failed, skipped, verdicts[VerdictFail],
		verdicts[VerdictPass], verdicts[VerdictNotObserved], verdicts[VerdictByHand], r.Duration.Round(time.Millisecond))
}

// WriteHTML writes the report as a French HTML page (see
// QualificationReport.WriteHTML), the English details marked lang="en".
func (r *ConformanceReport) WriteHTML(w io.Writer) error {
	p := reportPage{Title: "Parcours de conformité – " + r.ClientID, Platform: r.Platform, ClientID: r.ClientID,
		StartURL: r.StartURL, Duration: strings.Replace(r.Duration.Round(time.Millisecond).String(), ".", ",", 1)}
	if r.Qualification != nil {
		q := frenchReport(r.Qualification)
		p.Items, p.Failed, p.When = q.Items, q.Failed, q.When
	}
	p.Passed, p.FailedCases, p.Skipped = r.Counts()
	for _, c := range r.Cases {
		cv := caseView{Name: c.Name, Anchor: strings.ReplaceAll(c.Name, " ", "-"), Class: "pass", VerdictText: "Réussi", ExpectedText: expectedFR[c.Expected],
			OutcomeText: outcomeFR[c.Outcome], Detail: c.Detail, Identity: c.Identity, Login: c.Login}
		switch {
		case c.Skipped:
			cv.Class, cv.VerdictText = "skipped", "Non exécuté"
		case !c.Passed:
			cv.Class, cv.VerdictText = "fail", "Échec"
		}
		if info, ok := c.Fault.Info(); ok {
			cv.Description = info.Description
		}
		if name, ok := cleanCaseFR[c.Name]; ok {
			cv.Name = name
		}
		p.CaseRows = append(p.CaseRows, cv)
	}
	return reportPages.ExecuteTemplate(w, "conformance", p)
}

// JUnit XML, as GitLab and GitHub read it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	Output    string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes the report as JUnit XML: a suite of the cases (class
// conformance.<step>) and a suite of the qualification items, failed ones
// as failures, those not observed or to check by hand as skipped.
func (r *ConformanceReport) WriteJUnit(w io.Writer) error {
	cases := junitSuite{Name: "conformance " + r.ClientID, Time: seconds(r.Duration)}
	for _, c := range r.Cases {
		jc := junitCase{ClassName: "conformance." + string(orStep(c.Step)), Name: c.Name, Time: seconds(c.Duration),
			Output: c.Outcome + ": " + c.Detail}
		switch {
		case c.Skipped:
			jc.Skipped = &junitMessage{Message: c.Detail}
			cases.Skipped++
		case !c.Passed:
			jc.Failure = &junitMessage{Message: fmt.Sprintf("%s (expected: %s)", c.Outcome, c.Expected), Text: c.Detail}
			cases.Failures++
		}
		cases.Cases = append(cases.Cases, jc)
	}
	cases.Tests = len(cases.Cases)
	out := junitSuites{Name: "fcemulator conformance", Time: seconds(r.Duration), Suites: []junitSuite{cases}}
	if r.Qualification != nil {
		out.Suites = append(out.Suites, junitQualification(r.Qualification))
	}
	for _, s := range out.Suites {
		out.Tests, out.Failures, out.Skipped = out.Tests+s.Tests, out.Failures+s.Failures, out.Skipped+s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func orStep(s Step) Step {
	if s == "" {
		return "login"
	}
	return s
}

// junitQualification is the suite of the qualification items.
func junitQualification(q *QualificationReport) junitSuite {
	s := junitSuite{Name: "qualification " + q.ClientID, Time: "0"}
	for _, it := range q.Items {
		jc := junitCase{ClassName: "qualification", Name: fmt.Sprintf("%02d %s", it.Number, it.Title), Time: "0"}
		switch it.Verdict {
		case VerdictFail:
			var lines []string
			for _, ck := range it.Checks {
				for _, e := range ck.Evidence {
					if !e.Passed {
						lines = append(lines, fmt.Sprintf("%s: login #%d %s: %s", ck.ID, e.Login, e.Request, e.Detail))
					}
				}
			}
			jc.Failure = &junitMessage{Message: "the emulator saw what qualification refuses", Text: strings.Join(lines, "\n")}
			s.Failures++
		case VerdictNotObserved:
			jc.Skipped = &junitMessage{Message: "not observed yet"}
			s.Skipped++
		case VerdictByHand:
			jc.Skipped = &junitMessage{Message: "to check by hand: " + it.ByHand}
			s.Skipped++
		}
		s.Cases = append(s.Cases, jc)
	}
	s.Tests = len(s.Cases)
	return s
}
