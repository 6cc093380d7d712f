package fchttp_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
)

// sharedStates are the ways a site shares state between its instances.
func sharedStates() map[string]func(*fchttp.Config) {
	return map[string]func(*fchttp.Config){
		"store":       func(c *fchttp.Config) { c.Store = newMemStore() },
		"revocations": func(c *fchttp.Config) { c.Revocations = newMemRevocations() },
	}
}

func TestIdleTimeout(t *testing.T) {
	for name, shared := range map[string]func(*fchttp.Config){"sealed": func(*fchttp.Config) {}, "store": sharedStates()["store"]} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			var c clock
			a := e.newApp(func(cfg *fchttp.Config) {
				shared(cfg)
				cfg.Now, cfg.IdleTimeout, cfg.SessionLifetime = c.Now, 10*time.Minute, time.Hour
			})
			u := e.user(a)
			signIn(t, u)
			for range 5 { // a request every 9 minutes keeps the session
				c.Advance(9 * time.Minute)
				require.Contains(t, mustOpen(t, u, "/").Body, "Bonjour Camille")
			}
			c.Advance(10*time.Minute + time.Second)
			home := mustOpen(t, u, "/")
			assert.Contains(t, home.Body, "Anonyme", "10 minutes without a request end the session")
			assert.Contains(t, home.Header.Get("Set-Cookie"), "Max-Age=0", "the browser forgets it")
		})
	}
}

func TestIdleRefreshWritesRarely(t *testing.T) {
	e := newEnv(t)
	var c clock
	a := e.newApp(func(cfg *fchttp.Config) { cfg.Now, cfg.IdleTimeout = c.Now, 8*time.Minute })
	u := e.user(a)
	signIn(t, u)
	home := mustOpen(t, u, "/")
	assert.Empty(t, home.Header.Values("Set-Cookie"), "no write right after the login")
	c.Advance(time.Minute) // an eighth of the idle timeout
	home = mustOpen(t, u, "/")
	cookie := home.Header.Get("Set-Cookie")
	assert.Contains(t, cookie, "Max-Age=480", "the idle deadline moved: the cookie lasts 8 minutes from now")
}

func TestLifetimeSettings(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name             string
		idle, lifetime   time.Duration
		wantIdle, wantLT time.Duration
	}{
		{"FranceConnect+ defaults", 0, 0, 15 * time.Minute, 2 * time.Hour},
		{"a lifetime below the default idle", 0, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute},
		{"both set", 30 * time.Minute, 8 * time.Hour, 30 * time.Minute, 8 * time.Hour},
	} {
		idle, life := fchttp.DefaultLifetimes(franceconnect.FranceConnectPlus)
		if tt.idle == 0 && tt.lifetime == 0 {
			assert.Equal(t, []time.Duration{tt.wantIdle, tt.wantLT}, []time.Duration{idle, life}, tt.name)
		}
		_, err := fchttp.New(fchttp.Config{Client: e.client(), SessionKeys: e.ring, IdleTimeout: tt.idle, SessionLifetime: tt.lifetime})
		require.NoError(t, err, tt.name)
	}
	for _, p := range []struct {
		platform       franceconnect.Platform
		idle, lifetime time.Duration
	}{{franceconnect.FranceConnect, 30 * time.Minute, 12 * time.Hour}, {franceconnect.ProConnect, time.Hour, 12 * time.Hour}} {
		idle, life := fchttp.DefaultLifetimes(p.platform)
		assert.Equal(t, []time.Duration{p.idle, p.lifetime}, []time.Duration{idle, life}, p.platform.String())
	}
	for _, bad := range []struct{ idle, lifetime time.Duration }{
		{0, 25 * time.Hour}, {0, 30 * time.Second}, {5 * time.Hour, 12 * time.Hour}, {30 * time.Second, 0}, {time.Hour, 30 * time.Minute},
	} {
		_, err := fchttp.New(fchttp.Config{Client: e.client(), SessionKeys: e.ring, IdleTimeout: bad.idle, SessionLifetime: bad.lifetime})
		require.ErrorIs(t, err, franceconnect.ErrConfig, "%v", bad)
	}
}

