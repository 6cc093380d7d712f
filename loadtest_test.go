package franceconnect

import (
	"bytes"
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// The TLS load test: fctest over TLS on loopback, a Client on the default
// transport (trusting the emulator's certificate), and users each with their
// own fctest Browser running complete logins: Authorize, the identity pick
// on the emulator's pages, Callback (token exchange, id_token, userinfo).

var loadProfiles = flag.String("loadtest.profiles", "", "write the CPU profile of each level of BenchmarkLoginTLS to this directory")

// loadLevels are the numbers of users logging in at once.
var loadLevels = []int{1, 16, 64, 256}

// libraryPaths are the emulator's endpoints the Client calls; a connection
// whose first request is for one of them is the Client's, any other the
// Browser's.
var libraryPaths = map[string]bool{
	"/api/v2/.well-known/openid-configuration": true, "/api/v2/jwks": true,
	"/api/v2/token": true, "/api/v2/userinfo": true,
}

// connCounter counts, on the server side, the connections clients open,
// by side: it learns a connection's side from its first request.
type connCounter struct {
	label sync.Once
	mu    sync.Mutex
	side  map[string]string // remote address → side, "" before its first request
	count map[string]int    // connections opened, by side
}

func newConnCounter() *connCounter {
	return &connCounter{side: map[string]string{}, count: map[string]int{}}
}

// connState is fctest's Options.ConnState. It runs first on the server's
// accept loop, which it labels for the CPU profile: every connection's
// goroutine inherits the label.
func (cc *connCounter) connState(conn net.Conn, s http.ConnState) {
	cc.label.Do(func() {
		pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels(sideLabel, sideEmulator)))
	})
	cc.mu.Lock()
	defer cc.mu.Unlock()
	switch s {
	case http.StateNew:
		cc.side[conn.RemoteAddr().String()] = ""
	case http.StateClosed, http.StateHijacked:
		delete(cc.side, conn.RemoteAddr().String())
	}
}

// middleware is fctest's Options.Middleware: it gives a new connection the
// side of its first request.
func (cc *connCounter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cc.mu.Lock()
		if side, ok := cc.side[r.RemoteAddr]; ok && side == "" {
			side = sideBrowser
			if libraryPaths[r.URL.Path] {
				side = sideClient
			}
			cc.side[r.RemoteAddr] = side
			cc.count[side]++
		}
		cc.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// opened returns the connections opened so far, by side.
func (cc *connCounter) opened() map[string]int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return maps.Clone(cc.count)
}

// loadTest is an emulator over TLS, a Client and users' browsers.
type loadTest struct {
	srv      *fctest.Server
	c        *Client
	browsers []*fctest.Browser
	conns    *connCounter
	floors   [][2]*floorToken // by user, made on first use
}

// Client transports of the load test.
const (
	transportH2    = "h2"          // the default transport, HTTP/2 negotiated
	transportH1    = "http1"       // the default transport, HTTP/1.1 only: a provider without HTTP/2
	transportPool2 = "http1-pool2" // net/http's default transport (2 idle connections per host), HTTP/1.1 only
)

// newLoadTest starts the emulator over TLS and a Client on transport,
// trusting the emulator's certificate, then warms them up with logins, so
// that every connection a user needs is open. The Client's connections
// from New are closed first: they were opened outside the client's pprof
// label.
func newLoadTest(tb testing.TB, users int, transport string) *loadTest {
	lt := &loadTest{conns: newConnCounter()}
	opts := fctest.Options{TLS: &tls.Config{}, ConnState: lt.conns.connState, Middleware: lt.conns.middleware}
	lt.srv, lt.c = loginSetup(tb, opts, func(cfg *Config) {
		tr := cfg.HTTPClient.Transport.(*http.Transport)
		if transport == transportPool2 {
			roots := tr.TLSClientConfig.RootCAs
			tr = http.DefaultTransport.(*http.Transport).Clone()
			tr.TLSClientConfig = &tls.Config{RootCAs: roots}
			cfg.HTTPClient.Transport = tr
		}
		if transport != transportH2 {
			tr.Protocols = new(http.Protocols)
			tr.Protocols.SetHTTP1(true)
		}
	})
	lt.c.CloseIdleConnections()
	lt.browsers = newBrowsers(lt.srv, users)
	_, err := loginConcurrently(context.Background(), lt.c, lt.browsers, 4*users)
	require.NoError(tb, err)
	return lt
}

// parentCleanup is a TB whose cleanups wait for those of parent: a setup
// made in one run of a sub-benchmark serves the following runs.
type parentCleanup struct {
	testing.TB
	parent testing.TB
}

// Cleanup registers f with the parent.
func (p parentCleanup) Cleanup(f func()) { p.parent.Cleanup(f) }

// onSide runs f with the pprof label of side.
func onSide(ctx context.Context, side string, f func(context.Context) error) error {
	var err error
	pprof.Do(ctx, pprof.Labels(sideLabel, side), func(ctx context.Context) { err = f(ctx) })
	return err
}

