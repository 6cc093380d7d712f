package fchttp_test

import (
	"fmt"
	"html/template"
	"log"
	"net/http"
	"os"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
)

// The FranceConnect+ button in a page's template, in the DSFR form: the
// page also loads the DSFR stylesheet, which draws the button.
func ExampleButton_HTML() {
	page := template.Must(template.New("login").Parse(`<h1>Connexion</h1>
{{.Button.HTML}}
<form method="post" action="/connexion-locale">…</form>
`))
	b := fchttp.Button{Plus: true, Next: "/compte", Separator: true} // from fc.Button() in a real FS
	err := page.Execute(os.Stdout, struct{ Button fchttp.Button }{b})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// <h1>Connexion</h1>
	// <form method="post" action="/login">
	// <input type="hidden" name="next" value="/compte">
	// <div class="fr-connect-group">
	// <p>FranceConnect+ est la solution proposée par l’État, pour renforcer la sécurité de vos services en ligne les plus sensibles</p>
	// <button class="fr-connect fr-connect--plus" type="submit" aria-label="S’identifier avec FranceConnect+">
	// <span class="fr-connect__login">S’identifier avec</span>
	// <span class="fr-connect__brand">FranceConnect<span class="fr-sr-only">+</span></span>
	// </button>
	// <p><a href="https://franceconnect.gouv.fr/france-connect-plus" target="_blank" rel="noopener" title="Qu’est-ce que FranceConnect+ ? - nouvelle fenêtre">Qu’est-ce que FranceConnect+ ?</a></p>
	// </div>
	// </form>
	// <p class="fr-hr-or">ou</p>
	// <form method="post" action="/connexion-locale">…</form>
}

// The button with FranceConnect's images, for a site outside the DSFR: the
// site serves the two SVG files it downloaded from FranceConnect's partner
// documentation, and this package's stylesheet for the hover state.
func ExampleButtonStylesheet() {
	mux := http.NewServeMux()
	mux.Handle("GET /fc-button.css", fchttp.ButtonStylesheet())
	mux.Handle("GET /static/", http.FileServer(http.Dir("public"))) // the downloaded images

	b := fchttp.Button{Plus: true,
		Image:      "/static/FranceConnect+-btn-principal.svg",
		HoverImage: "/static/FranceConnect+-btn-principal-hover.svg"}
	html, err := b.HTML()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(`<link rel="stylesheet" href="/fc-button.css">`)
	fmt.Println(html)
	// Output:
	// <link rel="stylesheet" href="/fc-button.css">
	// <form method="post" action="/login">
	// <div class="fc-group">
	// <p>FranceConnect+ est la solution proposée par l’État, pour renforcer la sécurité de vos services en ligne les plus sensibles</p>
	// <button class="fc-button" type="submit" aria-label="S’identifier avec FranceConnect+">
	// <img class="fc-button__idle" src="/static/FranceConnect&#43;-btn-principal.svg" alt="">
	// <img class="fc-button__hover" src="/static/FranceConnect&#43;-btn-principal-hover.svg" alt="">
	// </button>
	// <p><a href="https://franceconnect.gouv.fr/france-connect-plus" target="_blank" rel="noopener" title="Qu’est-ce que FranceConnect+ ? - nouvelle fenêtre">Qu’est-ce que FranceConnect+ ?</a></p>
	// </div>
	// </form>
}

// ProConnect's button, for a service of public agents that accepts only
// logins with two factors: the page also holds the stylesheet of
// ProConnect's partner documentation, which draws the button.
func ExampleButton_HTML_proConnect() {
	b := fchttp.Button{ProConnect: true, AcceptedACRs: franceconnect.ProConnectWithMFA()} // from fc.Button() in a real FS
	html, err := b.HTML()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(html)
	// Output:
	// <form method="post" action="/login">
	// <input type="hidden" name="acr" value="eidas0-mfa eidas1-mfa eidas2 eidas3">
	// <div>
	// <button class="proconnect-button" type="submit">
	// <span class="proconnect-sr-only">S’identifier avec ProConnect</span>
	// </button>
	// <p><a href="https://www.proconnect.gouv.fr/" target="_blank" rel="noopener noreferrer" title="Qu’est-ce que ProConnect ? - nouvelle fenêtre">Qu’est-ce que ProConnect ?</a></p>
	// </div>
	// </form>
}