// TestCopiedCookieRefusedAfterLogout: with shared state, a copy of the
// cookie taken before the logout (a shared computer, a proxy's log) opens
// nothing afterwards, on any instance.
func TestCopiedCookieRefusedAfterLogout(t *testing.T) {
	for name, shared := range sharedStates() {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			var cfg fchttp.Config
			a := e.newApp(func(c *fchttp.Config) { shared(c); cfg = *c })
			b := e.newApp(func(c *fchttp.Config) { *c = cfg }) // another instance, the same shared state
			u := e.user(&roundRobin{instances: []http.Handler{a, b}})
			page := signIn(t, u)
			copied := sessionCookie(t, u)
			require.NotNil(t, userOf(t, a.fc, copied))
			require.NotNil(t, userOf(t, b.fc, copied))
			out, err := u.Logout(context.Background(), page)
			require.NoError(t, err)
			require.Equal(t, http.StatusSeeOther, out.Status, out.Body)
			assert.Nil(t, userOf(t, a.fc, copied), "the copy opens nothing")
			assert.Nil(t, userOf(t, b.fc, copied), "on no instance")
			setSessionCookie(u, copied)
			assert.Contains(t, mustOpen(t, u, "/").Body, "Anonyme")
		})
	}
}

// TestCopiedCookieWithoutSharedState shows what logout cannot do without
// shared state: the browser forgets the cookie, a copy still opens the
// session until it expires.
func TestCopiedCookieWithoutSharedState(t *testing.T) {
	e := newEnv(t)
	a := e.newApp(nil)
	u := e.user(a)
	page := signIn(t, u)
	copied := sessionCookie(t, u)
	out, err := u.Logout(context.Background(), page)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, out.Status)
	assert.Contains(t, mustOpen(t, u, "/").Body, "Anonyme")
	assert.NotNil(t, userOf(t, a.fc, copied), "a sealed cookie cannot be recalled")
	require.ErrorIs(t, a.fc.LogoutEverywhere(context.Background(), "x"), fchttp.ErrNoSharedState)
}

func TestLogoutEverywhere(t *testing.T) {
	for name, shared := range sharedStates() {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			a := e.newApp(shared)
			laptop, phone, other := e.user(a), e.user(a), e.user(a)
			signIn(t, laptop)
			signIn(t, phone)
			signInAs(t, other, "nom_usage", "Bonjour Sophie Anne")
			sub := e.emu.Subject(clientID, "camille")
			require.NoError(t, a.fc.LogoutEverywhere(context.Background(), sub))
			assert.Contains(t, mustOpen(t, laptop, "/").Body, "Anonyme")
			assert.Contains(t, mustOpen(t, phone, "/").Body, "Anonyme")
			assert.Contains(t, mustOpen(t, other, "/").Body, "Bonjour Sophie Anne", "another person stays signed in")
			time.Sleep(2 * time.Millisecond) // a later login is after the revocation
			signIn(t, laptop)
			assert.Contains(t, mustOpen(t, laptop, "/").Body, "Bonjour Camille", "a new login works")
		})
	}
}

// TestLogoutRace: a request that loaded the session before a logout, and
// refreshes it after, never brings it back.
func TestLogoutRace(t *testing.T) {
	e := newEnv(t)
	var c clock
	store := newMemStore()
	a := e.newApp(func(cfg *fchttp.Config) { cfg.Store, cfg.Now = store, c.Now })
	u := e.user(a)
	page := signIn(t, u)
	value := sessionCookie(t, u)
	c.Advance(5 * time.Minute) // the next request refreshes the idle deadline
	store.beforeUpdate = func() {
		store.beforeUpdate = nil
		out, err := u.Logout(context.Background(), page) // meanwhile, the user logs out
		require.NoError(t, err)
		require.Equal(t, http.StatusSeeOther, out.Status, out.Body)
	}
	assert.Nil(t, userOf(t, a.fc, value), "the slow request sees the logout")
	assert.Zero(t, store.len(), "and wrote nothing back")
	assert.Nil(t, userOf(t, a.fc, value))
}

