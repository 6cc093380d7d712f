//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestBrowserDefaultErrorPages shows fchttp's default error pages in
// Chromium (a site without OnError): a callback in a browser that started
// no login, a token that fails its checks, and the same callback reloaded.
// Each page names its failure in French, and the support reference it
// shows is the one of the site's log line. The page checks run on each.
func TestBrowserDefaultErrorPages(t *testing.T) {
	emu := fctest.New(t, fctest.Options{})
	var logs syncBuffer
	site := startDefaultSite(t, emu, slog.New(slog.NewJSONHandler(&logs, nil)))
	j := startBrowser(t)
	ctx, d := j.ctx, j.d

	// 1. A callback this browser never started: no cookie.
	start, err := emu.NewVisitor(site)
	if err != nil {
		t.Fatal(err)
	}
	login, err := start.Open(ctx, "/login")
	if err != nil {
		t.Fatal(err)
	}
	cb, err := emu.SignIn(ctx, login.Location().String(), "camille")
	if err != nil {
		t.Fatal(err)
	}
	j.step("open another browser's callback", func() error { return d.navigate(ctx, cb) })
	j.waitFor("#reference", site)
	j.expectTitle("Connexion introuvable – Mes démarches")
	j.expectSource("Ce navigateur n'a pas de connexion en cours avec ce service.", "ErrLoginNotFound")
	j.expectReferenceLogged(&logs)
	j.screenshot("31-default-error-not-found.png")

	// 2. A login whose id_token fails its signature check.
	emu.InjectFault(fctest.FaultBadSignature)
	j.step("start a login", func() error { return d.navigate(ctx, site+"login") })
	j.click("#login-camille", emu.Issuer()+"/interaction/")
	j.waitFor("#reference", site+"callback?")
	j.expectTitle("Connexion impossible – Mes démarches")
	j.expectSource("FranceConnect+ n'a pas pu confirmer votre identité.", "ErrSignature")
	j.expectReferenceLogged(&logs)
	j.screenshot("32-default-error-signature.png")

	// 3. The same callback again.
	j.step("reload the callback", func() error { return d.navigate(ctx, j.url()) })
	j.waitFor("#reference", site+"callback?")
	j.expectTitle("Connexion déjà utilisée – Mes démarches")
	j.expectSource("a déjà servi", "ErrLoginUsed")
	j.expectReferenceLogged(&logs)
	j.screenshot("33-default-error-used.png")
}

// expectReferenceLogged checks that the page's support reference is the
// ref of the last "step failed" line of logs.
func (j *journey) expectReferenceLogged(logs *syncBuffer) {
	j.t.Helper()
	id := j.waitFor("#reference", "")
	ref, err := j.d.text(j.ctx, id)
	if err != nil {
		j.fail("reading the reference: %v", err)
	}
	var last map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var ev map[string]any
		if json.Unmarshal([]byte(line), &ev) == nil && ev["msg"] == "fchttp: step failed" {
			last = ev
		}
	}
	if last == nil || last["ref"] != ref {
		j.fail("the page shows the reference %q, the log's last failure is %v", ref, last)
	}
}

// startDefaultSite serves, on a loopback port, a one-door FranceConnect+
// site on emu with fchttp's default error pages, and the pages each of
// pages mounts, and returns its URL.
func startDefaultSite(t *testing.T, emu *fctest.Server, log *slog.Logger, pages ...func(*fchttp.Handler, *http.ServeMux)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	site := "http://" + ln.Addr().String() + "/"
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := franceconnect.PublicJWKS([]franceconnect.Key{key})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "default-pages-secret-0123456789abcdef"
	err = emu.Register(fctest.Registration{ID: "default-pages", Secret: secret, JWKS: jwks,
		RedirectURIs: []string{site + "callback"}, PostLogoutRedirectURIs: []string{site + "logout-callback"}})
	if err != nil {
		t.Fatal(err)
	}
	client, err := franceconnect.New(context.Background(), franceconnect.Config{Issuer: emu.Issuer(),
		ClientID: "default-pages", ClientSecret: secret, RedirectURL: site + "callback",
		PostLogoutRedirectURL: site + "logout-callback", Scopes: []string{"openid", "given_name"},
		DecryptionKeys: []franceconnect.Key{key}})
	if err != nil {
		t.Fatal(err)
	}
	sessionKey := make([]byte, fchttp.KeySize)
	for i := range sessionKey {
		sessionKey[i] = byte(i*37 + 11)
	}
	fc, err := fchttp.New(fchttp.Config{Client: client, SessionKeys: [][]byte{sessionKey}, SiteName: "Mes démarches", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	fc.Register(mux)
	for _, mount := range pages {
		mount(fc, mux)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return site
}

// startBrowser starts chromedriver and a headless Chromium session for a
// test that serves its own site.
func startBrowser(t *testing.T) *journey {
	t.Helper()
	for _, bin := range []string{chromium, chromedriver} {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("%s is missing: run `make e2e`, which installs chromium and chromium-driver", bin)
		}
	}
	procCtx, stopProcs := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(stopProcs)
	ctx, cancel := context.WithTimeout(procCtx, 2*time.Minute)
	t.Cleanup(cancel)
	out := envOr("E2E_OUT", filepath.Join(repoRoot(t), "build", "e2e"))
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := newSession(ctx, startChromedriver(procCtx, t), chromium, t.TempDir())
	if err != nil {
		t.Fatalf("cannot start Chromium through chromedriver: %v", err)
	}
	t.Cleanup(func() { _ = d.quit(context.Background()) })
	return &journey{t: t, ctx: ctx, d: d, out: out}
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
