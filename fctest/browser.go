package fctest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Browser drives the emulator like a user's web browser: it keeps cookies
// (notably fc_session_id, which logout requires) and follows the emulator's
// redirects until the next one leaves the emulator. Use one Browser per
// simulated user; Server.SignIn and Server.Logout use the server's default
// Browser. A Browser is safe for concurrent use, but flows sharing its
// cookies interleave like tabs of one browser.
type Browser struct {
	s         *Server
	client    *http.Client
	transport *http.Transport
}

// NewBrowser returns a browser with an empty cookie jar. Over TLS it trusts
// the server's certificate and speaks HTTP/2.
func (s *Server) NewBrowser() *Browser {
	jar, _ := cookiejar.New(nil) // never fails with nil options
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second,
		ForceAttemptHTTP2: true}
	if s.cert != nil {
		roots := x509.NewCertPool()
		roots.AddCert(s.cert)
		tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	}
	return &Browser{s: s, transport: tr, client: &http.Client{
		Jar:           jar,
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// HTTPClient returns the browser's HTTP client: it has the browser's cookie jar
// and does not follow redirects.
func (b *Browser) HTTPClient() *http.Client { return b.client }

func (b *Browser) closeIdle() { b.transport.CloseIdleConnections() }

// SignIn performs what a user does with a browser: it opens authURL (a full
// authorization URL on this server, as produced by a client library), follows
// the emulator to the identity-choice page, clicks the button of the identity
// with the given Login handle, and follows redirects until the next one
// leaves the emulator. It returns that URL: the FS callback with code, state
// and iss, or with error=…. An HTML error page (Y code) is returned as a
// *PageError.
func (b *Browser) SignIn(ctx context.Context, authURL, login string) (string, error) {
	req, err := b.request(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return "", err
	}
	return b.loginFrom(ctx, req, login)
}

// SignInPost is SignIn for an authorization request sent as a POST form, the
// other way FranceConnect accepts (spec §3).
func (b *Browser) SignInPost(ctx context.Context, params url.Values, login string) (string, error) {
	req, err := b.request(ctx, http.MethodPost, b.s.issuer+"/authorize", params)
	if err != nil {
		return "", err
	}
	return b.loginFrom(ctx, req, login)
}

// Cancel opens authURL like SignIn but clicks "Revenir sur le service"; it
// returns the FS callback URL carrying error=access_denied.
func (b *Browser) Cancel(ctx context.Context, authURL string) (string, error) {
	req, err := b.request(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return "", err
	}
	l, err := b.toInteraction(req)
	if err != nil || l.left != "" {
		return l.leftURL(), err
	}
	m := cancelLink.FindSubmatch(l.body)
	if m == nil {
		return "", errors.New("fctest: no cancel link on the interaction page")
	}
	next, err := b.request(ctx, http.MethodGet, l.url.ResolveReference(&url.URL{Path: html.UnescapeString(string(m[1]))}).String(), nil)
	if err != nil {
		return "", err
	}
	return b.finish(next)
}

// Logout opens logoutURL (a session/end URL on this server) and follows the
// emulator's redirects. It returns the post_logout_redirect_uri?state=… URL,
// or the emulator's /session/end/success page URL when no
// post_logout_redirect_uri was given.
func (b *Browser) Logout(ctx context.Context, logoutURL string) (string, error) {
	req, err := b.request(ctx, http.MethodGet, logoutURL, nil)
	if err != nil {
		return "", err
	}
	l, err := b.navigate(req)
	switch {
	case err != nil:
		return "", err
	case l.left != "":
		return l.left, nil
	case l.status == http.StatusOK && strings.HasSuffix(l.url.Path, "/session/end/success"):
		return l.url.String(), nil
	}
	return "", l.failure()
}

// SignIn is the default Browser's SignIn.
func (s *Server) SignIn(ctx context.Context, authURL, login string) (string, error) {
	return s.browser.SignIn(ctx, authURL, login)
}

// Logout is the default Browser's Logout: it carries the session cookie set
// by Server.SignIn.
func (s *Server) Logout(ctx context.Context, logoutURL string) (string, error) {
	return s.browser.Logout(ctx, logoutURL)
}

// Cancel is the default Browser's Cancel.
func (s *Server) Cancel(ctx context.Context, authURL string) (string, error) {
	return s.browser.Cancel(ctx, authURL)
}

// landing is where navigation stopped: a URL outside the emulator (left), or
// an emulator response.
type landing struct {
	left   string
	url    *url.URL
	status int
	body   []byte
	html   bool
}

func (l *landing) leftURL() string {
	if l == nil {
		return ""
	}
	return l.left
}

var (
	cancelLink = regexp.MustCompile(`id="cancel" href="([^"]+)"`)
	formAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	metaTag    = regexp.MustCompile(`<meta name="(fctest-error[a-z-]*)" content="([^"]*)">`)
)

func (b *Browser) loginFrom(ctx context.Context, req *http.Request, login string) (string, error) {
	l, err := b.toInteraction(req)
	if err != nil || l.left != "" {
		return l.leftURL(), err
	}
	body := string(l.body)
	i := strings.Index(body, `id="login-`+html.EscapeString(login)+`"`)
	if i < 0 {
		return "", fmt.Errorf("fctest: no identity %q on the interaction page", login)
	}
	forms := formAction.FindAllStringSubmatchIndex(body[:i], -1)
	if len(forms) == 0 {
		return "", errors.New("fctest: no login form on the interaction page")
	}
	last := forms[len(forms)-1]
	action := l.url.ResolveReference(&url.URL{Path: html.UnescapeString(body[last[2]:last[3]])})
	next, err := b.request(ctx, http.MethodPost, action.String(), url.Values{"login": {login}})
	if err != nil {
		return "", err
	}
	return b.finish(next)
}

// toInteraction navigates to the identity-choice page; it may instead leave
// the emulator (an error redirected to the FS).
func (b *Browser) toInteraction(req *http.Request) (*landing, error) {
	l, err := b.navigate(req)
	switch {
	case err != nil:
		return nil, err
	case l.left != "":
		return l, nil
	case l.status == http.StatusOK && strings.Contains(l.url.Path, "/interaction/"):
		return l, nil
	}
	return nil, l.failure()
}

// finish navigates and expects to leave the emulator.
func (b *Browser) finish(req *http.Request) (string, error) {
	l, err := b.navigate(req)
	if err != nil {
		return "", err
	}
	if l.left != "" {
		return l.left, nil
	}
	return "", l.failure()
}

// failure describes an unexpected emulator response.
func (l *landing) failure() error {
	if l.html {
		pe := &PageError{Status: l.status, URL: l.url.String()}
		for _, m := range metaTag.FindAllSubmatch(l.body, -1) {
			v := html.UnescapeString(string(m[2]))
			switch string(m[1]) {
			case pageErrorCodeMeta:
				pe.Code = v
			case pageErrorMeta:
				pe.OAuthError = v
			case pageErrorDescMeta:
				pe.Description = v
			}
		}
		if pe.Code != "" {
			return pe
		}
	}
	return fmt.Errorf("fctest: unexpected HTTP %d from %s", l.status, l.url)
}

// inside reports whether u is an emulator URL.
func (b *Browser) inside(u *url.URL) bool {
	return u.Scheme+"://"+u.Host == b.s.url && (u.Path == apiPrefix || strings.HasPrefix(u.Path, apiPrefix+"/"))
}

func (b *Browser) request(ctx context.Context, method, rawURL string, form url.Values) (*http.Request, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("fctest: invalid URL: %w", err)
	}
	if !b.inside(u) {
		return nil, fmt.Errorf("fctest: %s is not a URL of this emulator (%s)", rawURL, b.s.issuer)
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req, nil
}

// navigate sends req and follows redirects while they stay in the emulator.
func (b *Browser) navigate(req *http.Request) (*landing, error) {
	for range 10 {
		resp, err := b.client.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		switch resp.StatusCode {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
			http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			loc, err := req.URL.Parse(resp.Header.Get("Location"))
			if err != nil {
				return nil, fmt.Errorf("fctest: bad redirect: %w", err)
			}
			if !b.inside(loc) {
				return &landing{left: loc.String()}, nil
			}
			if req, err = http.NewRequestWithContext(req.Context(), http.MethodGet, loc.String(), nil); err != nil {
				return nil, err
			}
			continue
		}
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		return &landing{url: req.URL, status: resp.StatusCode, body: body, html: ct == "text/html"}, nil
	}
	return nil, errors.New("fctest: too many redirects")
}
