package main

import (
	"context"
	"encoding/base64"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

// startSite runs the site on a loopback port in emulator mode.
func startSite(t *testing.T) (*app, string) {
	t.Helper()
	t.Setenv(franceconnect.EnvEnvironment, "")
	t.Setenv(franceconnect.EnvIssuer, "")
	return serveSite(t)
}

func serveSite(t *testing.T) (*app, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return serveSiteOn(t, ln)
}

func serveSiteOn(t *testing.T, ln net.Listener) (*app, string) {
	t.Helper()
	a, err := newApp(context.Background(), ln, slog.New(slog.DiscardHandler))
	if err != nil {
		ln.Close()
		require.NoError(t, err)
	}
	srv := httptest.NewUnstartedServer(a.routes())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); a.close() })
	return a, srv.URL
}

// browser is a cookie-keeping HTTP client that does not follow redirects.
type browser struct {
	t *testing.T
	c *http.Client
}

type response struct {
	status   int
	location string
	header   http.Header
	body     string // HTML entities decoded
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	resp, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	r := response{status: resp.StatusCode, header: resp.Header, body: html.UnescapeString(string(body))}
	if loc, err := resp.Location(); err == nil {
		r.location = loc.String()
	}
	return r
}

func (b *browser) get(u string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(b.t, err)
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// followUntil follows redirects until the next one points under prefix, and
// returns that location.
func (b *browser) followUntil(r response, prefix string) string {
	b.t.Helper()
	for range 10 {
		require.Equal(b.t, http.StatusSeeOther, r.status, "expected a redirect towards %s", prefix)
		if strings.HasPrefix(r.location, prefix) {
			return r.location
		}
		r = b.get(r.location)
	}
	b.t.Fatalf("too many redirects before %s", prefix)
	return ""
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)
	loginForm = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
)

func csrfOf(t *testing.T, r response) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(r.body)
	require.NotNil(t, m, "no CSRF token on the page")
	return m[1]
}

// signIn clicks the FranceConnect+ button, picks login on the emulator's page
// and returns the callback URL the emulator sends the browser to.
func (b *browser) signIn(site, issuer, login string) string {
	t := b.t
	t.Helper()
	home := b.get(site + "/")
	require.Equal(t, http.StatusOK, home.status)
	r := b.post(site+"/login", url.Values{"csrf": {csrfOf(t, home)}, "acr": {"eidas2"}})
	require.Equal(t, http.StatusSeeOther, r.status, r.body)
	require.True(t, strings.HasPrefix(r.location, issuer+"/authorize?"), r.location)
	page := b.get(r.location)
	for page.status == http.StatusSeeOther {
		page = b.get(page.location)
	}
	require.Equal(t, http.StatusOK, page.status, page.body)
	require.Contains(t, page.body, `id="login-`+login+`"`)
	action := loginForm.FindStringSubmatch(page.body)
	require.NotNil(t, action, "no form on the identity-choice page")
	base, _ := url.Parse(issuer)
	target := base.ResolveReference(&url.URL{Path: action[1]}).String()
	return b.followUntil(b.post(target, url.Values{"login": {login}}), site)
}

func mustDecode(t *testing.T, s string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err)
	return string(raw)
}

func encode(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
