package main

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// browseCitizenAtEidas2 signs the citizen in at eidas2, as FranceConnect+
// single sign-on answers: a first login authenticates camille at her
// level (eidas3); the site's session ends (its cookie is gone, as after
// the idle timeout) while FranceConnect+ keeps its own, which answers the
// next login at eidas2.
func browseCitizenAtEidas2(t *testing.T, citizen *fctest.Visitor, site string) {
	t.Helper()
	ctx := context.Background()
	_, err := citizen.SignIn(ctx, "/", "camille")
	require.NoError(t, err)
	citizen.HTTPClient().Jar.SetCookies(mustURL(t, site), []*http.Cookie{{Name: citizenDoor, Path: "/", MaxAge: -1}})
	cb, err := citizen.SignIn(ctx, "/", "camille") // no page: the session answers
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cb.Status, cb.Body)
	area := open(t, citizen, "/citoyen/")
	require.Contains(t, area.Body, "<code>eidas2</code>")
}

// TestCitizenStepUp: a citizen who browses at eidas2 opens the bank
// details, which need eidas3, confirms her identity on FranceConnect+ and
// comes back to them; a form posted below the level gets the page with
// the button, in the site's layout.
func TestCitizenStepUp(t *testing.T) {
	a, site := startTwoDoors(t)
	citizen, _ := doorUsers(t, a, site)
	ctx := context.Background()
	browseCitizenAtEidas2(t, citizen, site)

	area := open(t, citizen, "/citoyen/")
	for _, want := range []string{`<dd id="required">substantiel (eidas2)</dd>`,
		`Niveau requis : <strong id="sensitive-required">élevé (eidas3)</strong>`,
		`<a class="btn" href="/citoyen/banque" id="sensitive-link">Modifier vos coordonnées bancaires</a>`} {
		assert.Contains(t, area.Body, want)
	}
	form := area
	form.Body += `<form method="post" action="/citoyen/banque"><input name="iban" value="FR7630006000011234567890189"></form>`
	page, err := citizen.Submit(ctx, form, "/citoyen/banque", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, page.Status)
	assert.Equal(t, "Confirmez votre identité", title(t, decoded(page).Body))
	for _, want := range []string{"Service en ligne de démonstration", `id="step-up-needed"`,
		"Cette action demande une connexion avec FranceConnect+ au niveau de garantie élevé (eidas3).",
		`<form id="step-up" method="post" action="/citoyen/banque?fchttp-step-up=1">`} {
		assert.Contains(t, decoded(page).Body, want)
	}

	start := open(t, citizen, "/citoyen/banque")
	loc := start.Location()
	require.NotNil(t, loc, "HTTP %d %s", start.Status, start.Body)
	assert.Equal(t, "eidas3", loc.Query().Get("acr_values"))
	assert.Equal(t, "login", loc.Query().Get("prompt"))
	back, err := citizen.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, back.Status, back.Body)
	assert.Equal(t, "/citoyen/banque", back.Header.Get("Location"))
	bank := open(t, citizen, "/citoyen/banque")
	require.Equal(t, http.StatusOK, bank.Status)
	assert.Equal(t, "Coordonnées bancaires", title(t, bank.Body))
	assert.Contains(t, bank.Body, `Niveau requis : <strong id="page-required">élevé (eidas3)</strong>`)
	assert.Contains(t, bank.Body, `<code id="session-acr">eidas3</code>`)

	saved, err := citizen.Submit(ctx, bank, "/citoyen/banque", url.Values{"iban": {"fr76 3000 6000 0112 3456 7890 189"}})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, saved.Status, saved.Body)
	assert.Contains(t, decoded(saved).Body, "<strong>FR76 •••• 0189</strong>")
	bad, err := citizen.Submit(ctx, bank, "/citoyen/banque", url.Values{"iban": {"FR7630006000011234567890188"}})
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, bad.Status)
	assert.Contains(t, decoded(bad).Body, `<p class="field-error" id="iban-error">Cet IBAN n'est pas valide`)
	assert.Contains(t, decoded(bad).Body, `aria-invalid="true" aria-describedby="iban-error"`)
}

// decoded is r with its HTML entities decoded.
func decoded(r *fctest.Response) *fctest.Response {
	c := *r
	c.Body = html.UnescapeString(r.Body)
	return &c
}

