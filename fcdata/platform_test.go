package fcdata_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fcdata"
)

// keysDown is a transport that fails every request for the platform's key
// set while down is set, counting them.
type keysDown struct {
	down     atomic.Bool
	attempts atomic.Int32
}

func (k *keysDown) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/jwks") && k.down.Load() {
		k.attempts.Add(1)
		return nil, errors.New("connection refused")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// A stale key set whose endpoint is down is kept, and fetched again once
// per cooldown, not on every answer.
func TestStaleKeysKeptWhileTheEndpointIsDown(t *testing.T) {
	e := newEnv(t, fcPlus)
	var offset atomic.Int64
	keys := &keysDown{}
	v := e.verifier(func(c *fcdata.Config) {
		c.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
		c.HTTPClient = &http.Client{Transport: keys}
		c.CacheSize = -1
	})
	tokens := []string{e.token(), e.token(), e.token()}
	keys.down.Store(true)
	offset.Store(int64(11 * time.Minute)) // past the set's max-age (600 s); the tokens have expired
	for _, tok := range tokens {
		res, err := v.Introspect(context.Background(), tok)
		require.NoError(t, err, "verified with the stale set")
		assert.False(t, res.Active)
	}
	assert.Equal(t, int32(1), keys.attempts.Load(), "one fetch for the stale set, then a pause")
	offset.Store(int64(11*time.Minute + 31*time.Second))
	_, err := v.Introspect(context.Background(), tokens[0])
	require.NoError(t, err)
	assert.Equal(t, int32(2), keys.attempts.Load(), "tried again after the cooldown")
}
