package redisstore_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
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
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fchttp/redisstore"
	"github.com/go-franceconnect/franceconnect/fctest"
)

const site = "https://fs.example.fr"

// fs is an FS registered on an emulator, whose instances share a key ring
// and a Redis prefix.
type fs struct {
	t      testing.TB
	emu    *fctest.Server
	cfg    franceconnect.Config
	ring   [][]byte
	prefix string
}

func newFS(t testing.TB, emu *fctest.Server, base string) *fs {
	t.Helper()
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
	require.NoError(t, err)
	jwks, err := franceconnect.PublicJWKS([]franceconnect.Key{key})
	require.NoError(t, err)
	secret := strings.Repeat("r", 40)
	require.NoError(t, emu.Register(fctest.Registration{ID: "redis-fs", Secret: fctest.Secret(secret), JWKS: jwks,
		RedirectURIs: []string{base + "/callback"}, PostLogoutRedirectURIs: []string{base + "/logout-callback"}}))
	ring := make([]byte, fchttp.KeySize)
	_, _ = rand.Read(ring)
	return &fs{t: t, emu: emu, ring: [][]byte{ring}, prefix: "site:" + strings.NewReplacer("/", "-", "=", "-", " ", "_").Replace(t.Name()) + ":",
		cfg: franceconnect.Config{Issuer: emu.Issuer(), ClientID: "redis-fs", ClientSecret: franceconnect.Secret(secret),
			RedirectURL: base + "/callback", PostLogoutRedirectURL: base + "/logout-callback",
			Scopes: []string{"openid", "given_name", "family_name"}, DecryptionKeys: []franceconnect.Key{key}}}
}

// instance is one instance of the site: its pages and its Handler.
type instance struct {
	http.Handler
	fc *fchttp.Handler
}

// instance starts one instance of the site: its own Client and its own
// connection to the shared Redis at addr, used as mode says ("store",
// "revocations" or "none"); edit may change its Config.
func (f *fs) instance(mode, addr string, edit func(*fchttp.Config)) *instance {
	f.t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	f.t.Cleanup(func() { rdb.Close() })
	store, err := redisstore.New(redisstore.Config{Client: rdb, Prefix: f.prefix})
	require.NoError(f.t, err)
	client, err := franceconnect.New(context.Background(), f.cfg)
	require.NoError(f.t, err)
	cfg := fchttp.Config{Client: client, SessionKeys: f.ring,
		OnLogin: func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			return l.Identity.GivenName + " " + l.Identity.FamilyName, nil
		}}
	switch mode {
	case "store":
		cfg.Store = store
	case "revocations":
		cfg.Revocations = store
	}
	if edit != nil {
		edit(&cfg)
	}
	fc, err := fchttp.New(cfg)
	require.NoError(f.t, err)
	mux := http.NewServeMux()
	fc.Register(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		user, err := fc.User(w, r)
		var name string
		switch {
		case err != nil: // Redis is down: say so rather than show a signed-out page
			http.Error(w, "Service momentanément indisponible", http.StatusServiceUnavailable)
		case user == nil || user.Decode(&name) != nil:
			fmt.Fprint(w, `<p>Session : aucune.</p><a href="/login">S'identifier avec FranceConnect+</a>`)
		default:
			fmt.Fprintf(w, `<p>Session : %s.</p><form method="post" action="/logout"><button>Se déconnecter</button></form>`,
				html.EscapeString(name))
		}
	})
	return &instance{Handler: mux, fc: fc}
}

// alternate sends each request to the next instance: a load balancer
// without sticky sessions.
func alternate(instances ...*instance) (http.Handler, *atomic.Int64) {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		instances[(n.Add(1)-1)%int64(len(instances))].ServeHTTP(w, r)
	}), &n
}

func (f *fs) user(h http.Handler) *fctest.Visitor {
	f.t.Helper()
	u, err := f.emu.NewHandlerVisitor(h, site)
	require.NoError(f.t, err)
	return u
}

func signIn(t *testing.T, u *fctest.Visitor, login, greeting string) *fctest.Response {
	t.Helper()
	ctx := context.Background()
	cb, err := u.SignIn(ctx, "/", login)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	page, err := u.Follow(ctx, cb)
	require.NoError(t, err)
	require.Contains(t, page.Body, greeting)
	return page
}

func open(t *testing.T, u *fctest.Visitor, path string) *fctest.Response {
	t.Helper()
	r, err := u.Open(context.Background(), path)
	require.NoError(t, err)
	return r
}

