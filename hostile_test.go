package franceconnect

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hostile providers: a FranceConnect stand-in that stalls, streams without
// end, floods or loops. Every case must end within its deadline with a typed
// error and bounded memory. With -hostile.report=FILE the figures are
// written as a Markdown table (SECURITY.md quotes it).

var hostileReport = flag.String("hostile.report", "", "write the hostile-server figures as a Markdown table to this file")

// hostileTimeout is the HTTP client timeout of the hostile cases.
const hostileTimeout = 300 * time.Millisecond

// hostile is a loopback provider whose endpoints can each be replaced.
type hostile struct {
	srv    *httptest.Server
	issuer string
	done   chan struct{} // closed at cleanup: releases stalled handlers

	mu       sync.Mutex
	handlers map[string]http.HandlerFunc // by path under /api/v2
	hits     map[string]int
}

func newHostile(t testing.TB) *hostile {
	t.Helper()
	h := &hostile{done: make(chan struct{}), handlers: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	t.Cleanup(func() { close(h.done) }) // runs first: handlers return, then Close
	h.issuer = h.srv.URL + "/api/v2"

	b, err := os.ReadFile("testdata/discovery-fcplus.json")
	require.NoError(t, err)
	doc := bytes.ReplaceAll(b, []byte(fixIssuer), []byte(h.issuer))
	jwks := loadTestKeys(t).publicProviderJWKS()
	h.set("/.well-known/openid-configuration", serveBytes("application/json", doc))
	h.set("/jwks", serveBytes("application/jwk-set+json", jwks))
	return h
}

func (h *hostile) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/api/v2")
	h.mu.Lock()
	f := h.handlers[path]
	h.hits[path]++
	h.mu.Unlock()
	if f == nil {
		http.NotFound(w, r)
		return
	}
	f(w, r)
}

func (h *hostile) set(path string, f http.HandlerFunc) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.handlers[path] = f
}

func (h *hostile) count(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[path]
}

// config is a FranceConnect+ Config for the hostile provider with a short
// HTTP client timeout.
func (h *hostile) config(t testing.TB) Config {
	return Config{
		Issuer: h.issuer, ClientID: fixClientID, ClientSecret: fixSecret,
		RedirectURL: fixRedirect, PostLogoutRedirectURL: fixLogout,
		Scopes: []string{"openid", "identite_pivot"}, DecryptionKeys: loadTestKeys(t).fs,
		HTTPClient: &http.Client{Timeout: hostileTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		Now: func() time.Time { return fixNow },
	}
}

func serveBytes(ctype string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ctype)
		_, _ = w.Write(body)
	}
}

// stall never answers: headers never come.
func (h *hostile) stall(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-h.done:
	}
}

// endless sends the headers and the start of a body, then nothing.
func (h *hostile) endless(ctype, start string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		_, _ = io.WriteString(w, start)
		w.(http.Flusher).Flush()
		h.stall(w, r)
	}
}

// drip sends one byte every 20 ms, forever.
func (h *hostile) drip(ctype string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if _, err := io.WriteString(w, " "); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-tick.C:
			case <-r.Context().Done():
				return
			case <-h.done:
				return
			}
		}
	}
}

// hugeBody streams n bytes of prefix followed by filler, from one small
// buffer: the server allocates nothing in proportion to n.
func hugeBody(ctype string, n int64, withLength bool, prefix string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ctype)
		if withLength {
			w.Header().Set("Content-Length", fmt.Sprint(n))
		}
		_, _ = io.WriteString(w, prefix)
		chunk := bytes.Repeat([]byte(" "), 32<<10)
		for sent := int64(len(prefix)); sent < n; sent += int64(len(chunk)) {
			if _, err := w.Write(chunk[:min(int64(len(chunk)), n-sent)]); err != nil {
				return
			}
		}
	}
}

