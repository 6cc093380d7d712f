package fchttp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
)

func TestLoginAndLogout(t *testing.T) {
	e := newEnv(t)
	a := e.newApp(nil)
	u := e.user(a)
	ctx := context.Background()

	home, err := u.Open(ctx, "/")
	require.NoError(t, err)
	require.Contains(t, home.Body, "Anonyme")
	start, err := u.StartLogin(ctx, home, nil) // the link, with next=/compte
	require.NoError(t, err)
	require.True(t, e.isAuthorize(start), "303 to FranceConnect: %v", start.Location())
	assert.Equal(t, "no-store", start.Header.Get("Cache-Control"))
	q := query(t, start)
	assert.Equal(t, "eidas2", q.Get("acr_values"))
	assert.Empty(t, q.Get("prompt"))
	cookie := start.Header.Get("Set-Cookie")
	for _, attr := range []string{"__Host-fs_session=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax", "Max-Age=600"} {
		assert.Contains(t, cookie, attr)
	}
	assert.NotContains(t, cookie, "Domain")

	cb, err := u.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	assert.Equal(t, "/compte", cb.Header.Get("Location"), "back to next")
	page, err := u.Follow(ctx, cb)
	require.NoError(t, err)
	assert.Contains(t, page.Body, "Bonjour Camille Hélène (eidas3)")

	out, err := u.Logout(ctx, page)
	require.NoError(t, err)
	assert.Equal(t, 1, e.emu.Requests("session/end"), "logout goes through FranceConnect")
	require.Equal(t, http.StatusSeeOther, out.Status, out.Body)
	assert.Equal(t, "/", out.Header.Get("Location"))
	assert.Contains(t, out.Header.Get("Set-Cookie"), "Max-Age=0", "nothing left in the session")
	home, err = u.Follow(ctx, out)
	require.NoError(t, err)
	assert.Contains(t, home.Body, "Anonyme")
}

func TestLoginFormWithLevel(t *testing.T) {
	e := newEnv(t)
	u := e.user(e.newApp(nil))
	ctx := context.Background()
	home, err := u.Open(ctx, "/")
	require.NoError(t, err)
	start, err := u.Submit(ctx, home, "/login", map[string][]string{"acr": {"eidas3"}})
	require.NoError(t, err)
	require.True(t, e.isAuthorize(start))
	assert.Equal(t, "eidas3", query(t, start).Get("acr_values"))
	cb, err := u.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	assert.Equal(t, "/", cb.Header.Get("Location"), "no next: HomePath")

	for _, bad := range []string{"eidas1", "loa-high", "eidas4"} {
		r, err := u.Submit(ctx, home, "/login", map[string][]string{"acr": {bad}})
		require.NoError(t, err)
		requireProblem(t, r, http.StatusBadRequest, "ErrInvalidRequest")
	}
}

func TestOnLoginWritesThePage(t *testing.T) {
	e := newEnv(t)
	a := e.newApp(func(c *fchttp.Config) {
		c.OnLogin = func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			http.SetCookie(w, &http.Cookie{Name: "app", Value: "1", Path: "/"})
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			fmt.Fprintf(w, "<h1>Identité de %s %s</h1>", l.Identity.GivenName, l.Identity.FamilyName)
			return "Camille", nil
		}
	})
	u := e.user(a)
	cb, err := u.SignIn(context.Background(), "/", "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cb.Status)
	assert.Contains(t, cb.Body, "Identité de Camille Hélène ARNAUD")
	assert.Len(t, cb.Header.Values("Set-Cookie"), 2, "the session and the application's cookie")
	home, err := u.Open(context.Background(), "/")
	require.NoError(t, err)
	assert.Contains(t, home.Body, "Bonjour Camille (eidas3)")
}

