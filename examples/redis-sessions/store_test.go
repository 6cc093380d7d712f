package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestStore is a store on the test Redis with a prefix of its own.
func newTestStore(t *testing.T) (*redisStore, *redis.Client) {
	t.Helper()
	needRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	t.Cleanup(func() { rdb.Close() })
	return newRedisStore(rdb, "test:"+t.Name()+":"), rdb
}

func TestStoreSaveLoadDelete(t *testing.T) {
	s, rdb := newTestStore(t)
	ctx := context.Background()
	expiry := time.Now().Add(10 * time.Minute).Truncate(time.Second)

	id, err := s.Save(ctx, "", []byte(`{"l":[]}`), expiry)
	require.NoError(t, err)
	got, err := s.Load(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, `{"l":[]}`, string(got))

	keys, err := rdb.Keys(ctx, s.prefix+"*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.NotContains(t, keys[0], id, "Redis keeps the hash of the id, not the id")
	ttl, err := rdb.TTL(ctx, keys[0]).Result()
	require.NoError(t, err)
	assert.InDelta(t, time.Until(expiry).Seconds(), ttl.Seconds(), 2, "the session's expiry is the key's TTL")

	next, err := s.Save(ctx, id, []byte("v2"), expiry)
	require.NoError(t, err)
	assert.NotEqual(t, id, next, "every save gets a new id")
	got, err = s.Load(ctx, id)
	require.NoError(t, err)
	assert.Nil(t, got, "the old id opens nothing")
	got, err = s.Load(ctx, next)
	require.NoError(t, err)
	assert.Equal(t, "v2", string(got))

	require.NoError(t, s.Delete(ctx, next))
	got, err = s.Load(ctx, next)
	require.NoError(t, err)
	assert.Nil(t, got)
}

func TestStoreRefusesBadValues(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	for _, v := range []string{"", "x", strings.Repeat("A", 43), "%%%", strings.Repeat("A", 44), "../../etc/passwd"} {
		got, err := s.Load(ctx, v)
		require.NoError(t, err, v)
		assert.Nil(t, got, v)
		require.NoError(t, s.Delete(ctx, v), v)
	}
	_, err := s.Save(ctx, "", []byte("x"), time.Now().Add(-time.Second))
	assert.Error(t, err, "an expiry in the past is a bug")
}

func TestStoreDown(t *testing.T) {
	needRedis(t)
	port, err := freePort() // nothing listens there
	require.NoError(t, err)
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })
	s := newRedisStore(rdb, "down:")
	ctx := context.Background()
	_, err = s.Load(ctx, strings.Repeat("A", 43))
	assert.Error(t, err)
	_, err = s.Save(ctx, "", []byte("x"), time.Now().Add(time.Minute))
	assert.Error(t, err)
}
