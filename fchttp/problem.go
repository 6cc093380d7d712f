package fchttp

import (
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"net/http"

	"github.com/go-franceconnect/franceconnect"
)

// Error categories of the web layer, next to those of the franceconnect
// package. Test them with errors.Is.
var (
	// ErrLoginNotFound reports a callback while this browser has no login
	// in progress at this door: it sent no session cookie (cookies
	// refused, or the login started in another browser or app), a cookie
	// that does not open (sealed with keys no longer in the ring), or one
	// without any login in progress. It comes with
	// franceconnect.ErrStateMismatch, as do ErrLoginExpired,
	// ErrLoginMismatch and ErrLoginUsed, the other login-state failures.
	ErrLoginNotFound = errors.New("fchttp: no login in progress in this browser")
	// ErrLoginExpired reports a callback later than LoginTimeout after its
	// login started, whether or not the browser still holds it.
	ErrLoginExpired = errors.New("fchttp: the login in progress has expired")
	// ErrLoginMismatch reports a callback whose state is not that of a
	// login in progress in this browser while it has others (a newer login
	// in another tab replaced it), or that this door did not issue
	// (another door's or site's, or altered), or that has no state.
	ErrLoginMismatch = errors.New("fchttp: the callback belongs to another login")
	// ErrLoginUsed reports a callback that already came back to this
	// browser: the page was reloaded or opened again from the history. A
	// session remembers the last few states it used, until they would have
	// expired.
	ErrLoginUsed = errors.New("fchttp: the login's callback was already used")
	// ErrCrossOrigin reports a POST from another origin (CSRF), refused by
	// http.CrossOriginProtection or, over https, by the full-origin check.
	ErrCrossOrigin = errors.New("fchttp: cross-origin request refused")
	// ErrStore reports a Store or Revocations that failed to load, save,
	// delete or check.
	ErrStore = errors.New("fchttp: session store failed")
	// ErrSessionTooLarge reports data OnLogin returned above MaxUserData
	// (MaxStoredUserData with a Store), a session above MaxSessionBytes, or
	// a sealed cookie above the 4 KB browsers keep; the message names the
	// size and the limit.
	ErrSessionTooLarge = errors.New("fchttp: session too large")
	// ErrApplication wraps the error returned by OnLogin, or reports a hook
	// that panicked: the application refused the person or failed.
	ErrApplication = errors.New("fchttp: the application refused the login")
	// ErrNoSharedState reports Handler.LogoutEverywhere on a Handler with
	// neither Store nor Revocations: a sealed cookie cannot be recalled.
	ErrNoSharedState = errors.New("fchttp: no shared state (Store or Revocations) to end sessions on other devices")
)

// Problem is a failed step as the user sees it: a status, a French title
// and message that name what happened and what to do, and the error
// categories. It never holds identity data or token contents; for an agent
// the AgentPolicy refused, the message names the agent's organisation and
// SIRET, as ProConnect asks of a refusal page, never the agent.
type Problem struct {
	// Err is the error, for errors.Is, errors.As and logs. Its message may
	// name claims and values: do not show it.
	Err error
	// Status is 400 for a lost, forged, replayed or expired state and other
	// bad requests, 403 for a cross-origin POST, an agent the AgentPolicy
	// refused and a step-up confirmed by another person, 502 when FranceConnect
	// fails or sends something that does not verify, 500 for the
	// application's errors and 503 when the Store fails.
	Status int
	// Title is the page title, e.g. "Connexion impossible".
	Title string
	// Message says what happened and what to do.
	Message string
	// UserMessage is franceconnect.ProviderError.UserMessage() when
	// FranceConnect answered an error, and asks to try again later when it
	// did not answer in time or answered 5xx (franceconnect.HTTPError
	// Retryable).
	UserMessage string
	// Categories are the error categories Err matches, most specific first.
	Categories []Category
	// Home is the path the page links back to (Config.HomePath).
	Home string
	// Retry is the path that starts the login again when trying again may
	// help (an authentication that was not renewed); empty otherwise.
	Retry string
	// Reference is the support reference of this failure, e.g. "7KQ2-M9XD":
	// random, and in the Handler's log event of the failure (ref=…), so
	// that a user who gives it, or a screenshot of the page, leads support
	// to the log line. Show it on every error page.
	Reference string
	// Site is the site's name (Config.SiteName), which the page's title
	// names after Title.
	Site string
}

// Category is an error category and what it means, in French.
type Category struct {
	// Name is the sentinel's name, e.g. "ErrStateMismatch" or
	// "ProviderError access_denied".
	Name string
	// Text explains it, e.g. "l'état de la requête ne correspond pas à
	// celui de votre session".
	Text string
}

