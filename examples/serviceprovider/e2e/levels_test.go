//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestBrowserStepUp runs the pages that need more than their door's
// level, on the two-door site. A citizen who browses at eidas2 opens the
// bank details, which need eidas3, confirms her identity on
// FranceConnect+ and comes back to them; a form posted at eidas2 gets the
// page with the button, which does the same. An agent signed in with a
// password alone opens the administration, which needs two factors, and
// another agent authenticates on ProConnect: refused, nobody stays signed
// in.
func TestBrowserStepUp(t *testing.T) {
	j, site, issuers := startJourney(t)
	ctx, d := j.ctx, j.d
	plus, pc := issuers["citoyen"], issuers["agent"]

	// 1. The citizen browses at eidas2: FranceConnect+ single sign-on
	// answers eidas2 once the site's own session is gone.
	j.browseAtEidas2(site, plus)
	j.step("open the citizen area", func() error { return d.navigate(ctx, site+"citoyen/") })
	j.waitFor("#sensitive-link", site+"citoyen/")
	j.expectSource("Niveau requis pour cet espace", "substantiel (eidas2)", "Niveau requis : élevé (eidas3)")
	j.screenshot("31-citizen-area-eidas2.png")

	// 2. The bank details need eidas3: FranceConnect+ again, then back.
	j.click("#sensitive-link", site+"citoyen/")
	j.waitFor("#login-camille", plus+"/interaction/")
	j.expectSource("Choisissez une identité")
	j.click("#login-camille", plus+"/interaction/")
	j.waitFor("#bank-form", site+"citoyen/banque")
	if u := j.url(); u != site+"citoyen/banque" {
		j.fail("after the step-up the browser is on %s, want the bank details", u)
	}
	j.expectTitle("Coordonnées bancaires")
	j.expectSource("Niveau requis : élevé (eidas3). Votre session, ouverte au niveau eidas3, l'atteint.")
	j.screenshot("32-bank-details-eidas3.png")
	j.fill("#iban", "FR76 3000 6000 0112 3456 7890 189")
	j.click("#bank-submit", site+"citoyen/banque")
	j.waitFor("#saved", site+"citoyen/banque")
	j.expectSource("FR76 •••• 0189")
	j.fill("#iban", "FR76 3000 6000 0112 3456 7890 188")
	j.click("#bank-submit", site+"citoyen/banque")
	j.waitFor("#iban-error", site+"citoyen/banque")
	j.screenshot("33-bank-details-error.png")

	// 3. At eidas2 again, a form posted to the bank details: the page with
	// the button, then FranceConnect+, then the form again.
	j.browseAtEidas2(site, plus)
	j.step("open the citizen area", func() error { return d.navigate(ctx, site+"citoyen/") })
	j.waitFor("#sensitive-link", site+"citoyen/")
	j.step("post a form to the bank details", func() error {
		return d.execute(ctx, `const f = document.createElement("form");
f.method = "post"; f.action = "/citoyen/banque";
const i = document.createElement("input"); i.name = "iban"; i.value = "FR7630006000011234567890189";
f.append(i); document.body.append(f); f.submit();`, nil)
	})
	j.waitFor("#step-up-needed", site+"citoyen/banque")
	j.expectTitle("Confirmez votre identité")
	j.expectSource("Cette action demande une connexion avec FranceConnect+ au niveau de garantie élevé (eidas3).",
		"Les informations de ce formulaire n'ont pas été envoyées.")
	j.screenshot("34-step-up-page.png")
	j.click("#step-up button", site+"citoyen/banque")
	j.click("#login-camille", plus+"/interaction/")
	j.waitFor("#bank-form", site+"citoyen/banque")
	j.expectSource("Votre session, ouverte au niveau eidas3, l'atteint.")

	// 4. The agent: a password alone, then the administration.
	j.step("open the agent area", func() error { return d.navigate(ctx, site+"agent/") })
	j.click("#agent-login button", site+"agent/")
	j.click("#login-agent_sans_mfa", pc+"/interaction/")
	j.waitFor("#organization", site+"agent/callback?")
	j.step("open the agent area", func() error { return d.navigate(ctx, site+"agent/") })
	j.waitFor("#sensitive-link", site+"agent/")
	j.expectSource("Niveau requis : double authentification (eidas0-mfa, eidas1-mfa, eidas2, eidas3)")
	j.click("#sensitive-link", site+"agent/")
	j.waitFor("#login-agent_mfa", pc+"/interaction/")
	j.expectSource("Niveaux acceptés")
	j.screenshot("35-agent-step-up.png")
	j.click("#login-agent_mfa", pc+"/interaction/")
	j.waitFor("#reference", site+"agent/callback?")
	j.expectTitle("Confirmation par une autre personne")
	j.expectSource("Par sécurité, la session est fermée")
	j.screenshot("36-agent-step-up-refused.png")
	j.step("open the agent area", func() error { return d.navigate(ctx, site+"agent/") })
	j.waitFor("#refused", site+"agent/")
}