// nested is 100,000 '[' followed by as many ']'.
func nested() []byte {
	return append(bytes.Repeat([]byte("["), 100_000), bytes.Repeat([]byte("]"), 100_000)...)
}

// redirectLoop answers 302 to itself.
func redirectLoop(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, r.URL.String(), http.StatusFound)
}

// manyKeys is a JWKS of the real ES256 key followed by n-1 copies of another
// P-256 key under distinct kids.
func manyKeys(t testing.TB, n int) []byte {
	k := loadTestKeys(t)
	first, err := json.Marshal(k.providerES256.Public())
	require.NoError(t, err)
	other := k.other.Public()
	var b bytes.Buffer
	b.WriteString(`{"keys":[`)
	b.Write(first)
	for i := 1; i < n; i++ {
		other.KeyID = fmt.Sprintf("k%05d", i)
		j, err := json.Marshal(other)
		require.NoError(t, err)
		b.WriteByte(',')
		b.Write(j)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// usage is what one case cost.
type usage struct {
	elapsed    time.Duration
	totalAlloc uint64 // bytes allocated by the whole process during the case
	peakHeap   uint64 // highest live heap above the starting point
}

// measure runs f and samples the live heap every 2 ms.
func measure(f func()) usage {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > before.HeapAlloc && m.HeapAlloc-before.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc - before.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	f()
	elapsed := time.Since(start)
	close(stop)
	<-sampled
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return usage{elapsed: elapsed, totalAlloc: after.TotalAlloc - before.TotalAlloc, peakHeap: peak.Load()}
}

func mib(b uint64) string { return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20)) }

// hostileCase is one hostile provider behaviour and the call that meets it.
type hostileCase struct {
	name  string
	setup func(t *testing.T, h *hostile, cfg *Config)
	call  string // "new", "exchange" or "userinfo"
	ctx   time.Duration
	want  []error
	// maxAlloc bounds the bytes allocated during the call.
	maxAlloc uint64
	check    func(t *testing.T, h *hostile)
}

