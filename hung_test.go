package franceconnect

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Goroutines by role, told apart by their stacks.
var (
	// inLibrary runs code of the package: a login's own goroutine, or a refresh.
	inLibrary = regexp.MustCompile(`franceconnect\.\(\*(Client|keyCache|refreshing\[.*\])\)\.`)
	// inExchange is a login's goroutine, in Exchange.
	inExchange = regexp.MustCompile(`franceconnect\.\(\*Client\)\.Exchange\(`)
	// inHTTPClient runs code of net/http's client transport: outside a
	// login's goroutine, an HTTP/1.1 connection's read or write loop, an
	// HTTP/2 connection's read loop or a stream's request writer.
	inHTTPClient = regexp.MustCompile(`net/http\.\(\*(persistConn|http2ClientConn|http2clientStream)\)\.`)
)

// hungLogins is the number of logins left hanging at once.
const hungLogins = 100

// TestHungProvider leaves hungLogins code exchanges hanging on a token
// endpoint that never answers, over the default transport with HTTP/1.1
// and with HTTP/2, and counts: each login holds its own goroutine and no
// other goroutine runs library code; net/http's client adds at most two per
// login (an HTTP/1.1 connection's read and write loops; one stream writer
// per login and one read loop per connection over HTTP/2). It reports the
// memory each hanging login holds (client and emulator side together, the
// loopback server being in the process), bounds it loosely, then cancels
// the logins: each fails with ErrHTTP, not retryable since the caller gave
// up, and the goroutines go back to what they were.
func TestHungProvider(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		t.Run(map[bool]string{false: "HTTP/1.1", true: "HTTP/2"}[h2], func(t *testing.T) {
			p := startProvider(t, FranceConnectPlus, h2)
			release := make(chan struct{})
			defer close(release)
			p.set(func(p *provider) {
				p.token = func(w http.ResponseWriter, r *http.Request) {
					_ = r.ParseForm() // then net/http watches the connection and cancels r's context when it closes
					select {
					case <-r.Context().Done():
					case <-release:
					}
				}
			})
			c := p.client(t, func(cfg *Config) { cfg.HTTPClient = p.defaultHTTPClient() })
			before, heapBefore := settle()

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errs := make(chan error, hungLogins)
			for range hungLogins {
				go func() {
					_, err := c.Exchange(ctx, "the-code", fixState0())
					errs <- err
				}()
			}
			waitFor(t, func() bool { return p.count("/api/v2/token") == hungLogins }, "every login reaches the token endpoint")
			during, heapDuring := settle()

			assert.Equal(t, hungLogins, goroutines(inExchange), "one goroutine per login, its own")
			assert.Equal(t, hungLogins, goroutines(inLibrary), "the library started no goroutine")
			transport := goroutines(inHTTPClient) - goroutines(inHTTPClient, inExchange)
			perConn := map[bool]int{false: 2, true: 1}[h2] // HTTP/1.1: a connection per login; HTTP/2: a stream
			assert.LessOrEqual(t, transport, perConn*hungLogins+2, "net/http's client goroutines")
			perLogin := float64(heapDuring-heapBefore) / hungLogins
			assert.Less(t, perLogin, float64(256<<10), "memory per hanging login")
			t.Logf("%d hanging logins: %d goroutines more (%d of them net/http's client, %.2f per login), %.1f KiB of heap and stacks per login (client and server)",
				hungLogins, during-before, transport, float64(transport)/hungLogins, perLogin/1024)

			cancel()
			for range hungLogins {
				err := <-errs
				require.ErrorIs(t, err, ErrExchange)
				require.ErrorIs(t, err, ErrHTTP)
				require.ErrorIs(t, err, context.Canceled)
				var he *HTTPError
				require.ErrorAs(t, err, &he)
				assert.False(t, he.Retryable())
			}
			c.CloseIdleConnections()
			waitGoroutines(t, before)
		})
	}
}

// settle collects garbage and returns the number of goroutines and the
// bytes of live heap and goroutine stacks.
func settle() (int, uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return runtime.NumGoroutine(), m.HeapAlloc + m.StackInuse
}

// waitFor polls cond for up to 30 s.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal(fmt.Sprint("timed out waiting: ", what))
}
