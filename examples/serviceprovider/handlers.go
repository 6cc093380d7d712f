package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
)

//go:embed templates/*.html
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{"de": de, "lower": strings.ToLower}).
	ParseFS(templateFS, "templates/*.html"))

// de is "de " before name, or "d'" with the elision French requires before
// a vowel: "au nom de Camille", "au nom d'Éloïse".
func de(name string) string {
	first, _ := utf8.DecodeRuneInString(name)
	if strings.ContainsRune("AEIOUYÀÂÄÆÉÈÊËÎÏÔÖŒÙÛÜŸ", unicode.ToUpper(first)) {
		return "d'"
	}
	return "de "
}

// account is what a door's session keeps, in JSON (fchttp encodes it): the
// site's own id for the person, the name its pages show, and on the
// citizen door the birth date, on the agent door the organisation.
type account struct {
	ID           string                   `json:"id"`
	Name         string                   `json:"name"`
	Birthdate    *franceconnect.Birthdate `json:"birthdate,omitempty"`
	Organization string                   `json:"organization,omitempty"`
	SIRET        string                   `json:"siret,omitempty"`
}

// accountID stands for the id a real site finds in its database: a short
// digest of the door and the sub.
func accountID(d *door, sub string) string {
	sum := sha256.Sum256([]byte(d.key + "\x00" + sub))
	return strings.ToUpper(hex.EncodeToString(sum[:5]))
}

// routes returns the site's handler: the doors' routes (fchttp), the home
// page, the areas of a two-door site, and the logged-out pages.
func (a *app) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	var handlers []*fchttp.Handler
	for _, d := range a.doors {
		handlers = append(handlers, d.fc)
	}
	if err := fchttp.RegisterDoors(mux, handlers...); err != nil { // each door: login, callback, logout, its keys
		return nil, err
	}
	mux.HandleFunc("GET /{$}", a.home)
	for _, d := range a.doors {
		mux.HandleFunc("GET "+d.path("/deconnecte"), a.home)
		if d.key != "" {
			mux.HandleFunc("GET "+d.area()+"{$}", func(w http.ResponseWriter, r *http.Request) { a.areaPage(w, r, d) })
		}
	}
	a.routeSensitive(mux)
	mux.HandleFunc("/", a.notFound)
	return a.logRequests(mux), nil
}

// home shows each door's button, or who is signed in there; on a
// logged-out page, that the logout went through the platform.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	title := "Accueil"
	for _, d := range a.doors {
		if r.URL.Path == d.path("/deconnecte") {
			title = "Session fermée"
		}
	}
	p, ok := a.page(w, r, title)
	if !ok {
		return
	}
	for _, d := range p.Doors {
		if r.URL.Path == d.door.path("/deconnecte") && !d.SignedIn {
			p.Flash = "Votre session est fermée, sur ce service et sur " + d.Brand + "."
		}
	}
	a.render(w, http.StatusOK, "home", p)
}

// areaPage is a door's area on the two-door site: what the session keeps
// for a user signed in at this door, and for anyone else, a refusal with
// the door's button. A session opened at the other door opens nothing
// here.
func (a *app) areaPage(w http.ResponseWriter, r *http.Request, d *door) {
	p, ok := a.page(w, r, "Espace "+d.key)
	if !ok {
		return
	}
	status := http.StatusOK
	for i := range p.Doors {
		switch v := &p.Doors[i]; {
		case v.door == d:
			p.Area = v
		case v.SignedIn:
			p.Elsewhere = v.Title
		}
	}
	if !p.Area.SignedIn {
		status = http.StatusForbidden
	}
	a.render(w, status, "area", p)
}

// onLogin shows the verified identity (on ProConnect the agent and the
// organisation) right away, without storing it, and on the emulated
// FranceConnect+ door the family quotient the data provider answers to
// the login's access token; the session keeps the account (fchttp encodes
// it in JSON).
func (a *app) onLogin(ctx context.Context, d *door, w http.ResponseWriter, l *franceconnect.Login) (any, error) {
	a.log.Info("login succeeded", "door", d.key, "acr", l.IDToken.ACR)
	acct := account{ID: accountID(d, l.IDToken.Subject)}
	p := a.pageFor("Votre identité")
	p.Logout, p.Back, p.BackLabel = logoutForm(d), d.area(), "Retour à l'accueil"
	if d.key != "" { // the door's area, not the home page: the link says so
		p.BackLabel = "Aller à l'espace " + d.key
	}
	if ag := l.Identity.Agent; ag != nil {
		p.Title = "Votre compte agent"
		acct.Name, acct.Organization, acct.SIRET = agentName(ag), ag.OrganizationLabel, ag.SIRET
		p.Name, p.Brand, p.Agent = acct.Name, d.client.Platform().String(), newAgentView(l)
		p.Who = []string{acct.Name}
		a.render(w, http.StatusOK, "agent", p)
		return acct, nil
	}
	acct.Name, acct.Birthdate = displayName(l.Identity), &l.Identity.Birthdate
	p.Name, p.Brand, p.Identity = acct.Name, d.client.Platform().String(), newIdentityView(l)
	if d.data != nil {
		p.Data = a.fetchQuotient(ctx, d, l)
	}
	p.Who = []string{acct.Name}
	a.render(w, http.StatusOK, "identity", p)
	return acct, nil
}

// onError shows fchttp's explanation of a failed step in the site's layout.
func (a *app) onError(w http.ResponseWriter, r *http.Request, problem *fchttp.Problem) {
	p := a.pageFor(problem.Title)
	p.Error = problem
	a.render(w, problem.Status, "error", p)
}

func (a *app) notFound(w http.ResponseWriter, r *http.Request) {
	p, ok := a.page(w, r, "Page introuvable")
	if !ok {
		return
	}
	p.Error = &fchttp.Problem{Status: http.StatusNotFound, Title: "Page introuvable", Message: "Cette page n'existe pas.", Home: "/"}
	a.render(w, http.StatusNotFound, "error", p)
}

// render writes the named template with a CSP that allows only its own
// nonce-tagged style and forms to the site and providers.
func (a *app) render(w http.ResponseWriter, status int, name string, p page) {
	p.Nonce = randomHex(16)
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, p); err != nil {
		a.log.Error("template failed", "template", name, "err", err)
		http.Error(w, "Erreur interne", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+p.Nonce+"'; img-src data:; "+
		"form-action "+a.formAction+"; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// logRequests marks every page private (fchttp.Private: no-store, nosniff,
// no Referer) and logs each request without its query, which carries codes
// and states.
func (a *app) logRequests(next http.Handler) http.Handler {
	private := fchttp.Private(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		private.ServeHTTP(rec, r)
		a.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration", time.Since(start).Round(time.Microsecond))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// randomHex returns n random bytes in hexadecimal.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
