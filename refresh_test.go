package franceconnect

import (
	"context"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// waitRefreshes returns once no refresh of c's caches is under way: a
// refresh holds its cache's semaphore until it ends. The keys come first:
// their refresh may start one of the discovery document.
func waitRefreshes(c *Client) {
	for _, sema := range []chan struct{}{c.keys.sema, c.discovery.sema} {
		sema <- struct{}{}
		<-sema
	}
}

// goroutines counts the goroutines whose stack matches every re.
func goroutines(res ...*regexp.Regexp) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		all := true
		for _, re := range res {
			all = all && re.MatchString(g)
		}
		if all {
			count++
		}
	}
	return count
}

// refreshGoroutine matches a goroutine running a background refresh.
var refreshGoroutine = regexp.MustCompile(`franceconnect\.\(\*refreshing\[.*\]\)\.start\.func1`)

// waitGoroutines waits up to 10 s for the number of goroutines to fall to
// at most want, and fails with the stacks otherwise.
func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if runtime.NumGoroutine() <= want {
			return
		}
	}
	buf := make([]byte, 1<<20)
	t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
}

// useCaches reads the discovery document and looks up a provider key, as a
// login does, then waits for the refreshes this may have started.
func useCaches(t *testing.T, c *Client) {
	t.Helper()
	a, err := c.Authorize(context.Background(), AuthRequest{})
	require.NoError(t, err)
	assert.Contains(t, a.URL, fixIssuer+"/authorize", "the last good document is used")
	_, err = c.keys.lookup(context.Background(), "fc-es256", "ES256")
	require.NoError(t, err, "the last good keys are used")
	waitRefreshes(c)
}

func TestRefreshAheadOfMaxAge(t *testing.T) {
	p := newProvider(t, FranceConnectPlus) // both with max-age=600
	clk := newClock(fixNow)
	c := p.client(t, func(c *Config) { c.Now = clk.now })
	fetches := func() [2]int64 { return [2]int64{p.count(discoveryPath), p.count("/api/v2/jwks")} }

	clk.add(8*time.Minute - time.Second)
	useCaches(t, c)
	assert.Equal(t, [2]int64{1, 1}, fetches(), "not before the last fifth of max-age")
	clk.add(time.Second)
	useCaches(t, c)
	assert.Equal(t, [2]int64{2, 2}, fetches(), "refreshed from the last fifth of max-age on")
	clk.add(8*time.Minute - time.Second)
	useCaches(t, c)
	assert.Equal(t, [2]int64{2, 2}, fetches(), "then kept for max-age again")
}

func TestRefreshBackoff(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	clk := newClock(fixNow)
	c := p.client(t, func(c *Config) { c.Now = clk.now })
	good, goodKeys := p.discovery, p.jwks
	p.set(func(p *provider) {
		p.discovery = map[string]any{"issuer": "https://evil.example/api/v2"}
		p.jwks = []byte(`{"keys":[]}`)
	})
	want := int64(1)
	step := func(after time.Duration, fetched bool, why string) {
		t.Helper()
		clk.add(after)
		useCaches(t, c)
		if fetched {
			want++
		}
		assert.Equal(t, want, p.count(discoveryPath), "discovery: %s", why)
		assert.Equal(t, want, p.count("/api/v2/jwks"), "keys: %s", why)
	}
	step(8*time.Minute, true, "due: the refresh fails")
	pause := retryAfterFail
	for range 5 {
		step(pause-time.Second, false, "paused after a failure")
		step(time.Second, true, "retried after the pause")
		pause = min(2*pause, maxRetryPause)
	}
	assert.Equal(t, maxRetryPause, pause, "the pause doubles up to maxRetryPause")
	step(maxRetryPause-time.Second, false, "paused, at most maxRetryPause")
	step(time.Second, true, "retried")

	p.set(func(p *provider) { p.discovery, p.jwks = good, goodKeys })
	step(maxRetryPause, true, "back: the refresh succeeds")
	step(8*time.Minute-time.Second, false, "kept for max-age again")
	step(time.Second, true, "due again")
}

