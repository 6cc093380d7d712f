package fchttp_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestLoginBelowTheConfiguredLevel posts the login form with a level below
// the Client's: the browser may ask for more, never for less, and gets a
// French page, 400, and no login.
func TestLoginBelowTheConfiguredLevel(t *testing.T) {
	e := newEnv(t)
	client, err := franceconnect.New(context.Background(), franceconnect.Config{
		Issuer: e.emu.Issuer(), ClientID: clientID, ClientSecret: secret, ACR: franceconnect.EIDAS3,
		RedirectURL: site + "/callback", PostLogoutRedirectURL: site + "/logout-callback",
		Scopes: []string{"openid", "given_name", "family_name"}, DecryptionKeys: []franceconnect.Key{e.key},
	})
	require.NoError(t, err)
	u := e.user(e.newApp(func(c *fchttp.Config) { c.Client = client }))
	ctx := context.Background()
	home := mustOpen(t, u, "/")
	r, err := u.Submit(ctx, home, "/login", map[string][]string{"acr": {"eidas2"}})
	require.NoError(t, err)
	requireProblem(t, r, http.StatusBadRequest, "ErrLevelOutsidePolicy", "ErrInvalidRequest")
	body := html.UnescapeString(r.Body)
	assert.Contains(t, body, `<html lang="fr">`)
	assert.Contains(t, body, "<h1>Niveau de sécurité insuffisant</h1>")
	assert.Contains(t, body, "inférieur à celui qu'exige ce service")
	requireProblem(t, mustOpen(t, u, "/login?acr=eidas2&next=/compte"), http.StatusBadRequest, "ErrLevelOutsidePolicy")
	assert.Zero(t, e.emu.Requests("authorize"), "no login started")

	start, err := u.Submit(ctx, home, "/login", map[string][]string{"acr": {"eidas3"}})
	require.NoError(t, err)
	require.True(t, e.isAuthorize(start), "more than the floor: HTTP %d", start.Status)
	assert.Equal(t, "eidas3", query(t, start).Get("acr_values"))
	start = mustOpen(t, u, "/login?next=/compte")
	assert.Equal(t, "eidas3", query(t, start).Get("acr_values"), "no field: the configured level")
}

// TestProConnectFormOutsideTheLevels posts ProConnect levels below or
// outside the Client's two-factor levels.
func TestProConnectFormOutsideTheLevels(t *testing.T) {
	emu, _, u := pcApp(t)
	home := mustOpen(t, u, "/")
	for _, bad := range []string{"eidas0", "eidas1 eidas1-mfa", "eidas0-mfa eidas1-mfa eidas2 eidas3 eidas1",
		"https://proconnect.gouv.fr/assurance/certification-dirigeant"} {
		r, err := u.Submit(context.Background(), home, "/login", map[string][]string{"acr": {bad}})
		require.NoError(t, err)
		requireProblem(t, r, http.StatusBadRequest, "ErrLevelOutsidePolicy")
	}
	assert.Zero(t, emu.Requests("authorize"))
	cb, start := pcLoginAs(t, u, map[string][]string{"acr": {"eidas3"}}, "agent_eidas3")
	assert.Equal(t, []string{"eidas3"}, requestedLevels(t, start), "a subset narrows")
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
}