func hostileCases() []hostileCase {
	const disc, jwks, token, userinfo = "/.well-known/openid-configuration", "/jwks", "/token", "/userinfo"
	const limit = DefaultMaxResponseBytes
	return []hostileCase{
		{name: "discovery: headers never come (client timeout)", call: "new",
			setup: func(_ *testing.T, h *hostile, _ *Config) { h.set(disc, h.stall) },
			want:  []error{ErrDiscovery, ErrHTTP}},
		{name: "discovery: headers never come (context deadline, default client)", call: "new", ctx: hostileTimeout,
			setup: func(_ *testing.T, h *hostile, cfg *Config) { h.set(disc, h.stall); cfg.HTTPClient = nil },
			want:  []error{ErrDiscovery, ErrHTTP}},
		{name: "token: headers never come", call: "exchange",
			setup: func(_ *testing.T, h *hostile, _ *Config) { h.set(token, h.stall) },
			want:  []error{ErrExchange, ErrHTTP}},
		{name: "jwks: body never finishes", call: "new",
			setup: func(_ *testing.T, h *hostile, _ *Config) { h.set(jwks, h.endless("application/json", `{"keys":[`)) },
			want:  []error{ErrProviderKeys, ErrHTTP}},
		{name: "token: body never finishes", call: "exchange",
			setup: func(_ *testing.T, h *hostile, _ *Config) {
				h.set(token, h.endless("application/json", `{"access_token":"`))
			},
			want: []error{ErrExchange, ErrHTTP}},
		{name: "userinfo: body drips one byte every 20 ms", call: "userinfo",
			setup: func(_ *testing.T, h *hostile, _ *Config) { h.set(userinfo, h.drip("application/jwt")) },
			want:  []error{ErrInvalidUserInfo, ErrHTTP}},
		{name: "discovery: 100 MiB body, no Content-Length", call: "new",
			setup: func(_ *testing.T, h *hostile, _ *Config) {
				h.set(disc, hugeBody("application/json", 100<<20, false, `{"issuer":"`))
			},
			want: []error{ErrDiscovery, ErrResponseTooLarge}, maxAlloc: 8 << 20},
		{name: "jwks: 100 MiB body with Content-Length", call: "new",
			setup: func(_ *testing.T, h *hostile, _ *Config) {
				h.set(jwks, hugeBody("application/json", 100<<20, true, `{"keys":[`))
			},
			want: []error{ErrProviderKeys, ErrResponseTooLarge}, maxAlloc: 8 << 20},
		{name: "token: 100 MiB body", call: "exchange",
			setup: func(_ *testing.T, h *hostile, _ *Config) {
				h.set(token, hugeBody("application/json", 100<<20, false, `{"access_token":"`))
			},
			want: []error{ErrExchange, ErrResponseTooLarge}, maxAlloc: 8 << 20},
		{name: "userinfo: 100 MiB body", call: "userinfo",
			setup: func(_ *testing.T, h *hostile, _ *Config) {
				h.set(userinfo, hugeBody("application/jwt", 100<<20, false, ""))
			},
			want: []error{ErrInvalidUserInfo, ErrResponseTooLarge}, maxAlloc: 8 << 20},
		{name: "discovery: 100,000 nested '['", call: "new",
			setup: func(_ *testing.T, h *hostile, _ *Config) { h.set(disc, serveBytes("application/json", nested())) },
			want:  []error{ErrDiscovery}, maxAlloc: 8 << 20},
		{name: "jwks: 100,000 nested '['", call: "new",
			setup: func(_ *testing.T, h *hostile, _ *Config) {
				h.set(jwks, serveBytes("application/json", append(append([]byte(`{"keys":`), nested()...), '}')))
			},
			want: []error{ErrProviderKeys}, maxAlloc: 8 << 20},
		{name: "token: 100,000 nested '['", call: "exchange",
			setup: func(_ *testing.T, h *hostile, _ *Config) {
				h.set(token, serveBytes("application/json", append(append([]byte(`{"access_token":`), nested()...), '}')))
			},
			want: []error{ErrExchange}, maxAlloc: 8 << 20},
		{name: "userinfo: error answer of 100,000 nested '['", call: "userinfo",
			setup: func(_ *testing.T, h *hostile, _ *Config) {
				h.set(userinfo, func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusBadRequest)
					_, _ = w.Write(nested())
				})
			},
			want: []error{ErrInvalidUserInfo, ErrHTTP}, maxAlloc: 8 << 20},
		{name: "discovery: huge JSON just under the limit (valid, 60,000 scopes)", call: "new",
			setup: func(t *testing.T, h *hostile, _ *Config) {
				b, err := os.ReadFile("testdata/discovery-fcplus.json")
				require.NoError(t, err)
				var d map[string]any
				require.NoError(t, json.Unmarshal(bytes.ReplaceAll(b, []byte(fixIssuer), []byte(h.issuer)), &d))
				scopes := make([]string, 60_000)
				for i := range scopes {
					scopes[i] = fmt.Sprintf("s%07d", i)
				}
				d["scopes_supported"] = append(scopes, "openid", "identite_pivot", "email")
				doc, err := json.Marshal(d)
				require.NoError(t, err)
				require.Less(t, len(doc), limit)
				h.set(disc, serveBytes("application/json", doc))
			},
			want: nil, maxAlloc: 32 << 20},
		{name: "discovery: huge JSON over the limit (valid, 120,000 scopes)", call: "new",
			setup: func(t *testing.T, h *hostile, _ *Config) {
				scopes := make([]string, 120_000)
				for i := range scopes {
					scopes[i] = fmt.Sprintf("s%07d", i)
				}
				doc, err := json.Marshal(map[string]any{"issuer": h.issuer, "scopes_supported": scopes})
				require.NoError(t, err)
				require.Greater(t, len(doc), limit)
				h.set(disc, serveBytes("application/json", doc))
			},
			want: []error{ErrDiscovery, ErrResponseTooLarge}, maxAlloc: 8 << 20},
		{name: "jwks: 10,000 keys (over the 1 MiB limit)", call: "new",
			setup: func(t *testing.T, h *hostile, _ *Config) {
				h.set(jwks, serveBytes("application/json", manyKeys(t, 10_000)))
			},
			want: []error{ErrProviderKeys, ErrResponseTooLarge}, maxAlloc: 8 << 20},
		{name: "jwks: 10,000 keys, limit raised to 16 MiB (first 100 kept)", call: "new",
			setup: func(t *testing.T, h *hostile, cfg *Config) {
				h.set(jwks, serveBytes("application/json", manyKeys(t, 10_000)))
				cfg.MaxResponseBytes = 16 << 20
			},
			want: nil, maxAlloc: 48 << 20},
		{name: "discovery: redirect loop (default client: not followed)", call: "new",
			setup: func(_ *testing.T, h *hostile, cfg *Config) { h.set(disc, redirectLoop); cfg.HTTPClient = nil },
			want:  []error{ErrDiscovery, ErrHTTP}},
		{name: "discovery: redirect loop (client that follows redirects)", call: "new",
			setup: func(_ *testing.T, h *hostile, cfg *Config) {
				h.set(disc, redirectLoop)
				cfg.HTTPClient = &http.Client{Timeout: hostileTimeout}
			},
			want: []error{ErrDiscovery, ErrHTTP},
			check: func(t *testing.T, h *hostile) {
				assert.Equal(t, 10, h.count(disc), "net/http gives up after 10 redirects")
			}},
		{name: "userinfo: redirect loop (default client: not followed)", call: "userinfo",
			setup: func(_ *testing.T, h *hostile, cfg *Config) { h.set(userinfo, redirectLoop); cfg.HTTPClient = nil },
			want:  []error{ErrInvalidUserInfo, ErrHTTP}},
	}
}