// TestAgentAdministration: the administration needs two factors. An agent
// signed in with a password alone is sent to ProConnect for them; another
// agent who authenticates there is refused and nobody stays signed in. An
// agent with two factors opens it directly.
func TestAgentAdministration(t *testing.T) {
	a, site := startTwoDoors(t)
	_, agent := doorUsers(t, a, site)
	ctx := context.Background()
	start, err := agent.StartLogin(ctx, open(t, agent, "/agent/"), nil)
	require.NoError(t, err)
	cb, err := agent.ChooseIdentity(ctx, start, "agent_sans_mfa")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cb.Status, cb.Body)
	area := open(t, agent, "/agent/")
	assert.Contains(t, area.Body, `<dd id="required">tout niveau</dd>`)
	assert.Contains(t, area.Body, `Niveau requis : <strong id="sensitive-required">double authentification (eidas0-mfa, eidas1-mfa, eidas2, eidas3)</strong>`)

	step := open(t, agent, "/agent/administration")
	require.NotNil(t, step.Location(), "HTTP %d %s", step.Status, step.Body)
	assert.Equal(t, "login", step.Location().Query().Get("prompt"))
	assert.Equal(t, []string{"eidas0-mfa", "eidas1-mfa", "eidas2", "eidas3"}, acceptedLevels(t, step))
	refused, err := agent.ChooseIdentity(ctx, step, "agent_mfa")
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, refused.Status)
	assert.Equal(t, "Confirmation par une autre personne", title(t, refused.Body))
	assert.NotContains(t, refused.Body, "Claire")
	assert.Equal(t, http.StatusForbidden, open(t, agent, "/agent/").Status, "nobody is signed in at the agent door")

	start, err = agent.StartLogin(ctx, open(t, agent, "/agent/"), url.Values{"acr": {"eidas0-mfa eidas1-mfa eidas2 eidas3"}})
	require.NoError(t, err)
	cb, err = agent.ChooseIdentity(ctx, start, "agent_mfa")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cb.Status, cb.Body)
	admin := open(t, agent, "/agent/administration")
	require.Equal(t, http.StatusOK, admin.Status)
	assert.Equal(t, "Administration du service", title(t, admin.Body))
	assert.Contains(t, admin.Body, `<code id="admin-acr">eidas1-mfa</code>`)
}

// TestLevelChoices: the home page offers no level below the door's, and
// the sensitive pages exist only where the platform has a higher level.
func TestLevelChoices(t *testing.T) {
	assert.Len(t, plusLevels(franceconnect.EIDAS2), 2)
	high := plusLevels(franceconnect.EIDAS3)
	require.Len(t, high, 1)
	assert.Equal(t, "eidas3", high[0].Value)
	assert.True(t, high[0].Checked)
	for _, tt := range []struct {
		door []franceconnect.ACR
		want []string
	}{
		{nil, []string{"", "eidas0-mfa eidas1-mfa eidas2 eidas3"}},
		{[]franceconnect.ACR{franceconnect.EIDAS1, franceconnect.EIDAS1MFA, franceconnect.EIDAS2}, []string{"eidas1 eidas1-mfa eidas2", "eidas1-mfa eidas2"}},
		{[]franceconnect.ACR{franceconnect.EIDAS2, franceconnect.EIDAS3}, []string{"eidas2 eidas3"}},
		{[]franceconnect.ACR{franceconnect.EIDAS1}, []string{"eidas1"}},
	} {
		var got []string
		for _, c := range levelChoices(tt.door) {
			got = append(got, c.Value)
		}
		assert.Equal(t, tt.want, got, "%q", tt.door)
	}

	a, _ := startProConnect(t, map[string]string{franceconnect.EnvACR: "eidas1"})
	assert.Nil(t, a.doors[0].sensitive, "no level with two factors at this door: no administration")
	a, _ = startProConnect(t, nil)
	assert.Equal(t, "/administration", a.doors[0].sensitive.path, "the one-door site's paths")
	plus, site := startSite(t)
	require.Equal(t, "/banque", plus.doors[0].sensitive.path)
	start := open(t, newUser(t, plus.doors[0].emu, site), "/banque")
	require.NotNil(t, start.Location())
	assert.Equal(t, "eidas3", start.Location().Query().Get("acr_values"), "nobody: a login at the page's level")
}

// TestParseIBAN checks the IBAN of the bank details' form.
func TestParseIBAN(t *testing.T) {
	for in, want := range map[string]string{
		"FR7630006000011234567890189": "FR7630006000011234567890189", "fr76 3000 6000 0112 3456 7890 189": "FR7630006000011234567890189",
		"DE89370400440532013000": "DE89370400440532013000", "GB82WEST12345698765432": "GB82WEST12345698765432",
	} {
		got, problem := parseIBAN(in)
		assert.Empty(t, problem, in)
		assert.Equal(t, want, got)
	}
	for _, in := range []string{"", "FR7630006000011234567890188", "FR76", "7630006000011234567890189FR", "FR76-3000-6000-0112",
		"FR763000600001123456789018\u00e9", "GB82WEST12345698765433"} {
		got, problem := parseIBAN(in)
		assert.NotEmpty(t, problem, in)
		assert.Empty(t, got)
	}
}
