package fchttp

import (
	"bytes"
	"cmp"
	"html/template"
	"net/url"
	"slices"
	"strings"

	"github.com/go-franceconnect/franceconnect"
)

// Button is the login button of FranceConnect, FranceConnect+ or
// ProConnect, ready to embed in a page: a form that posts to the Handler's
// login route, with the "Qu’est-ce que FranceConnect ?" link (or
// FranceConnect+, or ProConnect) below the button, opening in a new window,
// and on FranceConnect the sentence it asks for above it (spec §17 item
// 11). The form carries no token: like every POST of the Handler, the login
// route is guarded by http.CrossOriginProtection.
//
// The button takes one of the official looks, whose files the State
// distributes under its own terms and this package does not ship:
//
//   - Without Image, on FranceConnect and FranceConnect+: the markup of the
//     "fr-connect" component of the State's design system (DSFR), which the
//     DSFR stylesheet loaded by the page draws (the blue button, the
//     FranceConnect logo, the hover state). Services built on the DSFR take
//     this one.
//   - Without Image, on ProConnect: the markup of ProConnect's partner
//     documentation ("Intégration du bouton ProConnect",
//     https://github.com/numerique-gouv/proconnect-documentation, file
//     doc_fs/bouton_proconnect.md), a "proconnect-button" button whose
//     label is for screen readers only ("proconnect-sr-only"); the
//     stylesheet that page gives, copied into the site's own, draws it
//     (ProConnect's image, 214 × 56 px, and its hover state).
//   - With Image and HoverImage: the platform's button images, which
//     services outside the DSFR use; ButtonStylesheet swaps them on hover
//     and spaces the link.
//
// The zero Button is the FranceConnect (not FranceConnect+) button posting
// to "/login"; Handler.Button fills in the Handler's values.
type Button struct {
	// Plus selects FranceConnect+: the "fr-connect--plus" variant, its
	// sentence and its link. Zero: FranceConnect.
	Plus bool
	// ProConnect selects ProConnect's button, its label and its link, and
	// takes AcceptedACRs instead of ACR. Exclusive with Plus. Zero:
	// FranceConnect.
	ProConnect bool
	// Action is the path the form posts to, the Handler's LoginPath.
	// Zero: "/login".
	Action string
	// ACR is sent as the "acr" field: the eIDAS level to request, one the
	// platform allows (eidas2 or eidas3 with Plus, eidas1 without). Zero: no
	// field, so the login requests the Handler's default level. ProConnect
	// refuses it: set AcceptedACRs.
	ACR franceconnect.ACR
	// AcceptedACRs are sent as the "acr" field, separated by spaces: the
	// ProConnect levels the login accepts, e.g.
	// franceconnect.ProConnectWithMFA(). ProConnect only. Zero: no field, so
	// the login accepts the Client's default levels.
	AcceptedACRs []franceconnect.ACR
	// Next is sent as the "next" field: the path of this site to come back
	// to after the login. Zero: no field (HomePath).
	Next string
	// ID is the id of the form, for inputs placed elsewhere in the page
	// (their form attribute names it) and for tests. Zero: none.
	ID string
	// Image and HoverImage are the URLs, paths of this site or https, of
	// the platform's button image and of its hover state, as downloaded
	// from its partner documentation and served by the FS. Both or neither:
	// the platforms require the hover state. Zero: the markup drawn by the
	// DSFR stylesheet, or on ProConnect by ProConnect's.
	Image, HoverImage string
	// Separator adds, after the button, the "ou" separator FranceConnect
	// asks for between its button and the site's other ways to sign in: the
	// DSFR's "fr-hr-or" in the DSFR form, ButtonStylesheet's "fc-separator"
	// in the image form and on ProConnect. Zero: none.
	Separator bool
}

// Button returns the button of h: FranceConnect+, FranceConnect or
// ProConnect after the Client's platform, posting to LoginPath. Set ACR (or
// AcceptedACRs), Next or the images on the copy before rendering it.
func (h *Handler) Button() Button {
	p := h.client.Platform()
	return Button{Plus: p == franceconnect.FranceConnectPlus, ProConnect: p == franceconnect.ProConnect, Action: h.cfg.LoginPath}
}

