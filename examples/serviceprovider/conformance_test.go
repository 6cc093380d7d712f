package main

import (
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestConformance runs the conformance run against the site on every
// platform and registration it supports: FranceConnect+ and ProConnect on
// its embedded emulator (ProConnect with each signature algorithm, and a
// plain JSON userinfo), FranceConnect through FC_ISSUER. The site must
// refuse each fault a correct relying party refuses, accept the others,
// and pass every qualification item the emulator can observe. The cases
// that wait for the site's own HTTP timeout run on FranceConnect+ only:
// the HTTP client is the same on every platform.
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		vars map[string]string
	}{
		{"FranceConnect+", nil},
		{"ProConnect RS256", map[string]string{franceconnect.EnvPlatform: "proconnect"}},
		{"ProConnect ES256", map[string]string{franceconnect.EnvPlatform: "proconnect", franceconnect.EnvSigningAlg: "ES256"}},
		{"ProConnect HS256 JSON", map[string]string{franceconnect.EnvPlatform: "proconnect",
			franceconnect.EnvSigningAlg: "HS256", franceconnect.EnvUserInfo: "json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, base := startSiteWith(t, tc.vars)
			runConformance(t, a.emu, demoClientID, base, tc.name == "FranceConnect+")
		})
	}
	t.Run("FranceConnect", func(t *testing.T) {
		emu, base := startOnFranceConnect(t)
		runConformance(t, emu, "fs-fc", base, false)
	})
}

// runConformance runs the conformance run of clientID against the site at
// base and requires it to pass.
func runConformance(t *testing.T, emu *fctest.Server, clientID, base string, waits bool) {
	t.Helper()
	var faults []fctest.Fault
	for _, f := range emu.ConformanceFaults(clientID) {
		if waits || !f.Waits() {
			faults = append(faults, f)
		}
	}
	report := fctest.RunConformanceTests(t, emu, fctest.Conformance{ClientID: clientID, StartURL: base + "/",
		Faults: faults})
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
	require.NoError(t, emu.RegisterClient(fctest.Client{ID: "fs-fc", Secret: fctest.Secret(secret),
		RedirectURIs: []string{site + "/callback"}, PostLogoutRedirectURIs: []string{site + "/logout-callback"},
		AllowAMR: true}))
	setEmulatorVars(t, map[string]string{franceconnect.EnvIssuer: emu.Issuer(), franceconnect.EnvPlatform: "fc",
		franceconnect.EnvSigningAlg: "ES256"}) // as registered: accepting RS256 too fails FaultSigningAlgMismatch
	for k, v := range map[string]string{franceconnect.EnvClientID: "fs-fc", franceconnect.EnvClientSecret: secret,
		franceconnect.EnvRedirectURL: site + "/callback", franceconnect.EnvPostLogoutRedirectURL: site + "/logout-callback",
		franceconnect.EnvScopes: "openid identite_pivot email", franceconnect.EnvKeys: ""} {
		t.Setenv(k, v)
	}
	_, base := serveSiteOn(t, ln)
	return emu, base
}
