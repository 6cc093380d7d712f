package fcdata

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/internal/jose"
	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// platformKeys holds the platform's signature keys (its jwks_uri). A set
// is kept for its Cache-Control max-age (wire.CacheTTL: 1 minute to 1 day,
// 10 minutes without one, as the franceconnect package does); a lookup past
// that, or of a kid the set lacks, fetches it again, at most once per
// keyCooldown for unknown kids. A failed fetch of a stale set keeps it for
// keyCooldown more. mu guards every field and serialises the fetches, so
// that a flood of tokens with forged kids, or a key endpoint that is down,
// costs the platform one request per cooldown.
type platformKeys struct {
	v   *Verifier
	url string

	mu       sync.Mutex
	keys     []jose.PublicKey
	until    time.Time // the set is fresh until then
	forcedAt time.Time // last fetch caused by an unknown kid
}

// discover reads the platform's discovery document: the issuer must be the
// configured one; it gives the jwks_uri and, on ProConnect, the
// introspection endpoint when it lists one.
func (v *Verifier) discover(ctx context.Context) error {
	body, _, err := v.get(ctx, v.s.issuer+"/.well-known/openid-configuration")
	if err != nil {
		return err
	}
	var doc struct {
		Issuer        string `json:"issuer"`
		JWKSURI       string `json:"jwks_uri"`
		Introspection string `json:"introspection_endpoint"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return errorf("%w: decoding the discovery document: %v", ErrDiscovery, err)
	}
	switch {
	case doc.Issuer != v.s.issuer:
		return errorf("%w: issuer %q does not match the configured %q", ErrDiscovery, doc.Issuer, v.s.issuer)
	case wire.CheckURL(doc.JWKSURI) != nil:
		return errorf("%w: jwks_uri %q is not an https URL", ErrDiscovery, doc.JWKSURI)
	}
	v.endpoint = v.s.issuer + "/checktoken"
	if v.s.platform == franceconnect.ProConnect {
		v.endpoint = v.s.issuer + "/token/introspection"
		if doc.Introspection != "" {
			if wire.CheckURL(doc.Introspection) != nil {
				return errorf("%w: introspection_endpoint %q is not an https URL", ErrDiscovery, doc.Introspection)
			}
			v.endpoint = doc.Introspection
		}
	}
	v.keys = &platformKeys{v: v, url: doc.JWKSURI}
	return nil
}

// get fetches a JSON document of the platform.
func (v *Verifier) get(ctx context.Context, url string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, errorf("%w: %w: %v", ErrDiscovery, franceconnect.ErrHTTP, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, body, err := v.do(req)
	if err != nil {
		return nil, nil, errorf("%w: %w", ErrDiscovery, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, errorf("%w: %w: GET %s: status %d", ErrDiscovery, franceconnect.ErrHTTP, req.URL.Path, resp.StatusCode)
	}
	if mt := wire.MediaType(resp); !wire.IsJSON(mt) {
		return nil, nil, errorf("%w: %w: GET %s: %q, want JSON", ErrDiscovery, franceconnect.ErrContentType, req.URL.Path, mt)
	}
	return body, resp.Header, nil
}

// fetch reads the key set; the caller holds mu. A failure keeps the
// previous set.
func (k *platformKeys) fetch(ctx context.Context) error {
	body, h, err := k.v.get(ctx, k.url)
	if err != nil {
		return err
	}
	keys, _, err := jose.ParsePublicJWKS(body)
	if err != nil || len(keys) == 0 {
		return errorf("%w: %w: the platform's key set has no usable signature key", ErrDiscovery, franceconnect.ErrProviderKeys)
	}
	k.keys, k.until = keys, k.v.s.now().Add(wire.CacheTTL(h, 10*time.Minute, time.Minute, 24*time.Hour))
	return nil
}

// lookup returns the platform key with kid for alg; without a kid, the
// only key of alg.
func (k *platformKeys) lookup(ctx context.Context, kid, alg string) (*jose.PublicKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.v.s.now()
	if !now.Before(k.until) && k.fetch(ctx) != nil {
		k.until = now.Add(keyCooldown) // stale: keep the old set a while, then try again
	}
	if key := find(k.keys, kid, alg); key != nil {
		return key, nil
	}
	if k.forcedAt.IsZero() || now.Sub(k.forcedAt) >= keyCooldown {
		k.forcedAt = now
		if err := k.fetch(ctx); err != nil {
			return nil, fail(franceconnect.ErrUnknownKey, "no platform key with kid %q for %s, and the key set could not be fetched: %v", kid, alg, err)
		}
		if key := find(k.keys, kid, alg); key != nil {
			return key, nil
		}
	}
	return nil, fail(franceconnect.ErrUnknownKey, "no platform key with kid %q for %s", kid, alg)
}

// find returns the key of keys with kid and alg; without a kid the only key
// of alg, and nothing when several fit.
func find(keys []jose.PublicKey, kid, alg string) *jose.PublicKey {
	var found *jose.PublicKey
	for i := range keys {
		k := &keys[i]
		if k.Alg != alg || kid != "" && k.ID != kid {
			continue
		}
		if found != nil {
			return nil
		}
		found = k
	}
	return found
}
