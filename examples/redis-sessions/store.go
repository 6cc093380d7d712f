package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// idBytes is the size of a session id: 256 random bits.
const idBytes = 32

// redisStore is an fchttp.Store that keeps sessions in Redis. The cookie
// holds a random id; Redis holds the session under the SHA-256 of that id
// (a copy of the database opens no session), with the session's expiry as
// its TTL. Every Save writes under a new id and deletes the old one, so that
// an id seen before a login never opens the session after it, and a logout
// ends the session for good, unlike a sealed cookie.
type redisStore struct {
	rdb    *redis.Client
	prefix string
}

func newRedisStore(rdb *redis.Client, prefix string) *redisStore {
	return &redisStore{rdb: rdb, prefix: prefix}
}

// key returns the Redis key of a cookie value, or false for a value that
// cannot be an id.
func (s *redisStore) key(value string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) != idBytes {
		return "", false
	}
	sum := sha256.Sum256(raw)
	return s.prefix + hex.EncodeToString(sum[:]), true
}

// Load returns the session behind value, or nil when there is none.
func (s *redisStore) Load(ctx context.Context, value string) ([]byte, error) {
	key, ok := s.key(value)
	if !ok {
		return nil, nil
	}
	data, err := s.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return data, err
}

// Save stores data under a new id until expiry and deletes old's session,
// in one transaction.
func (s *redisStore) Save(ctx context.Context, old string, data []byte, expiry time.Time) (string, error) {
	if !expiry.After(time.Now()) {
		return "", fmt.Errorf("redis store: expiry %v is not in the future", expiry)
	}
	raw := make([]byte, idBytes)
	_, _ = rand.Read(raw) // never fails (crypto/rand)
	id := base64.RawURLEncoding.EncodeToString(raw)
	key, _ := s.key(id)
	tx := s.rdb.TxPipeline()
	tx.SetArgs(ctx, key, data, redis.SetArgs{ExpireAt: expiry})
	if oldKey, ok := s.key(old); ok {
		tx.Del(ctx, oldKey)
	}
	if _, err := tx.Exec(ctx); err != nil {
		return "", err
	}
	return id, nil
}

// Delete ends the session behind value.
func (s *redisStore) Delete(ctx context.Context, value string) error {
	if key, ok := s.key(value); ok {
		return s.rdb.Del(ctx, key).Err()
	}
	return nil
}