// buttonView is what the markup template reads: the Button and the value
// of its "acr" field.
type buttonView struct {
	Button
	Level string
}

// buttonMarkup is the button's HTML, with the texts and links the platforms
// and the DSFR prescribe (they may be translated, not reworded), written
// out in the template so that they read as they are. The DSFR form keeps
// the component's structure (group, button, login and brand spans, link
// paragraph); on FranceConnect+ the stylesheet draws the "+", so the
// aria-label carries it in the HTML, and a "+" that the DSFR's
// "fr-sr-only" class hides from sight follows the brand, so that the page
// read without styles names FranceConnect+ too (RGAA 10.2). ProConnect's form keeps the structure
// of its documentation: the button holds only its label for screen
// readers, the link follows. In the image form both images are decorative
// and the aria-label names the button, whichever one shows.
var buttonMarkup = template.Must(template.New("button").Parse(
	`{{define "brand"}}{{if .ProConnect}}ProConnect{{else}}FranceConnect{{if .Plus}}+{{end}}{{end}}{{end}}
{{- define "label"}}S’identifier avec {{template "brand" .}}{{end}}
{{- define "about"}}Qu’est-ce que {{template "brand" .}} ?{{end}}
{{- define "sentence"}}{{if .Plus -}}
FranceConnect+ est la solution proposée par l’État, pour renforcer la sécurité de vos services en ligne les plus sensibles
{{- else -}}
FranceConnect est la solution proposée par l’État pour sécuriser et simplifier la connexion à vos services en ligne
{{- end}}{{end}}
{{- define "link"}}{{if .ProConnect -}}
<p><a href="https://www.proconnect.gouv.fr/" target="_blank" rel="noopener noreferrer" title="{{template "about" .}} - nouvelle fenêtre">{{template "about" .}}</a></p>
{{- else -}}
<p><a href="https://franceconnect.gouv.fr/{{if .Plus}}france-connect-plus{{end}}" target="_blank" rel="noopener" title="{{template "about" .}} - nouvelle fenêtre">{{template "about" .}}</a></p>
{{- end}}{{end -}}

<form{{with .ID}} id="{{.}}"{{end}} method="post" action="{{.Action}}">
{{- with .Level}}
<input type="hidden" name="acr" value="{{.}}">{{end}}
{{- with .Next}}
<input type="hidden" name="next" value="{{.}}">{{end}}
{{- if .Image}}
<div class="fc-group">
{{- if not .ProConnect}}
<p>{{template "sentence" .}}</p>{{end}}
<button class="fc-button" type="submit" aria-label="{{template "label" .}}">
<img class="fc-button__idle" src="{{.Image}}" alt="">
<img class="fc-button__hover" src="{{.HoverImage}}" alt="">
</button>
{{- else if .ProConnect}}
<div>
<button class="proconnect-button" type="submit">
<span class="proconnect-sr-only">{{template "label" .}}</span>
</button>
{{- else}}
<div class="fr-connect-group">
<p>{{template "sentence" .}}</p>
<button class="fr-connect{{if .Plus}} fr-connect--plus{{end}}" type="submit"{{if .Plus}} aria-label="{{template "label" .}}"{{end}}>
<span class="fr-connect__login">S’identifier avec</span>
<span class="fr-connect__brand">FranceConnect{{if .Plus}}<span class="fr-sr-only">+</span>{{end}}</span>
</button>
{{- end}}
{{template "link" .}}
</div>
</form>
{{- if .Separator}}
<p class="{{if or .Image .ProConnect}}fc-separator{{else}}fr-hr-or{{end}}">ou</p>
{{- end}}`))

