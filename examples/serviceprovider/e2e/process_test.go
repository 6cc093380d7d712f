//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// repoRoot is the module root, found from the test's directory.
func repoRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// readyLine is the site's "ready" log line, with the URL to open;
// doorLine is the line of each door, with its emulator's issuer.
var (
	readyLine = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+/) .*doors=(\d)`)
	doorLine  = regexp.MustCompile(`msg="door ready" door=(\S+) .*issuer=(http://\S+/api/v2)`)
)

// startSite builds and starts the example on a random loopback port, in
// emulator mode with the variables of env ("FC_PLATFORM=proconnect"), and
// returns its URL and its doors' emulators' issuers, by door ("/" for the
// one door of a one-door site). The process is interrupted at the end of
// the test.
func startSite(ctx context.Context, t *testing.T, root string, env ...string) (site string, issuers map[string]string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "serviceprovider")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./examples/serviceprovider")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the example: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(append(cleanEnv(), "ADDR=127.0.0.1:0"), env...)
	cmd.WaitDelay = 5 * time.Second
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the example: %v", err)
	}
	var logs lockedBuffer
	ready := make(chan string, 1)
	done := make(chan struct{})
	issuers = map[string]string{}
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.writeLine(sc.Text())
			if m := doorLine.FindStringSubmatch(sc.Text()); m != nil {
				issuers[m[1]] = m[2] // before the ready line, read after it
			}
			if m := readyLine.FindStringSubmatch(sc.Text()); m != nil {
				ready <- m[1]
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("site logs:\n%s", logs.String())
		}
	})
	select {
	case site := <-ready:
		return site, issuers
	case <-done:
		t.Fatalf("the example exited before serving:\n%s", logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("the example did not start within 30 s:\n%s", logs.String())
	}
	return "", nil
}

// cleanEnv is the environment without the FC_* variables, so that the
// example runs on its embedded emulator.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FC_") && !strings.HasPrefix(kv, "ADDR=") {
			env = append(env, kv)
		}
	}
	return env
}

// startChromedriver runs chromedriver on a free loopback port until the end
// of the test and returns its URL once it is ready.
func startChromedriver(ctx context.Context, t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	// A file rather than a pipe: Chromium inherits chromedriver's output,
	// and a pipe would stay open as long as any of its processes lives.
	logPath := filepath.Join(t.TempDir(), "chromedriver.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, chromedriver, "--port="+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Start()
	logFile.Close()
	if err != nil {
		t.Fatalf("starting chromedriver: %v", err)
	}
	logs := func() string { b, _ := os.ReadFile(logPath); return string(b) }
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("chromedriver output:\n%s", logs())
		}
	})
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := (&http.Client{Timeout: 2 * time.Second}).Get(base + "/status"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("chromedriver not ready after 20 s:\n%s", logs())
	return ""
}

// lockedBuffer collects a process's output from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) writeLine(s string) { _, _ = b.Write([]byte(s + "\n")) }

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
