package franceconnect

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHTTPError checks, for each way FranceConnect can fail to answer, the
// categories, the status, whether it timed out, whether it is retryable,
// and the message (one "franceconnect:" per category, as always).
func TestHTTPError(t *testing.T) {
	const disc, jwks, token, userinfo, revocation = "/.well-known/openid-configuration", "/jwks", "/token", "/userinfo", "/token/revocation"
	status := func(code int, ctype string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.WriteHeader(code)
			_, _ = w.Write([]byte("<html>indisponible</html>"))
		}
	}
	tests := []struct {
		name, path, call string
		handler          func(h *hostile) http.HandlerFunc
		ctx              time.Duration
		want             []error
		status           int
		timeout, retry   bool
		message          string
	}{
		{name: "discovery 503", path: disc, call: "new", handler: func(*hostile) http.HandlerFunc { return status(503, "text/html") },
			want: []error{ErrDiscovery}, status: 503, retry: true,
			message: "franceconnect: discovery failed: HTTP request failed: GET {host}/api/v2/.well-known/openid-configuration: status 503"},
		{name: "discovery 404 (a mistyped issuer)", path: disc, call: "new", handler: func(*hostile) http.HandlerFunc { return status(404, "text/html") },
			want: []error{ErrDiscovery}, status: 404,
			message: "franceconnect: discovery failed: HTTP request failed: GET {host}/api/v2/.well-known/openid-configuration: status 404: " +
				"no discovery document at this issuer; check the issuer URL (Issuer, FC_ISSUER)"},
		{name: "keys 404", path: jwks, call: "new", handler: func(*hostile) http.HandlerFunc { return status(404, "text/html") },
			want: []error{ErrProviderKeys}, status: 404,
			message: "franceconnect: provider keys unavailable: HTTP request failed: GET {host}/api/v2/jwks: status 404"},
		{name: "token 502", path: token, call: "exchange", handler: func(*hostile) http.HandlerFunc { return status(502, "text/html") },
			want: []error{ErrExchange}, status: 502, retry: true,
			message: "franceconnect: code exchange failed: HTTP request failed: POST {host}/api/v2/token: status 502"},
		{name: "token 429", path: token, call: "exchange", handler: func(*hostile) http.HandlerFunc { return status(429, "text/plain") },
			want: []error{ErrExchange}, status: 429, retry: true},
		{name: "token 400 without OAuth error", path: token, call: "exchange", handler: func(*hostile) http.HandlerFunc { return status(400, "text/plain") },
			want: []error{ErrExchange}, status: 400},
		{name: "token: no headers before the context deadline", path: token, call: "exchange", ctx: 50 * time.Millisecond,
			handler: func(h *hostile) http.HandlerFunc { return h.stall },
			want:    []error{ErrExchange, context.DeadlineExceeded}, timeout: true, retry: true},
		{name: "token: no headers before the client timeout", path: token, call: "exchange",
			handler: func(h *hostile) http.HandlerFunc { return h.stall },
			want:    []error{ErrExchange}, timeout: true, retry: true},
		{name: "userinfo 500", path: userinfo, call: "userinfo", handler: func(*hostile) http.HandlerFunc { return status(500, "text/plain") },
			want: []error{ErrInvalidUserInfo}, status: 500, retry: true,
			message: "franceconnect: invalid userinfo: HTTP request failed: GET {host}/api/v2/userinfo: status 500"},
		{name: "userinfo: body cut short", path: userinfo, call: "userinfo", handler: func(h *hostile) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", "1000")
				_, _ = w.Write([]byte("eyJ"))
			}
		}, want: []error{ErrInvalidUserInfo}, retry: true},
		{name: "revocation 503", path: revocation, call: "revoke", handler: func(*hostile) http.HandlerFunc { return status(503, "text/html") },
			want: []error{ErrRevocation}, status: 503, retry: true,
			message: "franceconnect: revocation failed: HTTP request failed: POST {host}/api/v2/token/revocation: status 503"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHostile(t)
			h.set(tc.path, tc.handler(h))
			err := hostileCall(t, h, tc.call, tc.ctx)
			for _, w := range append(tc.want, ErrHTTP) {
				require.ErrorIs(t, err, w)
			}
			var he *HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tc.status, he.StatusCode)
			assert.Equal(t, tc.timeout, he.Timeout, "Timeout")
			assert.Equal(t, tc.retry, he.Retryable(), "Retryable")
			assert.Equal(t, 1, strings.Count(err.Error(), "franceconnect:"), "the package is named once: %s", err)
			if tc.message != "" {
				assert.Equal(t, strings.ReplaceAll(tc.message, "{host}", h.srv.URL), err.Error(), "the host is named")
			}
		})
	}
}

// hostileCall makes one call to the hostile provider with a context of
// timeout d (none when zero) and returns its error.
func hostileCall(t *testing.T, h *hostile, call string, d time.Duration) error {
	ctx := context.Background()
	if d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	cfg := h.config(t)
	if call == "new" {
		_, err := New(ctx, cfg)
		return err
	}
	c, err := New(context.Background(), cfg)
	require.NoError(t, err)
	switch call {
	case "exchange":
		_, err = c.Exchange(ctx, "the-code", fixState0())
	case "userinfo":
		_, err = c.UserInfo(ctx, &Tokens{IDToken: &IDToken{Subject: fixSub}, AccessToken: "an-access-token"})
	case "revoke":
		err = c.Revoke(ctx, "an-access-token")
	}
	return err
}

// TestHTTPErrorWithoutAnswer covers failures before any answer: a refused
// connection is retryable; an untrusted certificate or a request the
// caller cancelled is not.
func TestHTTPErrorWithoutAnswer(t *testing.T) {
	h := newHostile(t)
	c, err := New(context.Background(), h.config(t))
	require.NoError(t, err)
	h.srv.Close()
	_, err = c.Exchange(context.Background(), "the-code", fixState0())
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.True(t, he.Retryable(), "connection refused: %v", err)
	assert.False(t, he.Timeout)
	assert.Zero(t, he.StatusCode)

	p := newProvider(t, FranceConnectPlus)
	cfg := p.config()
	cfg.HTTPClient = p.defaultHTTPClient()
	cfg.HTTPClient.Transport.(*http.Transport).TLSClientConfig.RootCAs = nil
	_, err = New(context.Background(), cfg)
	require.ErrorIs(t, err, ErrDiscovery)
	require.ErrorAs(t, err, &he)
	assert.False(t, he.Retryable(), "an untrusted certificate is not retryable: %v", err)

	h = newHostile(t)
	h.set("/token", h.stall)
	c, err = New(context.Background(), h.config(t))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = c.Exchange(ctx, "the-code", fixState0())
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorAs(t, err, &he)
	assert.False(t, he.Retryable(), "the caller gave up")
	assert.False(t, he.Timeout)
	assert.False(t, errors.Is(err, context.DeadlineExceeded))
}
