package franceconnect

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// AccessTokenMargin is the time an access token must still have to be sent
// to a data provider: the provider has yet to check it with the platform
// (DATA-PROVIDERS.md §1). A token with less left is treated as expired.
const AccessTokenMargin = 5 * time.Second

// DataProvider is the API of a data provider ("fournisseur de données", on
// ProConnect a "serveur de ressources") that an FS calls with the access
// token of a login (DATA-PROVIDERS.md §1). See Client.DataClient.
type DataProvider struct {
	// URL is the base URL of the provider's API, such as
	// "https://data.example.gouv.fr/api/". The access token is sent only to
	// requests for its origin (scheme, host, port) under its path: a
	// redirect elsewhere, or a mistyped URL, fails instead of leaking it. It
	// must be https, except on a loopback host. Required.
	URL string
	// HTTPClient sends the requests, with the token added by a wrapper of
	// its Transport. Zero: a client with DefaultHTTPTimeout on
	// http.DefaultTransport that does not follow redirects.
	HTTPClient *http.Client
	// OnRefresh is called, on ProConnect, with the tokens of each refresh,
	// before they are used: store their RefreshToken (with AccessToken and
	// Expiry) where the session's tokens are kept, server side. ProConnect
	// rotates refresh tokens, and revokes the whole grant when an old one
	// comes back. When OnRefresh fails, so does the request, and each later
	// request calls it again with the same tokens (without refreshing again)
	// until it succeeds: refreshed tokens are never used unstored. Zero: no
	// refresh, and an expired access token fails with ErrAccessTokenExpired,
	// as on FranceConnect.
	OnRefresh func(context.Context, *Tokens) error
}

// DataClient returns an HTTP client that calls the data provider p with
// the access token of t, a login's (Callback, Exchange) or tokens stored
// since then (Tokens with AccessToken, Expiry and, on ProConnect,
// RefreshToken and IDToken.Subject). Each request gets the header
// "Authorization: Bearer <token>", never a query parameter (a request
// whose URL carries access_token is refused); requests outside p.URL are
// refused (ErrInvalidRequest).
//
// On FranceConnect and FranceConnect+ the token lives 60 s and cannot be
// refreshed: call the data provider in the callback's request, or from a
// job started there. Past Expiry (less AccessTokenMargin) a request fails
// with ErrAccessTokenExpired before anything is sent, rather than with a
// 401 from the provider. On ProConnect, with p.OnRefresh set, an expired
// token is refreshed first (Refresh, with its sub check); concurrent
// requests of one client wait for one refresh. Keep one DataClient per
// session: two clients refreshing the same refresh token revoke the grant.
func (c *Client) DataClient(t *Tokens, p DataProvider) (*http.Client, error) {
	base, err := checkDataURL(p.URL)
	if err != nil {
		return nil, err
	}
	if t == nil || t.AccessToken == "" || t.Expiry.IsZero() {
		return nil, wrap(ErrInvalidRequest, "DataClient needs the Tokens of a login: AccessToken and Expiry")
	}
	b := &bearer{c: c, base: base, tokens: *t, onRefresh: p.OnRefresh}
	if p.OnRefresh != nil && (c.platform != ProConnect || t.RefreshToken == "" || t.IDToken == nil || t.IDToken.Subject == "") {
		return nil, wrap(ErrInvalidRequest, "OnRefresh needs ProConnect tokens with a RefreshToken and the IDToken.Subject of the login")
	}
	hc := p.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultHTTPTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	out := *hc
	b.next = hc.Transport
	if b.next == nil {
		b.next = http.DefaultTransport
	}
	out.Transport = b
	return &out, nil
}