// HTML returns the button's markup, safe to insert in an html/template page
// ({{.Button.HTML}} with a Button in the data, or a function of the
// template's FuncMap). Every field is escaped. An error, wrapping
// franceconnect.ErrConfig, names a field that cannot work: two platforms, a
// path that is not of this site, a level the platform does not offer (or on
// ProConnect a set with an unknown or repeated level), an image without its
// hover state or with a URL that is neither a path nor https.
func (b Button) HTML() (template.HTML, error) {
	b.Action = cmp.Or(b.Action, "/login")
	if err := b.check(); err != nil {
		return "", err
	}
	v := buttonView{Button: b, Level: string(b.ACR)}
	if b.ProConnect {
		v.Level = joinLevels(b.AcceptedACRs)
	}
	var buf bytes.Buffer
	if err := buttonMarkup.Execute(&buf, v); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// check reports the first field of b that cannot work.
func (b Button) check() error {
	switch {
	case b.Plus && b.ProConnect:
		return configError("Button.Plus and Button.ProConnect are exclusive: one platform per button")
	case !localPath(b.Action):
		return configError("Button.Action %q is not a path of this site", b.Action)
	case b.Next != "" && !localPath(b.Next):
		return configError("Button.Next %q is not a path of this site: the login route would replace it with HomePath", b.Next)
	case b.ProConnect && b.ACR != "":
		return configError("Button.ACR %q: ProConnect takes a set of accepted levels, Button.AcceptedACRs", b.ACR)
	case !b.ProConnect && len(b.AcceptedACRs) > 0:
		return configError("Button.AcceptedACRs are ProConnect's: %v takes one level, Button.ACR", b.platform())
	case b.ACR != "" && !levelOf(b.Plus, b.ACR):
		return configError("Button.ACR %q cannot be requested on %v", b.ACR, b.platform())
	case (b.Image == "") != (b.HoverImage == ""):
		return configError("Button.Image and Button.HoverImage go together: %s requires the hover state", b.brand())
	}
	if err := checkAcceptedLevels(b.AcceptedACRs); err != nil {
		return err
	}
	for _, img := range [...]struct{ name, url string }{{"Image", b.Image}, {"HoverImage", b.HoverImage}} {
		if img.url != "" && !localPath(img.url) && !httpsURL(img.url) {
			return configError("Button.%s %q must be a path of this site or an https URL", img.name, img.url)
		}
	}
	return nil
}

// levelOf reports whether a may be requested on FranceConnect+ (plus) or
// FranceConnect: eidas2 or eidas3 on FranceConnect+, eidas1 on
// FranceConnect (spec §10).
func levelOf(plus bool, a franceconnect.ACR) bool {
	if plus {
		return a == franceconnect.EIDAS2 || a == franceconnect.EIDAS3
	}
	return a == franceconnect.EIDAS1
}

// checkAcceptedLevels checks a set of ProConnect levels: each one of
// ProConnect's, none twice.
func checkAcceptedLevels(levels []franceconnect.ACR) error {
	known := franceconnect.ProConnectAnyLevel()
	for i, a := range levels {
		switch {
		case !slices.Contains(known, a):
			return configError("Button.AcceptedACRs: %q is not a ProConnect level (%s)", a, joinLevels(known))
		case slices.Contains(levels[:i], a):
			return configError("Button.AcceptedACRs: %q appears twice", a)
		}
	}
	return nil
}

// joinLevels is the value of the "acr" field for a set of levels.
func joinLevels(levels []franceconnect.ACR) string {
	s := make([]string, len(levels))
	for i, a := range levels {
		s[i] = string(a)
	}
	return strings.Join(s, " ")
}

func (b Button) platform() franceconnect.Platform {
	switch {
	case b.ProConnect:
		return franceconnect.ProConnect
	case b.Plus:
		return franceconnect.FranceConnectPlus
	}
	return franceconnect.FranceConnect
}

// brand is the name of the organisation behind the button's platform.
func (b Button) brand() string {
	if b.ProConnect {
		return "ProConnect"
	}
	return "FranceConnect"
}

// httpsURL reports whether s is an absolute https URL without credentials.
func httpsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}