// callHostile makes the case's call and returns what the package returned.
func callHostile(t *testing.T, h *hostile, cfg Config, tc hostileCase) (any, error) {
	ctx := context.Background()
	if tc.ctx > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, tc.ctx)
		defer cancel()
	}
	if tc.call == "new" {
		return New(ctx, cfg)
	}
	c, err := New(context.Background(), cfg)
	require.NoError(t, err)
	if tc.call == "exchange" {
		return c.Exchange(ctx, "the-code", fixState0())
	}
	return c.UserInfo(ctx, &Tokens{IDToken: &IDToken{Subject: fixSub}, AccessToken: "an-access-token"})
}

func TestHostileProviders(t *testing.T) {
	var rows []string
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) {
			h := newHostile(t)
			cfg := h.config(t)
			tc.setup(t, h, &cfg)
			var got any
			var err error
			u := measure(func() { got, err = callHostile(t, h, cfg, tc) })
			if tc.want == nil {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				for _, w := range tc.want {
					require.ErrorIs(t, err, w)
				}
				assert.Nil(t, got)
			}
			assert.Less(t, u.elapsed, 5*time.Second, "the call ends on its own")
			if tc.maxAlloc > 0 {
				assert.Less(t, u.totalAlloc, tc.maxAlloc, "allocations stay bounded")
			}
			if tc.check != nil {
				tc.check(t, h)
			}
			outcome := "accepted"
			if err != nil {
				outcome = errorNames(err, tc.want)
			}
			t.Logf("%s: %v in %v, allocated %s, peak live heap +%s", tc.name, outcome, u.elapsed.Round(time.Millisecond), mib(u.totalAlloc), mib(u.peakHeap))
			rows = append(rows, fmt.Sprintf("| %s | %s | %v | %s | %s |", tc.name, outcome,
				u.elapsed.Round(time.Millisecond), mib(u.totalAlloc), mib(u.peakHeap)))
		})
	}
	if *hostileReport != "" {
		head := "| Provider behaviour | Error | Time | Allocated | Peak live heap |\n|---|---|---|---|---|\n"
		require.NoError(t, os.WriteFile(*hostileReport, []byte(head+strings.Join(rows, "\n")+"\n"), 0o644))
	}
}

