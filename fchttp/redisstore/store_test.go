package redisstore_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fchttp/redisstore"
)

// newStore is a Store on the test Redis with a prefix of its own, and a
// connection to look at what it wrote.
func newStore(t testing.TB) (*redisstore.Store, *redis.Client, string) {
	t.Helper()
	needRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	t.Cleanup(func() { rdb.Close() })
	prefix := "test:" + strings.NewReplacer("/", "-", " ", "_").Replace(t.Name()) + ":"
	s, err := redisstore.New(redisstore.Config{Client: rdb, Prefix: prefix})
	require.NoError(t, err)
	return s, rdb, prefix
}

// keys lists the keys under prefix.
func keys(t testing.TB, rdb *redis.Client, prefix string) []string {
	t.Helper()
	k, err := rdb.Keys(context.Background(), prefix+"*").Result()
	require.NoError(t, err)
	return k
}

func TestNewRefuses(t *testing.T) {
	_, err := redisstore.New(redisstore.Config{})
	require.ErrorContains(t, err, "Client is required")
	_, err = redisstore.New(redisstore.Config{Client: redis.NewClient(&redis.Options{}), Prefix: "a b*"})
	require.ErrorContains(t, err, "Prefix")
}

func TestStoreCreateLoadUpdateDelete(t *testing.T) {
	s, rdb, prefix := newStore(t)
	ctx := context.Background()
	expiry := time.Now().Add(10 * time.Minute).Truncate(time.Second)

	require.NoError(t, s.Create(ctx, "session-1", "person-1", []byte("v1"), expiry))
	got, err := s.Load(ctx, "session-1")
	require.NoError(t, err)
	assert.Equal(t, "v1", string(got))
	require.Error(t, s.Create(ctx, "session-1", "person-1", []byte("v2"), expiry), "an id is never reused")

	all := keys(t, rdb, prefix)
	require.Len(t, all, 2, "the session and its person's index")
	for _, k := range all {
		assert.NotContains(t, k, "session-1", "Redis keeps hashes, not ids")
		assert.NotContains(t, k, "person-1")
		ttl, err := rdb.TTL(ctx, k).Result()
		require.NoError(t, err)
		assert.InDelta(t, time.Until(expiry).Seconds(), ttl.Seconds(), 2, "everything expires with the session")
	}

	later := expiry.Add(5 * time.Minute)
	ok, err := s.Update(ctx, "session-1", []byte("v2"), later)
	require.NoError(t, err)
	assert.True(t, ok)
	got, _ = s.Load(ctx, "session-1")
	assert.Equal(t, "v2", string(got))
	ttl, _ := rdb.TTL(ctx, all[0]).Result()
	ttl2, _ := rdb.TTL(ctx, all[1]).Result()
	assert.InDelta(t, time.Until(later).Seconds(), max(ttl, ttl2).Seconds(), 2, "the update moves the expiry")

	require.NoError(t, s.Delete(ctx, "session-1"))
	got, err = s.Load(ctx, "session-1")
	require.NoError(t, err)
	assert.Nil(t, got)
	ok, err = s.Update(ctx, "session-1", []byte("back"), later)
	require.NoError(t, err)
	assert.False(t, ok, "an update never brings a deleted session back")
	got, _ = s.Load(ctx, "session-1")
	assert.Nil(t, got)
	require.NoError(t, s.Delete(ctx, "unknown"))
	_, err = s.Update(ctx, "x", []byte("x"), time.Now().Add(-time.Second))
	assert.Error(t, err, "an expiry in the past is a bug")
}

func TestStoreDeleteSubject(t *testing.T) {
	s, rdb, prefix := newStore(t)
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)
	for i, person := range []string{"a", "a", "a", "b"} {
		require.NoError(t, s.Create(ctx, "s"+strconv.Itoa(i), person, []byte("x"), expiry))
	}
	require.NoError(t, s.DeleteSubject(ctx, "a"))
	for i, want := range []bool{false, false, false, true} {
		got, err := s.Load(ctx, "s"+strconv.Itoa(i))
		require.NoError(t, err)
		assert.Equal(t, want, got != nil, i)
	}
	assert.Len(t, keys(t, rdb, prefix), 2, "b's session and index")
	require.NoError(t, s.DeleteSubject(ctx, "nobody"))
}

func TestRevocations(t *testing.T) {
	s, rdb, prefix := newStore(t)
	ctx := context.Background()
	start := time.Now().Add(-time.Minute)
	revoked := func(id, subject string, start time.Time) bool {
		t.Helper()
		r, err := s.Revoked(ctx, id, subject, start)
		require.NoError(t, err)
		return r
	}
	assert.False(t, revoked("s1", "a", start))
	require.NoError(t, s.Revoke(ctx, "s1", time.Now().Add(time.Hour)))
	assert.True(t, revoked("s1", "a", start))
	assert.False(t, revoked("s2", "a", start))

	cut := time.Now()
	require.NoError(t, s.RevokeSubject(ctx, "a", cut, time.Now().Add(time.Hour)))
	assert.True(t, revoked("s2", "a", start), "started before")
	assert.True(t, revoked("s2", "a", cut), "started at the same millisecond")
	assert.False(t, revoked("s3", "a", cut.Add(time.Millisecond)), "a later login")
	assert.False(t, revoked("s2", "b", start), "another person")
	require.NoError(t, s.RevokeSubject(ctx, "a", cut.Add(-time.Hour), time.Now().Add(time.Hour)))
	assert.True(t, revoked("s2", "a", start), "an earlier cut does not undo a later one")

	require.NoError(t, s.Revoke(ctx, "s9", time.Now().Add(-time.Second)), "an expired session needs no entry")
	for _, k := range keys(t, rdb, prefix) {
		for _, name := range []string{"s1", "s9", "a"} {
			assert.NotContains(t, k, ":"+name)
		}
		ttl, err := rdb.TTL(ctx, k).Result()
		require.NoError(t, err)
		assert.Positive(t, ttl, "every entry expires")
	}
	assert.Len(t, keys(t, rdb, prefix), 2)

	require.NoError(t, rdb.Set(ctx, keys(t, rdb, prefix+"ru")[0], "garbage", time.Hour).Err())
	_, err := s.Revoked(ctx, "s2", "a", start)
	assert.Error(t, err, "an unreadable entry fails closed")
}

func TestRedisDown(t *testing.T) {
	needRedis(t)
	port, err := freePort() // nothing listens there
	require.NoError(t, err)
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })
	s, err := redisstore.New(redisstore.Config{Client: rdb})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = s.Load(ctx, "x")
	assert.ErrorContains(t, err, "redisstore: load")
	assert.Error(t, s.Create(ctx, "x", "y", []byte("z"), time.Now().Add(time.Minute)))
	_, err = s.Revoked(ctx, "x", "y", time.Now())
	assert.Error(t, err)
}
