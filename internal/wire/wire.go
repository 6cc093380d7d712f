// Package wire holds the HTTP and encoding helpers shared by the
// franceconnect package: URL rules, bounded body reads, random values.
package wire

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrTooLarge is returned by ReadBody when the body exceeds its limit.
var ErrTooLarge = errors.New("body exceeds the size limit")

// IsLoopback reports whether host (without port) is a loopback name or address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckURL reports why raw is not an acceptable FranceConnect URL: it must
// be absolute http(s) with a host, without fragment or user info, and use
// https unless the host is a loopback.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("not a URL")
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("must be an absolute https URL")
	case u.Host == "" || u.Opaque != "":
		return fmt.Errorf("must be an absolute URL with a host")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Errorf("must not contain a fragment (#)")
	case u.User != nil:
		return fmt.Errorf("must not contain user info")
	case u.Scheme == "http" && !IsLoopback(u.Hostname()):
		return fmt.Errorf("must use https (plain http is only allowed on loopback hosts)")
	}
	return nil
}

// IsScopeToken reports whether s is a valid OAuth scope token (RFC 6749 §3.3).
func IsScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c == '"' || c == '\\' || c > 0x7e {
			return false
		}
	}
	return true
}

// RandomString returns n random bytes from crypto/rand, hex encoded (2n chars).
func RandomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24 panics instead)
	return hex.EncodeToString(b)
}

// ReadBody reads at most limit bytes of the response body; a longer body
// yields ErrTooLarge. The body is closed.
func ReadBody(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, ErrTooLarge
	}
	return b, nil
}

// MediaType returns the lower-cased media type of the response, without
// parameters, or "" when absent or invalid.
func MediaType(resp *http.Response) string {
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return strings.ToLower(mt)
}

// IsJSON reports whether a media type is JSON (application/json or +json).
func IsJSON(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// OAuthError is the JSON body of an OAuth error answer.
type OAuthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description"`
	URI         string `json:"error_uri"`
}

// Redacted replaces a value Scrub removes.
const Redacted = "[redacted]"

// Scrub returns e with every value of sent (a token, a code, a secret the
// request carried), as sent or form-encoded, replaced by Redacted in its
// description and URI: a provider that quotes the request in its error
// cannot carry a secret into a message. Values shorter than 8 characters
// are too short to be secrets, and too common to replace.
func (e OAuthError) Scrub(sent ...string) OAuthError {
	for _, v := range sent {
		if len(v) < 8 {
			continue
		}
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			e.Description = strings.ReplaceAll(e.Description, form, Redacted)
			e.URI = strings.ReplaceAll(e.URI, form, Redacted)
		}
	}
	return e
}

// ParseOAuthError decodes an OAuth JSON error body; ok is false when the body
// is not one.
func ParseOAuthError(body []byte) (OAuthError, bool) {
	var e OAuthError
	if json.Unmarshal(body, &e) != nil || e.Code == "" {
		return OAuthError{}, false
	}
	return e, true
}

// LimitTransport reads every response body in full, up to Max bytes, before
// handing the response on; a longer body fails the round trip with
// ErrTooLarge. The whole body is thus read within the request's deadline, and
// no caller (including golang.org/x/oauth2) ever reads past the limit.
type LimitTransport struct {
	Base http.RoundTripper // nil: http.DefaultTransport
	Max  int64
}

// RoundTrip implements http.RoundTripper.
func (t LimitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := ReadBody(resp, t.Max)
	if err != nil {
		return nil, err // a body over the limit is not drained: its connection closes
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// CloseIdleConnections closes the idle connections of Base, when it has
// such a method (as *http.Transport does).
func (t LimitTransport) CloseIdleConnections() { closeIdle(t.Base) }

// ErrNotJSON is returned by JSONOnly for a successful response that is not JSON.
var ErrNotJSON = errors.New("response is not application/json")

// JSONOnly refuses successful (2xx) responses whose Content-Type is not
// JSON, so that a caller that would also accept other encodings (such as
// golang.org/x/oauth2 for token responses) never sees them.
type JSONOnly struct {
	Base http.RoundTripper // nil: http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (t JSONOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 2 && !IsJSON(MediaType(resp)) {
		DrainClose(resp.Body)
		return nil, ErrNotJSON
	}
	return resp, nil
}

// CloseIdleConnections closes the idle connections of Base, when it has
// such a method (as *http.Transport does).
func (t JSONOnly) CloseIdleConnections() { closeIdle(t.Base) }

// closeIdle calls base's CloseIdleConnections, or http.DefaultTransport's
// when base is nil.
func closeIdle(base http.RoundTripper) {
	if base == nil {
		base = http.DefaultTransport
	}
	if c, ok := base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// MaxDrain is the most DrainClose reads from a body it discards. A body
// that long is cheaper to abandon, with its connection, than to read.
const MaxDrain = 64 << 10

// DrainClose reads what is left of a response body, up to MaxDrain bytes,
// and closes it: an HTTP/1.1 connection whose body was read to the end goes
// back to the idle pool instead of being closed.
func DrainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, MaxDrain))
	_ = body.Close()
}

// CacheTTL reads max-age from the Cache-Control of a response, def without
// one, clamped to [lo, hi]; no-store and no-cache give lo.
func CacheTTL(h http.Header, def, lo, hi time.Duration) time.Duration {
	ttl := def
	for _, d := range strings.Split(h.Get("Cache-Control"), ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		switch {
		case d == "no-store" || d == "no-cache":
			return lo
		case strings.HasPrefix(d, "max-age="):
			if n, err := strconv.Atoi(strings.TrimPrefix(d, "max-age=")); err == nil && n >= 0 {
				ttl = time.Duration(n) * time.Second
			}
		}
	}
	return min(max(ttl, lo), hi)
}
