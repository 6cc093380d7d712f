package franceconnect

import (
	"cmp"
	"crypto/tls"
	"net"
	"net/http"
	"time"

	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// Settings of the default HTTP client's transport, which talks to one host
// (FranceConnect) from many logins at once.
const (
	// DefaultMaxIdleConnsPerHost is the number of idle connections to
	// FranceConnect kept for reuse when Config.MaxIdleConnsPerHost is zero.
	// net/http's default transport keeps 2: over HTTP/1.1, above 2 requests
	// at once, most requests open a new connection, with a full TLS
	// handshake. The pool only keeps connections a peak of requests opened,
	// for at most DefaultIdleConnTimeout; 256 covers 256 logins at once.
	DefaultMaxIdleConnsPerHost = 256
	// DefaultDialTimeout bounds the opening of a TCP connection.
	DefaultDialTimeout = 5 * time.Second
	// DefaultTLSHandshakeTimeout bounds a TLS handshake.
	DefaultTLSHandshakeTimeout = 5 * time.Second
	// DefaultResponseHeaderTimeout bounds the wait for the response headers
	// once the request is sent.
	DefaultResponseHeaderTimeout = 8 * time.Second
	// DefaultIdleConnTimeout is how long an idle connection is kept.
	DefaultIdleConnTimeout = 90 * time.Second
)

// defaultKeepAlive is the interval of TCP keep-alive probes, and h2PingAfter
// the silence after which an HTTP/2 connection is checked with a ping: a
// connection that died silently is then closed within h2PingTimeout instead
// of stalling every request multiplexed on it.
const (
	defaultKeepAlive = 30 * time.Second
	h2PingAfter      = 15 * time.Second
	h2PingTimeout    = 5 * time.Second
)

// setHTTP builds the HTTP clients: Config.HTTPClient as given, or the default
// one, every response read through the size limit; and the token client,
// which also refuses answers that are not JSON. It runs after setDefaults.
func (c *Client) setHTTP(cfg *Config, p *problems) {
	switch {
	case cfg.MaxIdleConnsPerHost < 0:
		p.add("MaxIdleConnsPerHost", "negative")
	case cfg.MaxIdleConnsPerHost > 0 && cfg.HTTPClient != nil:
		p.add("MaxIdleConnsPerHost", "applies to the default HTTP client only; set it on the transport of HTTPClient")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient(cmp.Or(max(cfg.MaxIdleConnsPerHost, 0), DefaultMaxIdleConnsPerHost))
	}
	c.http = limitedClient(hc, c.maxBody)
	tokenHTTP := *c.http
	tokenHTTP.Transport = wire.JSONOnly{Base: c.http.Transport}
	c.tokenHTTP = &tokenHTTP
}

// defaultHTTPClient is the client used when Config.HTTPClient is nil: the
// transport of newTransport, DefaultHTTPTimeout per request, redirects
// returned instead of followed.
func defaultHTTPClient(maxIdlePerHost int) *http.Client {
	return &http.Client{
		Transport:     newTransport(maxIdlePerHost),
		Timeout:       DefaultHTTPTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// newTransport returns a transport for many concurrent requests to one
// host: maxIdlePerHost idle connections kept, HTTP/2 attempted, TLS 1.2 at
// least, every phase bounded, TCP keep-alives, and HTTP/2 health checks.
// Proxies come from the environment, as with http.DefaultTransport.
func newTransport(maxIdlePerHost int) *http.Transport {
	dialer := &net.Dialer{Timeout: DefaultDialTimeout, KeepAlive: defaultKeepAlive}
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)
	return &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    DefaultTLSHandshakeTimeout,
		ResponseHeaderTimeout:  DefaultResponseHeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        DefaultIdleConnTimeout,
		MaxIdleConnsPerHost:    maxIdlePerHost,
		MaxResponseHeaderBytes: 64 << 10,
		Protocols:              protocols,
		HTTP2:                  &http.HTTP2Config{SendPingTimeout: h2PingAfter, PingTimeout: h2PingTimeout},
	}
}

// limitedClient returns a copy of hc whose responses are read in full, up to
// maxBody bytes, before anyone sees them: bodies are thus always read to
// the end (or their connection closed when too long), and connections go
// back to the pool on errors too.
func limitedClient(hc *http.Client, maxBody int64) *http.Client {
	out := *hc
	out.Transport = wire.LimitTransport{Base: hc.Transport, Max: maxBody}
	return &out
}

// CloseIdleConnections closes the idle connections of the Client's HTTP
// client (Config.HTTPClient, or the default one), like
// http.Client.CloseIdleConnections. A Client needs no Close: it starts
// goroutines only to refresh its caches, and each ends with its refresh;
// idle connections of the default client close by themselves after
// DefaultIdleConnTimeout. Call it to release them at once, e.g. when a
// Client is replaced.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }
