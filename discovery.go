package franceconnect

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/go-franceconnect/franceconnect/internal/jose"
	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// discoveryDoc holds the members of the provider configuration we use (spec §2).
type discoveryDoc struct {
	Issuer                 string   `json:"issuer"`
	AuthorizationEndpoint  string   `json:"authorization_endpoint"`
	TokenEndpoint          string   `json:"token_endpoint"`
	UserinfoEndpoint       string   `json:"userinfo_endpoint"`
	EndSessionEndpoint     string   `json:"end_session_endpoint"`
	JWKSURI                string   `json:"jwks_uri"`
	RevocationEndpoint     string   `json:"revocation_endpoint"`
	TokenAuthMethods       []string `json:"token_endpoint_auth_methods_supported"`
	IDTokenSigningAlgs     []string `json:"id_token_signing_alg_values_supported"`
	IDTokenEncryptionAlgs  []string `json:"id_token_encryption_alg_values_supported"`
	IDTokenEncryptionEncs  []string `json:"id_token_encryption_enc_values_supported"`
	UserinfoSigningAlgs    []string `json:"userinfo_signing_alg_values_supported"`
	UserinfoEncryptionAlgs []string `json:"userinfo_encryption_alg_values_supported"`
	UserinfoEncryptionEncs []string `json:"userinfo_encryption_enc_values_supported"`
	IssParameterSupported  bool     `json:"authorization_response_iss_parameter_supported"`
	ScopesSupported        []string `json:"scopes_supported"`
}

// check verifies the document against the client's configuration.
func (d *discoveryDoc) check(c *Client) error {
	if d.Issuer != c.issuer {
		return wrap(ErrDiscovery, "issuer %q does not match the configured %q", d.Issuer, c.issuer)
	}
	for _, e := range []struct{ name, url string }{
		{"authorization_endpoint", d.AuthorizationEndpoint}, {"token_endpoint", d.TokenEndpoint},
		{"userinfo_endpoint", d.UserinfoEndpoint}, {"end_session_endpoint", d.EndSessionEndpoint},
		{"jwks_uri", d.JWKSURI},
	} {
		if e.url == "" {
			return wrap(ErrDiscovery, "%s is missing", e.name)
		}
		if err := wire.CheckURL(e.url); err != nil {
			return wrap(ErrDiscovery, "%s: %v", e.name, err)
		}
	}
	if d.RevocationEndpoint != "" {
		if err := wire.CheckURL(d.RevocationEndpoint); err != nil {
			return wrap(ErrDiscovery, "revocation_endpoint: %v", err)
		}
	}
	if len(d.TokenAuthMethods) > 0 && !slices.Contains(d.TokenAuthMethods, "client_secret_post") {
		return wrap(ErrDiscovery, "token endpoint does not accept client_secret_post")
	}
	return d.checkAlgorithms(c)
}

// checkAlgorithms refuses a provider that advertises no algorithm we allow.
func (d *discoveryDoc) checkAlgorithms(c *Client) error {
	for _, l := range []struct {
		name      string
		got, want []string
	}{
		{"id_token_signing_alg_values_supported", d.IDTokenSigningAlgs, c.sigAlgs},
		{"userinfo_signing_alg_values_supported", d.UserinfoSigningAlgs, c.sigAlgs},
	} {
		if len(l.got) > 0 && !overlaps(l.got, l.want) {
			return wrap(ErrDiscovery, "%s %q has none of the allowed %q", l.name, l.got, l.want)
		}
	}
	if !c.encrypted {
		return nil
	}
	for _, l := range []struct {
		name      string
		got, want []string
	}{
		{"id_token_encryption_alg_values_supported", d.IDTokenEncryptionAlgs, c.encAlgs},
		{"id_token_encryption_enc_values_supported", d.IDTokenEncryptionEncs, []string{jose.A256GCM}},
		{"userinfo_encryption_alg_values_supported", d.UserinfoEncryptionAlgs, c.encAlgs},
		{"userinfo_encryption_enc_values_supported", d.UserinfoEncryptionEncs, []string{jose.A256GCM}},
	} {
		if !overlaps(l.got, l.want) {
			return wrap(ErrDiscovery, "%s %q has none of the algorithms of our keys %q", l.name, l.got, l.want)
		}
	}
	return nil
}

