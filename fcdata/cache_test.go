package fcdata_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fcdata"
)

func TestCache(t *testing.T) {
	e := newEnv(t, fcPlus)
	tok := e.token()
	var offset time.Duration
	v := e.verifier(func(c *fcdata.Config) {
		c.Now = func() time.Time { return time.Now().Add(offset) }
		c.CacheTTL = 10 * time.Minute
	})
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			res, err := v.Introspect(ctx, tok)
			assert.NoError(t, err)
			assert.True(t, res.Active)
		})
	}
	wg.Wait()
	assert.Equal(t, 1, e.srv.Requests("checktoken"), "concurrent checks of one token share one request")
	_, err := v.Introspect(ctx, tok)
	require.NoError(t, err)
	assert.Equal(t, 1, e.srv.Requests("checktoken"), "cached")
	offset = 61 * time.Second // within CacheTTL, past the token's expiry
	_, err = v.Introspect(ctx, tok)
	require.NoError(t, err)
	assert.Equal(t, 2, e.srv.Requests("checktoken"), "never kept past the token's expiry")
	offset = 75 * time.Second
	res, err := v.Introspect(ctx, tok)
	require.NoError(t, err)
	assert.False(t, res.Active, "expired beyond the leeway, whatever the platform says")
}

func TestCacheBounded(t *testing.T) {
	e := newEnv(t, fcPlus)
	tokens := []string{e.token(), e.token(), e.token()}
	v := e.verifier(func(c *fcdata.Config) { c.CacheSize = 2 })
	ctx := context.Background()
	for _, tok := range tokens {
		_, err := v.Introspect(ctx, tok)
		require.NoError(t, err)
	}
	_, err := v.Introspect(ctx, tokens[0])
	require.NoError(t, err)
	assert.Equal(t, 4, e.srv.Requests("checktoken"), "the oldest answer was evicted")
	_, err = v.Introspect(ctx, tokens[2])
	require.NoError(t, err)
	assert.Equal(t, 4, e.srv.Requests("checktoken"), "the newest stayed")
}

// A handler that changes its Introspection changes no other request's,
// whether the answer was just fetched or found in the cache.
func TestCachedVerdictsAreCopies(t *testing.T) {
	e := newEnv(t, fcPlus)
	tok := e.token()
	v := e.verifier()
	for i := range 3 {
		res, err := v.Introspect(context.Background(), tok)
		require.NoError(t, err)
		require.True(t, res.Active, "call %d", i)
		assert.Equal(t, []string{"dgfip_rfr", "dgfip_nbpart"}, res.Scopes, "call %d", i)
		assert.Equal(t, "ARNAUD", res.Identity.FamilyName, "call %d", i)
		res.Scopes[0], res.Active, res.Identity.FamilyName = "dgfip_aft", false, "X"
	}
	assert.Equal(t, 1, e.srv.Requests("checktoken"), "cached")
}
