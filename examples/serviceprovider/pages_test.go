package main

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	titleOf = regexp.MustCompile(`<title>([^<]*)</title>`)
	linksOf = regexp.MustCompile(`<a [^>]*href="([^"]*)"[^>]*>([^<]*)</a>`)
)

// title is the page's title without the site's name.
func title(t *testing.T, body string) string {
	t.Helper()
	m := titleOf.FindStringSubmatch(body)
	require.NotNil(t, m, body)
	name, ok := strings.CutSuffix(m[1], " – Service en ligne de démonstration")
	require.True(t, ok, "the title names the site: %q", m[1])
	return name
}

// checkLinks checks that one text always names one destination across
// the pages.
func checkLinks(t *testing.T, pages ...string) {
	t.Helper()
	dest := map[string]string{}
	for _, p := range pages {
		for _, m := range linksOf.FindAllStringSubmatch(p, -1) {
			href, text := m[1], strings.TrimSpace(m[2])
			if prev, ok := dest[text]; ok {
				assert.Equal(t, prev, href, "the link %q leads to two places", text)
			}
			dest[text] = href
		}
	}
}

// TestPageTitles: each page has its own title, naming the site; a link's
// text names one place; the "+" of FranceConnect+ is in the text; no
// middle-dot writing; an error page shows the support reference.
func TestPageTitles(t *testing.T) {
	a, site := startSite(t)
	u := newUser(t, a.doors[0].emu, site)
	home := open(t, u, "/")
	assert.Equal(t, "Accueil", title(t, home.Body))
	assert.Contains(t, home.Body, `<span class="fr-connect__brand">FranceConnect<span class="fr-sr-only">+</span></span>`)
	assert.Contains(t, home.Body, `<a class="skip" href="#contenu">Aller au contenu</a>`)
	identity := signIn(t, u, "camille")
	assert.Equal(t, "Votre identité", title(t, identity.Body))
	replay := open(t, u, identity.URL.String())
	assert.Equal(t, http.StatusBadRequest, replay.Status)
	assert.Equal(t, "Connexion déjà utilisée", title(t, replay.Body))
	assert.Regexp(t, `Référence de l'incident : <strong id="reference">[0-9A-Z]{4}-[0-9A-Z]{4}</strong>`, replay.Body)
	bye, err := u.Logout(context.Background(), open(t, u, "/"))
	require.NoError(t, err)
	out := open(t, u, bye.Header.Get("Location"))
	assert.Equal(t, "Session fermée", title(t, out.Body))
	missing := open(t, u, "/nulle-part")
	assert.Equal(t, "Page introuvable", title(t, missing.Body))
	checkLinks(t, home.Body, identity.Body, replay.Body, out.Body, missing.Body)
	for _, p := range []string{home.Body, identity.Body, replay.Body, out.Body, missing.Body} {
		assert.NotContains(t, p, "·", "no middle-dot writing")
		assert.NotContains(t, p, "‹")
	}

	pc, pcSite := startSiteWith(t, map[string]string{"FC_PLATFORM": "proconnect"})
	agent := signIn(t, newUser(t, pc.doors[0].emu, pcSite), "agent_mfa")
	assert.Equal(t, "Votre compte agent", title(t, agent.Body))

	two, twoSite := startTwoDoors(t)
	citizen, _ := doorUsers(t, two, twoSite)
	lobby := open(t, citizen, "/")
	id := signIn(t, citizen, "camille")
	assert.Contains(t, id.Body, `<a href="/citoyen/">Aller à l'espace citoyen</a>`)
	area := open(t, citizen, "/citoyen/")
	assert.Equal(t, "Espace citoyen", title(t, area.Body))
	checkLinks(t, lobby.Body, id.Body, area.Body)
}
