package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// Variables given to the service the conformance command starts.
const (
	envIssuer = "FCEMULATOR_ISSUER" // the emulator's issuer, …/api/v2
	envURL    = "FCEMULATOR_URL"    // the emulator's base URL
)

// startService starts the service's command in its own process group,
// with the emulator's issuer in its environment and its output on stderr
// prefixed "fs: ". stop ends the group (SIGTERM, then SIGKILL after 5 s)
// and waits.
func startService(ctx context.Context, command []string, emu *fctest.Server, stderr io.Writer) (func(), error) {
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Env = append(os.Environ(), envIssuer+"="+emu.Issuer(), envURL+"="+emu.URL())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the service: %w", err)
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			fmt.Fprintln(stderr, "fs:", sc.Text())
		}
	}()
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		<-copied
	}
	go func() {
		select {
		case <-ctx.Done():
			stop()
		case <-exited:
		}
	}()
	return stop, nil
}

// waitForService polls url until the service answers (any HTTP status),
// for at most wait.
func waitForService(ctx context.Context, url string, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.New("the service did not answer at " + url + " within " + wait.String())
		case <-tick.C:
		}
	}
}

// jsonWriter writes v as indented JSON.
func jsonWriter(v any) func(io.Writer) error {
	return func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
}
