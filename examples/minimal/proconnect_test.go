package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestProConnect runs the README's code, as written, with a ProConnect
// configuration: KeysPath is left unserved, since ProConnect encrypts
// nothing to the FS and there is no FC_KEYS.
func TestProConnect(t *testing.T) {
	emu := fctest.New(t, fctest.Options{Platform: fctest.ProConnect})
	emu.RegisterFS(t, fctest.FS{Site: "https://outil.example.gouv.fr", SigningAlg: "RS256", UserinfoAlg: "RS256"}).Setenv(t)
	site, err := newSite(context.Background())
	require.NoError(t, err)
	user, err := emu.NewHandlerVisitor(site, "https://outil.example.gouv.fr")
	require.NoError(t, err)
	ctx := context.Background()
	callback, err := user.SignIn(ctx, "/", "agent_mfa")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, callback.Status, callback.Body)
	home, err := user.Follow(ctx, callback)
	require.NoError(t, err)
	require.Contains(t, home.Body, "Bonjour Claire")
	keys, err := user.Open(ctx, "/client/keys")
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, keys.Status, "no keys to publish on ProConnect")
}
