package franceconnect

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// The FS of the whole-login tests and benchmarks.
const (
	scaleClientID = "fs-scale"
	scaleRedirect = "http://127.0.0.1:9/callback"
	scaleLogout   = "http://127.0.0.1:9/logout-callback"
)

// loginSetup starts an emulator with opts and returns it with a Client for
// an ECDH-ES FS registered on it. The Client has the default HTTP client
// (over TLS, the default client trusting the emulator's certificate); edit
// changes the Config before New.
func loginSetup(tb testing.TB, opts fctest.Options, edit ...func(*Config)) (*fctest.Server, *Client) {
	tb.Helper()
	srv := fctest.New(tb, opts)
	key, err := GenerateKey(ECDHES, scaleClientID)
	require.NoError(tb, err)
	jwks, err := PublicJWKS([]Key{key})
	require.NoError(tb, err)
	cfg := Config{
		Issuer: srv.Issuer(), ClientID: scaleClientID, ClientSecret: Secret(strings.Repeat("s3cr3t", 6)),
		RedirectURL: scaleRedirect, PostLogoutRedirectURL: scaleLogout,
		Scopes: []string{"openid", "identite_pivot", "email"}, DecryptionKeys: []Key{key},
		Now: opts.Now,
	}
	if srv.Certificate() != nil {
		cfg.HTTPClient = trustingClient(srv.Certificate(), false)
	}
	for _, e := range edit {
		e(&cfg)
	}
	require.NoError(tb, srv.Register(fctest.Registration{
		ID: cfg.ClientID, Secret: fctest.Secret(cfg.ClientSecret), JWKS: jwks,
		RedirectURIs: []string{scaleRedirect}, PostLogoutRedirectURIs: []string{scaleLogout},
	}))
	c, err := New(context.Background(), cfg)
	require.NoError(tb, err)
	return srv, c
}

// login is one whole login: Authorize, the user's part in browser b, and
// Callback (token exchange, id_token, userinfo). The Client's steps run
// with the pprof label of the client side, the browser's with the
// browser's (see cpuprofile_test.go).
func login(ctx context.Context, c *Client, b *fctest.Browser) error {
	var auth *Authorization
	var cb string
	err := onSide(ctx, sideClient, func(ctx context.Context) (err error) {
		auth, err = c.Authorize(ctx, AuthRequest{})
		return err
	})
	if err == nil {
		err = onSide(ctx, sideBrowser, func(ctx context.Context) (err error) {
			cb, err = b.SignIn(ctx, auth.URL, "camille")
			return err
		})
	}
	if err != nil {
		return err
	}
	return onSide(ctx, sideClient, func(ctx context.Context) error {
		u, err := url.Parse(cb)
		if err == nil {
			_, err = c.Callback(ctx, u.Query(), auth.AuthState)
		}
		return err
	})
}

// providerEndpoints are the endpoints the Client itself calls.
var providerEndpoints = []string{"discovery", "jwks", "token", "userinfo"}

func requestCounts(srv *fctest.Server) map[string]int {
	n := map[string]int{}
	for _, e := range providerEndpoints {
		n[e] = srv.Requests(e)
	}
	return n
}

// loginConcurrently runs n logins from conc browsers at once and returns
// their latencies.
func loginConcurrently(ctx context.Context, c *Client, browsers []*fctest.Browser, n int) ([]time.Duration, error) {
	return concurrently(len(browsers), n, func(w int) error { return login(ctx, c, browsers[w]) })
}

// concurrently runs step n times from workers goroutines, each passing its
// number, and returns the latency of each step.
func concurrently(workers, n int, step func(worker int) error) ([]time.Duration, error) {
	latencies := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				start := time.Now()
				if errs[w] = step(w); errs[w] != nil {
					return
				}
				latencies[i] = time.Since(start)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return latencies, nil
}

func newBrowsers(srv *fctest.Server, n int) []*fctest.Browser {
	browsers := make([]*fctest.Browser, n)
	for i := range browsers {
		browsers[i] = srv.NewBrowser()
	}
	return browsers
}

// TestLoginRequestsPerLogin checks that the discovery document and the
// provider keys are fetched once, by New, and that each login then costs
// exactly one token and one userinfo request, also with logins in parallel.
func TestLoginRequestsPerLogin(t *testing.T) {
	srv, c := loginSetup(t, fctest.Options{})
	require.Equal(t, map[string]int{"discovery": 1, "jwks": 1, "token": 0, "userinfo": 0}, requestCounts(srv))
	const logins = 12
	_, err := loginConcurrently(context.Background(), c, newBrowsers(srv, 4), logins)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"discovery": 1, "jwks": 1, "token": logins, "userinfo": logins}, requestCounts(srv))
}

// BenchmarkLogin runs whole logins through the emulator over loopback with
// 1, 4 and 16 users at once, each with their own browser, and reports
// logins/s, the median and 99th percentile latency, and the requests each
// login made to the provider's discovery, JWKS, token and userinfo
// endpoints (after New, which fetches discovery and keys). The figures
// include the emulator's own work (pages, signing and encrypting tokens),
// which runs on the same cores.
func BenchmarkLogin(b *testing.B) {
	for _, conc := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			ctx := context.Background()
			srv, c := loginSetup(b, fctest.Options{})
			browsers := newBrowsers(srv, conc)
			if _, err := loginConcurrently(ctx, c, browsers, conc); err != nil { // connections and cookies
				b.Fatal(err)
			}
			before := requestCounts(srv)
			b.ResetTimer()
			start := time.Now()
			latencies, err := loginConcurrently(ctx, c, browsers, b.N)
			elapsed := time.Since(start)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			slices.Sort(latencies)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "logins/s")
			b.ReportMetric(latencies[len(latencies)/2].Seconds()*1e3, "p50-ms")
			b.ReportMetric(latencies[len(latencies)*99/100].Seconds()*1e3, "p99-ms")
			after := requestCounts(srv)
			for _, e := range providerEndpoints {
				b.ReportMetric(float64(after[e]-before[e])/float64(b.N), e+"/login")
			}
		})
	}
}