func TestOnLoginRefuses(t *testing.T) {
	e := newEnv(t)
	errMinor := errors.New("minors cannot use this service")
	var got *fchttp.Problem
	a := e.newApp(func(c *fchttp.Config) {
		c.OnLogin = func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			http.SetCookie(w, &http.Cookie{Name: "app", Value: "1"})
			return "", errMinor
		}
		c.OnError = func(w http.ResponseWriter, r *http.Request, p *fchttp.Problem) {
			got = p
			p.ServeHTTP(w, r)
		}
	})
	u := e.user(a)
	cb, err := u.SignIn(context.Background(), "/", "camille")
	require.NoError(t, err)
	requireProblem(t, cb, http.StatusInternalServerError, "ErrApplication")
	require.ErrorIs(t, got.Err, errMinor)
	require.ErrorIs(t, got.Err, fchttp.ErrApplication)
	for _, c := range cb.Header.Values("Set-Cookie") {
		assert.False(t, strings.HasPrefix(c, "app="), "the refused login's cookies are dropped")
	}
	home, err := u.Open(context.Background(), "/")
	require.NoError(t, err)
	assert.Contains(t, home.Body, "Anonyme")

	a = e.newApp(func(c *fchttp.Config) {
		c.OnLogin = func(http.ResponseWriter, *http.Request, *franceconnect.Login) (any, error) {
			return func() {}, nil
		}
	})
	cb, err = e.user(a).SignIn(context.Background(), "/", "camille")
	require.NoError(t, err)
	requireProblem(t, cb, http.StatusInternalServerError, "ErrApplication")
}

func TestTwoTabs(t *testing.T) {
	e := newEnv(t)
	u := e.user(e.newApp(nil))
	ctx := context.Background()
	home, err := u.Open(ctx, "/")
	require.NoError(t, err)
	tab1, err := u.StartLogin(ctx, home, nil)
	require.NoError(t, err)
	tab2, err := u.Submit(ctx, home, "/login", map[string][]string{"acr": {"eidas3"}})
	require.NoError(t, err)
	require.NotEqual(t, query(t, tab1).Get("state"), query(t, tab2).Get("state"))

	cb2, err := u.ChooseIdentity(ctx, tab2, "camille") // the second tab finishes first
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb2.Status, cb2.Body)
	assert.Equal(t, "/", cb2.Header.Get("Location"))
	cb1, err := u.ChooseIdentity(ctx, tab1, "nom_usage")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb1.Status, "the first tab's login was not overwritten: %s", cb1.Body)
	assert.Equal(t, "/compte", cb1.Header.Get("Location"))
	page, err := u.Follow(ctx, cb1)
	require.NoError(t, err)
	assert.Contains(t, page.Body, "Bonjour Sophie Anne")
}

func TestReplayedCallback(t *testing.T) {
	e := newEnv(t)
	u := e.user(e.newApp(nil))
	ctx := context.Background()
	home, err := u.Open(ctx, "/")
	require.NoError(t, err)
	start, err := u.StartLogin(ctx, home, nil)
	require.NoError(t, err)
	before := sessionCookie(t, u) // holds the login in progress
	cb, err := u.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status)

	replay, err := u.Open(ctx, cb.URL.String())
	require.NoError(t, err)
	requireProblem(t, replay, http.StatusBadRequest, "ErrLoginUsed", "ErrStateMismatch")
	page, err := u.Open(ctx, "/")
	require.NoError(t, err)
	assert.Contains(t, page.Body, "Bonjour Camille", "a replay does not end the session")

	// With the cookie of before the callback, the state matches again, but
	// FranceConnect refuses the spent code.
	setSessionCookie(u, before)
	replay, err = u.Open(ctx, cb.URL.String())
	require.NoError(t, err)
	requireProblem(t, replay, http.StatusBadGateway, "ProviderError invalid_grant")
}

func TestExpiredLogin(t *testing.T) {
	e := newEnv(t)
	var c clock
	u := e.user(e.newApp(func(cfg *fchttp.Config) { cfg.Now = c.Now }))
	ctx := context.Background()
	home, err := u.Open(ctx, "/")
	require.NoError(t, err)

	start, err := u.StartLogin(ctx, home, nil)
	require.NoError(t, err)
	c.Advance(fchttp.LoginTimeout - 5*time.Second)
	cb, err := u.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, "just in time: %s", cb.Body)

	// Signed in, the cookie outlives the login in progress: its expiry shows.
	start, err = u.StartLogin(ctx, home, nil)
	require.NoError(t, err)
	c.Advance(fchttp.LoginTimeout + time.Second)
	cb, err = u.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	requireProblem(t, cb, http.StatusBadRequest, "ErrLoginExpired", "ErrStateMismatch")
	assert.Contains(t, cb.Body, "moins de 10 minutes")

	// Anonymous, the whole cookie has expired: the state still tells.
	out, err := u.Logout(ctx, mustOpen(t, u, "/"))
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, out.Status)
	start, err = u.StartLogin(ctx, home, nil)
	require.NoError(t, err)
	c.Advance(fchttp.LoginTimeout + time.Second)
	cb, err = u.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	requireProblem(t, cb, http.StatusBadRequest, "ErrLoginExpired", "ErrStateMismatch")
}
