package main

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

//go:embed templates/*.html
var templateFS embed.FS

var templates = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// routes returns the site's handler.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("GET "+a.callbackPath, a.callback)
	mux.HandleFunc("POST /logout", a.logout)
	mux.HandleFunc("GET "+a.logoutCallbackPath, a.logoutCallback)
	if a.keys != nil {
		mux.Handle("GET /client/.well-known/keys", a.keys)
	}
	mux.HandleFunc("/", a.notFound)
	return a.logRequests(mux)
}

// home shows the FranceConnect+ button, or who is signed in.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	s := a.sessions.load(r)
	p := a.page(&s, "Accueil")
	s.Flash = ""
	a.render(w, r, http.StatusOK, "home", p, &s)
}

// login starts a FranceConnect login: POST from the button's form.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	s := a.sessions.load(r)
	if !s.validCSRF(r.PostFormValue("csrf")) {
		a.forbidden(w, r, &s)
		return
	}
	req := franceconnect.AuthRequest{ACR: a.chosenLevel(r.PostFormValue("acr"))}
	if a.requestAMR {
		req.Claims = franceconnect.RequestAMR()
	}
	auth, err := a.fc.Authorize(r.Context(), req)
	if err != nil {
		a.fail(w, r, &s, "Connexion impossible", err)
		return
	}
	s.Auth = &auth.AuthState
	a.redirect(w, r, auth.URL, &s)
}

// callback finishes the login when FranceConnect redirects back.
func (a *app) callback(w http.ResponseWriter, r *http.Request) {
	s := a.sessions.load(r)
	var st franceconnect.AuthState
	if s.Auth != nil {
		st = *s.Auth
	}
	s.Auth = nil // single use, whatever happens next
	login, err := a.fc.Callback(r.Context(), r.URL.Query(), st)
	if err != nil {
		a.fail(w, r, &s, "Connexion impossible", err)
		return
	}
	s = session{Hint: string(login.IDToken.Hint()), Name: displayName(login.Identity)}
	p := a.page(&s, "Votre identité")
	p.Identity = newIdentityView(login)
	a.log.Info("login succeeded", "acr", login.IDToken.ACR)
	a.render(w, r, http.StatusOK, "identity", p, &s)
}

// logout ends the local login, then sends the browser to FranceConnect.
func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	s := a.sessions.load(r)
	if !s.validCSRF(r.PostFormValue("csrf")) {
		a.forbidden(w, r, &s)
		return
	}
	hint := s.Hint
	s = session{}
	if hint == "" {
		a.redirect(w, r, "/", &s)
		return
	}
	lr, err := a.fc.Logout(r.Context(), franceconnect.Token(hint))
	if err != nil {
		a.fail(w, r, &s, "Déconnexion incomplète", err)
		return
	}
	s.LogoutState = lr.State
	a.redirect(w, r, lr.URL, &s)
}

// logoutCallback checks the state FranceConnect sends back after logout.
func (a *app) logoutCallback(w http.ResponseWriter, r *http.Request) {
	s := a.sessions.load(r)
	state := s.LogoutState
	s.LogoutState = ""
	if err := a.fc.LogoutCallback(r.URL.Query(), state); err != nil {
		a.fail(w, r, &s, "Déconnexion incomplète", err)
		return
	}
	s.Flash = "Vous êtes déconnecté·e de ce service et de " + a.brand() + "."
	a.redirect(w, r, "/", &s)
}

func (a *app) notFound(w http.ResponseWriter, r *http.Request) {
	s := a.sessions.load(r)
	p := a.page(&s, "Page introuvable")
	p.Error = &errorView{Status: http.StatusNotFound, Heading: "Page introuvable", Headline: "Cette page n'existe pas."}
	a.render(w, r, http.StatusNotFound, "error", p, &s)
}

func (a *app) forbidden(w http.ResponseWriter, r *http.Request, s *session) {
	a.log.Warn("form refused: bad or missing CSRF token", "path", r.URL.Path)
	p := a.page(s, "Formulaire expiré")
	p.Error = &errorView{Status: http.StatusForbidden, Heading: "Formulaire expiré",
		Headline: "Ce formulaire a expiré ou ne vient pas de ce site. Revenez à l'accueil et réessayez."}
	a.render(w, r, http.StatusForbidden, "error", p, s)
}

// fail shows the error page for a franceconnect error: its category only,
// never its details, which may name claims or values.
func (a *app) fail(w http.ResponseWriter, r *http.Request, s *session, heading string, err error) {
	v := newErrorView(err, a.brand())
	v.Heading = heading
	attrs := []any{"path", r.URL.Path, "status", v.Status, "categories", v.names()}
	if v.Provider != nil {
		attrs = append(attrs, "provider_error", v.Provider.Code, "fc_code", v.Provider.FCCode)
	}
	a.log.Warn("FranceConnect step failed", attrs...)
	p := a.page(s, heading)
	p.Error = v
	a.render(w, r, v.Status, "error", p, s)
}

// chosenLevel returns the eIDAS level picked on the home page, or zero (the
// Config's level) for anything else.
func (a *app) chosenLevel(v string) franceconnect.ACR {
	if acr := franceconnect.ACR(v); a.plus() && (acr == franceconnect.EIDAS2 || acr == franceconnect.EIDAS3) {
		return acr
	}
	return ""
}

func (a *app) plus() bool { return a.fc.Platform() == franceconnect.FranceConnectPlus }

func (a *app) brand() string { return a.fc.Platform().String() }

// page is the data of every template.
type page struct {
	Title, Nonce, Brand string
	Plus, Emulator      bool
	SignedIn            bool
	Name, CSRF, Flash   string
	Identity            *identityView
	Error               *errorView
}

func (a *app) page(s *session, title string) page {
	return page{Title: title, Brand: a.brand(), Plus: a.plus(), Emulator: a.emu != nil,
		SignedIn: s.signedIn(), Name: s.Name, CSRF: s.csrfToken(), Flash: s.Flash}
}

// render saves the session and writes the named template with a CSP that
// allows only its own nonce-tagged style and forms to the site and provider.
func (a *app) render(w http.ResponseWriter, r *http.Request, status int, name string, p page, s *session) {
	p.Nonce = randomHex(16)
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, p); err != nil {
		a.log.Error("template failed", "template", name, "err", err)
		http.Error(w, "Erreur interne", http.StatusInternalServerError)
		return
	}
	if !a.saveSession(w, r, s) {
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

// redirect saves the session and answers 303 See Other.
func (a *app) redirect(w http.ResponseWriter, r *http.Request, to string, s *session) {
	if a.saveSession(w, r, s) {
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, to, http.StatusSeeOther)
	}
}

func (a *app) saveSession(w http.ResponseWriter, r *http.Request, s *session) bool {
	if err := a.sessions.save(w, *s); err != nil {
		a.log.Error("cannot save the session", "path", r.URL.Path, "err", err)
		http.Error(w, "Erreur interne", http.StatusInternalServerError)
		return false
	}
	return true
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
