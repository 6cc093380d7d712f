package fchttp_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestKeepTokensNeedsAStore: a site whose sessions travel in the sealed
// cookie cannot keep tokens: New refuses it, naming the fix.
func TestKeepTokensNeedsAStore(t *testing.T) {
	e := newEnv(t)
	for name, edit := range map[string]func(*fchttp.Config){
		"cookie only": func(c *fchttp.Config) {},
		"revocations": func(c *fchttp.Config) { c.Revocations = newMemRevocations() },
	} {
		cfg := fchttp.Config{Client: e.client(), SessionKeys: e.ring, KeepTokens: true}
		edit(&cfg)
		_, err := fchttp.New(cfg)
		require.ErrorIs(t, err, franceconnect.ErrConfig, name)
		assert.Contains(t, err.Error(), "KeepTokens needs a Store", name)
		assert.Contains(t, err.Error(), "Config.Store", name)
		assert.Contains(t, err.Error(), "OnLogin with Client.DataClient", name)
	}
	cfg := fchttp.Config{Client: e.client(), SessionKeys: e.ring, Store: newMemStore(), KeepTokens: true}
	_, err := fchttp.New(cfg)
	require.NoError(t, err)
}

// TestDataClientFranceConnectPlus: a later request of the signed-in
// citizen calls the data provider with the login's token, for 60 seconds;
// after that DataClient refuses to send it.
func TestDataClientFranceConnectPlus(t *testing.T) {
	d := newDataSite(t, fctest.FranceConnectPlus, nil)
	u := d.signIn("camille")
	sub, err := d.call(u)
	require.NoError(t, err)
	require.Equal(t, d.emu.Subject("fchttp-dp", "camille"), sub, "the sub computed for the data provider")

	d.advance(50 * time.Second)
	_, err = d.call(u)
	require.NoError(t, err, "within the token's 60 seconds, less the margin")

	d.advance(10 * time.Second)
	before := 0
	d.hits.Range(func(_, n any) bool { before += int(n.(*atomic.Int64).Load()); return true })
	_, err = d.call(u)
	require.ErrorIs(t, err, franceconnect.ErrAccessTokenExpired)
	assert.Contains(t, err.Error(), "call the data provider right after the login")
	after := 0
	d.hits.Range(func(_, n any) bool { after += int(n.(*atomic.Int64).Load()); return true })
	assert.Equal(t, before, after, "an expired token is not sent")
	for _, s := range d.wire.secrets() {
		assert.NotContains(t, err.Error(), s)
	}
}

// TestDataClientRefusals: without KeepTokens, nobody signed in, a session
// opened before KeepTokens, after a logout, an OnRefresh of the caller.
func TestDataClientRefusals(t *testing.T) {
	p := franceconnect.DataProvider{URL: "http://127.0.0.1:1/api/"}
	d := newDataSite(t, fctest.FranceConnectPlus, func(c *fchttp.Config, _ *dataSite) { c.KeepTokens = false })
	u := d.signIn("camille")
	_, err := d.fc.DataClient(d.request(u), p)
	require.ErrorIs(t, err, franceconnect.ErrConfig)
	assert.Contains(t, err.Error(), "Config.KeepTokens")

	// The same site, now keeping tokens: the session opened before has none.
	cfg := d.cfg
	cfg.KeepTokens = true
	keeping, err := fchttp.New(cfg)
	require.NoError(t, err)
	_, err = keeping.DataClient(d.request(u), p)
	require.ErrorIs(t, err, fchttp.ErrNoTokens)

	d2 := newDataSite(t, fctest.FranceConnectPlus, nil)
	_, err = d2.fc.DataClient(d2.request(d2.signIn("camille")), franceconnect.DataProvider{URL: p.URL,
		OnRefresh: func(context.Context, *franceconnect.Tokens) error { return nil }})
	require.ErrorIs(t, err, franceconnect.ErrInvalidRequest, "the Handler stores refreshed tokens itself")

	anonymous := d2.request(d2.signIn("camille"))
	anonymous.Header.Del("Cookie")
	_, err = d2.fc.DataClient(anonymous, p)
	require.ErrorIs(t, err, fchttp.ErrNotSignedIn)
}

// TestDataClientSessionsReachTheirOwnTokens: each browser reaches the
// tokens of its own login; tokens moved under another session in the
// Store open nothing; a logout deletes them with the session.
func TestDataClientSessionsReachTheirOwnTokens(t *testing.T) {
	d := newDataSite(t, fctest.FranceConnectPlus, nil)
	camille := d.signIn("camille")
	other := d.signIn(fctest.DemoPeople()[1].Login)
	for login, u := range map[string]*fctest.Visitor{"camille": camille, fctest.DemoPeople()[1].Login: other} {
		sub, err := d.call(u)
		require.NoError(t, err)
		assert.Equal(t, d.emu.Subject("fchttp-dp", login), sub, "the sub computed for the data provider")
	}

	// An attacker who writes to the Store copies camille's tokens over the
	// other person's: they open nothing there.
	created := d.store.created
	require.Len(t, created, 4, "each login keeps its tokens, then its session")
	d.store.memStore.mu.Lock()
	s := d.store.sessions[created[2]]
	s.data = d.store.sessions[created[0]].data
	d.store.sessions[created[2]] = s
	d.store.memStore.mu.Unlock()
	_, err := d.call(other)
	require.ErrorIs(t, err, fchttp.ErrNoTokens)

	// The session's id sealed in camille's cookie names her session only.
	_, err = camille.Logout(context.Background(), mustOpen(t, camille, "/"))
	require.NoError(t, err)
	_, err = d.call(camille)
	require.ErrorIs(t, err, fchttp.ErrNotSignedIn)
	assert.Equal(t, 2, d.store.len(), "the logout deleted the session and its tokens")
}

// TestDataDocCode runs the code docs/data-providers.md shows: the login
// keeps the data provider's answer, a later request calls it again within
// the token's 60 seconds, and after them says to sign in again.
func TestDataDocCode(t *testing.T) {
	d := newDataSite(t, fctest.FranceConnectPlus, func(c *fchttp.Config, d *dataSite) {
		doc := dataDoor(c.Client, c.SessionKeys, c.Store, d.api)
		c.OnLogin, c.KeepTokens = doc.OnLogin, doc.KeepTokens
	})
	d.mux.Handle("GET /donnees", dataPage(d.fc, d.api))
	u := d.signIn("camille")
	user := userOf(t, d.fc, sessionCookie(t, u))
	var acct citizen
	require.NoError(t, user.Decode(&acct))
	sub := d.emu.Subject("fchttp-dp", "camille")
	assert.Contains(t, acct.Data, sub, "OnLogin kept the data provider's answer")

	assert.Contains(t, mustOpen(t, u, "/donnees").Body, sub)
	d.advance(time.Minute)
	assert.Equal(t, "Reconnectez-vous pour mettre ces données à jour.", mustOpen(t, u, "/donnees").Body)

	anonymous, err := d.emu.NewHandlerVisitor(d.mux, site)
	require.NoError(t, err)
	r := mustOpen(t, anonymous, "/donnees")
	require.Equal(t, 303, r.Status)
	assert.Equal(t, "/login?next=/donnees", r.Header.Get("Location"))
}
