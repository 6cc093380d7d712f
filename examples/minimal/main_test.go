package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestLoginAndLogout(t *testing.T) {
	emu := fctest.New(t, fctest.Options{}) // FranceConnect+ on a loopback port, demo identities
	// The FS served at https://fs.example.fr: its keys, its secret, its FC_* variables.
	emu.RegisterFS(t, fctest.FS{Site: "https://fs.example.fr"}).Setenv(t)
	site, err := newSite(context.Background())
	require.NoError(t, err)
	user, err := emu.NewHandlerVisitor(site, "https://fs.example.fr") // the site, in-process
	require.NoError(t, err)
	ctx := context.Background()

	callback, err := user.SignIn(ctx, "/", "camille") // home page, its button, the emulator, back
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, callback.Status)
	home, err := user.Follow(ctx, callback)
	require.NoError(t, err)
	require.Contains(t, home.Body, "Bonjour Camille Hélène")

	bye, err := user.Logout(ctx, home) // the form, FranceConnect's session/end, the logout callback
	require.NoError(t, err)
	require.Equal(t, "/", bye.Header.Get("Location"))

	emu.InjectFault(fctest.FaultAccessDenied) // the person cancels on FranceConnect
	refused, err := user.SignIn(ctx, "/", "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, refused.Status)
	require.Contains(t, refused.Body, "annulée ou refusée")
}
