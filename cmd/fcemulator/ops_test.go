package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

// jsonLogLines returns the request lines of a -log-format json log.
func jsonLogLines(t *testing.T, emu *process) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(emu.stderr.String()) {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), "every line is JSON: %q", line)
		if m["msg"] == "request" {
			out = append(out, m)
		}
	}
	return out
}

func TestLogsSayWhy(t *testing.T) {
	emu := startEmulator(t, "-admin", "-log-format", "json", "-clients", clientsFile(t, "fcplus"))
	client := newGoClient(t, emu, pairs[0])
	status, body := adminCall(t, emu, http.MethodPost, "faults/inject", "application/json",
		`{"faults": [{"fault": "FaultWrongNonce", "client_id": "fs-ecdh-es"}]}`)
	require.Equal(t, http.StatusOK, status, body)
	res, err := tryLogin(t, emu, pairs[0], client, newBrowser(t, emu))
	require.ErrorIs(t, err, franceconnect.ErrNonceMismatch)

	// The refused code, redeemed again by hand: a failure with its reason.
	form := strings.NewReader("grant_type=authorization_code&code=" + res.code + "&redirect_uri=" + callbackURL +
		"&client_id=fs-ecdh-es&client_secret=" + pairs[0].secret())
	resp, err := emu.httpClient().Post(emu.issuer+"/token", "application/x-www-form-urlencoded", form)
	require.NoError(t, err)
	readBody(t, resp)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Eventually(t, func() bool { return len(jsonLogLines(t, emu)) >= 7 }, 5*time.Second, 5*time.Millisecond)

	var faulted, failed map[string]any
	for _, line := range jsonLogLines(t, emu) {
		if line["endpoint"] == "token" && line["faults"] == "FaultWrongNonce" {
			faulted = line
		}
		if line["endpoint"] == "token" && line["error"] != nil {
			failed = line
		}
	}
	require.NotNil(t, faulted, "the line of the faulted token response names the fault")
	require.Equal(t, "fs-ecdh-es", faulted["client_id"])
	require.EqualValues(t, 200, faulted["status"])
	require.Equal(t, "INFO", faulted["level"])
	require.NotNil(t, failed)
	require.Equal(t, "WARN", failed["level"])
	require.Equal(t, "invalid_grant", failed["error"])
	require.Equal(t, "Y0416228", failed["code"])
	require.Equal(t, "grant request is invalid (authorization code already consumed)", failed["detail"])
	require.Equal(t, "fs-ecdh-es", failed["client_id"])
	require.Equal(t, "/api/v2/token", failed["path"])

	log := emu.stderr.String()
	for _, secretValue := range []string{res.code, res.state, pairs[0].secret(), "camille", "ARNAUD"} {
		require.NotContains(t, log, secretValue, "no code, state, secret or personal data in the log")
	}
	require.Regexp(t, regexp.MustCompile(`"msg":"admin","method":"POST","path":"/_emulator/faults/inject","status":200`), log)
}

func TestVersion(t *testing.T) {
	out, err := exec.Command(binary, "-version").CombinedOutput()
	require.NoError(t, err, string(out))
	require.Regexp(t, `^fcemulator \S+.* \(go1\.\d+.*, (linux|darwin|windows)/(amd64|arm64)\)\n$`, string(out))

	stamped := filepath.Join(t.TempDir(), "fcemulator")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version=v9.8.7", "-o", stamped, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err = build.CombinedOutput()
	require.NoError(t, err, string(out))
	out, err = exec.Command(stamped, "-version").CombinedOutput()
	require.NoError(t, err, string(out))
	require.True(t, strings.HasPrefix(string(out), "fcemulator v9.8.7 ("), string(out))
}

func TestTLSCertificateKeptInKeysDir(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys")
	certFile := filepath.Join(t.TempDir(), "emulator.pem")
	args := []string{"-tls-self-signed", certFile, "-keys-dir", keys, "-clients", clientsFile(t, "fcplus")}
	first := startEmulator(t, args...)
	firstPEM, err := os.ReadFile(certFile)
	require.NoError(t, err)
	info, err := os.Stat(filepath.Join(keys, "tls-key.pem"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	first.stop(t, os.Interrupt)

	second := startEmulator(t, args...)
	secondPEM, err := os.ReadFile(certFile)
	require.NoError(t, err)
	require.Equal(t, string(firstPEM), string(secondPEM), "the same certificate after a restart")
	second.roots = x509.NewCertPool()
	require.True(t, second.roots.AppendCertsFromPEM(firstPEM))
	resp, err := second.httpClient().Get(second.issuer + "/jwks")
	require.NoError(t, err, "a client trusting the first run's certificate trusts the second")
	readBody(t, resp)
	second.stop(t, os.Interrupt)

	// A certificate that does not cover the public URL's host is replaced.
	third := startEmulator(t, append(args, "-public-url", "https://emulator.test:8443")...)
	thirdPEM, err := os.ReadFile(certFile)
	require.NoError(t, err)
	require.NotEqual(t, string(firstPEM), string(thirdPEM))
	require.Equal(t, "https://emulator.test:8443/api/v2", third.issuer)
}

func TestContainerMode(t *testing.T) {
	emu := startEmulator(t, "-container", "-addr", "0.0.0.0:0", "-admin", "-clients", clientsFile(t, "fcplus"))
	require.Contains(t, emu.summary, "-container: every address of the container")
	require.True(t, strings.HasPrefix(emu.issuer, "http://127.0.0.1:"), "reached on loopback without -public-url")
	_, port, err := net.SplitHostPort(emu.addr(t))
	require.NoError(t, err)

	// Another address of the machine reaches it (the container's network).
	other := nonLoopbackAddr(t)
	if other == "" {
		t.Log("no non-loopback address on this machine: listening on all of them not checked")
	} else {
		resp, err := emu.httpClient().Get("http://" + net.JoinHostPort(other, port) + "/api/v2/jwks")
		require.NoError(t, err)
		readBody(t, resp)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		status, body := adminRequest(t, emu, http.MethodGet, "clock", "", "", func(r *http.Request) {
			r.Host = net.JoinHostPort(other, port)
		})
		require.Equal(t, http.StatusForbidden, status, "the admin API keeps to loopback names: %s", body)
	}

	withName := startEmulator(t, "-container", "-addr", "0.0.0.0:0", "-admin", "-public-url", "http://fcemulator:8090",
		"-clients", clientsFile(t, "fcplus"))
	require.Equal(t, "http://fcemulator:8090/api/v2", withName.issuer)
	// The issuer's host does not resolve here: reach the listener directly.
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet,
		"http://"+withName.listenAddr(t)+"/_emulator/clock", nil)
	require.NoError(t, err)
	req.Host = "fcemulator:8090"
	resp, err := withName.httpClient().Do(req)
	require.NoError(t, err)
	readBody(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode, "the -public-url host is the admin API's too")
}

// nonLoopbackAddr returns an IPv4 address of this machine off loopback, or
// "".
func nonLoopbackAddr(t *testing.T) string {
	addrs, err := net.InterfaceAddrs()
	require.NoError(t, err)
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}

// listenAddr returns the address of the "listening" line of the summary,
// with a loopback host for an unspecified one.
func (p *process) listenAddr(t *testing.T) string {
	t.Helper()
	for line := range strings.Lines(p.summary) {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "listening" {
			_, port, err := net.SplitHostPort(f[1])
			require.NoError(t, err)
			return net.JoinHostPort("127.0.0.1", port)
		}
	}
	t.Fatalf("no listening line in:\n%s", p.summary)
	return ""
}
