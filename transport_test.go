package franceconnect

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// trustingClient is the default HTTP client (defaultHTTPClient) trusting
// cert as well, so that tests and benchmarks can run it against a loopback
// TLS server; h1 restricts it to HTTP/1.1, like a provider without HTTP/2.
func trustingClient(cert *x509.Certificate, h1 bool) *http.Client {
	hc := defaultHTTPClient(DefaultMaxIdleConnsPerHost)
	tr := hc.Transport.(*http.Transport)
	tr.TLSClientConfig.RootCAs = x509.NewCertPool()
	tr.TLSClientConfig.RootCAs.AddCert(cert)
	if h1 {
		tr.Protocols = new(http.Protocols)
		tr.Protocols.SetHTTP1(true)
	}
	return hc
}

// defaultHTTPClient is the package's default HTTP client, trusting the
// provider's certificate and reaching it whatever host a URL names.
func (p *provider) defaultHTTPClient() *http.Client {
	hc := trustingClient(p.srv.Certificate(), false)
	tr := hc.Transport.(*http.Transport)
	addr := p.srv.Listener.Addr().String()
	tr.Proxy = nil
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	tr.TLSClientConfig.ServerName = "example.com"
	return hc
}

// baseTransport is the transport under the size limit of c's HTTP client.
func baseTransport(t *testing.T, c *Client) http.RoundTripper {
	lt, ok := c.http.Transport.(wire.LimitTransport)
	require.True(t, ok, "every response goes through the size limit")
	jt, ok := c.tokenHTTP.Transport.(wire.JSONOnly)
	require.True(t, ok, "token answers must be JSON")
	assert.Equal(t, c.http.Transport, jt.Base)
	return lt.Base
}

func TestDefaultTransport(t *testing.T) {
	h := newHostile(t)
	cfg := h.config(t)
	cfg.HTTPClient = nil
	c, err := New(context.Background(), cfg)
	require.NoError(t, err)
	tr, ok := baseTransport(t, c).(*http.Transport)
	require.True(t, ok)
	assert.Equal(t, DefaultMaxIdleConnsPerHost, tr.MaxIdleConnsPerHost)
	assert.Zero(t, tr.MaxIdleConns, "no limit across hosts: it would cap the pool below MaxIdleConnsPerHost")
	assert.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion)
	assert.True(t, tr.Protocols.HTTP1() && tr.Protocols.HTTP2(), "HTTP/2 attempted, HTTP/1.1 accepted")
	assert.Equal(t, DefaultTLSHandshakeTimeout, tr.TLSHandshakeTimeout)
	assert.Equal(t, DefaultResponseHeaderTimeout, tr.ResponseHeaderTimeout)
	assert.Equal(t, DefaultIdleConnTimeout, tr.IdleConnTimeout)
	assert.NotNil(t, tr.DialContext)
	assert.False(t, tr.DisableKeepAlives)
	assert.Equal(t, h2PingAfter, tr.HTTP2.SendPingTimeout)
	assert.Equal(t, DefaultHTTPTimeout, c.http.Timeout)
	assert.ErrorIs(t, c.http.CheckRedirect(nil, nil), http.ErrUseLastResponse)

	cfg.MaxIdleConnsPerHost = 300
	c, err = New(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 300, baseTransport(t, c).(*http.Transport).MaxIdleConnsPerHost)
}

func TestHTTPClientUsedAsGiven(t *testing.T) {
	h := newHostile(t)
	cfg := h.config(t)
	mine := &http.Transport{MaxIdleConnsPerHost: 7}
	cfg.HTTPClient = &http.Client{Transport: mine, Timeout: 3 * time.Second}
	c, err := New(context.Background(), cfg)
	require.NoError(t, err)
	assert.Same(t, mine, baseTransport(t, c))
	assert.Equal(t, 3*time.Second, c.http.Timeout)
	assert.Nil(t, c.http.CheckRedirect, "the caller's redirect policy is kept")
	assert.Same(t, mine, cfg.HTTPClient.Transport, "the caller's client is not modified")
	assert.Equal(t, 7, mine.MaxIdleConnsPerHost)
}

func TestMaxIdleConnsPerHostRefusals(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	for name, edit := range map[string]func(*Config){
		"negative":         func(c *Config) { c.MaxIdleConnsPerHost = -1 },
		"with HTTPClient":  func(c *Config) { c.MaxIdleConnsPerHost = 200 },
		"negative, no own": func(c *Config) { c.HTTPClient = nil; c.MaxIdleConnsPerHost = -5 },
	} {
		cfg := p.config()
		edit(&cfg)
		_, err := newClient(cfg)
		require.ErrorIs(t, err, ErrConfig, name)
		assert.Contains(t, err.Error(), "MaxIdleConnsPerHost", name)
	}
}

// TestConnectionsReusedOnErrors sends, one after the other, requests that
// fail in every way an answer can (provider errors, bad statuses, wrong
// content types, at the token, userinfo and revocation endpoints) between
// complete logins, through the default transport over TLS: they all go
// through the one connection opened first, because every body is read to
// its end before it is judged.
func TestConnectionsReusedOnErrors(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		t.Run(map[bool]string{false: "HTTP/1.1", true: "HTTP/2"}[h2], func(t *testing.T) {
			p := startProvider(t, FranceConnectPlus, h2)
			c := p.client(t, func(cfg *Config) { cfg.HTTPClient = p.defaultHTTPClient() })
			require.EqualValues(t, 1, p.conns.Load(), "New: discovery and keys on one connection")
			ctx := context.Background()
			for round := range 3 {
				for _, step := range errorSteps() {
					serveLogin(t, p, nil, nil, nil)
					if step.token != nil {
						p.set(func(p *provider) { p.token = step.token })
					}
					if step.userinfo != nil {
						p.set(func(p *provider) { p.userinfo = step.userinfo })
					}
					_, err := c.Callback(ctx, callbackQuery("code", "the-code"), fixState0())
					require.ErrorIs(t, err, step.want, "round %d: %s", round, step.name)
				}
				serveLogin(t, p, nil, nil, nil)
				_, err := c.Callback(ctx, callbackQuery("code", "the-code"), fixState0())
				require.NoError(t, err)
				require.NoError(t, c.Revoke(ctx, "an-access-token"))
			}
			assert.EqualValues(t, 1, p.conns.Load(), "every request reused the first connection")
		})
	}
}

// errorStep is an answer of the token or userinfo endpoint that fails a
// login, and the error it gives.
type errorStep struct {
	name            string
	token, userinfo http.HandlerFunc
	want            error
}

func errorSteps() []errorStep {
	answer := func(status int, ctype, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}
	}
	const html = "<html><body>Service indisponible, veuillez réessayer plus tard.</body></html>"
	return []errorStep{
		{name: "token: 500 server_error", want: ErrProvider,
			token: answer(500, "application/json", `{"error":"server_error","error_description":"boom"}`)},
		{name: "token: 502 HTML", want: ErrHTTP, token: answer(502, "text/html", html)},
		{name: "token: 200 HTML", want: ErrContentType, token: answer(200, "text/html", html)},
		{name: "token: 400 invalid_grant", want: ErrProvider,
			token: answer(400, "application/json", `{"error":"invalid_grant"}`)},
		{name: "userinfo: 401 invalid_token", want: ErrProvider,
			userinfo: answer(401, "application/json", `{"error":"invalid_token"}`)},
		{name: "userinfo: 503 text", want: ErrHTTP, userinfo: answer(503, "text/plain", "unavailable")},
		{name: "userinfo: 200 text", want: ErrContentType, userinfo: answer(200, "text/plain", "not a token")},
	}
}
