package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

const site = "https://demarches.example.gouv.fr"

// setDoor registers the door under base on emu and sets its variables
// under prefix, as a deployment would.
func setDoor(t *testing.T, emu *fctest.Server, prefix, base string) {
	t.Helper()
	secret := strings.Repeat("d", 40)
	reg := fctest.Registration{ID: strings.ToLower(prefix) + "fs", Secret: fctest.Secret(secret),
		RedirectURIs: []string{base + "/callback"}, PostLogoutRedirectURIs: []string{base + "/logout-callback"}}
	vars := map[string]string{franceconnect.EnvIssuer: emu.Issuer(), franceconnect.EnvClientID: reg.ID,
		franceconnect.EnvClientSecret: secret, franceconnect.EnvRedirectURL: base + "/callback",
		franceconnect.EnvPostLogoutRedirectURL: base + "/logout-callback", franceconnect.EnvScopes: "openid given_name birthdate"}
	if emu.Platform() == fctest.ProConnect {
		reg.SignedResponseAlg, reg.UserinfoSignedResponseAlg = "RS256", "RS256"
		vars[franceconnect.EnvPlatform], vars[franceconnect.EnvScopes] = "proconnect", "openid given_name usual_name"
	} else {
		key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
		require.NoError(t, err)
		reg.JWKS, err = franceconnect.PublicJWKS([]franceconnect.Key{key})
		require.NoError(t, err)
		private, err := franceconnect.MarshalKeys([]franceconnect.Key{key})
		require.NoError(t, err)
		vars[franceconnect.EnvKeys] = filepath.Join(t.TempDir(), "keys.json")
		require.NoError(t, os.WriteFile(vars[franceconnect.EnvKeys], private, 0o600))
	}
	require.NoError(t, emu.Register(reg))
	for k, v := range vars {
		t.Setenv(prefix+k, v)
	}
}

func setSessionKeys(t *testing.T) {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	t.Setenv("FS_SESSION_KEYS", base64.StdEncoding.EncodeToString(key))
}

func TestTwoDoors(t *testing.T) {
	plus := fctest.New(t, fctest.Options{})
	second, err := net.Listen("tcp", "127.0.0.2:0") // browsers keep cookies by host: each emulator its own
	if err != nil {
		second, err = net.Listen("tcp", "[::1]:0") // no 127.0.0.2 (macOS)
	}
	require.NoError(t, err)
	pc := fctest.New(t, fctest.Options{Platform: fctest.ProConnect, Listener: second})
	setDoor(t, plus, "CITOYEN_", site+"/citoyen")
	setDoor(t, pc, "AGENT_", site+"/agent")
	setSessionKeys(t)
	h, err := newSite(context.Background())
	require.NoError(t, err)
	citizen, err := plus.NewHandlerVisitor(h, site)
	require.NoError(t, err)
	agent, err := pc.NewHandlerVisitor(h, site)
	require.NoError(t, err)
	agent.HTTPClient().Jar = citizen.HTTPClient().Jar // one browser
	citizen.LoginPath, citizen.LogoutPath = "/citoyen/login", "/citoyen/logout"
	agent.LoginPath, agent.LogoutPath = "/agent/login", "/agent/logout"
	ctx := context.Background()

	cb, err := citizen.SignIn(ctx, "/citoyen/", "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	page, err := citizen.Follow(ctx, cb)
	require.NoError(t, err)
	assert.Contains(t, page.Body, "Bonjour Camille Hélène (date de naissance : 1984-05-23)")
	anonymous, err := agent.Open(ctx, "/agent/")
	require.NoError(t, err)
	assert.Contains(t, anonymous.Body, "S'identifier avec ProConnect", "a citizen is nobody at the agent door")

	cb, err = agent.SignIn(ctx, "/agent/", "agent_mfa")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	agentPage, err := agent.Follow(ctx, cb)
	require.NoError(t, err)
	assert.Contains(t, agentPage.Body, "Bonjour Claire Lefèvre")

	// The citizen's cookie under the agent's cookie name opens nothing.
	base, _ := url.Parse(site)
	var citizenCookie string
	for _, c := range citizen.HTTPClient().Jar.Cookies(base) {
		if c.Name == "__Host-citoyen" {
			citizenCookie = c.Value
		}
	}
	require.NotEmpty(t, citizenCookie)
	citizen.HTTPClient().Jar.SetCookies(base, []*http.Cookie{{Name: "__Host-agent", Value: citizenCookie, Path: "/", Secure: true}})
	refused, err := agent.Open(ctx, "/agent/")
	require.NoError(t, err)
	assert.Contains(t, refused.Body, "S'identifier avec ProConnect")
	still, err := citizen.Open(ctx, "/citoyen/")
	require.NoError(t, err)
	assert.Contains(t, still.Body, "Bonjour Camille Hélène")
	bye, err := citizen.Logout(ctx, still)
	require.NoError(t, err)
	assert.Equal(t, "/citoyen/", bye.Header.Get("Location"))
}

// TestEveryProblemAtOnce: the site reports the problems of both doors,
// each naming its variable.
func TestEveryProblemAtOnce(t *testing.T) {
	for _, prefix := range []string{"CITOYEN_", "AGENT_"} {
		for _, v := range []string{franceconnect.EnvIssuer, franceconnect.EnvEnvironment, franceconnect.EnvClientID} {
			t.Setenv(prefix+v, "")
		}
	}
	t.Setenv("FS_SESSION_KEYS", "")
	_, err := newSite(context.Background())
	require.ErrorIs(t, err, franceconnect.ErrConfig)
	for _, want := range []string{"CITOYEN_FC_CLIENT_ID is not set", "AGENT_FC_CLIENT_ID is not set", "FS_SESSION_KEYS is not set"} {
		assert.ErrorContains(t, err, want)
	}
}
