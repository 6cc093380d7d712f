package franceconnect

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/go-franceconnect/franceconnect/internal/jose"
	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// keySet is an immutable set of provider signature keys, indexed by kid.
type keySet struct {
	byKID map[string][]*jose.PublicKey
	all   []*jose.PublicKey
}

func newKeySet(keys []jose.PublicKey) *keySet {
	s := &keySet{byKID: make(map[string][]*jose.PublicKey, len(keys))}
	for i := range keys {
		k := &keys[i]
		s.all = append(s.all, k)
		s.byKID[k.ID] = append(s.byKID[k.ID], k)
	}
	return s
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

// keyCache holds the provider's JWKS (spec §8.4). Lookups read the current
// set atomically without locking. An unknown kid triggers at most one
// refresh per cooldown: sema, a one-slot semaphore, lets one goroutine fetch
// while the others wait for its result (or for their context), and such a
// fetch is skipped when the previous one is more recent than the cooldown.
// The set is also refreshed when its Cache-Control max-age has passed. A
// flood of tokens with forged kids therefore costs FranceConnect one request
// per cooldown at most.
type keyCache struct {
	c        *Client
	cooldown time.Duration
	cur      atomic.Pointer[cached[*keySet]]
	sema     chan struct{} // one-slot semaphore: held while refreshing
	forcedAt time.Time     // last refresh caused by an unknown kid; guarded by sema
}

func newKeyCache(c *Client, cooldown time.Duration) *keyCache {
	if cooldown == 0 {
		cooldown = DefaultKeyRefreshCooldown
	}
	return &keyCache{c: c, cooldown: cooldown, sema: make(chan struct{}, 1)}
}

// init fetches the keys once; New fails if the provider has none usable.
func (k *keyCache) init(ctx context.Context) error {
	set, ttl, err := k.fetch(ctx)
	if err != nil {
		return err
	}
	now := k.c.now()
	k.cur.Store(&cached[*keySet]{value: set, expires: now.Add(ttl)})
	return nil
}

// lookup returns the key for a JWS header, refreshing the set when it has
// expired, or when the kid is unknown and the cooldown allows.
func (k *keyCache) lookup(ctx context.Context, kid, alg string) (*jose.PublicKey, error) {
	e := k.cur.Load()
	key := e.value.find(kid, alg)
	expired := !k.c.now().Before(e.expires)
	if key != nil && !expired {
		return key, nil
	}
	e, err := k.refresh(ctx, e, !expired)
	if err != nil {
		return nil, err
	}
	if key := e.value.find(kid, alg); key != nil {
		return key, nil
	}
	return nil, wrap(ErrUnknownKey, "no provider key with kid %q for %s", kid, alg)
}

// refresh fetches the set unless another goroutine replaced seen meanwhile,
// or, for a refresh forced by an unknown kid, the previous forced refresh is
// more recent than the cooldown. On failure the previous set is kept.
func (k *keyCache) refresh(ctx context.Context, seen *cached[*keySet], forced bool) (*cached[*keySet], error) {
	select {
	case k.sema <- struct{}{}:
	case <-ctx.Done():
		return nil, wrap(ErrProviderKeys, "%v", ctx.Err())
	}
	defer func() { <-k.sema }()
	cur := k.cur.Load()
	now := k.c.now()
	if cur != seen || forced && !k.forcedAt.IsZero() && now.Sub(k.forcedAt) < k.cooldown {
		return cur, nil
	}
	if forced {
		k.forcedAt = now
	}
	set, ttl, err := k.fetch(ctx)
	if err != nil {
		k.c.log.WarnContext(ctx, "franceconnect: provider keys refresh failed, keeping the cached keys", "err", err)
		next := &cached[*keySet]{value: cur.value, expires: now.Add(retryAfterFail)}
		k.cur.Store(next)
		return next, nil
	}
	next := &cached[*keySet]{value: set, expires: now.Add(ttl)}
	k.cur.Store(next)
	return next, nil
}

func (k *keyCache) fetch(ctx context.Context) (*keySet, time.Duration, error) {
	doc, err := k.c.discovery.load(ctx)
	if err != nil {
		return nil, 0, err
	}
	resp, body, err := k.c.get(ctx, doc.JWKSURI, ErrProviderKeys)
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
	if len(keys) == 0 {
		return nil, 0, wrap(ErrProviderKeys, "no usable signature key (%d skipped)", skipped)
	}
	k.c.log.DebugContext(ctx, "franceconnect: provider keys fetched", "keys", len(keys), "skipped", skipped)
	return newKeySet(keys), cacheTTL(resp.Header), nil
}
