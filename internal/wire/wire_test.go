package wire

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// countingServer answers every request with h and counts the connections
// clients open.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func get(t *testing.T, rt http.RoundTripper, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rt.RoundTrip(req)
}

// TestJSONOnlyDrainsRefusedBodies: a refused answer's body is read before
// it is closed, so that its HTTP/1.1 connection serves the next request.
func TestJSONOnlyDrainsRefusedBodies(t *testing.T) {
	page := strings.Repeat("<p>Service indisponible</p>", 400) // 10 KiB, more than one read
	srv, conns := countingServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, page)
	})
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	for range 5 {
		if _, err := get(t, JSONOnly{Base: base}, srv.URL); !errors.Is(err, ErrNotJSON) {
			t.Fatalf("got %v, want ErrNotJSON", err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("5 refused answers opened %d connections, want 1", n)
	}
}

// TestLimitTransportReuse: bodies within the limit are read to the end,
// whatever the status, and their connection reused; a body over the limit
// is abandoned with its connection.
func TestLimitTransportReuse(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/huge" {
			_, _ = io.WriteString(w, strings.Repeat("x", 64<<10))
			return
		}
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	})
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	lt := LimitTransport{Base: base, Max: 4096}
	for range 5 {
		resp, err := get(t, lt, srv.URL+"/down")
		if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("got %v, %v", resp, err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("5 answers 503 opened %d connections, want 1", n)
	}
	if _, err := get(t, lt, srv.URL+"/huge"); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if _, err := get(t, lt, srv.URL+"/down"); err != nil {
		t.Fatal(err)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("after a body over the limit: %d connections, want 2 (the abandoned one is not reused)", n)
	}
}

// TestCloseIdleConnectionsForwarded: the wrappers pass
// CloseIdleConnections on to their base transport.
func TestCloseIdleConnectionsForwarded(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
	})
	base := &http.Transport{}
	client := &http.Client{Transport: JSONOnly{Base: LimitTransport{Base: base, Max: 4096}}}
	for want := int64(1); want <= 3; want++ {
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		client.CloseIdleConnections()
		if n := conns.Load(); n != want {
			t.Fatalf("%d connections, want %d: each request after CloseIdleConnections opens one", n, want)
		}
	}
}
