package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

const origin = "https://fs.example.fr"

// newTestSite registers the FS on a fresh emulator and builds the site as
// main does, from the configuration a deployment would have.
func newTestSite(t *testing.T) (*fctest.Server, *fctest.Visitor) {
	emu := fctest.New(t, fctest.Options{})
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
	require.NoError(t, err)
	public, err := franceconnect.PublicJWKS([]franceconnect.Key{key})
	require.NoError(t, err)
	secret := franceconnect.Secret(strings.Repeat("s", 40))
	require.NoError(t, emu.Register(fctest.Registration{ID: "protocol-fs", Secret: fctest.Secret(secret), JWKS: public,
		RedirectURIs: []string{origin + "/callback"}, PostLogoutRedirectURIs: []string{origin + "/logout-callback"}}))
	h, err := newSite(context.Background(), franceconnect.Config{
		Issuer: emu.Issuer(), ClientID: "protocol-fs", ClientSecret: secret, DecryptionKeys: []franceconnect.Key{key},
		RedirectURL: origin + "/callback", PostLogoutRedirectURL: origin + "/logout-callback",
		Scopes: []string{"openid", "given_name"},
	})
	require.NoError(t, err)
	user, err := emu.NewHandlerVisitor(h, origin)
	require.NoError(t, err)
	return emu, user
}

func TestLoginAndLogout(t *testing.T) {
	_, user := newTestSite(t)
	ctx := context.Background()
	callback, err := user.SignIn(ctx, "/", "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, callback.Status, callback.Body)
	home, err := user.Follow(ctx, callback)
	require.NoError(t, err)
	require.Contains(t, home.Body, "Bonjour Camille Hélène")

	bye, err := user.Logout(ctx, home)
	require.NoError(t, err)
	require.Equal(t, "/", bye.Header.Get("Location"))
	home, err = user.Follow(ctx, bye)
	require.NoError(t, err)
	require.Contains(t, home.Body, "S'identifier avec FranceConnect+")
}

func TestRefusals(t *testing.T) {
	emu, user := newTestSite(t)
	ctx := context.Background()
	emu.InjectFault(fctest.FaultAccessDenied)
	refused, err := user.SignIn(ctx, "/", "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, refused.Status)

	emu.InjectFault(fctest.FaultWrongNonce)
	refused, err = user.SignIn(ctx, "/", "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusBadGateway, refused.Status, "a token that fails a check is never used")

	replay, err := user.SignIn(ctx, "/", "camille")
	require.NoError(t, err)
	again, err := user.Open(ctx, replay.URL.String())
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, again.Status, "the login state is used once")

	lost, err := user.Open(ctx, "/logout-callback?"+url.Values{"state": {"forged"}}.Encode())
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, lost.Status)
}

// TestDocShowsThisCode keeps docs/protocol.md equal to main.go.
func TestDocShowsThisCode(t *testing.T) {
	doc, err := os.ReadFile("../../docs/protocol.md")
	require.NoError(t, err)
	code, err := os.ReadFile("main.go")
	require.NoError(t, err)
	require.Contains(t, string(doc), "```go\n"+string(code)+"```\n", "docs/protocol.md must show main.go exactly")
}
