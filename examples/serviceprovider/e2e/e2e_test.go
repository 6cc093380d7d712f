//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Environment of the test, with Debian's paths as defaults.
var (
	chromium     = envOr("CHROMIUM", "/usr/bin/chromium")
	chromedriver = envOr("CHROMEDRIVER", "/usr/bin/chromedriver")
)

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// TestBrowserJourney signs in and out of the example site in headless
// Chromium, through the emulator's identity-choice page, sees the family
// quotient the example data provider answered right after the login, and
// saves a screenshot of each page under build/e2e.
func TestBrowserJourney(t *testing.T) {
	j, site, issuers := startJourney(t, "FC_PLATFORM=fcplus")
	issuer := issuers["/"]
	ctx, d := j.ctx, j.d

	// 1. The home page and its FranceConnect+ button.
	j.step("open the home page", func() error { return d.navigate(ctx, site) })
	button := j.waitFor("#fc-login button", site)
	j.expectTitle("Accueil")
	j.expectSource("S’identifier avec", "FranceConnect+ est la solution proposée par l’État",
		"Qu’est-ce que FranceConnect+ ?")
	j.checkButton(button)
	j.screenshot("01-home.png")

	// 2. The emulator's identity-choice page, for the high level: the radio
	// sits outside the button's form and belongs to it by its form attribute.
	high := j.waitFor("#acr-eidas3", site)
	j.step("click #acr-eidas3", func() error { return d.click(ctx, high) })
	j.step("click #fc-login button", func() error { return d.click(ctx, button) })
	camille := j.waitFor("#login-camille", issuer+"/interaction/")
	j.expectSource("Choisissez une identité")
	j.screenshot("02-emulator.png")

	// 3. Back on the site: the verified identity, and the family quotient
	// that the data provider answered to the login's access token, called
	// by the site right after the login.
	j.step("click #login-camille", func() error { return d.click(ctx, camille) })
	j.waitFor("#identity", site+"callback?")
	j.expectTitle("Votre identité")
	j.expectSource("Camille Hélène", "ARNAUD", "Session ouverte au nom de Camille ARNAUD", "23 mai 1984", "eidas3 – élevé",
		"Quotient familial", "Votre quotient familial : 812 € par mois.")
	j.screenshot("03-identity.png")

	// 4. Logout through FranceConnect+, back home signed out.
	logout := j.waitFor("#logout", site)
	j.step("click #logout", func() error { return d.click(ctx, logout) })
	j.waitFor("#fc-login button", site)
	if u := j.url(); u != site+"deconnecte" {
		t.Fatalf("after logout the browser is on %s, want the logged-out page %sdeconnecte", u, site)
	}
	j.expectTitle("Session fermée")
	j.expectSource("Votre session est fermée, sur ce service et sur FranceConnect+.")
	if src := j.source(); strings.Contains(src, "Session ouverte au nom") {
		t.Fatal("the home page still shows a signed-in user after logout")
	}
	j.screenshot("04-home-after-logout.png")
}

// startJourney starts the example with the variables of env, chromedriver
// and a headless Chromium session, and returns the journey with the site's
// URL and the emulator's issuer. Everything stops at the end of the test.
func startJourney(t *testing.T, env ...string) (j *journey, site string, issuers map[string]string) {
	t.Helper()
	for _, bin := range []string{chromium, chromedriver} {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("%s is missing: run `make e2e`, which installs chromium and chromium-driver", bin)
		}
	}
	// The processes live until the cleanups, which run after the test
	// function returns; the deadline ends them if anything hangs.
	procCtx, stopProcs := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(stopProcs)
	ctx, cancel := context.WithTimeout(procCtx, 3*time.Minute)
	t.Cleanup(cancel)
	root := repoRoot(t)
	out := envOr("E2E_OUT", filepath.Join(root, "build", "e2e"))
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}

	site, issuers = startSite(procCtx, t, root, env...)
	driverURL := startChromedriver(procCtx, t)
	d, err := newSession(ctx, driverURL, chromium, t.TempDir())
	if err != nil {
		t.Fatalf("cannot start Chromium through chromedriver: %v", err)
	}
	t.Cleanup(func() {
		if err := d.quit(context.Background()); err != nil {
			t.Errorf("closing the browser: %v", err)
		}
	})
	return &journey{t: t, ctx: ctx, d: d, out: out}, site, issuers
}

