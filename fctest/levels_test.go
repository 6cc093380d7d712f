package fctest_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// idClaims logs identity in with the authorization parameters kv and
// returns the claims of the id_token.
func (e *env) idClaims(identity string, kv ...string) map[string]any {
	e.t.Helper()
	_, c := e.open(e.exchange(e.code(identity, kv...))["id_token"].(string))
	return c
}

// pcIDClaims is idClaims on ProConnect.
func (e *pcEnv) idClaims(agent string, kv ...string) map[string]any {
	e.t.Helper()
	return e.verify(e.tokens(agent, kv...)["id_token"].(string), "ES256")
}

func TestFaultPromptLoginIgnored(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	first := e.idClaims("camille", "acr_values", "eidas3")
	require.Equal(t, "eidas3", first["acr"])
	e.clock.Advance(5 * time.Minute)

	e.srv.InjectFault(fctest.FaultPromptLoginIgnored)
	c := e.idClaims("nom_usage", "acr_values", "eidas3", "prompt", "login")
	assert.Equal(t, first["sub"], c["sub"], "the earlier session's person, not the one picked")
	assert.Equal(t, first["auth_time"], c["auth_time"], "the earlier session's authentication")
	assert.Equal(t, "eidas2", c["acr"], "FranceConnect+ single sign-on answers eidas2")
	require.Empty(t, e.srv.PendingFaults())

	again := e.idClaims("nom_usage", "prompt", "login")
	assert.EqualValues(t, e.clock.Now().Unix(), again["auth_time"], "the fault applied once")
	assert.NotEqual(t, first["sub"], again["sub"])

	t.Run("without an earlier login", func(t *testing.T) {
		e := newEnv(t, fctest.Options{}, nil)
		e.srv.InjectFault(fctest.FaultPromptLoginIgnored)
		c := e.idClaims("camille", "acr_values", "eidas3", "prompt", "login")
		assert.EqualValues(t, e.clock.Now().Add(-time.Hour).Unix(), c["auth_time"])
		assert.Equal(t, "eidas2", c["acr"])
	})
	t.Run("ProConnect keeps the session's level", func(t *testing.T) {
		e := newPCEnv(t, fctest.Options{}, nil)
		first := e.idClaims("agent_mfa")
		e.clock.Advance(time.Minute)
		e.srv.InjectFault(fctest.FaultPromptLoginIgnored)
		c := e.idClaims("agent_eidas3", "prompt", "login")
		assert.Equal(t, first["sub"], c["sub"])
		assert.Equal(t, "eidas1-mfa", c["acr"])
		assert.Equal(t, first["auth_time"], c["auth_time"])
	})
}

func TestFaultsOfTheIDTokenClaims(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	e.srv.InjectFault(fctest.FaultMissingAuthTime)
	c := e.idClaims("camille")
	assert.NotContains(t, c, "auth_time")
	assert.Contains(t, c, "acr", "only auth_time goes")

	e.srv.InjectFault(fctest.FaultAZPOtherClient)
	c = e.idClaims("camille")
	require.Contains(t, c, "azp")
	assert.NotEqual(t, clientID, c["azp"])
	assert.Equal(t, clientID, c["aud"], "the audience stays ours")

	c = e.idClaims("camille")
	assert.NotContains(t, c, "azp", "no azp without the fault")
	assert.Contains(t, c, "auth_time")
}

func TestFaultPublicAgentsOnly(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	e.srv.InjectFault(fctest.FaultPublicAgentsOnly)
	q := e.callback("salarie_prive")
	assert.Equal(t, "access_denied", q.Get("error"))
	assert.Equal(t, testState, q.Get("state"))
	u, err := url.Parse(q.Get("error_uri"))
	require.NoError(t, err)
	assert.Equal(t, "Y500015", u.Query().Get("code"))
	assert.Empty(t, q.Get("code"))
}

func TestSingleSignOn(t *testing.T) {
	t.Run("off: every login authenticates", func(t *testing.T) {
		e := newEnv(t, fctest.Options{}, nil)
		e.idClaims("camille")
		e.clock.Advance(time.Minute)
		c := e.idClaims("camille")
		assert.EqualValues(t, e.clock.Now().Unix(), c["auth_time"])
	})
	t.Run("FranceConnect+ answers eidas2 from its session, prompt=login authenticates", func(t *testing.T) {
		e := newEnv(t, fctest.Options{SingleSignOn: true}, nil)
		first := e.idClaims("camille", "acr_values", "eidas3")
		require.Equal(t, "eidas3", first["acr"])
		e.clock.Advance(time.Minute)
		// No page is shown, so nom_usage is never picked: the session answers.
		c := e.idClaims("nom_usage", "acr_values", "eidas3")
		assert.Equal(t, first["sub"], c["sub"])
		assert.Equal(t, "eidas2", c["acr"])
		assert.EqualValues(t, e.clock.Now().Unix(), c["auth_time"], "dated at this login's interaction")

		c = e.idClaims("camille", "acr_values", "eidas3", "prompt", "login")
		assert.Equal(t, "eidas3", c["acr"])
		assert.EqualValues(t, e.clock.Now().Unix(), c["auth_time"])
	})
	t.Run("FranceConnect answers eidas1 from its session", func(t *testing.T) {
		e := newEnv(t, fctest.Options{Platform: fctest.FranceConnect, SingleSignOn: true}, nil)
		first := e.idClaims("camille")
		e.clock.Advance(time.Minute)
		c := e.idClaims("nom_usage")
		assert.Equal(t, first["sub"], c["sub"])
		assert.Equal(t, "eidas1", c["acr"])
	})
	t.Run("ProConnect reuses its session below eidas2 only", func(t *testing.T) {
		e := newPCEnv(t, fctest.Options{SingleSignOn: true}, nil)
		mfa := `{"id_token":{"acr":{"essential":true,"values":["eidas0-mfa","eidas1-mfa","eidas2","eidas3"]}}}`
		first := e.idClaims("agent_mfa", "claims", mfa)
		e.clock.Advance(time.Minute)
		c := e.idClaims("agent_eidas3", "claims", mfa)
		assert.Equal(t, first["sub"], c["sub"], "eidas1-mfa satisfies the levels: the session answers")
		assert.Equal(t, "eidas1-mfa", c["acr"])
		assert.Equal(t, first["auth_time"], c["auth_time"])

		only3 := `{"id_token":{"acr":{"essential":true,"values":["eidas3"]}}}`
		c = e.idClaims("agent_eidas3", "claims", only3)
		assert.NotEqual(t, first["sub"], c["sub"], "a level outside the essential ones: a new authentication")
		assert.EqualValues(t, e.clock.Now().Unix(), c["auth_time"])

		e.clock.Advance(time.Minute)
		c = e.idClaims("agent_mfa", "claims", mfa)
		assert.Equal(t, "eidas1-mfa", c["acr"], "an eidas3 session is never reused")
		assert.EqualValues(t, e.clock.Now().Unix(), c["auth_time"])
	})
}