// step is what the user was doing when a failure happened.
type step int

const (
	stepLogin step = iota
	stepLogout
)

func stepOf(h *Handler, r *http.Request) step {
	if r.URL.Path == h.cfg.LogoutPath {
		return stepLogout
	}
	return stepLogin
}

// fail saves what the session must remember despite the failure (a login
// in progress is consumed whatever happens, an ended session stays ended),
// logs the failure under a new support reference, then writes the error
// page, with Problem's page when OnError panics before writing.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, s *session, st step, err error) {
	if s != nil {
		if serr := h.save(w, r, s); serr != nil {
			h.log.Warn("fchttp: cannot save the session", "path", r.URL.Path, "err", serr)
		}
	}
	p := h.explain(st, err)
	h.logFailure(r, p)
	setPrivate(w.Header())
	if h.cfg.OnError == nil {
		p.ServeHTTP(w, r)
		return
	}
	t := &writeTracker{ResponseWriter: w}
	if perr := safely("OnError", func() error { h.cfg.OnError(t, r, p); return nil }); perr != nil {
		h.log.Error("fchttp: OnError panicked", "ref", p.Reference, "path", r.URL.Path)
		if !t.wrote {
			p.ServeHTTP(w, r)
		}
	}
}

// explain classifies err with errors.Is and errors.As only.
func (h *Handler) explain(st step, err error) *Problem {
	brand := h.client.Platform().String()
	p := &Problem{Err: err, Status: http.StatusBadGateway, Home: h.cfg.HomePath, Categories: categoriesOf(err),
		Reference: newReference(), Site: cmp.Or(h.cfg.SiteName, h.origin.Hostname()),
		Title:   "Connexion impossible",
		Message: brand + " n'a pas pu confirmer votre identité. Réessayez plus tard ou utilisez un autre moyen de connexion."}
	if st == stepLogout {
		p.Title = "Déconnexion incomplète"
		p.Message = "Votre session sur ce service est fermée, mais " + brand + " n'a pas confirmé la fin de la vôtre. Fermez votre navigateur pour la terminer."
	}
	if h.agentRefused(p, err) || stepUpRefused(p, err, brand) {
		return p
	}
	var pe *franceconnect.ProviderError
	var he *franceconnect.HTTPError
	switch {
	case errors.Is(err, ErrCrossOrigin):
		p.Status, p.Title = http.StatusForbidden, "Formulaire refusé"
		p.Message = "Ce formulaire ne vient pas de ce site. Revenez à l'accueil et réessayez."
	case errors.Is(err, ErrSessionTooLarge), errors.Is(err, ErrApplication), errors.Is(err, franceconnect.ErrConfig):
		p.Status = http.StatusInternalServerError
		if st == stepLogin {
			p.Message = "Le service n'a pas pu ouvrir votre session. Réessayez plus tard ou contactez le service."
		}
		if se := (*sizeError)(nil); errors.As(err, &se) {
			p.Message += fmt.Sprintf(" Les données de la session dépassent la taille permise (%d octets, %d au plus).", se.size, se.limit)
		}
	case errors.Is(err, ErrStore):
		p.Status = http.StatusServiceUnavailable
		p.Message = "Le service est momentanément indisponible. Réessayez dans quelques instants."
		if st == stepLogout {
			p.Message = "Le service n'a pas pu confirmer la fin de votre session. Réessayez dans quelques instants."
		}
	case errors.As(err, &pe):
		p.UserMessage = pe.UserMessage()
		p.Message = brand + " a interrompu la connexion."
		if pe.LevelUnreachable() {
			p.Title = levelTitle
			p.Message = "Ce service demande un niveau de sécurité que " + brand + " n'a pas pu atteindre avec votre compte."
		}
		if pe.HTTPStatus == 0 && !pe.Retryable() {
			p.Status = http.StatusBadRequest
		}
	case errors.As(err, &he) && he.Retryable():
		p.Message = brand + " ne répond pas ou est en difficulté."
		p.UserMessage = brand + " est momentanément indisponible. Veuillez réessayer plus tard."
	case errors.Is(err, ErrLoginExpired), errors.Is(err, ErrLoginNotFound), errors.Is(err, ErrLoginMismatch),
		errors.Is(err, ErrLoginUsed):
		p.Status = http.StatusBadRequest
		p.Title, p.Message = loginStateText(err, brand)
	case errors.Is(err, franceconnect.ErrStateMismatch) && st == stepLogout:
		p.Status = http.StatusBadRequest
		p.Message = "Cette demande de déconnexion n'est pas valide ou a déjà été utilisée. Votre session sur ce service est fermée."
	case errors.Is(err, franceconnect.ErrLevelOutsidePolicy):
		p.Status, p.Title = http.StatusBadRequest, levelTitle
		p.Message = "Le niveau de sécurité demandé est inférieur à celui qu'exige ce service, ou n'est pas de ceux qu'il accepte. Recommencez la connexion depuis l'accueil."
	case errors.Is(err, franceconnect.ErrStaleAuthentication):
		p.Title, p.Retry = "Authentification à renouveler", h.cfg.LoginPath
		p.Message = "Ce service demande que vous vous authentifiiez à nouveau, mais " + brand + " a répondu avec une authentification plus ancienne."
		p.UserMessage = "Réessayez. Si la même erreur revient, fermez votre navigateur pour terminer votre session " + brand + ", puis reconnectez-vous."
	case errors.Is(err, franceconnect.ErrStateMismatch), errors.Is(err, franceconnect.ErrIssuerMismatch),
		errors.Is(err, franceconnect.ErrInvalidCallback), errors.Is(err, franceconnect.ErrInvalidRequest):
		p.Status = http.StatusBadRequest
		p.Message = "Cette demande de connexion n'est pas valide, a déjà été utilisée ou a expiré. Recommencez la connexion depuis l'accueil."
	case errors.Is(err, franceconnect.ErrACRTooLow):
		p.Message = brand + " a vérifié votre identité à un niveau de garantie inférieur à celui demandé. Recommencez avec un moyen d'identification de niveau suffisant."
	case errors.Is(err, franceconnect.ErrACRNotAccepted):
		p.Title = levelTitle
		p.Message = brand + " vous a authentifié à un niveau de sécurité que ce service n'accepte pas. Reconnectez-vous avec un compte ou un moyen d'authentification qui l'atteint (une double authentification, par exemple), ou contactez votre administrateur."
	}
	return p
}

