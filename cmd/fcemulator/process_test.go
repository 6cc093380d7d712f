package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// binary is the fcemulator program built by TestMain.
var binary string

// sharedKeysDir is a -keys-dir for the tests that do not look at the
// provider keys: the first FranceConnect run generates its RSA key there
// (about as slow as the rest of a run), the others reuse it.
var sharedKeysDir string

// TestMain builds the program once for every test of the package: the tests
// run it as a separate process, as a service provider in another language
// would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fcemulator-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "fcemulator")
	sharedKeysDir = filepath.Join(dir, "keys")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running fcemulator.
type process struct {
	cmd      *exec.Cmd
	summary  string        // standard output up to "ready"
	issuer   string        // from the summary
	stderr   logFile       // the log
	exited   chan struct{} // closed when the process has exited
	waitErr  error         // set before exited is closed
	roots    *x509.CertPool
	stopOnce sync.Once
	status   int
}

// logFile is where a process writes its standard error.
type logFile string

// String returns the log written so far.
func (f logFile) String() string {
	data, _ := os.ReadFile(string(f))
	return string(data)
}

// startEmulator runs fcemulator on a free loopback port (a later -addr in
// args wins) and waits for its "ready" line. The process is stopped with
// SIGINT at the end of the test, which must exit 0.
func startEmulator(t *testing.T, args ...string) *process {
	t.Helper()
	p := &process{stderr: logFile(filepath.Join(t.TempDir(), "stderr.log")), exited: make(chan struct{})}
	p.cmd = exec.Command(binary, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	stderr, err := os.Create(string(p.stderr))
	require.NoError(t, err)
	defer stderr.Close() // the child has its own copy
	p.cmd.Stderr = stderr
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		p.waitErr = p.cmd.Wait() // after every read, as exec requires
		close(p.exited)
	}()
	t.Cleanup(func() {
		require.Equal(t, 0, p.stop(t, os.Interrupt), "clean shutdown on SIGINT; log:\n%s", p.stderr)
	})
	var out strings.Builder
	timeout := time.After(20 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				<-p.exited
				t.Fatalf("fcemulator exited before it was ready: %v\n%s%s", p.waitErr, out.String(), p.stderr)
			}
			if line == "ready" {
				p.summary = out.String()
				go func() { // keep draining the pipe
					for range lines {
					}
				}()
				return p
			}
			out.WriteString(line + "\n")
			if f := strings.Fields(line); len(f) == 2 && f[0] == "issuer" {
				p.issuer = f[1]
			}
		case <-timeout:
			t.Fatalf("fcemulator not ready after 20 s:\n%s%s", out.String(), p.stderr)
		}
	}
}

// stop sends sig and returns the exit status; it kills the process if it
// does not exit within 10 seconds. Later calls return the first status.
func (p *process) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	p.stopOnce.Do(func() {
		_ = p.cmd.Process.Signal(sig)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
			t.Errorf("fcemulator ignored %v", sig)
		}
		p.status = p.cmd.ProcessState.ExitCode()
	})
	return p.status
}

// addr returns the host:port the emulator listens on.
func (p *process) addr(t *testing.T) string {
	u, err := url.Parse(p.issuer)
	require.NoError(t, err)
	return u.Host
}

// base returns the emulator's scheme://host:port.
func (p *process) base() string { return strings.TrimSuffix(p.issuer, "/api/v2") }

// requestLog returns the request lines of the log.
func (p *process) requestLog() []string {
	var out []string
	for line := range strings.Lines(p.stderr.String()) {
		if strings.Contains(line, "msg=request ") {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}

// httpClient returns a client for the emulator that does not follow
// redirects and trusts its certificate when it serves HTTPS.
func (p *process) httpClient() *http.Client {
	tr := &http.Transport{ForceAttemptHTTP2: true}
	if p.roots != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: p.roots}
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// runFailing runs fcemulator with args (and sharedKeysDir, unless args give
// another -keys-dir), expects it to exit at once with a non-zero status and
// returns that status and its standard error.
func runFailing(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, append([]string{"-addr", "127.0.0.1:0", "-keys-dir", sharedKeysDir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	require.True(t, errors.As(err, &exitErr), "want a failure, got %v; stderr:\n%s", err, stderr.String())
	require.NotEqual(t, -1, exitErr.ExitCode(), "killed: %s", stderr.String())
	return exitErr.ExitCode(), stderr.String()
}

// sigterm is the signal service managers send.
var sigterm os.Signal = syscall.SIGTERM