// TestLoginNeverWaitsForRefresh hangs the discovery and JWKS endpoints of
// the emulator after their first answer, lets both caches come due, and
// runs logins: they all complete on the cached copies while exactly one
// refresh per cache waits for its answer. A login that waited for a
// refresh would wait for the release, which comes only after all of them.
func TestLoginNeverWaitsForRefresh(t *testing.T) {
	clk := newClock(time.Now())
	release := make(chan struct{})
	var discoveryHits, jwksHits atomic.Int64
	hang := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits := map[string]*atomic.Int64{"/api/v2/.well-known/openid-configuration": &discoveryHits, "/api/v2/jwks": &jwksHits}[r.URL.Path]
			if hits != nil && hits.Add(1) > 1 {
				select {
				case <-release:
				case <-r.Context().Done():
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
	srv, c := loginSetup(t, fctest.Options{Now: clk.now, Middleware: hang}, func(cfg *Config) {
		// The hanging refreshes must outlast the logins, however slow the machine.
		cfg.HTTPClient = defaultHTTPClient(DefaultMaxIdleConnsPerHost)
		cfg.HTTPClient.Timeout = 2 * time.Minute
		cfg.HTTPClient.Transport.(*http.Transport).ResponseHeaderTimeout = 0
	})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	browsers := newBrowsers(srv, 8)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := loginConcurrently(ctx, c, browsers, 8)
	require.NoError(t, err)

	clk.add(9 * time.Minute)
	_, err = loginConcurrently(ctx, c, browsers, 64)
	require.NoError(t, err, "logins go on while the refreshes hang")
	assert.EqualValues(t, 2, discoveryHits.Load(), "one discovery refresh, hanging")
	assert.EqualValues(t, 2, jwksHits.Load(), "one key refresh, hanging")
	assert.Equal(t, 2, goroutines(refreshGoroutine), "one refresh goroutine per cache")

	close(release)
	waitRefreshes(c)
	assert.Zero(t, goroutines(refreshGoroutine))
	assert.True(t, clk.now().Before(c.discovery.cur.Load().refreshAt), "the refreshed document is in use")
	assert.True(t, clk.now().Before(c.keys.cur.Load().refreshAt), "the refreshed keys are in use")
}

// TestRefreshLeavesNoGoroutine refreshes successfully, then against a
// failing provider, then against one that never answers, and checks with
// runtime.NumGoroutine that once the refreshes have ended (the last by its
// timeout) and the idle connections are closed, the process has no more
// goroutines than before New.
func TestRefreshLeavesNoGoroutine(t *testing.T) {
	h := newHostile(t)
	clk := newClock(fixNow)
	cfg := h.config(t)
	cfg.Now, cfg.HTTPClient = clk.now, nil
	before := runtime.NumGoroutine()
	c, err := New(context.Background(), cfg)
	require.NoError(t, err)
	use := func() {
		clk.add(10 * time.Minute)
		_, err := c.Authorize(context.Background(), AuthRequest{})
		require.NoError(t, err)
		_, err = c.keys.lookup(context.Background(), "fc-es256", "ES256")
		require.NoError(t, err)
		waitRefreshes(c)
	}
	use()
	assert.Equal(t, [2]int{2, 2}, [2]int{h.count("/.well-known/openid-configuration"), h.count("/jwks")})

	unavailable := func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }
	h.set("/.well-known/openid-configuration", unavailable)
	h.set("/jwks", unavailable)
	use()
	assert.Equal(t, [2]int{3, 3}, [2]int{h.count("/.well-known/openid-configuration"), h.count("/jwks")})

	h.set("/.well-known/openid-configuration", h.stall)
	h.set("/jwks", h.stall)
	c.discovery.timeout, c.keys.timeout = 50*time.Millisecond, 50*time.Millisecond
	use()
	assert.Equal(t, [2]int{4, 4}, [2]int{h.count("/.well-known/openid-configuration"), h.count("/jwks")})

	c.CloseIdleConnections()
	waitGoroutines(t, before)
}
