package main

import (
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestConformance runs the conformance run against the site at each of
// its doors and in each registration it supports: the citizen door
// (FranceConnect+) and the agent door (ProConnect, with each signature
// algorithm, and a plain JSON userinfo) of the two-door site on its
// embedded emulators, and the one-door site on FranceConnect through
// FC_ISSUER. Each run starts from the home page, where both doors show
// their button, and is pointed at its door's login and logout forms. The
// site must refuse each fault a correct relying party refuses, accept the
// others, and pass every qualification item the emulator can observe. The
// cases that wait for the site's own HTTP timeout run at the citizen door
// only: the HTTP client is the same at every door.
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		door int // 0: the citizen door, 1: the agent door
		vars map[string]string
	}{
		{"citoyen FranceConnect+", 0, nil},
		{"agent ProConnect RS256", 1, nil},
		{"agent ProConnect ES256", 1, map[string]string{franceconnect.EnvSigningAlg: "ES256"}},
		{"agent ProConnect HS256 JSON", 1, map[string]string{franceconnect.EnvSigningAlg: "HS256",
			franceconnect.EnvUserInfo: "json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, base := startSiteWith(t, tc.vars)
			require.Len(t, a.doors, 2)
			d := a.doors[tc.door]
			runConformance(t, d.emu, fctest.Conformance{ClientID: demoClientID, StartURL: base + "/",
				LoginPath: d.path("/login"), LogoutPath: d.path("/logout")}, tc.door == 0)
		})
	}
	t.Run("FranceConnect", func(t *testing.T) {
		emu, base := startOnFranceConnect(t)
		runConformance(t, emu, fctest.Conformance{ClientID: "fs-fc", StartURL: base + "/"}, false)
	})
}

// runConformance runs c against the site and requires it to pass; the
// cases that wait run only when waits is set.
func runConformance(t *testing.T, emu *fctest.Server, c fctest.Conformance, waits bool) {
	t.Helper()
	for _, f := range emu.ConformanceFaults(c.ClientID) {
		if waits || !f.Waits() {
			c.Faults = append(c.Faults, f)
		}
	}
	report := fctest.RunConformanceTests(t, emu, c)
	require.NotNil(t, report)
	require.False(t, report.Failed(), "the site fails the run")
	passed, _, skipped := report.Counts()
	require.Greater(t, passed, 2*skipped, "most cases ran")
}

// startOnFranceConnect runs the site against a FranceConnect (v2)
// emulator, registered as a signed-only client and configured through
// FC_ISSUER, as against a real provider.
func startOnFranceConnect(t *testing.T) (*fctest.Server, string) {
	t.Helper()
	emu := fctest.New(t, fctest.Options{Platform: fctest.FranceConnect})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	site, secret := siteURL(ln), strings.Repeat("s", 40)
	require.NoError(t, emu.Register(fctest.Registration{ID: "fs-fc", Secret: fctest.Secret(secret),
		RedirectURIs: []string{site + "/callback"}, PostLogoutRedirectURIs: []string{site + "/logout-callback"},
		AllowAMR: true}))
	// FC_SIGNING_ALG unset: the default, ES256, is what the emulator
	// registers by default, and the only algorithm accepted.
	setEmulatorVars(t, map[string]string{franceconnect.EnvIssuer: emu.Issuer(), franceconnect.EnvPlatform: "fc"})
	for k, v := range map[string]string{franceconnect.EnvClientID: "fs-fc", franceconnect.EnvClientSecret: secret,
		franceconnect.EnvRedirectURL: site + "/callback", franceconnect.EnvPostLogoutRedirectURL: site + "/logout-callback",
		franceconnect.EnvScopes: "openid identite_pivot email", franceconnect.EnvKeys: ""} {
		t.Setenv(k, v)
	}
	_, base := serveSiteOn(t, ln)
	return emu, base
}
