package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestConformanceAtOneDoor runs fcemulator conformance against the
// two-door site of examples/serviceprovider, built and started as a
// program: its citizen door on a FranceConnect+ emulator of the test, its
// agent door on the command's ProConnect emulator, both registered as
// their platform registers by default (the agent door's FC_SIGNING_ALG
// unset). The run starts from the home page, which shows both buttons,
// and is pointed at the agent door by -login-path and -logout-path.
func TestConformanceAtOneDoor(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	bin := filepath.Join(t.TempDir(), "serviceprovider")
	build := exec.Command("go", "build", "-o", bin, "./examples/serviceprovider")
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	site, addr := freeSite(t)
	citizenDoor(t, site)
	secret := strings.Repeat("a", 40)
	for k, v := range map[string]string{"ADDR": addr, "AGENT_" + franceconnect.EnvPlatform: "proconnect",
		"AGENT_" + franceconnect.EnvClientID: "agent-fs", "AGENT_" + franceconnect.EnvClientSecret: secret,
		"AGENT_" + franceconnect.EnvRedirectURL:           site + "/agent/callback",
		"AGENT_" + franceconnect.EnvPostLogoutRedirectURL: site + "/agent/logout-callback",
		"AGENT_" + franceconnect.EnvScopes:                "openid given_name usual_name email uid siret organization_label",
		"AGENT_" + franceconnect.EnvUserInfo:              "json", "AGENT_" + franceconnect.EnvSigningAlg: "",
		"AGENT_" + franceconnect.EnvEnvironment: "", "AGENT_" + franceconnect.EnvACR: "", "AGENT_" + franceconnect.EnvKeys: "",
		franceconnect.EnvEnvironment: "", franceconnect.EnvIssuer: "", franceconnect.EnvPlatform: ""} {
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	code := runConformance(context.Background(), []string{"-addr", "127.0.0.1:0", "-platform", "proconnect",
		"-client-id", "agent-fs", "-client-secret", secret, "-redirect-uri", site + "/agent/callback",
		"-post-logout-redirect-uri", site + "/agent/logout-callback", "-fs", site + "/",
		"-login-path", "/agent/login", "-logout-path", "/agent/logout",
		"-faults", "FaultSigningAlgMismatch,FaultWrongNonce,FaultCallbackWrongState,FaultLogoutWrongState",
		"--", "sh", "-c", `AGENT_FC_ISSUER="$FCEMULATOR_ISSUER" exec "$0"`, bin}, &stdout, &stderr)
	t.Logf("exit %d\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	require.Equal(t, 0, code)
	for _, want := range []string{"PASS  clean login ", "PASS  clean logout ", "HTTP 303 from /agent/logout-callback",
		"PASS  FaultSigningAlgMismatch ", "nobody signed in: HTTP 502 at /agent/callback"} {
		require.Contains(t, stdout.String(), want)
	}
}

// freeSite returns the URL and address of a free loopback port.
func freeSite(t *testing.T) (site, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr = ln.Addr().String()
	require.NoError(t, ln.Close()) // the site binds it again
	return "http://" + addr, addr
}

// citizenDoor registers the site's citizen door on a FranceConnect+
// emulator of the test, with a fresh key, and sets its CITOYEN_FC_…
// variables.
func citizenDoor(t *testing.T, site string) {
	t.Helper()
	emu := fctest.New(t, fctest.Options{})
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
	require.NoError(t, err)
	public, err := franceconnect.PublicJWKS([]franceconnect.Key{key})
	require.NoError(t, err)
	private, err := franceconnect.MarshalKeys([]franceconnect.Key{key})
	require.NoError(t, err)
	keys := filepath.Join(t.TempDir(), "citoyen-keys.json")
	require.NoError(t, os.WriteFile(keys, private, 0o600))
	secret := strings.Repeat("c", 40)
	require.NoError(t, emu.Register(fctest.Registration{ID: "citoyen-fs", Secret: fctest.Secret(secret),
		RedirectURIs: []string{site + "/citoyen/callback"}, PostLogoutRedirectURIs: []string{site + "/citoyen/logout-callback"},
		JWKS: public, AllowAMR: true}))
	for k, v := range map[string]string{franceconnect.EnvIssuer: emu.Issuer(), franceconnect.EnvPlatform: "fcplus",
		franceconnect.EnvClientID: "citoyen-fs", franceconnect.EnvClientSecret: secret,
		franceconnect.EnvRedirectURL:           site + "/citoyen/callback",
		franceconnect.EnvPostLogoutRedirectURL: site + "/citoyen/logout-callback",
		franceconnect.EnvScopes:                "openid identite_pivot email", franceconnect.EnvKeys: keys,
		franceconnect.EnvEnvironment: "", franceconnect.EnvACR: "", franceconnect.EnvSigningAlg: "", franceconnect.EnvUserInfo: ""} {
		t.Setenv("CITOYEN_"+k, v)
	}
	sessionKey := make([]byte, 32)
	_, _ = rand.Read(sessionKey)
	t.Setenv("FS_SESSION_KEYS", base64.StdEncoding.EncodeToString(sessionKey))
}
