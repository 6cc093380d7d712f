package franceconnect

import (
	"context"
	"net/url"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestRegisterFSEnvironment checks fctest.Server.RegisterFS against
// ConfigFromEnv: its environment holds every variable ConfigFromEnv reads
// (fctest cannot import this package to list them), and a Client built from
// it logs in on each platform.
func TestRegisterFSEnvironment(t *testing.T) {
	read := []string{EnvEnvironment}
	for _, v := range envFields {
		read = append(read, v)
	}
	for _, tc := range []struct {
		platform fctest.Platform
		fs       fctest.FS
		login    string
		acr      ACR
	}{
		{fctest.FranceConnectPlus, fctest.FS{}, "camille", EIDAS3},
		{fctest.FranceConnectPlus, fctest.FS{KeyAlg: RSAOAEP, ACR: "eidas3"}, "camille", EIDAS3},
		{fctest.FranceConnect, fctest.FS{SigningAlg: "RS256"}, "camille", EIDAS1},
		{fctest.ProConnect, fctest.FS{ACR: "eidas1 eidas1-mfa"}, "agent_mfa", "eidas1-mfa"},
		{fctest.ProConnect, fctest.FS{SigningAlg: "HS256", UserinfoAlg: "HS256"}, "agent_eidas2", "eidas2"},
	} {
		t.Run(tc.platform.String(), func(t *testing.T) {
			emu := fctest.New(t, fctest.Options{Platform: tc.platform})
			tc.fs.Site = "https://fs.example.fr"
			env := emu.RegisterFS(t, tc.fs).Setenv(t)
			for _, v := range slices.Compact(slices.Sorted(slices.Values(read))) {
				assert.Contains(t, env, v, "RegisterFS sets every variable ConfigFromEnv reads")
			}
			cfg, err := ConfigFromEnv()
			require.NoError(t, err)
			ctx := context.Background()
			c, err := New(ctx, cfg)
			require.NoError(t, err)
			auth, err := c.Authorize(ctx, AuthRequest{})
			require.NoError(t, err)
			cb, err := emu.SignIn(ctx, auth.URL, tc.login)
			require.NoError(t, err)
			u, err := url.Parse(cb)
			require.NoError(t, err)
			login, err := c.Callback(ctx, u.Query(), auth.AuthState)
			require.NoError(t, err)
			assert.Equal(t, tc.acr, login.IDToken.ACR)
		})
	}
}