// ssoApp is an FS on a ProConnect emulator playing single sign-on, whose
// Client accepts authentications of at most maxAge; emulator, Client and
// web layer share a clock.
func ssoApp(t *testing.T, maxAge time.Duration) (*fctest.Server, *clock, *fctest.Visitor) {
	t.Helper()
	clk := &clock{}
	emu := fctest.New(t, fctest.Options{Platform: fctest.ProConnect, SingleSignOn: true, Now: clk.Now})
	// A new ProConnect registration: RS256 for both tokens.
	require.NoError(t, emu.Register(fctest.Registration{ID: clientID, Secret: secret, RedirectURIs: []string{site + "/callback"},
		PostLogoutRedirectURIs: []string{site + "/logout-callback"}, UserinfoSignedResponseAlg: "RS256"}))
	client, err := franceconnect.New(context.Background(), franceconnect.Config{
		Issuer: emu.Issuer(), Platform: franceconnect.ProConnect, ClientID: clientID, ClientSecret: secret,
		RedirectURL: site + "/callback", PostLogoutRedirectURL: site + "/logout-callback",
		Scopes: []string{"openid", "given_name", "usual_name"}, MaxAuthAge: maxAge, Now: clk.Now,
	})
	require.NoError(t, err)
	fc, err := fchttp.New(fchttp.Config{Client: client, SessionKeys: [][]byte{newKey()}, Now: clk.Now})
	require.NoError(t, err)
	mux := http.NewServeMux()
	fc.Register(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		u, err := fc.User(w, r)
		require.NoError(t, err)
		if u != nil {
			fmt.Fprintf(w, "<p>Connecté (%s, %s)</p>", u.ACR, u.AuthTime.UTC().Format(time.RFC3339))
		}
		fmt.Fprint(w, `<form method="post" action="/login"><button>S’identifier avec ProConnect</button></form>`)
	})
	u, err := emu.NewHandlerVisitor(mux, site)
	require.NoError(t, err)
	return emu, clk, u
}

// TestStaleSingleSignOnRetried signs an agent in again an hour later: the
// ProConnect session answers (eidas1-mfa is reused), its authentication is
// older than the maximum age, and the Handler retries with prompt=login,
// whose answer must carry a new auth_time.
func TestStaleSingleSignOnRetried(t *testing.T) {
	emu, clk, u := ssoApp(t, 30*time.Minute)
	ctx := context.Background()
	cb, _ := pcLoginAs(t, u, nil, "agent_mfa")
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	clk.Advance(time.Hour)

	start, err := u.StartLogin(ctx, mustOpen(t, u, "/"), nil)
	require.NoError(t, err)
	assert.Empty(t, query(t, start).Get("prompt"))
	retry, err := u.ChooseIdentity(ctx, start, "agent_mfa") // the session answers, no page
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(retry.Header.Get("Location"), emu.Issuer()+"/authorize?"), "HTTP %d %s", retry.Status, retry.Body)
	assert.Equal(t, "login", query(t, retry).Get("prompt"))
	done, err := u.ChooseIdentity(ctx, retry, "agent_mfa")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	assert.Contains(t, mustOpen(t, u, "/").Body, "Connecté (eidas1-mfa, "+clk.Now().UTC().Format("2006-01-02T15"))

	clk.Advance(time.Hour)
	start, err = u.StartLogin(ctx, mustOpen(t, u, "/"), nil)
	require.NoError(t, err)
	retry, err = u.ChooseIdentity(ctx, start, "agent_mfa")
	require.NoError(t, err)
	emu.InjectFault(fctest.FaultPromptLoginIgnored)
	page, err := u.ChooseIdentity(ctx, retry, "agent_mfa")
	require.NoError(t, err)
	requireProblem(t, page, http.StatusBadGateway, "ErrStaleAuthentication", "ErrInvalidIDToken")
	body := html.UnescapeString(page.Body)
	assert.Contains(t, body, "<h1>Authentification à renouveler</h1>")
	assert.Contains(t, body, `<a href="/login">Réessayer</a>`)
	assert.Contains(t, body, "ProConnect a répondu avec une authentification plus ancienne")
}

// TestACRRetryIsFresh follows the FranceConnect+ retry: prompt=login comes
// back with the same level only when the provider authenticated again.
func TestACRRetryIsFresh(t *testing.T) {
	e := newEnv(t)
	u := e.user(e.newApp(nil))
	ctx := context.Background()
	start, err := u.Open(ctx, "/login?acr=eidas3")
	require.NoError(t, err)
	e.emu.InjectFault(fctest.FaultACRLower)
	retry, err := u.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	require.True(t, e.isAuthorize(retry))
	e.emu.InjectFault(fctest.FaultMissingAuthTime)
	page, err := u.ChooseIdentity(ctx, retry, "camille")
	require.NoError(t, err)
	requireProblem(t, page, http.StatusBadGateway, "ErrStaleAuthentication")
	assert.Contains(t, mustOpen(t, u, "/").Body, "Anonyme")
}