// loginStateText is the title and the message of a login-state failure:
// what happened in this browser, and what to do.
func loginStateText(err error, brand string) (title, message string) {
	switch {
	case errors.Is(err, ErrLoginExpired):
		return "Connexion expirée", "Cette demande de connexion a expiré : elle doit aboutir en moins de 10 minutes. " +
			"Recommencez la connexion depuis l'accueil."
	case errors.Is(err, ErrLoginUsed):
		return "Connexion déjà utilisée", "Cette réponse de " + brand + " a déjà servi : la page a sans doute été rechargée " +
			"ou rouverte depuis l'historique. Revenez à l'accueil : si la connexion avait abouti, votre session est ouverte ; " +
			"sinon, recommencez la connexion."
	case errors.Is(err, ErrLoginMismatch):
		return "Connexion non reconnue", "Cette réponse ne correspond à aucune connexion en cours dans ce navigateur : " +
			"une connexion plus récente, dans un autre onglet par exemple, l'a peut-être remplacée. Terminez la connexion " +
			"la plus récente, ou fermez les autres onglets et recommencez la connexion depuis l'accueil."
	}
	return "Connexion introuvable", "Ce navigateur n'a pas de connexion en cours avec ce service. Si vous l'avez commencée " +
		"dans un autre navigateur ou une autre application, terminez-la là-bas. Sinon, vérifiez que votre navigateur " +
		"accepte les cookies de ce site, puis recommencez la connexion depuis l'accueil."
}

// levelTitle is the title of the pages about a level the service does not
// accept.
const levelTitle = "Niveau de sécurité insuffisant"

var problemPage = template.Must(template.New("problem").Parse(`<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}{{with .Site}} – {{.}}{{end}}</title></head>
<body><a href="#contenu">Aller au contenu</a>
{{with .Site}}<header><p>{{.}}</p></header>{{end}}
<main id="contenu">
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
{{with .UserMessage}}<p><strong>{{.}}</strong></p>{{end}}
{{with .Reference}}<p>Référence de l'incident : <strong id="reference">{{.}}</strong>. Si vous contactez le service, donnez-la : elle lui permet de retrouver ce qui s'est passé.</p>{{end}}
{{if .Categories}}<p>Détail technique (réponse HTTP {{.Status}}) :</p>
<ul>{{range .Categories}}<li><code>{{.Name}}</code> – {{.Text}}</li>{{end}}</ul>{{end}}
{{with .Retry}}<p><a href="{{.}}">Réessayer</a></p>{{end}}
<p><a href="{{.Home}}">Retour à l'accueil</a></p>
</main></body></html>
`))

// ServeHTTP writes the default error page: plain French HTML with the
// site's name, the status, the title, the messages, the support reference
// and the categories, a link to skip to the content, and headers that
// forbid caching, framing and any script.
func (p *Problem) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(p.Status)
	_ = problemPage.Execute(w, p)
}
