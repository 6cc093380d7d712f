package main

import (
	"context"
	"crypto/rand"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// startSite runs the site on a loopback port in emulator mode, with one
// door, FranceConnect+ (FC_PLATFORM=fcplus).
func startSite(t *testing.T) (*app, string) {
	t.Helper()
	return startSiteWith(t, map[string]string{franceconnect.EnvPlatform: "fcplus"})
}

// startTwoDoors runs the site with its two doors, each on its embedded
// emulator: nothing set.
func startTwoDoors(t *testing.T) (*app, string) {
	t.Helper()
	return startSiteWith(t, nil)
}

// startSiteWith runs the site in emulator mode with the FC_* variables of
// vars, the others unset.
func startSiteWith(t *testing.T, vars map[string]string) (*app, string) {
	t.Helper()
	setEmulatorVars(t, vars)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return serveSiteOn(t, ln)
}

// setEmulatorVars sets the FC_* variables the emulator mode reads to their
// values in vars, unset when absent, for the test.
func setEmulatorVars(t *testing.T, vars map[string]string) {
	t.Helper()
	for _, k := range []string{franceconnect.EnvEnvironment, franceconnect.EnvIssuer, franceconnect.EnvPlatform,
		franceconnect.EnvACR, franceconnect.EnvSigningAlg, franceconnect.EnvUserInfo} {
		t.Setenv(k, vars[k])
		for _, prefix := range []string{"CITOYEN_", "AGENT_"} {
			t.Setenv(prefix+k, vars[prefix+k])
		}
	}
}

func serveSiteOn(t *testing.T, ln net.Listener) (*app, string) {
	t.Helper()
	a, err := newApp(context.Background(), ln, slog.New(slog.DiscardHandler))
	if err != nil {
		ln.Close()
		require.NoError(t, err)
	}
	handler, err := a.routes()
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(handler)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); a.close() })
	return a, srv.URL
}

// randomKey is a session key as `head -c 32 /dev/urandom` makes one.
func randomKey() []byte {
	k := make([]byte, fchttp.KeySize)
	_, _ = rand.Read(k)
	return k
}

// newUser is a scripted user of the site at base, through emu.
func newUser(t *testing.T, emu *fctest.Server, base string) *fctest.Visitor {
	t.Helper()
	u, err := emu.NewVisitor(base)
	require.NoError(t, err)
	return u
}

// open opens path and returns the page, HTML entities decoded.
func open(t *testing.T, u *fctest.Visitor, path string) *fctest.Response {
	t.Helper()
	r, err := u.Open(context.Background(), path)
	require.NoError(t, err)
	r.Body = html.UnescapeString(r.Body)
	return r
}

// signIn clicks the FranceConnect+ button and picks login on the emulator:
// it returns the site's answer to the callback, HTML entities decoded.
func signIn(t *testing.T, u *fctest.Visitor, login string) *fctest.Response {
	t.Helper()
	cb, err := u.SignIn(context.Background(), "/", login)
	require.NoError(t, err)
	cb.Body = html.UnescapeString(cb.Body)
	return cb
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return html.UnescapeString(string(b))
}

// httpServer serves h on a loopback port until the end of the test.
func httpServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// forward passes r to the site at backend, keeping its Host header, as a
// load balancer does.
func forward(w http.ResponseWriter, r *http.Request, backend string) {
	target, _ := url.Parse(backend)
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		pr.Out.Host = pr.In.Host
	}}
	proxy.ServeHTTP(w, r)
}

// listen opens a loopback listener.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return ln
}