// checkDataURL parses a data provider's base URL: absolute, https except on
// loopback, no user info, query or fragment.
func checkDataURL(raw string) (*url.URL, error) {
	if err := wire.CheckURL(raw); err != nil {
		return nil, wrap(ErrInvalidRequest, "DataProvider.URL %q %v", raw, err)
	}
	u, _ := url.Parse(raw)
	if u.RawQuery != "" {
		return nil, wrap(ErrInvalidRequest, "DataProvider.URL %q: a base URL has no query", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// bearer is the transport of a DataClient: it adds the access token to the
// requests for its base URL, and refreshes it on ProConnect. mu guards
// tokens and unstored, and serialises refreshes.
type bearer struct {
	c         *Client
	base      *url.URL
	next      http.RoundTripper
	onRefresh func(context.Context, *Tokens) error

	mu       sync.Mutex
	tokens   Tokens
	unstored bool // tokens were refreshed, and OnRefresh has yet to store them
}

// Format prints the transport as its destination, whatever the verb: its
// fields hold the tokens, which fmt would print from unexported fields
// without their redaction.
func (b *bearer) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "franceconnect.DataClient transport to %s", b.base.Redacted())
}

// RoundTrip implements http.RoundTripper.
func (b *bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := b.check(req)
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Header.Set("Authorization", "Bearer "+string(tok))
	return b.next.RoundTrip(out)
}

// check refuses a request the token must not go with, and returns a live
// token for the others. The origin is the URL's and the Host header's (a
// shared front end routes by the latter); the path is the decoded one, which
// no encoding can move out from under the base path.
func (b *bearer) check(req *http.Request) (Token, error) {
	u := req.URL
	switch {
	case !strings.EqualFold(u.Scheme, b.base.Scheme) || !strings.EqualFold(u.Host, b.base.Host):
		return "", wrap(ErrInvalidRequest, "the access token only goes to %s://%s, not to %s://%s", b.base.Scheme, b.base.Host, u.Scheme, u.Host)
	case req.Host != "" && !strings.EqualFold(req.Host, b.base.Host):
		return "", wrap(ErrInvalidRequest, "the access token only goes to %s, not with the Host header %q", b.base.Host, req.Host)
	case !strings.HasPrefix(path.Clean("/"+u.Path)+"/", b.base.Path):
		return "", wrap(ErrInvalidRequest, "the access token only goes under %s, not to %s", b.base.Path, u.Path)
	case ambiguousPath(u.Path):
		return "", wrap(ErrInvalidRequest, "the path %q has a segment a server may read as . or .. (a backslash, or parameters after a dot segment)", u.Path)
	case u.Query().Has("access_token"):
		return "", wrap(ErrInvalidRequest, "an access token never goes in a query string (logs keep it): DataClient sends it in the Authorization header")
	}
	return b.token(req.Context())
}

// ambiguousPath reports whether p holds a segment that a server may read
// as "." or ".." although path.Clean does not: a backslash (a separator on
// Windows servers), or a dot segment followed by ";parameters" (which
// servlet containers drop).
func ambiguousPath(p string) bool {
	if strings.Contains(p, `\`) {
		return true
	}
	for seg := range strings.SplitSeq(p, "/") {
		if name, _, params := strings.Cut(seg, ";"); params && (name == "." || name == "..") {
			return true
		}
	}
	return false
}

// token returns the access token, refreshed first when it expires and the
// client may refresh it. Refreshed tokens are used only once OnRefresh has
// stored them: until then, each request calls it again.
func (b *bearer) token(ctx context.Context) (Token, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.c.now().Add(AccessTokenMargin).Before(b.tokens.Expiry) {
		if err := b.refresh(ctx); err != nil {
			return "", err
		}
	}
	if b.unstored {
		stored := b.tokens
		if err := b.onRefresh(ctx, &stored); err != nil {
			return "", errorf("storing the refreshed tokens (DataProvider.OnRefresh): %w", err)
		}
		b.unstored = false
	}
	return b.tokens.AccessToken, nil
}

// refresh redeems the refresh token, on ProConnect with OnRefresh set.
func (b *bearer) refresh(ctx context.Context) error {
	if b.onRefresh == nil {
		return wrap(ErrAccessTokenExpired, "expired at %s: %s", b.tokens.Expiry.UTC().Format(time.RFC3339), b.expiredAdvice())
	}
	next, err := b.c.Refresh(ctx, b.tokens.RefreshToken, b.tokens.IDToken.Subject)
	if err != nil {
		return err
	}
	if next.IDToken == nil {
		next.IDToken = b.tokens.IDToken
	}
	if next.RefreshToken == "" {
		next.RefreshToken = b.tokens.RefreshToken
	}
	b.tokens, b.unstored = *next, true
	return nil
}

func (b *bearer) expiredAdvice() string {
	if b.c.platform == ProConnect {
		return "set DataProvider.OnRefresh to refresh it, or sign the agent in again"
	}
	return b.c.platform.String() + "'s access tokens live 60 s and cannot be refreshed: call the data provider right after the login"
}
