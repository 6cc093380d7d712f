package fchttp_test

import (
	"context"
	"html"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// stepUp asks the signed-in user u for eidas3: FranceConnect+ single
// sign-on answers eidas2 from its session, and the Handler starts the
// login again with prompt=login. It returns that second redirect to
// authorize.
func stepUp(t *testing.T, e *env, u *fctest.Visitor) *fctest.Response {
	t.Helper()
	ctx := context.Background()
	start, err := u.Open(ctx, "/login?acr=eidas3&next=/compte")
	require.NoError(t, err)
	require.True(t, e.isAuthorize(start), "HTTP %d %s", start.Status, start.Body)
	assert.Empty(t, query(t, start).Get("prompt"))
	retry, err := u.ChooseIdentity(ctx, start, "camille") // the session answers eidas2, no page
	require.NoError(t, err)
	require.True(t, e.isAuthorize(retry), "the Handler retries: HTTP %d %s", retry.Status, retry.Body)
	assert.Equal(t, "login", query(t, retry).Get("prompt"))
	assert.Equal(t, "eidas3", query(t, retry).Get("acr_values"))
	return retry
}

// A step-up from a signed-in session, with each way of sharing state and
// two instances behind a balancer: the retry with prompt=login starts on
// one instance and completes on the other, which checks auth_time against
// the start the login in progress carries; the new session replaces the
// old one, whose cookie opens nothing afterwards when the state is shared.
func TestStepUpRetryReplacesTheSession(t *testing.T) {
	states := sharedStates()
	states["sealed"] = func(*fchttp.Config) {}
	for name, shared := range states {
		t.Run(name, func(t *testing.T) {
			e := newEnvWith(t, fctest.Options{SingleSignOn: true})
			var cfg fchttp.Config
			a := e.newApp(func(c *fchttp.Config) { shared(c); cfg = *c })
			b := e.newApp(func(c *fchttp.Config) { *c = cfg })
			u := e.user(&roundRobin{instances: []http.Handler{a, b}})
			signIn(t, u)
			before := sessionCookie(t, u)
			started := time.Now().Truncate(time.Second)

			retry := stepUp(t, e, u)
			done, err := u.ChooseIdentity(context.Background(), retry, "camille")
			require.NoError(t, err)
			require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
			assert.Equal(t, "/compte", done.Header.Get("Location"))
			assert.Contains(t, mustOpen(t, u, "/compte").Body, "Bonjour Camille Hélène (eidas3)")

			after := sessionCookie(t, u)
			require.NotEqual(t, before, after, "a new session")
			for _, fc := range []*fchttp.Handler{a.fc, b.fc} {
				user := userOf(t, fc, after)
				require.NotNil(t, user)
				assert.False(t, user.AuthTime.Before(started), "auth_time of the new authentication")
				if name != "sealed" {
					assert.Nil(t, userOf(t, fc, before), "the session before the step-up is ended")
				}
			}
		})
	}
}

// The retry of a step-up must come back with a new authentication: an
// id_token without auth_time fails on whichever instance receives it, the
// person stays signed in as before, and the page offers to try again at
// the door's login.
func TestStepUpRetryStale(t *testing.T) {
	e := newEnvWith(t, fctest.Options{SingleSignOn: true})
	ring := e.ring
	a := e.newApp(nil)
	b := e.newApp(func(c *fchttp.Config) { c.SessionKeys = ring })
	u := e.user(&roundRobin{instances: []http.Handler{a, b}})
	signIn(t, u)

	retry := stepUp(t, e, u)
	e.emu.InjectFault(fctest.FaultMissingAuthTime)
	page, err := u.ChooseIdentity(context.Background(), retry, "camille")
	require.NoError(t, err)
	requireProblem(t, page, http.StatusBadGateway, "ErrStaleAuthentication", "ErrInvalidIDToken")
	body := html.UnescapeString(page.Body)
	assert.Contains(t, body, "<h1>Authentification à renouveler</h1>")
	assert.Contains(t, body, `<a href="/login">Réessayer</a>`)
	assert.Contains(t, mustOpen(t, u, "/").Body, "Bonjour Camille Hélène", "the step-up failed, the session stays")

	again := mustOpen(t, u, "/login")
	require.True(t, e.isAuthorize(again), "Réessayer starts a login")
}

// At a door mounted under its own paths, the page of a stale
// authentication links to that door's login.
func TestStaleRetryLinksToTheDoor(t *testing.T) {
	e := newEnvWith(t, fctest.Options{SingleSignOn: true})
	a := e.newApp(func(c *fchttp.Config) { c.LoginPath = "/citoyen/connexion" })
	u := e.user(a)
	ctx := context.Background()
	start, err := u.Open(ctx, "/citoyen/connexion?acr=eidas3")
	require.NoError(t, err)
	require.True(t, e.isAuthorize(start))
	e.emu.InjectFault(fctest.FaultACRLower)
	retry, err := u.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	require.Equal(t, "login", query(t, retry).Get("prompt"))
	e.emu.InjectFault(fctest.FaultMissingAuthTime)
	page, err := u.ChooseIdentity(ctx, retry, "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusBadGateway, page.Status, page.Body)
	assert.Contains(t, html.UnescapeString(page.Body), `<a href="/citoyen/connexion">Réessayer</a>`)
}
