package franceconnect

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect/internal/jose"
	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// keySet is an immutable set of provider signature keys, indexed by kid,
// with the keys of the provider's set that are not used and why.
type keySet struct {
	byKID   map[string][]*jose.PublicKey
	all     []*jose.PublicKey
	skipped []jose.Skipped
}

func newKeySet(keys []jose.PublicKey, skipped []jose.Skipped) *keySet {
	s := &keySet{byKID: make(map[string][]*jose.PublicKey, len(keys)), skipped: skipped}
	for i := range keys {
		k := &keys[i]
		s.all = append(s.all, k)
		s.byKID[k.ID] = append(s.byKID[k.ID], k)
	}
	return s
}

// whySkipped says why the provider's key kid is not used, or "" when the
// set has no such key.
func (s *keySet) whySkipped(kid string) string {
	for _, sk := range s.skipped {
		if kid != "" && sk.ID == kid {
			return sk.Reason
		}
	}
	return ""
}

// skippedText lists the keys not used, the first few of them, for
// messages and logs.
func skippedText(skipped []jose.Skipped) string {
	const most = 4
	parts := make([]string, 0, most+1)
	for i, sk := range skipped {
		if i == most {
			parts = append(parts, fmt.Sprintf("and %d more", len(skipped)-most))
			break
		}
		parts = append(parts, fmt.Sprintf("kid %q: %s", sk.ID, sk.Reason))
	}
	return strings.Join(parts, "; ")
}

// find returns the key for kid and alg. Without a kid, it returns the only
// key fitting alg, and nothing when several do: guessing is not verifying.
func (s *keySet) find(kid, alg string) *jose.PublicKey {
	candidates := s.all
	if kid != "" {
		candidates = s.byKID[kid]
	}
	var found *jose.PublicKey
	for _, k := range candidates {
		if keyFits(k, alg) {
			if found != nil {
				return nil
			}
			found = k
		}
	}
	return found
}

// keyFits reports whether k verifies alg. jose.ParsePublicJWKS sets every
// key's Alg, inferring it from kty when the JWK has none.
func keyFits(k *jose.PublicKey, alg string) bool { return k.Alg == alg }

// keyCache holds the provider's JWKS (spec §8.4), refreshed in the
// background when its Cache-Control max-age nears its end (see refreshing).
// A kid absent from the set is the one case where a login fetches the keys
// on its own path, since no verification can succeed without them: it
// waits for a refresh under way, or fetches the set itself, at most once per
// cooldown (forcedAt). A flood of tokens with forged kids therefore costs
// FranceConnect one request per cooldown at most.
type keyCache struct {
	*refreshing[*keySet]
	cooldown time.Duration
	forcedAt time.Time // last fetch caused by an unknown kid; guarded by sema
}

func newKeyCache(c *Client, cooldown time.Duration) *keyCache {
	if cooldown == 0 {
		cooldown = DefaultKeyRefreshCooldown
	}
	return &keyCache{refreshing: newRefreshing(c, "provider keys", c.fetchKeys), cooldown: cooldown}
}

// lookup returns the key for a JWS header. An unknown kid causes one fetch
// of the set, unless the cooldown forbids it.
func (k *keyCache) lookup(ctx context.Context, kid, alg string) (*jose.PublicKey, error) {
	seen := k.entry(ctx)
	if key := seen.value.find(kid, alg); key != nil {
		return key, nil
	}
	e, err := k.refreshUnknown(ctx, seen)
	if err != nil {
		return nil, err
	}
	if key := e.value.find(kid, alg); key != nil {
		return key, nil
	}
	if why := e.value.whySkipped(kid); why != "" {
		return nil, wrap(ErrUnknownKey, "the provider's key with kid %q is not used: %s", kid, why)
	}
	return nil, wrap(ErrUnknownKey, "no provider key with kid %q for %s", kid, alg)
}

// refreshUnknown fetches the set for a kid missing from seen, unless
// another goroutine replaced seen meanwhile, or the previous fetch for an
// unknown kid is more recent than the cooldown. On failure the previous set
// is kept.
func (k *keyCache) refreshUnknown(ctx context.Context, seen *cached[*keySet]) (*cached[*keySet], error) {
	select {
	case k.sema <- struct{}{}:
	case <-ctx.Done():
		return nil, wrap(ErrProviderKeys, "%v", ctx.Err())
	}
	defer func() { <-k.sema }()
	cur := k.cur.Load()
	now := k.c.now()
	if cur != seen || !k.forcedAt.IsZero() && now.Sub(k.forcedAt) < k.cooldown {
		return cur, nil
	}
	k.forcedAt = now
	return k.refresh(ctx, cur), nil
}

// fetchKeys fetches the provider's signature keys and returns their cache
// lifetime.
func (c *Client) fetchKeys(ctx context.Context) (*keySet, time.Duration, error) {
	doc := c.discovery.get(ctx)
	resp, body, err := c.get(ctx, doc.JWKSURI, ErrProviderKeys)
	if err != nil {
		return nil, 0, err
	}
	if mt := wire.MediaType(resp); !wire.IsJSON(mt) {
		return nil, 0, wrap(ErrProviderKeys, "%w: %q, want application/json", ErrContentType, mt)
	}
	keys, skipped, err := jose.ParsePublicJWKS(body)
	if err != nil {
		return nil, 0, wrap(ErrProviderKeys, "%v", err)
	}
	switch {
	case len(keys) == 0 && len(skipped) == 0:
		return nil, 0, wrap(ErrProviderKeys, "the key set is empty")
	case len(keys) == 0:
		return nil, 0, wrap(ErrProviderKeys, "no usable signature key among %d: %s", len(skipped), skippedText(skipped))
	}
	c.log.DebugContext(ctx, "franceconnect: provider keys fetched", "keys", len(keys), "skipped", skippedText(skipped))
	return newKeySet(keys, skipped), cacheTTL(resp.Header), nil
}