func overlaps(a, b []string) bool {
	return slices.ContainsFunc(a, func(s string) bool { return slices.Contains(b, s) })
}

// discoveryCache holds the discovery document, refreshed in the background
// (see refreshing).
type discoveryCache = refreshing[*discoveryDoc]

func newDiscoveryCache(c *Client) *discoveryCache {
	return newRefreshing(c, "discovery", c.fetchDiscovery)
}

// fetchDiscovery fetches and checks the discovery document and returns its
// cache lifetime.
func (c *Client) fetchDiscovery(ctx context.Context) (*discoveryDoc, time.Duration, error) {
	resp, body, err := c.get(ctx, c.issuer+"/.well-known/openid-configuration", ErrDiscovery)
	var he *HTTPError
	if errors.As(err, &he) && he.StatusCode == http.StatusNotFound {
		return nil, 0, statusError(he.StatusCode, ErrDiscovery, "%w: GET %s/.well-known/openid-configuration: status 404: "+
			"no discovery document at this issuer; check the issuer URL (Issuer, FC_ISSUER)", ErrHTTP, c.issuer)
	}
	if err != nil {
		return nil, 0, err
	}
	if mt := wire.MediaType(resp); !wire.IsJSON(mt) {
		return nil, 0, wrap(ErrDiscovery, "%w: %q, want application/json", ErrContentType, mt)
	}
	var doc discoveryDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, 0, wrap(ErrDiscovery, "decoding the document: %v", err)
	}
	if err := doc.check(c); err != nil {
		return nil, 0, err
	}
	c.log.DebugContext(ctx, "franceconnect: discovery fetched", "issuer", doc.Issuer)
	return &doc, cacheTTL(resp.Header), nil
}

// get performs a GET and returns a 200 response with its bounded body.
func (c *Client) get(ctx context.Context, rawURL string, category error) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, nil, wrap(category, "%w: %v", ErrHTTP, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, body, err := c.do(req, category)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, statusError(resp.StatusCode, category, "%w: GET %s: status %d", ErrHTTP, endpoint(req.URL), resp.StatusCode)
	}
	return resp, body, nil
}

// do sends req and returns the response with its body, already read in full
// within the size limit by the client's LimitTransport.
func (c *Client) do(req *http.Request, category error) (*http.Response, []byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, c.transportError(req, category, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, c.transportError(req, category, err)
	}
	return resp, body, nil
}

// transportError classifies a failed round trip.
func (c *Client) transportError(req *http.Request, category, err error) error {
	switch {
	case errors.Is(err, wire.ErrTooLarge):
		return wrap(category, "%w: %s %s: more than %d bytes", ErrResponseTooLarge, req.Method, endpoint(req.URL), c.maxBody)
	case errors.Is(err, wire.ErrNotJSON):
		return wrap(category, "%w: %s %s: want application/json", ErrContentType, req.Method, endpoint(req.URL))
	}
	cause := scrubURLError(err)
	return roundTripError(wrap(category, "%w: %s %s: %v", ErrHTTP, req.Method, endpoint(req.URL), cause), cause)
}

// endpoint names a request's URL in an error: scheme, host and path, so
// that a mistyped host shows, and never the query, which could hold a
// token.
func endpoint(u *url.URL) string {
	if u.Host == "" {
		return u.Path
	}
	return u.Scheme + "://" + u.Host + u.Path
}

// scrubURLError drops the URL from a *url.Error: it may hold a query with a
// token (userinfo never sends one, but the rule is kept everywhere).
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// cacheTTL is the cache lifetime of a document of the provider (see
// wire.CacheTTL).
func cacheTTL(h http.Header) time.Duration {
	return wire.CacheTTL(h, defaultCacheTTL, minCacheTTL, maxCacheTTL)
}