// TestLoginTLSConnectionReuse runs logins over TLS at 16 users at once,
// over HTTP/2 and over HTTP/1.1, and checks on the server side that the
// Client opened about as many connections as its users can have requests
// in flight (one each; net/http also keeps the connections that dials
// racing a freed connection open, hence a loose bound of 3 per user): with
// an idle pool larger than that, no connection is ever closed, so none is
// opened again. It also checks that logins fetch neither discovery nor
// keys. With net/http's default transport over HTTP/1.1, whose pool keeps
// 2, the same logins exceed the bound: connections are closed and opened
// again (about 150 here).
func TestLoginTLSConnectionReuse(t *testing.T) {
	for _, transport := range []string{transportH2, transportH1, transportPool2} {
		t.Run(transport, func(t *testing.T) {
			const users, logins = 16, 160
			lt := newLoadTest(t, users, transport)
			before, requests := lt.conns.opened(), requestCounts(lt.srv)
			_, err := loginConcurrently(context.Background(), lt.c, lt.browsers, logins)
			require.NoError(t, err)
			after := lt.conns.opened()
			if transport == transportPool2 {
				assert.Greater(t, after[sideClient], 3*users, "net/http's default pool churns")
			} else {
				assert.LessOrEqual(t, after[sideClient], 3*users, "connections of the Client, warm-up included")
			}
			assert.Equal(t, requests["discovery"], lt.srv.Requests("discovery"))
			assert.Equal(t, requests["jwks"], lt.srv.Requests("jwks"))
			t.Logf("Client connections: %d in the warm-up, %d in %d logins", before[sideClient], after[sideClient]-before[sideClient], logins)
		})
	}
}

// BenchmarkLoginTLS drives complete logins over TLS at each of loadLevels
// users at once, with three Client transports: the default one over HTTP/2
// (transport=h2), the default one restricted to HTTP/1.1 (http1, as with a
// provider without HTTP/2) and, for comparison, net/http's default
// transport over HTTP/1.1 (http1-pool2, the default before this package
// had its own). It reports per level:
//
//   - logins/s, p50-ms and p99-ms: throughput and latency of whole logins;
//   - conns/login: TLS connections the Client opened per login, counted by
//     the server (the warm-up excluded); browser-conns/login, the browsers';
//   - disc+keys/login: discovery and JWKS requests per login;
//   - B/op, allocs/op: allocations of the whole process per login (Client,
//     browsers and emulator);
//   - client-cpu-%, emulator-cpu-%, browser-cpu-%, runtime-cpu-%,
//     unlabeled-cpu-%: shares of the CPU profile of the timed logins (see
//     cpuprofile_test.go), and cpu-µs/login, all sides together;
//   - then, from b.N more logins each followed by the floor of its two
//     verifications (BenchmarkFloor's primitives on the recorded ECDH-ES +
//     ES256 id_token and userinfo, the algorithms of the emulator's tokens
//     to this FS) on the same cores under the same load: client-µs/login,
//     the Client's CPU time per login; verify-µs/login, the part of it
//     decrypting and verifying the two tokens; floor-µs/login; x-floor
//     and verify-x-floor, their ratios to the floor; floor-idle-µs/login,
//     the floor measured alone, as BenchmarkFloor does.
//
// The CPU figures need the profiler: they are missing when the test binary
// runs with -test.cpuprofile. -loadtest.profiles=DIR keeps the profiles.
func BenchmarkLoginTLS(b *testing.B) {
	tests := map[string]*loadTest{}
	for _, transport := range []string{transportH2, transportH1, transportPool2} {
		for _, users := range loadLevels {
			name := fmt.Sprintf("transport=%s/users=%d", transport, users)
			b.Run(name, func(sb *testing.B) {
				lt := tests[name]
				if lt == nil {
					lt = newLoadTest(parentCleanup{sb, b}, users, transport)
					tests[name] = lt
				}
				lt.bench(sb)
			})
		}
	}
}

