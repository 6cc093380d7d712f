package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// doorUsers are one browser at the two-door site, scripted through each
// door's emulator: the citizen through FranceConnect+, the agent through
// ProConnect, with one cookie jar.
func doorUsers(t *testing.T, a *app, site string) (citizen, agent *fctest.Visitor) {
	t.Helper()
	require.Len(t, a.doors, 2)
	citizen, agent = newUser(t, a.doors[0].emu, site), newUser(t, a.doors[1].emu, site)
	agent.HTTPClient().Jar = citizen.HTTPClient().Jar
	citizen.LoginPath, citizen.LogoutPath = "/citoyen/login", "/citoyen/logout"
	agent.LoginPath, agent.LogoutPath = "/agent/login", "/agent/logout"
	return citizen, agent
}

// cookieValue returns the value of the cookie name the browser holds.
func cookieValue(t *testing.T, u *fctest.Visitor, site, name string) string {
	t.Helper()
	for _, c := range u.HTTPClient().Jar.Cookies(mustURL(t, site)) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func setCookie(t *testing.T, u *fctest.Visitor, site, name, value string) {
	t.Helper()
	u.HTTPClient().Jar.SetCookies(mustURL(t, site), []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// TestTwoDoorsSite runs the site with nothing set: a citizen area on
// FranceConnect+ and an agent area on ProConnect, each with its button,
// its session and its logout; each area refuses the other's session.
func TestTwoDoorsSite(t *testing.T) {
	a, site := startTwoDoors(t)
	assert.Equal(t, franceconnect.FranceConnectPlus, a.doors[0].client.Platform())
	assert.Equal(t, franceconnect.ProConnect, a.doors[1].client.Platform())
	citizen, agent := doorUsers(t, a, site)
	ctx := context.Background()

	home := open(t, citizen, "/")
	require.Equal(t, http.StatusOK, home.Status)
	for _, want := range []string{"Choisissez votre espace", `<form id="citoyen-login" method="post" action="/citoyen/login">`,
		`<form id="agent-login" method="post" action="/agent/login">`, `id="citoyen-acr-eidas3" form="citoyen-login"`,
		`id="agent-acr-mfa" form="agent-login"`, `name="next" value="/citoyen/"`, "Qu’est-ce que FranceConnect+ ?",
		"Qu’est-ce que ProConnect ?", "émulateurs FranceConnect+ et ProConnect locaux"} {
		assert.Contains(t, home.Body, want)
	}
	refused := open(t, citizen, "/citoyen/")
	assert.Equal(t, http.StatusForbidden, refused.Status)
	assert.Contains(t, refused.Body, "Espace citoyen : accès réservé")

	// The citizen signs in through FranceConnect+: the area shows what
	// the session keeps, an account, a name and a birth date.
	cb := signIn(t, citizen, "camille")
	require.Equal(t, http.StatusOK, cb.Status, cb.Body)
	assert.Equal(t, "/citoyen/callback", cb.URL.Path)
	assert.Contains(t, cb.Body, "Camille Hélène")
	area := open(t, citizen, "/citoyen/")
	require.Equal(t, http.StatusOK, area.Status, area.Body)
	for _, want := range []string{"Bonjour Camille ARNAUD", `<dd id="birthdate">23 mai 1984</dd>`, `<code id="account">`,
		`id="expiry"`, `action="/citoyen/logout"`} {
		assert.Contains(t, area.Body, want)
	}
	agentArea := open(t, agent, "/agent/")
	assert.Equal(t, http.StatusForbidden, agentArea.Status, "a FranceConnect+ citizen is no agent")
	assert.Contains(t, agentArea.Body, "Votre session de l'espace citoyen n'y donne pas accès.")
	assert.NotContains(t, agentArea.Body, "1984")

	// The same browser signs in at the agent door through ProConnect.
	start, err := agent.StartLogin(ctx, open(t, agent, "/"), nil)
	require.NoError(t, err)
	cb, err = agent.ChooseIdentity(ctx, start, "agent_mfa")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cb.Status, cb.Body)
	assert.Equal(t, "/agent/callback", cb.URL.Path)
	agentArea = open(t, agent, "/agent/")
	require.Equal(t, http.StatusOK, agentArea.Status, agentArea.Body)
	assert.Contains(t, agentArea.Body, `<dd id="organization">Ministère de la Démonstration</dd>`)
	assert.Contains(t, open(t, citizen, "/citoyen/").Body, "Bonjour Camille ARNAUD", "each door keeps its own session")
	assert.Contains(t, open(t, citizen, "/").Body, "Session ouverte au nom de <strong>Camille ARNAUD</strong> et de <strong>Claire Lefèvre</strong>")

	// A door's cookie under the other door's name opens nothing.
	citizenCookie, agentCookie := cookieValue(t, citizen, site, citizenDoor), cookieValue(t, citizen, site, agentDoor)
	require.NotEmpty(t, citizenCookie)
	setCookie(t, citizen, site, agentDoor, citizenCookie)
	assert.Equal(t, http.StatusForbidden, open(t, agent, "/agent/").Status, "the citizen's cookie is no agent session")
	setCookie(t, citizen, site, citizenDoor, agentCookie)
	assert.Equal(t, http.StatusForbidden, open(t, citizen, "/citoyen/").Status, "the agent's cookie is no citizen session")

	// Logging out at one door leaves the other signed in.
	setCookie(t, citizen, site, agentDoor, agentCookie)
	setCookie(t, citizen, site, citizenDoor, citizenCookie)
	bye, err := citizen.Logout(ctx, open(t, citizen, "/citoyen/"))
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, bye.Status, bye.Body)
	assert.Equal(t, "/citoyen/deconnecte", bye.Header.Get("Location"))
	out := open(t, citizen, "/citoyen/deconnecte")
	assert.Contains(t, out.Body, "Votre session est fermée, sur ce service et sur FranceConnect+.")
	assert.Equal(t, 1, a.doors[0].emu.Requests("session/end"))
	assert.Zero(t, a.doors[1].emu.Requests("session/end"))
	assert.Equal(t, http.StatusOK, open(t, agent, "/agent/").Status, "the agent is still signed in")
	assert.Equal(t, http.StatusForbidden, open(t, citizen, "/citoyen/").Status)
}

// TestTwoDoorsFromEnv configures the two doors from CITOYEN_FC_* and
// AGENT_FC_*, as a real deployment of the site would, here against two
// emulators.
func TestTwoDoorsFromEnv(t *testing.T) {
	plus, pc := fctest.New(t, fctest.Options{}), fctest.New(t, fctest.Options{Platform: fctest.ProConnect})
	ln := listen(t)
	site := "http://" + ln.Addr().String()
	setEmulatorVars(t, nil)
	registerDoor(t, plus, "CITOYEN_", site+"/citoyen")
	registerDoor(t, pc, "AGENT_", site+"/agent")
	a, _ := serveSiteOn(t, ln)
	require.Len(t, a.doors, 2)
	assert.Nil(t, a.doors[0].emu)
	citizen, agent := newUser(t, plus, site), newUser(t, pc, site)
	agent.HTTPClient().Jar = citizen.HTTPClient().Jar
	citizen.LoginPath, agent.LoginPath = "/citoyen/login", "/agent/login"
	cb := signIn(t, citizen, "camille")
	require.Equal(t, http.StatusOK, cb.Status, cb.Body)
	assert.Equal(t, "/citoyen/oidc-callback", cb.URL.Path)
	assert.Equal(t, http.StatusForbidden, open(t, agent, "/agent/").Status)
	keys := open(t, citizen, "/citoyen"+keysPath)
	assert.Equal(t, http.StatusOK, keys.Status, "the FranceConnect+ door publishes its keys")
	assert.Equal(t, http.StatusNotFound, open(t, citizen, "/agent"+keysPath).Status)
}

// registerDoor registers a client for base on emu and sets its variables
// under prefix.
func registerDoor(t *testing.T, emu *fctest.Server, prefix, base string) {
	t.Helper()
	secret := "door-secret-0123456789abcdef0123456789"
	reg := fctest.Registration{ID: prefix + "fs", Secret: fctest.Secret(secret),
		RedirectURIs: []string{base + "/oidc-callback"}, PostLogoutRedirectURIs: []string{base + "/bye"}, AllowAMR: true}
	vars := map[string]string{franceconnect.EnvIssuer: emu.Issuer(), franceconnect.EnvClientID: prefix + "fs",
		franceconnect.EnvClientSecret: secret, franceconnect.EnvRedirectURL: base + "/oidc-callback",
		franceconnect.EnvPostLogoutRedirectURL: base + "/bye", franceconnect.EnvScopes: "openid identite_pivot"}
	if emu.Platform() == fctest.ProConnect {
		reg.SignedResponseAlg, reg.UserinfoSignedResponseAlg = "ES256", "ES256"
		vars[franceconnect.EnvPlatform], vars[franceconnect.EnvScopes] = "proconnect", "openid given_name usual_name siret organization_label"
	} else {
		keyFile := t.TempDir() + "/keys.json"
		jwks, err := writeKeyFile(keyFile, franceconnect.ECDHES)
		require.NoError(t, err)
		reg.JWKS, vars[franceconnect.EnvKeys] = jwks, keyFile
	}
	require.NoError(t, emu.Register(reg))
	for k, v := range vars {
		t.Setenv(prefix+k, v)
	}
	t.Setenv(fchttp.EnvSessionKeys, "")
}
