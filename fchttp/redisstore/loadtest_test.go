package redisstore_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// loginLoad is a site of two instances sharing Redis behind a round-robin
// balancer, served over TLS, the emulator over TLS, and users logging in.
type loginLoad struct {
	f     *fs
	users []*fctest.Visitor
}

// newLoginLoad starts the emulator and the site over TLS on loopback, and
// users whose browsers trust both.
func newLoginLoad(tb testing.TB, users int) *loginLoad {
	emu := fctest.New(tb, fctest.Options{TLS: &tls.Config{}})
	var site http.Handler
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { site.ServeHTTP(w, r) }))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(emu.Certificate())
	roots.AddCert(srv.Certificate())
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true,
		MaxIdleConnsPerHost: 2 * users, IdleConnTimeout: time.Minute}
	tb.Cleanup(tr.CloseIdleConnections)
	f := newFS(tb, emu, srv.URL)
	f.cfg.HTTPClient = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	site, _ = alternate(f.instance("store", redisAddr, nil), f.instance("store", redisAddr, nil))
	l := &loginLoad{f: f}
	for range users {
		u, err := emu.NewVisitor(srv.URL)
		require.NoError(tb, err)
		u.HTTPClient().Transport = tr
		l.users = append(l.users, u)
	}
	return l
}

// login is one whole login of user u: /login, the emulator's identity
// choice, the callback (token, userinfo, the session written to Redis),
// and the page after it.
func login(ctx context.Context, u *fctest.Visitor) error {
	start, err := u.Open(ctx, "/login")
	if err != nil {
		return err
	}
	cb, err := u.ChooseIdentity(ctx, start, "camille")
	if err != nil {
		return err
	}
	if cb.Status != http.StatusSeeOther {
		return fmt.Errorf("callback: HTTP %d", cb.Status)
	}
	page, err := u.Follow(ctx, cb)
	if err != nil {
		return err
	}
	if !strings.Contains(page.Body, "Session : Camille Hélène ARNAUD.") {
		return fmt.Errorf("page after login: HTTP %d %.200s", page.Status, page.Body)
	}
	return nil
}

// run performs n logins, each user one at a time, all users at once, and
// returns their latencies.
func (l *loginLoad) run(n int) ([]time.Duration, error) {
	var next atomic.Int64
	var mu sync.Mutex
	var errs []error
	latencies := make([]time.Duration, n)
	var wg sync.WaitGroup
	for _, u := range l.users {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				t0 := time.Now()
				err := login(context.Background(), u)
				latencies[i] = time.Since(t0)
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return latencies, nil
}

// redisCalls is the number of commands Redis has run (INFO commandstats).
func redisCalls(tb testing.TB) int64 {
	info, err := newClient(tb).Info(context.Background(), "commandstats").Result()
	require.NoError(tb, err)
	var total int64
	for _, line := range strings.Split(info, "\n") {
		_, stats, ok := strings.Cut(line, ":calls=")
		if !ok {
			continue
		}
		calls, _, _ := strings.Cut(stats, ",")
		n, err := strconv.ParseInt(calls, 10, 64)
		require.NoError(tb, err)
		total += n
	}
	return total
}

// BenchmarkLoginRedis runs whole logins over TLS against a site of two
// instances whose sessions live in Redis, at 1, 16, 64 and 256 users at
// once (make loadtest). It reports logins/s, the p50 and p99 latency of a
// login, the Redis commands per login (those of the page after the login
// included), and the keys left per user: one session and its person's
// index, since each new login replaces the user's session.
func BenchmarkLoginRedis(b *testing.B) {
	needRedis(b)
	parent := b
	loads := map[int]*loginLoad{}
	for _, users := range []int{1, 16, 64, 256} {
		b.Run("users="+strconv.Itoa(users), func(b *testing.B) {
			l := loads[users]
			if l == nil { // set up once, for the probe run and the timed one
				l = newLoginLoad(parentCleanup{b, parent}, users)
				_, err := l.run(2 * users) // warm-up: connections, caches
				require.NoError(b, err)
				loads[users] = l
			}
			calls := redisCalls(b)
			b.ResetTimer()
			t0 := time.Now()
			latencies, err := l.run(b.N)
			elapsed := time.Since(t0)
			b.StopTimer()
			require.NoError(b, err)
			slices.Sort(latencies)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "logins/s")
			b.ReportMetric(latencies[len(latencies)/2].Seconds()*1e3, "p50-ms")
			b.ReportMetric(latencies[len(latencies)*99/100].Seconds()*1e3, "p99-ms")
			b.ReportMetric(float64(redisCalls(b)-calls-1)/float64(b.N), "redis-cmds/login")
			b.ReportMetric(float64(len(keys(b, newClient(b), l.f.prefix)))/float64(users), "keys/user")
		})
	}
}

// parentCleanup is a TB whose cleanups wait for those of parent: a setup
// made in one run of a sub-benchmark serves the following runs.
type parentCleanup struct {
	testing.TB
	parent testing.TB
}

// Cleanup registers f with the parent.
func (p parentCleanup) Cleanup(f func()) { p.parent.Cleanup(f) }