// bench runs b.N logins, timed and profiled, then b.N more, each followed
// by the floor of its two verifications, profiled, and reports the figures
// BenchmarkLoginTLS lists.
func (lt *loadTest) bench(b *testing.B) {
	conns, requests := lt.conns.opened(), requestCounts(lt.srv)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var latencies []time.Duration
	cpu, ok, err := profiled(func() (err error) {
		latencies, err = loginConcurrently(context.Background(), lt.c, lt.browsers, b.N)
		return err
	})
	elapsed := time.Since(start)
	b.StopTimer()
	require.NoError(b, err)
	n := float64(b.N)
	slices.Sort(latencies)
	b.ReportMetric(n/elapsed.Seconds(), "logins/s")
	b.ReportMetric(latencies[len(latencies)/2].Seconds()*1e3, "p50-ms")
	b.ReportMetric(latencies[len(latencies)*99/100].Seconds()*1e3, "p99-ms")
	after := lt.conns.opened()
	b.ReportMetric(float64(after[sideClient]-conns[sideClient])/n, "conns/login")
	b.ReportMetric(float64(after[sideBrowser]-conns[sideBrowser])/n, "browser-conns/login")
	fetches := lt.srv.Requests("discovery") + lt.srv.Requests("jwks") - requests["discovery"] - requests["jwks"]
	b.ReportMetric(float64(fetches)/n, "disc+keys/login")
	if !ok {
		b.Log("no CPU figures: the CPU profiler is already in use")
		return
	}
	lt.saveProfile(b, "", cpu)
	for _, side := range []string{sideClient, sideEmulator, sideBrowser, sideRuntime, sideOther} {
		b.ReportMetric(100*cpu.share(side), side+"-cpu-%")
	}
	b.ReportMetric(float64(cpu.total())/n/1e3, "cpu-µs/login")
	lt.benchFloor(b)
}

// benchFloor runs b.N logins, each followed by the floor primitives on the
// two recorded tokens, and reports the client's CPU time per login, the
// part of it verifying tokens, the floor's, and the ratios: the floor runs
// on the same cores, under the same load, as the logins.
func (lt *loadTest) benchFloor(b *testing.B) {
	floors := lt.floorTokens(b)
	cpu, _, err := profiled(func() error {
		_, err := concurrently(len(lt.browsers), b.N, func(w int) error {
			if err := login(context.Background(), lt.c, lt.browsers[w]); err != nil {
				return err
			}
			return onSide(context.Background(), sideFloor, func(context.Context) error {
				if !floors[w][0].verify() || !floors[w][1].verify() {
					return fmt.Errorf("floor verification failed")
				}
				return nil
			})
		})
		return err
	})
	require.NoError(b, err)
	lt.saveProfile(b, "-floor", cpu)
	n := float64(b.N) * 1e3
	client, verify, floor := float64(cpu.side[sideClient])/n, float64(cpu.verify)/n, float64(cpu.side[sideFloor])/n
	b.ReportMetric(client, "client-µs/login")
	b.ReportMetric(verify, "verify-µs/login")
	b.ReportMetric(floor, "floor-µs/login")
	b.ReportMetric(client/floor, "x-floor")
	b.ReportMetric(verify/floor, "verify-x-floor")
	b.ReportMetric(floorIdle(b, floors[0]), "floor-idle-µs/login")
}

// floorIdle is the floor of a login's two verifications measured alone, in
// µs, like BenchmarkFloor: the median of 300 runs of each token.
func floorIdle(b *testing.B, floor [2]*floorToken) float64 {
	var total time.Duration
	for _, f := range floor {
		runs := make([]time.Duration, 300)
		for i := range runs {
			t0 := time.Now()
			if !f.verify() {
				b.Fatal("floor verification failed")
			}
			runs[i] = time.Since(t0)
		}
		total += median(runs)
	}
	return float64(total) / 1e3
}

// profiled runs f under the CPU profiler and attributes the samples; ok is
// false when the profiler was already in use.
func profiled(f func() error) (cpu cpuTime, ok bool, err error) {
	var buf bytes.Buffer
	if pprof.StartCPUProfile(&buf) != nil {
		return cpu, false, f()
	}
	err = f()
	pprof.StopCPUProfile()
	if err != nil {
		return cpu, true, err
	}
	cpu, err = attributeCPU(buf.Bytes())
	cpu.raw = buf.Bytes()
	return cpu, true, err
}

// saveProfile writes the profile to -loadtest.profiles, when set.
func (lt *loadTest) saveProfile(b *testing.B, suffix string, cpu cpuTime) {
	if *loadProfiles == "" {
		return
	}
	name := strings.NewReplacer("/", "-", "=", "").Replace(strings.TrimPrefix(b.Name(), "BenchmarkLoginTLS/"))
	require.NoError(b, os.WriteFile(filepath.Join(*loadProfiles, "cpu-"+name+suffix+".pprof"), cpu.raw, 0o644))
}

// floorTokens returns, for each user, the floor of the recorded ECDH-ES +
// ES256 id_token and userinfo (the algorithms of the emulator's tokens to
// the load test's FS): a floorToken reuses its buffers, so each user has
// its own.
func (lt *loadTest) floorTokens(b *testing.B) [][2]*floorToken {
	if lt.floors != nil {
		return lt.floors
	}
	pair := benchPairs[0]
	require.Equal(b, ECDHES, pair.enc)
	raw := [2]string{readFixture(b, pair.file("idtoken")), readFixture(b, pair.file("userinfo"))}
	lt.floors = make([][2]*floorToken, len(lt.browsers))
	for i := range lt.floors {
		lt.floors[i] = [2]*floorToken{newFloorToken(b, pair, raw[0]), newFloorToken(b, pair, raw[1])}
	}
	return lt.floors
}
