package fctest

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

//go:embed templates/qualif/*.html
var reportFS embed.FS

var reportPages = template.Must(template.ParseFS(reportFS, "templates/qualif/*.html"))

// verdictFR names a verdict in French, with words rather than colours.
var verdictFR = map[Verdict]string{VerdictPass: "Conforme", VerdictFail: "Non conforme",
	VerdictNotObserved: "Non observé", VerdictByHand: "À vérifier à la main"}

// reportPage is the data of the qualification and conformance pages.
type reportPage struct {
	Title, Platform, ClientID, When string
	Logins, Logouts, Cases, Failed  int
	Items                           []itemView
	Clients                         []string

	StartURL, Duration           string
	Passed, FailedCases, Skipped int
	CaseRows                     []caseView
}

type itemView struct {
	Number             int
	Title, VerdictText string
	Verdict            Verdict
	Checks             []checkView
	ByHand             string
}

type checkView struct {
	Summary, VerdictText string
	Verdict              Verdict
	Evidence             []Evidence
	Omitted              int
}

// frenchReport returns the page data of r, in French.
func frenchReport(r *QualificationReport) reportPage {
	p := reportPage{Title: "Répétition de la qualification – " + r.ClientID, Platform: r.Platform, ClientID: r.ClientID,
		When: frenchTime(r.Time), Logins: r.Logins, Logouts: r.Logouts, Cases: r.Cases}
	for _, it := range r.Items {
		iv := itemView{Number: it.Number, Title: it.titleFR, Verdict: it.Verdict, VerdictText: verdictFR[it.Verdict],
			ByHand: it.byHandFR}
		if it.Verdict == VerdictFail {
			p.Failed++
		}
		for _, c := range it.Checks {
			cv := checkView{Summary: c.summaryFR, Verdict: c.Verdict, VerdictText: verdictFR[c.Verdict], Omitted: c.Omitted}
			for _, e := range c.Evidence {
				e.Detail = e.detailFR
				cv.Evidence = append(cv.Evidence, e)
			}
			iv.Checks = append(iv.Checks, cv)
		}
		p.Items = append(p.Items, iv)
	}
	return p
}

// frenchTime renders t as "7 décembre 2026 à 16:55:13 UTC".
func frenchTime(t time.Time) string {
	t = t.UTC()
	return frenchDate(t.Format(time.DateOnly)) + " à " + t.Format("15:04:05") + " UTC"
}

// WriteHTML writes the report as a French HTML page: lang="fr", a title
// naming the client, a link to skip to the content, text that reflows on
// a 320-pixel screen, verdicts in words.
func (r *QualificationReport) WriteHTML(w io.Writer) error {
	return reportPages.ExecuteTemplate(w, "qualification", frenchReport(r))
}

// QualificationHandler serves the qualification report of the client
// named by the client_id query parameter: a French HTML page, or JSON when
// the request asks for application/json (Accept header) or format=json.
// Without client_id it lists the registered clients; an unknown client is
// a 404. fcemulator serves it at GET /_emulator/qualification.
func (s *Server) QualificationHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		wantJSON := r.URL.Query().Get("format") == "json" || strings.Contains(r.Header.Get("Accept"), "application/json")
		id := r.URL.Query().Get("client_id")
		if id == "" {
			s.serveClientList(w, wantJSON)
			return
		}
		report, err := s.Qualification(id)
		switch {
		case err != nil && wantJSON:
			writeReportJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		case err != nil:
			http.Error(w, "Aucun client "+id+" n'est déclaré sur cet émulateur.", http.StatusNotFound)
		case wantJSON:
			writeReportJSON(w, http.StatusOK, report)
		default:
			writeReportHTML(w, "qualification", frenchReport(report))
		}
	})
}

// serveClientList lists the registered clients.
func (s *Server) serveClientList(w http.ResponseWriter, wantJSON bool) {
	s.mu.Lock()
	var ids []string
	for id := range s.clients {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	slices.Sort(ids)
	if wantJSON {
		writeReportJSON(w, http.StatusOK, map[string][]string{"clients": ids})
		return
	}
	writeReportHTML(w, "qindex", reportPage{Title: "Répétition de la qualification", Platform: s.platform.String(),
		Clients: ids})
}

func writeReportJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeReportHTML(w http.ResponseWriter, name string, p reportPage) {
	var buf bytes.Buffer
	if err := reportPages.ExecuteTemplate(&buf, name, p); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "+
		"form-action 'none'; frame-ancestors 'none'")
	_, _ = w.Write(buf.Bytes())
}