// errorNames names the expected sentinels found in err.
func errorNames(err error, want []error) string {
	names := map[error]string{
		ErrDiscovery: "ErrDiscovery", ErrProviderKeys: "ErrProviderKeys", ErrHTTP: "ErrHTTP",
		ErrResponseTooLarge: "ErrResponseTooLarge", ErrExchange: "ErrExchange", ErrInvalidUserInfo: "ErrInvalidUserInfo",
	}
	var out []string
	for _, w := range want {
		out = append(out, names[w])
	}
	return strings.Join(out, " + ")
}

// floodToken is a FranceConnect+ id_token encrypted to our key whose inner
// JWS names kid, a key the provider never published. Its signature is never
// checked: the lookup of kid fails first.
func floodToken(t testing.TB, kid string) string {
	enc := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	jws := enc(map[string]string{"alg": "ES256", "kid": kid}) + "." + enc(idClaimsAt(fixNow)) + "." + base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{1}, 64))
	return encryptJWE(t, jws, loadTestKeys(t).fsKey(ECDHES), nil)
}

// floodCount is the number of verifications of TestUnknownKidFlood.
const floodCount = 10_000

// floodWorkers is the number of goroutines verifying at once: one per
// token, except under the race detector, which allows 8128 goroutines alive
// at once: there 256 workers share the 10,000 tokens.
func floodWorkers() int {
	if raceEnabled {
		return 256
	}
	return floodCount
}

func TestUnknownKidFlood(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	clk := newClock(fixNow)
	c := p.client(t, func(c *Config) { c.Now = clk.now })
	tokens := make([]string, floodCount)
	for i := range tokens {
		tokens[i] = floodToken(t, fmt.Sprintf("forged-%05d", i))
	}
	require.Equal(t, int64(1), p.count("/api/v2/jwks"))

	flood := func(tokens []string) (refused, unknownKey int64) {
		var next, ref, unk atomic.Int64
		var wg sync.WaitGroup
		for range min(floodWorkers(), len(tokens)) {
			wg.Go(func() {
				for i := next.Add(1) - 1; i < int64(len(tokens)); i = next.Add(1) - 1 {
					idt, err := c.VerifyIDToken(context.Background(), tokens[i], fixState0())
					if err != nil && idt == nil {
						ref.Add(1)
					}
					if errorsIsAll(err, ErrInvalidIDToken, ErrUnknownKey) {
						unk.Add(1)
					}
				}
			})
		}
		wg.Wait()
		return ref.Load(), unk.Load()
	}

	u := measure(func() {
		refused, unknown := flood(tokens)
		assert.Equal(t, int64(floodCount), refused)
		assert.Equal(t, int64(floodCount), unknown)
	})
	assert.Equal(t, int64(2), p.count("/api/v2/jwks"), "one refresh for %d unknown kids within the cooldown", floodCount)
	t.Logf("%d verifications with unknown kids by %d goroutines: %d JWKS fetch(es) after New, %v, allocated %s",
		floodCount, floodWorkers(), p.count("/api/v2/jwks")-1, u.elapsed.Round(time.Millisecond), mib(u.totalAlloc))

	clk.add(DefaultKeyRefreshCooldown + time.Second)
	refused, _ := flood(tokens[:floodCount/10])
	assert.Equal(t, int64(floodCount/10), refused)
	assert.Equal(t, int64(3), p.count("/api/v2/jwks"), "one more refresh in the next cooldown period")
}

func errorsIsAll(err error, targets ...error) bool {
	for _, target := range targets {
		if !errorsIsAny(err, target) {
			return false
		}
	}
	return true
}