// journey runs the steps of one browser session and fails with context.
type journey struct {
	t       *testing.T
	ctx     context.Context
	d       *webDriver
	out     string
	n       int
	audited map[string]bool // the pages checked (a11y_test.go)
}

func (j *journey) step(what string, f func() error) {
	j.t.Helper()
	if err := f(); err != nil {
		j.fail("%s: %v", what, err)
	}
}

// fail saves a screenshot of the current page and stops the test.
func (j *journey) fail(format string, args ...any) {
	j.t.Helper()
	j.n++
	shot := filepath.Join(j.out, fmt.Sprintf("failure-%d.png", j.n))
	if err := j.d.screenshot(j.ctx, shot); err == nil {
		args = append(args, shot)
		format += " (screenshot: %s)"
	}
	u, _ := j.d.currentURL(j.ctx)
	title, _ := j.d.title(j.ctx)
	j.t.Fatalf(format+"\n  page: %s %q", append(args, u, title)...)
}

// waitFor waits until an element matching css is on a page under
// urlPrefix, and runs the page checks on a page it had not seen.
func (j *journey) waitFor(css, urlPrefix string) string {
	j.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		u, uerr := j.d.currentURL(j.ctx)
		id, err := j.d.find(j.ctx, css)
		if uerr == nil && err == nil && strings.HasPrefix(u, urlPrefix) {
			j.audit()
			return id
		}
		if time.Now().After(deadline) {
			j.fail("timed out waiting for %s on %s…: last error %v", css, urlPrefix, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// click waits for the element matching css on a page under urlPrefix and
// clicks it.
func (j *journey) click(css, urlPrefix string) {
	j.t.Helper()
	id := j.waitFor(css, urlPrefix)
	j.step("click "+css, func() error { return j.d.click(j.ctx, id) })
}

func (j *journey) url() string {
	j.t.Helper()
	u, err := j.d.currentURL(j.ctx)
	if err != nil {
		j.fail("reading the URL: %v", err)
	}
	return u
}

func (j *journey) source() string {
	j.t.Helper()
	s, err := j.d.source(j.ctx)
	if err != nil {
		j.fail("reading the page source: %v", err)
	}
	return s
}

func (j *journey) expectTitle(want string) {
	j.t.Helper()
	title, err := j.d.title(j.ctx)
	if err != nil || !strings.Contains(title, want) {
		j.fail("page title %q (%v), want it to contain %q", title, err, want)
	}
}

// expectSource checks the page's visible text.
func (j *journey) expectSource(wants ...string) {
	j.t.Helper()
	body, err := j.d.find(j.ctx, "body")
	if err != nil {
		j.fail("no body: %v", err)
	}
	text, err := j.d.text(j.ctx, body)
	if err != nil {
		j.fail("reading the page text: %v", err)
	}
	for _, want := range wants {
		if !strings.Contains(text, want) {
			j.fail("the page does not show %q", want)
		}
	}
}

// checkButton checks that the page's CSS applies (the CSP allows it): the
// button is dark blue, about 56 px high, and lighter when hovered.
func (j *journey) checkButton(id string) {
	j.t.Helper()
	bg, err := j.d.cssValue(j.ctx, id, "background-color")
	if err != nil || bg != "rgba(0, 0, 145, 1)" {
		j.fail("button background %q (%v), want #000091", bg, err)
	}
	r, err := j.d.rect(j.ctx, id)
	if err != nil || r.Height < 54 || r.Height > 64 {
		j.fail("button height %.0f px (%v), want about 56", r.Height, err)
	}
	j.step("hover the button", func() error { return j.d.hover(j.ctx, id) })
	if bg, _ := j.d.cssValue(j.ctx, id, "background-color"); bg != "rgba(18, 18, 255, 1)" {
		j.fail("hovered button background %q, want #1212ff", bg)
	}
	j.step("move the mouse away", func() error { return j.d.hover(j.ctx, j.waitFor("h1", "")) })
}

func (j *journey) screenshot(name string) {
	j.t.Helper()
	path := filepath.Join(j.out, name)
	if err := j.d.screenshot(j.ctx, path); err != nil {
		j.fail("screenshot %s: %v", name, err)
	}
	j.t.Logf("screenshot: %s", path)
}