func cookie(t *testing.T, u *fctest.Visitor) string {
	t.Helper()
	base, _ := url.Parse(site)
	for _, c := range u.HTTPClient().Jar.Cookies(base) {
		if c.Name == "__Host-fs_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func setCookie(u *fctest.Visitor, value string) {
	base, _ := url.Parse(site)
	u.HTTPClient().Jar.SetCookies(base, []*http.Cookie{{Name: "__Host-fs_session", Value: value, Path: "/", Secure: true}})
}

// TestLogoutAcrossInstances: a login and a logout across two instances
// sharing Redis; a copy of the cookie taken before the logout opens
// nothing after it, on either instance.
func TestLogoutAcrossInstances(t *testing.T) {
	for _, mode := range []string{"store", "revocations"} {
		t.Run(mode, func(t *testing.T) {
			needRedis(t)
			f := newFS(t, fctest.New(t, fctest.Options{}), site)
			a, b := f.instance(mode, redisAddr, nil), f.instance(mode, redisAddr, nil)
			lb, n := alternate(a, b)
			u := f.user(lb)
			page := signIn(t, u, "camille", "Session : Camille Hélène ARNAUD.") // home on A, login on B, callback on A, page on B
			copied := cookie(t, u)
			bye, err := u.Logout(context.Background(), page) // logout on A, its callback on B
			require.NoError(t, err)
			require.Equal(t, http.StatusSeeOther, bye.Status, bye.Body)
			assert.Equal(t, int64(6), n.Load())
			for range 2 { // A, then B
				setCookie(u, copied)
				assert.Contains(t, open(t, u, "/").Body, "Session : aucune.")
			}
		})
	}
}

func TestLogoutEverywhere(t *testing.T) {
	for _, mode := range []string{"store", "revocations"} {
		t.Run(mode, func(t *testing.T) {
			needRedis(t)
			f := newFS(t, fctest.New(t, fctest.Options{}), site)
			a, b := f.instance(mode, redisAddr, nil), f.instance(mode, redisAddr, nil)
			laptop, phone, other := f.user(a), f.user(b), f.user(b)
			signIn(t, laptop, "camille", "Camille Hélène")
			signIn(t, phone, "camille", "Camille Hélène")
			signIn(t, other, "nom_usage", "Sophie Anne")
			require.NoError(t, b.fc.LogoutEverywhere(context.Background(), f.emu.Subject("redis-fs", "camille")))
			assert.Contains(t, open(t, laptop, "/").Body, "Session : aucune.", "ended on the other instance too")
			assert.Contains(t, open(t, phone, "/").Body, "Session : aucune.")
			assert.Contains(t, open(t, other, "/").Body, "Sophie Anne")
			time.Sleep(2 * time.Millisecond)
			signIn(t, laptop, "camille", "Camille Hélène")
		})
	}
}

// raceStore runs a function before the first Update, as another request
// would between this one's load and its idle refresh.
type raceStore struct {
	*redisstore.Store
	before func()
}

func (s *raceStore) Update(ctx context.Context, id string, data []byte, expiry time.Time) (bool, error) {
	if f := s.before; f != nil {
		s.before = nil
		f()
	}
	return s.Store.Update(ctx, id, data, expiry)
}

// TestLogoutRace: a request that loaded the session before a logout on
// another instance, and refreshes its idle deadline after, never brings
// it back.
func TestLogoutRace(t *testing.T) {
	needRedis(t)
	f := newFS(t, fctest.New(t, fctest.Options{}), site)
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	race := &raceStore{}
	slow := f.instance("store", redisAddr, func(c *fchttp.Config) {
		race.Store = c.Store.(*redisstore.Store)
		c.Store, c.Now = race, now
	})
	other := f.instance("store", redisAddr, nil)
	u := f.user(other)
	page := signIn(t, u, "camille", "Camille Hélène")
	value := cookie(t, u)
	offset.Store(int64(5 * time.Minute)) // the slow request refreshes the idle deadline
	race.before = func() {
		out, err := u.Logout(context.Background(), page)
		require.NoError(t, err)
		require.Equal(t, http.StatusSeeOther, out.Status, out.Body)
	}
	req := httptest.NewRequest(http.MethodGet, site+"/", nil)
	req.AddCookie(&http.Cookie{Name: "__Host-fs_session", Value: value})
	user, err := slow.fc.User(httptest.NewRecorder(), req)
	require.NoError(t, err)
	assert.Nil(t, user, "the slow request sees the logout")
	assert.Empty(t, keys(t, newClient(t), f.prefix+"s:"), "and brought nothing back")
	setCookie(u, value)
	assert.Contains(t, open(t, u, "/").Body, "Session : aucune.")
}

// newClient is a connection to the test Redis, to look at it.
func newClient(t testing.TB) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// TestLoginFloodWritesNothing: requests to /login without a cookie, the
// cheapest a client can send, keep their state in the cookie: Redis
// stays empty, whatever their number.
func TestLoginFloodWritesNothing(t *testing.T) {
	needRedis(t)
	f := newFS(t, fctest.New(t, fctest.Options{}), site)
	a := f.instance("store", redisAddr, nil)
	rdb := newClient(t)
	ctx := context.Background()
	before, err := rdb.DBSize(ctx).Result()
	require.NoError(t, err)
	for range 1000 {
		w := httptest.NewRecorder()
		a.ServeHTTP(w, httptest.NewRequest(http.MethodGet, site+"/login", nil))
		require.Equal(t, http.StatusSeeOther, w.Code)
	}
	after, err := rdb.DBSize(ctx).Result()
	require.NoError(t, err)
	assert.Equal(t, before, after, "1,000 logins started, no key written")
	signIn(t, f.user(a), "camille", "Camille Hélène")
	assert.Len(t, keys(t, rdb, f.prefix), 2, "a completed login writes its session and its person's index")
}

func TestRedisDownSite(t *testing.T) {
	for _, mode := range []string{"store", "revocations"} {
		t.Run(mode, func(t *testing.T) {
			needRedis(t)
			f := newFS(t, fctest.New(t, fctest.Options{}), site)
			port, err := freePort()
			require.NoError(t, err)
			up := f.instance(mode, redisAddr, nil)
			down := f.instance(mode, "127.0.0.1:"+strconv.Itoa(port), nil)
			u := f.user(up)
			signIn(t, u, "camille", "Camille Hélène")
			d := f.user(down)
			setCookie(d, cookie(t, u))
			r := open(t, d, "/")
			assert.Equal(t, http.StatusServiceUnavailable, r.Status, "never a signed-out page")
			r = open(t, d, "/login")
			assert.Equal(t, http.StatusServiceUnavailable, r.Status)
			assert.Contains(t, r.Body, "ErrStore")
		})
	}
}
