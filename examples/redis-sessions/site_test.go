package main

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

const site = "https://fs.example.fr"

// newConfig registers an FS for site on emu and returns its configuration.
func newConfig(t *testing.T, emu *fctest.Server) franceconnect.Config {
	t.Helper()
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
	require.NoError(t, err)
	jwks, err := franceconnect.PublicJWKS([]franceconnect.Key{key})
	require.NoError(t, err)
	secret := strings.Repeat("r", 40)
	require.NoError(t, emu.RegisterClient(fctest.Client{ID: "redis-fs", Secret: fctest.Secret(secret), JWKS: jwks,
		RedirectURIs: []string{site + "/callback"}, PostLogoutRedirectURIs: []string{site + "/logout-callback"}}))
	return franceconnect.Config{Issuer: emu.Issuer(), ClientID: "redis-fs", ClientSecret: franceconnect.Secret(secret),
		RedirectURL: site + "/callback", PostLogoutRedirectURL: site + "/logout-callback",
		Scopes: []string{"openid", "given_name", "family_name"}, DecryptionKeys: []franceconnect.Key{key}}
}

// newInstance starts one instance of the site: its own FranceConnect
// client and its own connection to the shared Redis.
func newInstance(t *testing.T, cfg franceconnect.Config, addr string) http.Handler {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })
	h, err := newSite(context.Background(), cfg, newRedisStore(rdb, "fs:"+t.Name()+":"))
	require.NoError(t, err)
	return h
}

// alternate sends each request to the next instance: a load balancer
// without sticky sessions.
func alternate(instances ...http.Handler) (http.Handler, *atomic.Int64) {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		instances[(n.Add(1)-1)%int64(len(instances))].ServeHTTP(w, r)
	}), &n
}

func TestLoginAcrossInstances(t *testing.T) {
	needRedis(t)
	emu := fctest.New(t, fctest.Options{})
	cfg := newConfig(t, emu)
	lb, n := alternate(newInstance(t, cfg, redisAddr), newInstance(t, cfg, redisAddr))
	u, err := emu.NewHandlerUser(lb, site)
	require.NoError(t, err)
	ctx := context.Background()

	cb, err := u.Login(ctx, "/", "camille") // home on A, login on B, callback on A
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	page, err := u.Follow(ctx, cb) // B reads the session A wrote
	require.NoError(t, err)
	require.Contains(t, page.Body, "Session (Redis) : Camille Hélène ARNAUD.")
	signedIn := cookie(t, u)

	bye, err := u.Logout(ctx, page) // logout on A, its callback on B
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, bye.Status, bye.Body)
	assert.Equal(t, int64(6), n.Load())

	// The session is gone from Redis: the cookie of before the logout,
	// replayed, opens nothing on either instance.
	for range 2 {
		setCookie(u, signedIn)
		home, err := u.Open(ctx, "/")
		require.NoError(t, err)
		assert.Contains(t, home.Body, "Session : aucune.")
	}
}

func TestRedisDown(t *testing.T) {
	needRedis(t)
	emu := fctest.New(t, fctest.Options{})
	port, err := freePort()
	require.NoError(t, err)
	u, err := emu.NewHandlerUser(newInstance(t, newConfig(t, emu), "127.0.0.1:"+strconv.Itoa(port)), site)
	require.NoError(t, err)
	r, err := u.Open(context.Background(), "/login")
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, r.Status)
	assert.Contains(t, r.Body, "ErrStore")
	setCookie(u, strings.Repeat("A", 43))
	r, err = u.Open(context.Background(), "/")
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, r.Status)
}

func cookie(t *testing.T, u *fctest.User) string {
	t.Helper()
	base, _ := url.Parse(site)
	for _, c := range u.Client().Jar.Cookies(base) {
		if c.Name == "__Host-fs_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func setCookie(u *fctest.User, value string) {
	base, _ := url.Parse(site)
	u.Client().Jar.SetCookies(base, []*http.Cookie{{Name: "__Host-fs_session", Value: value, Path: "/", Secure: true}})
}
