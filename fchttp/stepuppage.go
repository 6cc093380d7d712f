package fchttp

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

// StepUpPage is the page a guard (Handler.Require) shows in place of a
// request it cannot send through a login itself, such as the POST of a
// form, from someone signed in below what the request needs or from
// nobody: a French explanation and the platform's button, whose form
// starts that login and comes back with GET. What the browser posted was
// not used, and the page says so. It never holds identity data.
type StepUpPage struct {
	// Status is 403.
	Status int
	// Title is the page title: "Confirmez votre identité", or "Connexion
	// requise" when nobody is signed in.
	Title string
	// Message says what the request needs (the platform, the level, the
	// age of the authentication) and what the session has.
	Message string
	// Notice says that the data the browser sent was not used and where
	// the login comes back.
	Notice string
	// Button is the door's login button, posting to the request's own URL
	// marked as the start of the login: embed Button.HTML() in the page.
	Button Button
	// SignedIn reports whether someone is signed in at the door, below
	// what the request needs.
	SignedIn bool
	// ACR is the level of the person signed in; "" when nobody is.
	ACR franceconnect.ACR
	// Levels are the levels the login asks for: one on FranceConnect and
	// FranceConnect+, the accepted ones on ProConnect; empty when the
	// request needs none in particular.
	Levels []franceconnect.ACR
	// MaxAge is the requirement's maximum authentication age; zero: any.
	MaxAge time.Duration
	// Home is the path the page links back to (Config.HomePath).
	Home string
	// Site is the site's name (Config.SiteName).
	Site string
}

// page answers a request that the login cannot replay: the StepUpPage,
// through OnStepUpPage, or its own page when the hook panics unwritten.
func (g *guard) page(w http.ResponseWriter, r *http.Request, u *User) {
	h := g.h
	p, err := g.stepUpPage(r, u)
	if err != nil {
		h.fail(w, r, nil, stepLogin, err)
		return
	}
	setPrivate(w.Header())
	if h.cfg.OnStepUpPage == nil {
		p.ServeHTTP(w, r)
		return
	}
	t := &writeTracker{ResponseWriter: w}
	if perr := safely("OnStepUpPage", func() error { h.cfg.OnStepUpPage(t, r, p); return nil }); perr != nil {
		h.log.Error("fchttp: OnStepUpPage panicked", "path", r.URL.Path, "err", perr)
		if !t.wrote {
			p.ServeHTTP(w, r)
		}
	}
}

// stepUpPage is the page for r and u, the person signed in (nil: nobody).
func (g *guard) stepUpPage(r *http.Request, u *User) (*StepUpPage, error) {
	h := g.h
	var su *storedUser
	if u != nil {
		su = &storedUser{Subject: u.Subject, ACR: u.ACR}
	}
	req, err := g.request(su)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	q.Set(stepUpParam, "1")
	action := (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).RequestURI()
	if !localPath(action) {
		return nil, fmt.Errorf("%w: fchttp: the path of the request is not a path of this site", franceconnect.ErrInvalidRequest)
	}
	p := &StepUpPage{Status: http.StatusForbidden, Button: h.Button(), Levels: req.AcceptedACRs, MaxAge: g.maxAge,
		Home: h.cfg.HomePath, Site: cmp.Or(h.cfg.SiteName, h.origin.Hostname())}
	p.Button.Action, p.Button.ID = action, "step-up"
	if req.ACR != "" {
		p.Levels = []franceconnect.ACR{req.ACR}
	}
	platform := h.client.Platform()
	need := "une connexion avec " + platform.String() + levelText(platform, p.Levels) + ageText(g.maxAge)
	if u == nil {
		p.Title = "Connexion requise"
		p.Message = "Cette action demande " + need + "."
		p.Notice = "Les informations de ce formulaire n'ont pas été envoyées. Après la connexion, vous reviendrez à la page pour les saisir de nouveau."
		return p, nil
	}
	p.SignedIn, p.ACR = true, u.ACR
	p.Title = "Confirmez votre identité"
	p.Message = "Cette action demande " + need + ". Votre session a été ouverte" + levelText(platform, []franceconnect.ACR{u.ACR})
	if g.maxAge > 0 && !u.AuthTime.IsZero() {
		p.Message += " ; votre dernière authentification date de " + u.AuthTime.In(paris).Format("15 h 04")
	}
	p.Message += "."
	p.Notice = "Les informations de ce formulaire n'ont pas été envoyées. Après la confirmation, vous reviendrez à la page pour les saisir de nouveau."
	return p, nil
}

// paris is the time zone of the times the page shows.
var paris = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}()

// eidasNames are the French names of the eIDAS levels.
var eidasNames = map[franceconnect.ACR]string{
	franceconnect.EIDAS1: "faible", franceconnect.EIDAS2: "substantiel", franceconnect.EIDAS3: "élevé",
}

// levelText names levels in French, after a verb: " au niveau de garantie
// élevé (eidas3)" on FranceConnect and FranceConnect+; on ProConnect
// " avec une double authentification (eidas1-mfa, eidas2)" when each level
// requires two factors, " à l'un de ces niveaux : eidas1, eidas1-mfa"
// otherwise; "" for none.
func levelText(p franceconnect.Platform, levels []franceconnect.ACR) string {
	switch {
	case len(levels) == 0:
		return ""
	case p != franceconnect.ProConnect:
		return fmt.Sprintf(" au niveau de garantie %s (%s)", cmp.Or(eidasNames[levels[0]], "inconnu"), levels[0])
	}
	names := make([]string, len(levels))
	mfa := true
	for i, a := range levels {
		names[i] = strings.TrimPrefix(string(a), "https://proconnect.gouv.fr/assurance/")
		mfa = mfa && franceconnect.TwoFactors(a, nil)
	}
	if mfa {
		return " avec une double authentification (" + strings.Join(names, ", ") + ")"
	}
	if len(levels) == 1 {
		return " au niveau " + names[0]
	}
	return " à l'un de ces niveaux : " + strings.Join(names, ", ")
}

// ageText is a maximum authentication age in French, after a noun:
// " datant de moins de 5 minutes"; "" for none.
func ageText(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n > 1 {
			unit += "s"
		}
		return fmt.Sprintf(" datant de moins de %d %s", n, unit)
	}
	switch {
	case d <= 0:
		return ""
	case d%time.Hour == 0:
		return plural(int64(d/time.Hour), "heure")
	}
	return plural(int64((d+time.Minute-1)/time.Minute), "minute")
}

var stepUpTemplate = template.Must(template.New("stepup").Parse(`<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}{{with .Site}} – {{.}}{{end}}</title></head>
<body><a href="#contenu">Aller au contenu</a>
{{with .Site}}<header><p>{{.}}</p></header>{{end}}
<main id="contenu">
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
<p>{{.Notice}}</p>
{{.Markup}}
<p><a href="{{.Home}}">Retour à l'accueil</a></p>
</main></body></html>
`))

// ServeHTTP writes the default page: plain French HTML with the site's
// name, the title, the messages, the button and a link home, and headers
// that forbid caching, framing and any script. The policy names no
// form-action: browsers apply it to the redirects that follow a form, and
// the button's ends at the platform.
func (p *StepUpPage) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	markup, err := p.Button.HTML()
	if err != nil {
		markup = ""
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(p.Status)
	_ = stepUpTemplate.Execute(w, struct {
		*StepUpPage
		Markup template.HTML
	}{p, markup})
}
