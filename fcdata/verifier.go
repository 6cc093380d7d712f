package fcdata

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// introspectTimeout bounds one introspection, whatever the HTTP client's
// timeout: it runs detached from the callers who wait for it.
const introspectTimeout = 15 * time.Second

// Verifier asks the platform about access tokens for one data provider and
// checks its answers. It is immutable after New and safe for concurrent
// use; its cache and the platform's keys guard themselves.
type Verifier struct {
	s        *settings
	endpoint string // checktoken or introspection
	keys     *platformKeys
	cache    *cache
}

// New validates cfg, reads the platform's discovery document and, when
// answers are signed with a platform key, its key set, and returns a
// Verifier. Configuration errors wrap ErrConfig and name every field at
// fault; platform errors wrap ErrDiscovery.
func New(ctx context.Context, cfg Config) (*Verifier, error) {
	p := &problems{env: cfg.env}
	s := validate(cfg, p)
	if err := p.err(); err != nil {
		return nil, err
	}
	v := &Verifier{s: s, cache: newCache(s.cacheSize)}
	if err := v.discover(ctx); err != nil {
		return nil, err
	}
	if s.sigAlg != "" && s.sigAlg != "HS256" {
		v.keys.mu.Lock()
		err := v.keys.fetch(ctx)
		v.keys.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Introspect returns what the platform says of token: checktoken on
// FranceConnect and FranceConnect+ (a JWE decrypted with DecryptionKeys,
// wrapping a JWS verified against the platform's keys), token
// introspection on ProConnect (JSON, or a signed JWT when SigningAlg is
// set). Every answer passes the same strict policy as an id_token
// (allow-listed algorithms bound to their keys, member names read exactly,
// repeated members refused, iss, aud equal to ClientID, iat). An inactive
// token is a value (Active false), never an error; a token that is not
// even a well-formed bearer token (RFC 6750 b64token, at most 4096
// characters) is inactive without asking the platform. Errors wrap
// ErrIntrospection and say nothing of the token's status.
//
// Answers are cached by a keyed hash of the token (never the token
// itself), no longer than CacheTTL nor past the token's expiry, and
// concurrent calls for one token wait for one request. Each call returns
// its own Introspection (see Identity for what callers share).
func (v *Verifier) Introspect(ctx context.Context, token string) (*Introspection, error) {
	if !wellFormed(token) {
		return &Introspection{}, nil
	}
	key := v.cache.key(token)
	if res, ok := v.cache.get(key, v.s.now()); ok {
		return res.copy(), nil
	}
	res, err := v.cache.do(ctx, key, func() (*Introspection, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), introspectTimeout)
		defer cancel()
		res, err := v.introspect(ctx, token)
		if err != nil {
			v.s.log.WarnContext(ctx, "fcdata: introspection failed", "err", err)
			return nil, err
		}
		v.cache.put(key, res, v.ttl(res), v.s.now())
		v.s.log.DebugContext(ctx, "fcdata: introspection", "active", res.Active)
		return res, nil
	})
	if err != nil {
		return nil, err
	}
	return res.copy(), nil
}

// ttl is how long res may be reused.
func (v *Verifier) ttl(res *Introspection) time.Duration {
	if !res.Active {
		return min(inactiveTTL, v.s.cacheTTL)
	}
	return min(v.s.cacheTTL, res.Expiry.Sub(v.s.now()))
}

// wellFormed reports whether token is a b64token of RFC 6750 §2.1 of at
// most 4096 characters.
func wellFormed(token string) bool {
	body := strings.TrimRight(token, "=")
	if body == "" || len(token) > 4096 {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+/", c) >= 0) {
			return false
		}
	}
	return true
}

// introspect asks the platform and checks the answer.
func (v *Verifier) introspect(ctx context.Context, token string) (*Introspection, error) {
	form := url.Values{"token": {token}, "client_id": {v.s.clientID}, "client_secret": {string(v.s.secret)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fail(franceconnect.ErrHTTP, "%v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", v.accept())
	resp, body, err := v.do(req)
	if err != nil {
		return nil, errorf("%w: %w", ErrIntrospection, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, v.statusError(resp, body, token)
	}
	return v.answer(ctx, wire.MediaType(resp), body)
}

// accept is the Accept header: the JWT of RFC 9701 when answers are signed.
func (v *Verifier) accept() string {
	if v.s.platform == franceconnect.ProConnect && v.s.sigAlg == "" {
		return "application/json"
	}
	return ctJWT
}

// defaultHTTPClient is the client of a Config without HTTPClient: net/http's
// default transport (proxies from the environment) with a pool sized for
// many checks at once, TLS 1.2 at least, bounded waits, and redirects
// returned instead of followed (the request carries the client secret).
func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = franceconnect.DefaultMaxIdleConnsPerHost
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	t.TLSHandshakeTimeout = franceconnect.DefaultTLSHandshakeTimeout
	t.ResponseHeaderTimeout = franceconnect.DefaultResponseHeaderTimeout
	return &http.Client{Transport: t, Timeout: franceconnect.DefaultHTTPTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// do sends req and returns the response with its body, read in full within
// the size limit.
func (v *Verifier) do(req *http.Request) (*http.Response, []byte, error) {
	resp, err := v.s.http.Do(req)
	if err == nil {
		defer resp.Body.Close()
		var body []byte
		if body, err = io.ReadAll(resp.Body); err == nil {
			return resp, body, nil
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is ours, but keep messages short
	}
	if errors.Is(err, wire.ErrTooLarge) {
		return nil, nil, errorf("%w: %s %s: more than %d bytes", franceconnect.ErrResponseTooLarge, req.Method, req.URL.Path, v.s.maxBody)
	}
	return nil, nil, errorf("%w: %s %s: %v", franceconnect.ErrHTTP, req.Method, req.URL.Path, err)
}

// statusError is an answer other than 200: a *franceconnect.ProviderError
// when it is an OAuth JSON error (invalid_request, invalid_client, …),
// without the token or the secret should the platform quote them.
func (v *Verifier) statusError(resp *http.Response, body []byte, token string) error {
	if e, ok := wire.ParseOAuthError(body); ok && wire.IsJSON(wire.MediaType(resp)) {
		e = e.Scrub(token, string(v.s.secret))
		pe := &franceconnect.ProviderError{Code: e.Code, Description: e.Description, URI: e.URI,
			HTTPStatus: resp.StatusCode, Platform: v.s.platform}
		if u, err := url.Parse(e.URI); err == nil {
			pe.FCCode = u.Query().Get("code")
		}
		return providerSetting(errorf("%w: %w", ErrIntrospection, pe), pe)
	}
	return fail(franceconnect.ErrHTTP, "POST %s: status %d", v.endpoint, resp.StatusCode)
}
