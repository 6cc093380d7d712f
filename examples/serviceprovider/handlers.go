package main

import (
	"bytes"
	"crypto/rand"
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

var templates = template.Must(template.New("").Funcs(template.FuncMap{"que": que}).ParseFS(templateFS, "templates/*.html"))

// que is "que " before name, or "qu'" with the elision French requires
// before a vowel: "en tant que Camille", "en tant qu'Éloïse".
func que(name string) string {
	first, _ := utf8.DecodeRuneInString(name)
	if strings.ContainsRune("AEIOUYÀÂÄÆÉÈÊËÎÏÔÖŒÙÛÜŸ", unicode.ToUpper(first)) {
		return "qu'"
	}
	return "que "
}

// routes returns the site's handler: fchttp's routes and the site's pages.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	a.fc.Register(mux) // GET and POST /login, /callback, POST /logout, /logout-callback, the keys
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /deconnecte", a.home)
	mux.HandleFunc("/", a.notFound)
	return a.logRequests(mux)
}

// home shows the FranceConnect+ or ProConnect button, or who is signed in;
// on /deconnecte, that the logout went through the platform.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	p, ok := a.page(w, r, "Accueil")
	if !ok {
		return
	}
	if r.URL.Path == "/deconnecte" && !p.SignedIn {
		p.Flash = "Vous êtes déconnecté·e de ce service et de " + p.Brand + "."
	}
	a.render(w, http.StatusOK, "home", p)
}

// onLogin shows the verified identity (on ProConnect the agent and the
// organisation) right away, without storing it; the session keeps only the
// display name.
func (a *app) onLogin(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (string, error) {
	a.log.Info("login succeeded", "acr", l.IDToken.ACR)
	if ag := l.Identity.Agent; ag != nil {
		p := a.pageFor("Votre identité", agentName(ag))
		p.Agent = newAgentView(l)
		a.render(w, http.StatusOK, "agent", p)
		return p.Name, nil
	}
	p := a.pageFor("Votre identité", displayName(l.Identity))
	p.Identity = newIdentityView(l)
	a.render(w, http.StatusOK, "identity", p)
	return p.Name, nil
}

// onError shows fchttp's explanation of a failed step in the site's layout.
func (a *app) onError(w http.ResponseWriter, r *http.Request, problem *fchttp.Problem) {
	p := a.pageFor(problem.Title, "")
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

// page is the data of every template.
type page struct {
	Title, Nonce, Brand string
	Plus, ProConnect    bool
	Emulator            bool
	SignedIn            bool
	Name, Flash         string
	Identity            *identityView
	Agent               *agentView
	Error               *fchttp.Problem
	Button              fchttp.Button // the login button, with the level chosen on the page
	Levels              []levelChoice // ProConnect: the sets of accepted levels offered
}

// page returns the data of a page for r's session; it answers 503 itself
// when the session cannot be read.
func (a *app) page(w http.ResponseWriter, r *http.Request, title string) (page, bool) {
	u, err := a.fc.User(r)
	if err != nil {
		a.log.Error("cannot read the session", "err", err)
		http.Error(w, "Service momentanément indisponible", http.StatusServiceUnavailable)
		return page{}, false
	}
	name := ""
	if u != nil {
		name = u.Data
	}
	return a.pageFor(title, name), true
}

func (a *app) pageFor(title, name string) page {
	platform := a.client.Platform()
	button := a.fc.Button()
	button.ID = "fc-login" // the level radios name this form
	p := page{Title: title, Brand: platform.String(), Plus: platform == franceconnect.FranceConnectPlus,
		ProConnect: platform == franceconnect.ProConnect,
		Emulator:   a.emu != nil, SignedIn: name != "", Name: name, Button: button}
	if p.ProConnect {
		p.Levels = levelChoices(a.levels)
	}
	return p
}

// render writes the named template with a CSP that allows only its own
// nonce-tagged style and forms to the site and provider.
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

// logRequests sets the common security headers and logs each request
// without its query, which carries codes and states.
func (a *app) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
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
