//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// TestBrowserJourneyProConnect runs the example as a ProConnect FS
// (FC_PLATFORM=proconnect) in headless Chromium: ProConnect's button with
// the levels to accept, an agent picked on the emulator's agent page, the
// organisation and the level on the agent page, logout, then an agent
// without two factors refused when they are required.
func TestBrowserJourneyProConnect(t *testing.T) {
	j, site, issuers := startJourney(t, "FC_PLATFORM=proconnect")
	issuer := issuers["/"]
	ctx, d := j.ctx, j.d

	// 1. The home page, ProConnect's button and the level choice.
	j.step("open the home page", func() error { return d.navigate(ctx, site) })
	button := j.waitFor("#fc-login button.proconnect-button", site)
	j.expectTitle("Accueil")
	j.expectSource("Accédez à votre espace agent", "Tout agent", "Double authentification obligatoire",
		"Qu’est-ce que ProConnect ?")
	if text, err := d.text(ctx, button); err != nil || text != "S’identifier avec ProConnect" {
		j.fail("the button reads %q (%v), want its label %q", text, err, "S’identifier avec ProConnect")
	}
	if src := j.source(); strings.Contains(src, "FranceConnect") {
		j.fail("the ProConnect site names FranceConnect")
	}
	j.checkButton(button)
	if r, err := d.rect(ctx, button); err != nil || r.Width < 210 || r.Width > 218 {
		j.fail("button width %.0f px (%v), want 214 as ProConnect's", r.Width, err)
	}
	j.screenshot("11-pc-home.png")

	// 2. The emulator's agent page, for logins with two factors.
	j.click("#acr-mfa", site)
	j.step("click the ProConnect button", func() error { return d.click(ctx, button) })
	claire := j.waitFor("#login-agent_mfa", issuer+"/interaction/")
	j.expectSource("Choisissez un agent", "Niveaux acceptés", "Claire Lefèvre", "niveau non accepté par le service")
	j.screenshot("12-pc-emulator.png")

	// 3. Back on the site: the agent, the organisation and the level.
	j.step("click #login-agent_mfa", func() error { return d.click(ctx, claire) })
	j.waitFor("#organization", site+"callback?")
	j.expectTitle("Votre compte agent")
	j.expectSource("Bonjour Claire Lefèvre", "Ministère de la Démonstration", "11000012200017", "110000122",
		"agent public de l'État (agent_public_etat)", "fi-ministere",
		"eidas1-mfa – niveau eIDAS faible, double authentification", "Session ouverte au nom de Claire Lefèvre")
	j.screenshot("13-pc-agent.png")

	// 4. Logout through ProConnect, back home signed out.
	j.click("#logout", site)
	j.waitFor("#fc-login button", site)
	if u := j.url(); u != site+"deconnecte" {
		t.Fatalf("after logout the browser is on %s, want the logged-out page %sdeconnecte", u, site)
	}
	j.expectSource("Votre session est fermée, sur ce service et sur ProConnect.")
	j.screenshot("14-pc-home-after-logout.png")

	// 5. Two factors required, an agent with a password only: Y020032.
	j.click("#acr-mfa", site)
	j.click("#fc-login button", site)
	j.click("#login-agent_sans_mfa", issuer+"/interaction/")
	j.waitFor("#categories", site+"callback?")
	j.expectTitle("Niveau de sécurité insuffisant")
	j.expectSource("Ce service demande un niveau de sécurité que ProConnect n'a pas pu atteindre avec votre compte.",
		"Votre compte ProConnect ne permet pas d'atteindre le niveau de sécurité", "ProviderError access_denied (Y020032)")
	if src := j.source(); strings.Contains(src, "Garnier") {
		j.fail("the error page shows the agent's name")
	}
	j.screenshot("15-pc-level-refused.png")
}
