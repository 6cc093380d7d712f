package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// pythonWithJOSE returns a Python 3 interpreter that has Debian's
// python3-jwcrypto and python3-requests, or "" with the reason.
func pythonWithJOSE() (string, string) {
	candidates := []string{os.Getenv("PYTHON"), "python3", "/usr/bin/python3"}
	for _, py := range candidates {
		if py == "" {
			continue
		}
		if err := exec.Command(py, "-c", "import jwcrypto, requests").Run(); err == nil {
			return py, ""
		}
	}
	return "", "no python3 with jwcrypto and requests (Debian: apt-get install python3-jwcrypto python3-requests)"
}

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// TestPythonRelyingPartyCI runs the CI example of docs/other-languages.md:
// examples/python-rp/ci.sh starts the built fcemulator and a relying party
// in Python, then runs its tests, every applicable fault of the catalogue
// included.
func TestPythonRelyingPartyCI(t *testing.T) {
	py, why := pythonWithJOSE()
	if py == "" {
		t.Skip("SKIPPED: the Python CI example needs " + why)
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("SKIPPED: the Python CI example needs bash")
	}
	script, err := filepath.Abs("../../examples/python-rp/ci.sh")
	require.NoError(t, err)
	cmd := exec.Command("bash", script)
	cmd.Env = append(os.Environ(), "FCEMULATOR="+binary, "PYTHON="+py,
		"EMULATOR_PORT="+freePort(t), "RP_PORT="+freePort(t))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "test_every_applicable_fault")
	require.True(t, strings.HasSuffix(strings.TrimSpace(string(out)), "OK"), "%s", out)
}
