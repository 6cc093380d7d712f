package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

// TestLoginsAndLogouts drives complete logins and logouts through the
// program, for each algorithm pair of both platforms, with the
// identity-choice page and with -auto-login, both with the package's own
// Client and with a raw OpenID Connect client written on net/http and
// go-jose.
func TestLoginsAndLogouts(t *testing.T) {
	for _, platform := range []string{"fcplus", "fc"} {
		for _, auto := range []bool{false, true} {
			name := platform + "/identity-page"
			args := []string{"-platform", platform, "-clients", clientsFile(t, platform), "-keys-dir", sharedKeysDir}
			if auto {
				name = platform + "/auto-login"
				args = append(args, "-auto-login", "camille")
			}
			t.Run(name, func(t *testing.T) {
				emu := startEmulator(t, args...)
				for _, p := range pairs {
					if p.platform != platform {
						continue
					}
					require.Contains(t, emu.summary, "client "+p.clientID+"\n")
					require.NotContains(t, emu.summary, p.secret())
					t.Run(p.clientID+"/franceconnect.Client", func(t *testing.T) {
						goRoundTrip(t, emu, p, !auto)
					})
					t.Run(p.clientID+"/raw", func(t *testing.T) {
						rawRoundTrip(t, emu, p, !auto)
					})
				}
			})
		}
	}
}

// newGoClient configures the package's Client for p against the emulator,
// as any service provider would.
func newGoClient(t *testing.T, emu *process, p pair) *franceconnect.Client {
	t.Helper()
	cfg := franceconnect.Config{
		Issuer: emu.issuer, Platform: p.platformValue(),
		ClientID: p.clientID, ClientSecret: franceconnect.Secret(p.secret()),
		RedirectURL: callbackURL, PostLogoutRedirectURL: loggedOut,
		Scopes:      []string{"openid", "given_name", "family_name", "birthdate", "email"},
		SigningAlgs: []string{p.sig}, // as registered
		HTTPClient:  emu.httpClient(),
	}
	if k := p.key(); k != nil {
		cfg.DecryptionKeys = []franceconnect.Key{*k}
	}
	client, err := franceconnect.New(context.Background(), cfg)
	require.NoError(t, err)
	return client
}

// loginResult is what a login exposed, for the tests that check it never
// reaches the log.
type loginResult struct {
	login    *franceconnect.Login
	code     string
	state    string
	sawPage  bool
	hint     string
	logoutSt string
}

// tryLogin runs Authorize (asking for amr unless p comes from flags), the
// browser part as camille, and Callback.
func tryLogin(t *testing.T, emu *process, p pair, client *franceconnect.Client, b *browser) (loginResult, error) {
	t.Helper()
	ctx := context.Background()
	req := franceconnect.AuthRequest{Claims: franceconnect.RequestAMR()}
	if p.flags {
		req.Claims = nil
	}
	auth, err := client.Authorize(ctx, req)
	require.NoError(t, err)
	cb, sawPage := b.login(t, auth.URL, "camille")
	require.Equal(t, callbackURL, withoutQuery(cb))
	res := loginResult{code: cb.Query().Get("code"), state: auth.State, sawPage: sawPage}
	res.login, err = client.Callback(ctx, cb.Query(), auth.AuthState)
	return res, err
}

// goRoundTrip logs camille in and out with the package's Client.
func goRoundTrip(t *testing.T, emu *process, p pair, page bool) loginResult {
	t.Helper()
	client := newGoClient(t, emu, p)
	b := newBrowser(t, emu)
	res, err := tryLogin(t, emu, p, client, b)
	require.NoError(t, err)
	require.Equal(t, page, res.sawPage)
	id := res.login.Identity
	require.Equal(t, "Camille Hélène", id.GivenName)
	require.Equal(t, "ARNAUD", id.FamilyName)
	require.Equal(t, "camille.arnaud@exemple.fr", id.Email)
	require.Equal(t, res.login.IDToken.Subject, id.Subject)
	require.Equal(t, !p.flags, len(res.login.IDToken.AMR) > 0, "amr when requested through claims")
	if p.platform == "fc" {
		require.Equal(t, franceconnect.EIDAS1, res.login.IDToken.ACR)
	} else {
		require.Equal(t, franceconnect.EIDAS3, res.login.IDToken.ACR, "camille's level")
	}

	lr, err := client.Logout(context.Background(), res.login.IDToken.Hint())
	require.NoError(t, err)
	back := b.logout(t, lr.URL)
	require.Equal(t, loggedOut, withoutQuery(back))
	require.NoError(t, client.LogoutCallback(back.Query(), lr.State))
	res.hint, res.logoutSt = string(res.login.IDToken.Hint()), lr.State
	require.True(t, strings.Count(res.hint, ".") == 2, "the hint is the signed JWS")
	return res
}