// TestLogoutRaceSealed: with Revocations, the slow request may re-seal
// the cookie, which opens nothing after the logout.
func TestLogoutRaceSealed(t *testing.T) {
	e := newEnv(t)
	var c clock
	a := e.newApp(func(cfg *fchttp.Config) { cfg.Revocations, cfg.Now = newMemRevocations(), c.Now })
	u := e.user(a)
	page := signIn(t, u)
	value := sessionCookie(t, u)
	c.Advance(5 * time.Minute)
	refreshed := value
	require.NotNil(t, userAt(t, a.fc, &refreshed))
	require.NotEqual(t, value, refreshed, "re-sealed")
	_, err := u.Logout(context.Background(), page)
	require.NoError(t, err)
	assert.Nil(t, userOf(t, a.fc, refreshed), "the cookie re-sealed before the logout opens nothing")
}

// TestLoginsInProgressWriteNothingToTheStore: anonymous GET /login, the
// cheapest request, keeps its state in the cookie only: a flood cannot
// fill the Store.
func TestLoginsInProgressWriteNothingToTheStore(t *testing.T) {
	e := newEnv(t)
	store := newMemStore()
	a := e.newApp(func(c *fchttp.Config) { c.Store = store })
	for range 200 {
		r := mustOpen(t, e.user(a), "/login")
		require.True(t, e.isAuthorize(r))
	}
	assert.Zero(t, store.calls.Load(), "no Store call")
	signIn(t, e.user(a))
	assert.Equal(t, 1, store.len(), "a completed login keeps one session")
}

// TestRevocationsCheckedOnEveryRequest: the list is read on each request
// of a signed-in user, and its failure is a 503, not a signed-out page.
func TestRevocationsCheckedOnEveryRequest(t *testing.T) {
	e := newEnv(t)
	rev := newMemRevocations()
	a := e.newApp(func(c *fchttp.Config) { c.Revocations = rev })
	u := e.user(a)
	mustOpen(t, u, "/")
	assert.Zero(t, rev.checks.Load(), "nobody signed in: nothing to check")
	signIn(t, u)
	before := rev.checks.Load()
	mustOpen(t, u, "/")
	mustOpen(t, u, "/")
	assert.Equal(t, before+2, rev.checks.Load())
	rev.down.Store(true)
	assert.Equal(t, http.StatusServiceUnavailable, mustOpen(t, u, "/").Status)
}

// TestStoredSessionsAreSealed: a copy of the Store reveals nothing (no
// name, no sub, no token), and a record moved under another session's id
// opens nothing.
func TestStoredSessionsAreSealed(t *testing.T) {
	e := newEnv(t)
	store := newMemStore()
	a := e.newApp(func(c *fchttp.Config) { c.Store = store })
	camille, sophie := e.user(a), e.user(a)
	signIn(t, camille)
	signInAs(t, sophie, "nom_usage", "Bonjour Sophie Anne")
	store.mu.Lock()
	require.Len(t, store.sessions, 2)
	var ids []string
	for id, s := range store.sessions {
		ids = append(ids, id)
		for _, secret := range []string{"Camille", "Sophie", e.emu.Subject(clientID, "camille"), "eyJ", "eidas"} {
			assert.NotContains(t, string(s.data), secret)
		}
		assert.NotContains(t, s.subject, e.emu.Subject(clientID, "camille"))
	}
	store.sessions[ids[0]], store.sessions[ids[1]] = store.sessions[ids[1]], store.sessions[ids[0]]
	store.mu.Unlock()
	assert.Contains(t, mustOpen(t, camille, "/").Body, "Anonyme", "a record under another id opens nothing")
	assert.Contains(t, mustOpen(t, sophie, "/").Body, "Anonyme")
}

// TestIdleTimeoutWithLoginInProgress: a login in progress keeps the cookie
// longer than the signed-in session's idle deadline; the session ends at
// its deadline all the same.
func TestIdleTimeoutWithLoginInProgress(t *testing.T) {
	e := newEnv(t)
	var c clock
	a := e.newApp(func(cfg *fchttp.Config) { cfg.Now, cfg.IdleTimeout = c.Now, 10*time.Minute })
	u := e.user(a)
	signIn(t, u)
	c.Advance(9 * time.Minute)
	start := mustOpen(t, u, "/login") // another tab: the cookie now lasts 10 more minutes
	require.True(t, e.isAuthorize(start))
	c.Advance(2 * time.Minute)
	assert.Contains(t, mustOpen(t, u, "/").Body, "Anonyme", "11 minutes without a page end the session")
}
