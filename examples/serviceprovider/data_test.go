package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestLoginShowsTheFamilyQuotient: right after a citizen's login, the
// identity page shows the family quotient the data provider answered to
// the login's access token; a person the register does not know gets a
// sentence, not an error.
func TestLoginShowsTheFamilyQuotient(t *testing.T) {
	a, base := startSite(t)
	page := signIn(t, newUser(t, a.doors[0].emu, base), "camille")
	require.Equal(t, 200, page.Status, page.Body)
	assert.Contains(t, page.Body, `<p id="quotient">Votre quotient familial : <strong>812 €</strong> par mois.</p>`)

	unknown := fctest.DemoPeople()[len(fctest.DemoPeople())-1]
	page = signIn(t, newUser(t, a.doors[0].emu, base), unknown.Login)
	require.Equal(t, 200, page.Status, page.Body)
	if !assert.Contains(t, page.Body, `id="quotient-message"`) {
		return
	}
	assert.Contains(t, page.Body, "ne connaît pas de quotient familial pour vous")
}

// TestLoginSurvivesTheDataProvider: when the data provider refuses the
// token or cannot be reached, the login still succeeds and the page says
// why the quotient is missing, in French.
func TestLoginSurvivesTheDataProvider(t *testing.T) {
	a, base := startSite(t)
	emu := a.doors[0].emu
	require.NoError(t, emu.Inject(fctest.Injection{Fault: fctest.FaultIntrospectionInactive, ClientID: dataProviderID}))
	page := signIn(t, newUser(t, emu, base), "camille")
	require.Equal(t, 200, page.Status, page.Body)
	assert.Contains(t, page.Body, "Bonjour Camille")
	assert.Contains(t, page.Body, "Le fournisseur de données a refusé la demande : votre quotient familial ne peut pas être affiché. Votre connexion, elle, a bien abouti.")
	assert.NotContains(t, page.Body, `id="quotient"`)

	a.doors[0].data.close()
	page = signIn(t, newUser(t, emu, base), "camille")
	require.Equal(t, 200, page.Status, page.Body)
	assert.Contains(t, page.Body, "Bonjour Camille")
	assert.Contains(t, page.Body, "Le fournisseur de données est injoignable pour le moment")
	assert.Contains(t, open(t, newUser(t, emu, base), "/").Body, "FranceConnect", "the site goes on")
}
