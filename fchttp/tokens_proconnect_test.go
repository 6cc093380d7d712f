package fchttp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestDataClientProConnectRefreshes: an agent's later request refreshes
// the expired access token, stores the rotated refresh token back, and a
// refresh after that one works (the emulator revokes the whole grant when
// a refresh token comes back); concurrent requests refresh once.
func TestDataClientProConnectRefreshes(t *testing.T) {
	d := newDataSite(t, fctest.ProConnect, nil)
	u := d.signIn("agent_mfa")
	want := d.emu.Subject(clientID, "agent_mfa")
	sub, err := d.call(u)
	require.NoError(t, err)
	require.Equal(t, want, sub, "ProConnect's sub is public: the same at the data provider")

	for round := range 3 {
		d.advance(2 * time.Minute)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { _, errs[i] = d.call(u) })
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err, "round %d: one refresh for the session, its refresh token stored back", round)
		}
	}
	assert.Equal(t, 4, d.tokensSent(), "the login's token, then one refreshed token a round")
}

// TestDataClientProConnectRefreshDuringRequest: a client built before the
// token expired refreshes it itself, and the rotated refresh token is
// stored back for the next request.
func TestDataClientProConnectRefreshDuringRequest(t *testing.T) {
	d := newDataSite(t, fctest.ProConnect, nil)
	u := d.signIn("agent_mfa")
	hc, err := d.fc.DataClient(d.request(u), franceconnect.DataProvider{URL: d.api})
	require.NoError(t, err)
	d.advance(2 * time.Minute)
	_, err = d.get(hc)
	require.NoError(t, err)
	d.advance(2 * time.Minute)
	_, err = d.call(u)
	require.NoError(t, err, "the refresh token rotated by the first client was stored")
	assert.Equal(t, 2, d.tokensSent())
}

// TestDataClientProConnectLogoutDuringRefresh: a session that ended is not
// brought back by a refresh, and its refreshed tokens are not used.
func TestDataClientProConnectLogoutDuringRefresh(t *testing.T) {
	d := newDataSite(t, fctest.ProConnect, nil)
	u := d.signIn("agent_mfa")
	hc, err := d.fc.DataClient(d.request(u), franceconnect.DataProvider{URL: d.api})
	require.NoError(t, err)
	_, err = u.Logout(context.Background(), mustOpen(t, u, "/"))
	require.NoError(t, err)
	d.advance(2 * time.Minute)
	_, err = d.get(hc)
	require.ErrorIs(t, err, fchttp.ErrNotSignedIn)
	assert.Equal(t, 0, d.store.len())
}

// tokensSent counts the distinct tokens the data provider received.
func (d *dataSite) tokensSent() int {
	n := 0
	d.hits.Range(func(any, any) bool { n++; return true })
	return n
}

// TestKeptTokensNeverInTheCookie: with KeepTokens, the sealed cookie,
// opened, holds no token, and neither does the Store in clear, nor the
// Handler or the data client printed.
func TestKeptTokensNeverInTheCookie(t *testing.T) {
	for _, platform := range []fctest.Platform{fctest.FranceConnectPlus, fctest.ProConnect} {
		t.Run(fmt.Sprint(platform), func(t *testing.T) {
			d := newDataSite(t, platform, nil)
			login := "camille"
			if platform == fctest.ProConnect {
				login = "agent_mfa"
			}
			u := d.signIn(login)
			hc, err := d.fc.DataClient(d.request(u), franceconnect.DataProvider{URL: d.api})
			require.NoError(t, err)
			_, err = d.get(hc)
			require.NoError(t, err)
			secrets := d.wire.secrets()
			require.NotEmpty(t, secrets)
			base, _ := url.Parse(site)
			var held []string
			for _, c := range u.HTTPClient().Jar.Cookies(base) {
				opened := fchttp.OpenCookie(d.fc, c.Value)
				require.NotNil(t, opened, "the session cookie opens")
				var env map[string]json.RawMessage
				require.NoError(t, json.Unmarshal(opened, &env))
				require.Contains(t, env, "r", "with a Store the cookie names the session")
				held = append(held, c.Value, string(opened))
			}
			require.NotEmpty(t, held)
			for _, r := range d.store.records() {
				held = append(held, string(r))
			}
			held = append(held, fmt.Sprintf("%v %+v %#v %+v", d.fc, hc, hc, hc.Transport))
			for _, h := range held {
				for _, s := range secrets {
					require.NotContains(t, h, s)
				}
			}
		})
	}
}
