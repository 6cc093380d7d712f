package fchttp

import (
	"bytes"
	"cmp"
	"html/template"
	"net/url"

	"github.com/go-franceconnect/franceconnect"
)

// Button is FranceConnect's login button, ready to embed in a page: a form
// that posts to the Handler's login route, with the sentence FranceConnect
// asks for above the button and the "Qu’est-ce que FranceConnect ?" link
// (or "FranceConnect+") below it, opening in a new window (spec §17 item
// 11). The form carries no token: like every POST of the Handler, the login
// route is guarded by http.CrossOriginProtection.
//
// The button takes one of the two official looks, whose files the State
// distributes under its own terms and this package does not ship:
//
//   - Without Image: the markup of the "fr-connect" component of the State's
//     design system (DSFR), which the DSFR stylesheet loaded by the page
//     draws (the blue button, the FranceConnect logo, the hover state).
//     Services built on the DSFR take this one.
//   - With Image and HoverImage: FranceConnect's button images, which
//     services outside the DSFR must use; ButtonStylesheet swaps them on
//     hover and spaces the link.
//
// The zero Button is the FranceConnect (not FranceConnect+) button posting
// to "/login"; Handler.Button fills in the Handler's values.
type Button struct {
	// Plus selects FranceConnect+: the "fr-connect--plus" variant, its
	// sentence and its link. Zero: FranceConnect.
	Plus bool
	// Action is the path the form posts to, the Handler's LoginPath.
	// Zero: "/login".
	Action string
	// ACR is sent as the "acr" field: the eIDAS level to request, one the
	// platform allows (eidas2 or eidas3 with Plus, eidas1 without). Zero: no
	// field, so the login requests the Handler's default level.
	ACR franceconnect.ACR
	// Next is sent as the "next" field: the path of this site to come back
	// to after the login. Zero: no field (HomePath).
	Next string
	// ID is the id of the form, for inputs placed elsewhere in the page
	// (their form attribute names it) and for tests. Zero: none.
	ID string
	// Image and HoverImage are the URLs, paths of this site or https, of
	// FranceConnect's button image and of its hover state, as downloaded
	// from FranceConnect's partner documentation and served by the FS. Both
	// or neither: FranceConnect requires the hover state. Zero: the DSFR
	// markup.
	Image, HoverImage string
	// Separator adds, after the button, the "ou" separator FranceConnect
	// asks for between its button and the site's other ways to sign in: the
	// DSFR's "fr-hr-or" in the DSFR form, ButtonStylesheet's "fc-separator"
	// in the image form. Zero: none.
	Separator bool
}

// Button returns the button of h: FranceConnect+ or FranceConnect after the
// Client's platform, posting to LoginPath. Set ACR, Next or the images on
// the copy before rendering it.
func (h *Handler) Button() Button {
	return Button{Plus: h.client.Platform() == franceconnect.FranceConnectPlus, Action: h.cfg.LoginPath}
}

// buttonMarkup is the button's HTML, with the texts and links FranceConnect
// and the DSFR prescribe (they may be translated, not reworded), written
// out in the template so that they read as they are. The DSFR form keeps
// the component's structure (group, button, login and brand spans, link
// paragraph); on FranceConnect+ the stylesheet draws the "+", so the
// aria-label carries it in the HTML. In the image form both images are
// decorative and the aria-label names the button, whichever one shows.
var buttonMarkup = template.Must(template.New("button").Parse(
	`{{define "label"}}S’identifier avec FranceConnect{{if .Plus}}+{{end}}{{end}}
{{- define "about"}}Qu’est-ce que FranceConnect{{if .Plus}}+{{end}} ?{{end}}
{{- define "sentence"}}{{if .Plus -}}
FranceConnect+ est la solution proposée par l’État, pour renforcer la sécurité de vos services en ligne les plus sensibles
{{- else -}}
FranceConnect est la solution proposée par l’État pour sécuriser et simplifier la connexion à vos services en ligne
{{- end}}{{end}}
{{- define "link"}}<p><a href="https://franceconnect.gouv.fr/{{if .Plus}}france-connect-plus{{end}}" target="_blank" rel="noopener" title="{{template "about" .}} - nouvelle fenêtre">{{template "about" .}}</a></p>{{end -}}

<form{{with .ID}} id="{{.}}"{{end}} method="post" action="{{.Action}}">
{{- with .ACR}}
<input type="hidden" name="acr" value="{{.}}">{{end}}
{{- with .Next}}
<input type="hidden" name="next" value="{{.}}">{{end}}
{{- if .Image}}
<div class="fc-group">
<p>{{template "sentence" .}}</p>
<button class="fc-button" type="submit" aria-label="{{template "label" .}}">
<img class="fc-button__idle" src="{{.Image}}" alt="">
<img class="fc-button__hover" src="{{.HoverImage}}" alt="">
</button>
{{- else}}
<div class="fr-connect-group">
<p>{{template "sentence" .}}</p>
<button class="fr-connect{{if .Plus}} fr-connect--plus{{end}}" type="submit"{{if .Plus}} aria-label="{{template "label" .}}"{{end}}>
<span class="fr-connect__login">S’identifier avec</span>
<span class="fr-connect__brand">FranceConnect</span>
</button>
{{- end}}
{{template "link" .}}
</div>
</form>
{{- if .Separator}}
<p class="{{if .Image}}fc-separator{{else}}fr-hr-or{{end}}">ou</p>
{{- end}}`))

// HTML returns the button's markup, safe to insert in an html/template page
// ({{.Button.HTML}} with a Button in the data, or a function of the
// template's FuncMap). Every field is escaped. An error, wrapping
// franceconnect.ErrConfig, names a field that cannot work: a path that is
// not of this site, a level the platform does not offer, an image without
// its hover state or with a URL that is neither a path nor https.
func (b Button) HTML() (template.HTML, error) {
	b.Action = cmp.Or(b.Action, "/login")
	if err := b.check(); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := buttonMarkup.Execute(&buf, b); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// check reports the first field of b that cannot work.
func (b Button) check() error {
	switch {
	case !localPath(b.Action):
		return configError("Button.Action %q is not a path of this site", b.Action)
	case b.Next != "" && !localPath(b.Next):
		return configError("Button.Next %q is not a path of this site: the login route would replace it with HomePath", b.Next)
	case b.ACR != "" && !levelOf(b.Plus, b.ACR):
		return configError("Button.ACR %q cannot be requested on %v", b.ACR, platformOf(b.Plus))
	case (b.Image == "") != (b.HoverImage == ""):
		return configError("Button.Image and Button.HoverImage go together: FranceConnect requires the hover state")
	}
	for _, img := range [...]struct{ name, url string }{{"Image", b.Image}, {"HoverImage", b.HoverImage}} {
		if img.url != "" && !localPath(img.url) && !httpsURL(img.url) {
			return configError("Button.%s %q must be a path of this site or an https URL", img.name, img.url)
		}
	}
	return nil
}

// levelOf reports whether a may be requested on the platform: eidas2 or
// eidas3 on FranceConnect+, eidas1 on FranceConnect (spec §10).
func levelOf(plus bool, a franceconnect.ACR) bool {
	if plus {
		return a == franceconnect.EIDAS2 || a == franceconnect.EIDAS3
	}
	return a == franceconnect.EIDAS1
}

func platformOf(plus bool) franceconnect.Platform {
	if plus {
		return franceconnect.FranceConnectPlus
	}
	return franceconnect.FranceConnect
}

// httpsURL reports whether s is an absolute https URL without credentials.
func httpsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}