// browseAtEidas2 signs camille in at the citizen door at eidas2: the
// site's session ends, as after its idle timeout, and a login follows; when
// FranceConnect+ has no session of hers yet, she authenticates at her
// level (eidas3) and the site's session ends again; FranceConnect+ then
// keeps its own session, which answers the next login at eidas2.
func (j *journey) browseAtEidas2(site, plus string) {
	j.t.Helper()
	ctx, d := j.ctx, j.d
	login := func() {
		j.step("open the home page", func() error { return d.navigate(ctx, site) })
		j.step("end the site's session", func() error { return d.deleteCookie(ctx, "citoyen") })
		j.step("open the home page", func() error { return d.navigate(ctx, site) })
		j.click("#citoyen-login button", site)
		j.waitFor("#identity, #login-camille", "")
	}
	login()
	if u := j.url(); strings.HasPrefix(u, plus) {
		j.click("#login-camille", plus+"/interaction/")
		j.waitFor("#identity", site+"citoyen/callback?")
		login()
	}
	j.waitFor("#identity", site+"citoyen/callback?")
	j.expectSource("eidas2 – substantiel")
}

// fill types value into the input matching css, replacing its content.
func (j *journey) fill(css, value string) {
	j.t.Helper()
	id := j.waitFor(css, "")
	j.step("fill "+css, func() error {
		if err := j.d.call(j.ctx, http.MethodPost, j.d.session+"/element/"+id+"/clear", map[string]any{}, nil); err != nil {
			return err
		}
		return j.d.call(j.ctx, http.MethodPost, j.d.session+"/element/"+id+"/value", map[string]string{"text": value}, nil)
	})
}

// deleteCookie deletes the cookie name of the current page's site.
func (d *webDriver) deleteCookie(ctx context.Context, name string) error {
	return d.call(ctx, http.MethodDelete, d.session+"/cookie/"+name, nil, nil)
}

// TestBrowserDefaultStepUpPage shows fchttp's default StepUpPage (a site
// without OnStepUpPage) in Chromium: a form posted by nobody to an action
// that needs eidas3, then its button, FranceConnect+, and the page again.
func TestBrowserDefaultStepUpPage(t *testing.T) {
	emu := fctest.New(t, fctest.Options{})
	site := startDefaultSite(t, emu, slog.New(slog.DiscardHandler), func(fc *fchttp.Handler, mux *http.ServeMux) {
		high, err := fc.RequireLevel(franceconnect.EIDAS3)
		if err != nil {
			t.Fatal(err)
		}
		mux.Handle("/banque", high(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, defaultPage("Coordonnées bancaires", `<p id="bank">Niveau élevé atteint.</p>`))
		})))
		mux.HandleFunc("GET /formulaire", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, defaultPage("Formulaire", `<form method="post" action="/banque"><label for="iban">IBAN</label>
<input id="iban" name="iban" value="FR7630006000011234567890189"><button id="send">Enregistrer</button></form>`))
		})
	})
	j := startBrowser(t)
	ctx, d := j.ctx, j.d
	j.step("open the form", func() error { return d.navigate(ctx, site+"formulaire") })
	j.click("#send", site+"formulaire")
	j.waitFor("#step-up", site+"banque")
	j.expectTitle("Connexion requise – Mes démarches")
	j.expectSource("Cette action demande une connexion avec FranceConnect+ au niveau de garantie élevé (eidas3).",
		"Les informations de ce formulaire n'ont pas été envoyées.")
	j.screenshot("37-default-step-up-page.png")
	j.click("#step-up button", site+"banque")
	j.click("#login-camille", emu.Issuer()+"/interaction/")
	j.waitFor("#bank", site+"banque")
	if u := j.url(); u != site+"banque" {
		j.fail("after the login the browser is on %s, want the page with GET", u)
	}
}

// defaultPage is a minimal accessible page of the default site.
func defaultPage(title, body string) string {
	return `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
		"<title>" + title + " – Mes démarches</title></head><body><main><h1>" + title + "</h1>" + body + "</main></body></html>"
}
