package redisstore_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// redisAddr is the address of the redis-server the tests run against, ""
// when redis-server is not installed.
var redisAddr string

// TestMain starts one redis-server on a loopback port for the package, with
// no persistence, and stops it at the end.
func TestMain(m *testing.M) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		fmt.Println("redis-server is not installed: the tests that need it skip (make redis-server installs it)")
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "redisstore")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	cmd, addr, err := startRedis(bin, dir)
	if err != nil {
		fmt.Println("cannot start redis-server:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	redisAddr = addr
	code := m.Run()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startRedis runs redis-server on a free loopback port, trying another port
// if one was taken in between, and waits until it answers PING.
func startRedis(bin, dir string) (*exec.Cmd, string, error) {
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return nil, "", err
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--save", "",
			"--appendonly", "no", "--dir", dir, "--logfile", filepath.Join(dir, "redis.log"))
		if err := cmd.Start(); err != nil {
			return nil, "", err
		}
		if lastErr = waitForPing(addr); lastErr == nil {
			return cmd, addr, nil
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	return nil, "", lastErr
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitForPing polls addr with the inline PING command for up to 10 s.
func waitForPing(addr string) error {
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var c net.Conn
		if c, err = net.DialTimeout("tcp", addr, time.Second); err != nil {
			continue
		}
		_ = c.SetDeadline(time.Now().Add(time.Second))
		_, _ = c.Write([]byte("PING\r\n"))
		line, rerr := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if rerr == nil && strings.HasPrefix(line, "+PONG") {
			return nil
		}
		err = fmt.Errorf("answer %q, %v", line, rerr)
	}
	return fmt.Errorf("redis-server on %s not ready: %v", addr, err)
}

// needRedis skips t when redis-server is not installed.
func needRedis(t testing.TB) {
	t.Helper()
	if redisAddr == "" {
		t.Skip("redis-server is not installed (make redis-server installs it)")
	}
}
