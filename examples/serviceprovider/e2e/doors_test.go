//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// TestBrowserTwoDoors runs the example as it starts with nothing set: a
// citizen area on FranceConnect+ and an agent area on ProConnect, each on
// its embedded emulator. One browser signs in at both doors; each area
// refuses the other's session, even with the other's cookie put under its
// own cookie's name; logging out of one door leaves the other signed in.
func TestBrowserTwoDoors(t *testing.T) {
	j, site, issuers := startJourney(t)
	ctx, d := j.ctx, j.d
	plus, pc := issuers["citoyen"], issuers["agent"]
	if plus == "" || pc == "" {
		t.Fatalf("the site did not log both doors' issuers: %v", issuers)
	}

	// 1. The home page: both buttons.
	j.step("open the home page", func() error { return d.navigate(ctx, site) })
	citizenButton := j.waitFor("#citoyen-login button", site)
	j.waitFor("#agent-login button.proconnect-button", site)
	j.expectSource("Choisissez votre espace", "Espace citoyen", "Espace agent",
		"Qu’est-ce que FranceConnect+ ?", "Qu’est-ce que ProConnect ?")
	j.checkButton(citizenButton)
	j.screenshot("21-doors-home.png")

	// 2. The citizen door: FranceConnect+, then the citizen area.
	j.click("#citoyen-acr-eidas3", site)
	j.step("click the FranceConnect+ button", func() error { return d.click(ctx, citizenButton) })
	j.click("#login-camille", plus+"/interaction/")
	j.waitFor("#identity", site+"citoyen/callback?")
	j.expectSource("Camille Hélène", "Session ouverte au nom de Camille ARNAUD")
	j.step("open the citizen area", func() error { return d.navigate(ctx, site+"citoyen/") })
	j.waitFor("#kept", site+"citoyen/")
	j.expectSource("Bonjour Camille ARNAUD", "23 mai 1984", "Numéro de dossier")
	j.screenshot("22-citizen-area.png")

	// 3. The agent area refuses the citizen's session.
	j.step("open the agent area", func() error { return d.navigate(ctx, site+"agent/") })
	j.waitFor("#refused", site+"agent/")
	j.expectSource("Espace agent : accès réservé", "Votre session de l'espace citoyen n'y donne pas accès.")
	if strings.Contains(j.source(), "1984") {
		j.fail("the agent area shows the citizen's data")
	}
	j.screenshot("23-agent-area-refused.png")

	// 4. The agent door, from the refusal page: ProConnect, then the agent area.
	j.click("#agent-acr-mfa", site+"agent/")
	j.click("#agent-login button", site+"agent/")
	j.click("#login-agent_mfa", pc+"/interaction/")
	j.waitFor("#organization", site+"agent/callback?")
	j.step("open the agent area", func() error { return d.navigate(ctx, site+"agent/") })
	j.waitFor("#kept", site+"agent/")
	j.expectSource("Bonjour Claire Lefèvre", "Ministère de la Démonstration")
	j.screenshot("24-agent-area.png")
	j.step("open the citizen area", func() error { return d.navigate(ctx, site+"citoyen/") })
	j.waitFor("#kept", site+"citoyen/")
	j.expectSource("Bonjour Camille ARNAUD")
	j.step("open the home page", func() error { return d.navigate(ctx, site) })
	j.waitFor("#citoyen-area", site)
	j.expectSource("Session ouverte au nom de Camille ARNAUD et de Claire Lefèvre")
	j.screenshot("25-doors-both-signed-in.png")

	// 5. Each door's cookie under the other's name opens nothing.
	citizen, err := d.cookieNamed(ctx, "citoyen")
	if err != nil || !citizen.HTTPOnly || citizen.Value == "" {
		j.fail("the citizen's cookie: %+v, %v", citizen, err)
	}
	agent, err := d.cookieNamed(ctx, "agent")
	if err != nil || agent.Value == "" {
		j.fail("the agent's cookie: %+v, %v", agent, err)
	}
	swap := func(name, value string) {
		j.step("set the cookie "+name, func() error {
			return d.setCookie(ctx, cookie{Name: name, Value: value, Path: "/", HTTPOnly: true, SameSite: "Lax"})
		})
	}
	swap("agent", citizen.Value)
	j.step("open the agent area", func() error { return d.navigate(ctx, site+"agent/") })
	j.waitFor("#refused", site+"agent/")
	swap("citoyen", agent.Value)
	j.step("open the citizen area", func() error { return d.navigate(ctx, site+"citoyen/") })
	j.waitFor("#refused", site+"citoyen/")
	j.expectSource("Espace citoyen : accès réservé")
	j.screenshot("26-swapped-cookies-refused.png")
	swap("agent", agent.Value)
	swap("citoyen", citizen.Value)

	// 6. Logging out of the citizen door leaves the agent signed in.
	j.step("open the citizen area", func() error { return d.navigate(ctx, site+"citoyen/") })
	j.click("#logout-citoyen", site+"citoyen/")
	j.waitFor("#agent-area", site+"citoyen/deconnecte")
	j.expectSource("Votre session est fermée, sur ce service et sur FranceConnect+.", "Session ouverte au nom de Claire Lefèvre")
	j.screenshot("27-citizen-logged-out.png")
	j.step("open the agent area", func() error { return d.navigate(ctx, site+"agent/") })
	j.waitFor("#kept", site+"agent/")
	j.step("open the citizen area", func() error { return d.navigate(ctx, site+"citoyen/") })
	j.waitFor("#refused", site+"citoyen/")
}
