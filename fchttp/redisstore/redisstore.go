package redisstore

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/go-franceconnect/franceconnect/fchttp"
)

// Config describes a Store. Every field documents its zero value.
type Config struct {
	// Client is the connection to Redis: a *redis.Client, or a cluster or
	// ring client. Required. The Store never closes it.
	Client redis.UniversalClient
	// Prefix starts every key the Store writes, so that several sites or
	// stores share one Redis: letters, digits and ":-_{}". Zero:
	// "fchttp:".
	Prefix string
}

// Store keeps fchttp sessions, or the list of ended ones, in Redis. It is
// safe for concurrent use.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
}

var (
	_ fchttp.Store       = (*Store)(nil)
	_ fchttp.Revocations = (*Store)(nil)
)

// New validates cfg and returns the Store. It does no I/O.
func New(cfg Config) (*Store, error) {
	prefix := cmp.Or(cfg.Prefix, "fchttp:")
	switch {
	case cfg.Client == nil:
		return nil, errors.New("redisstore: Config.Client is required")
	case strings.Trim(prefix, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_{}") != "":
		return nil, fmt.Errorf("redisstore: Config.Prefix %q: want letters, digits and \":-_{}\"", prefix)
	}
	return &Store{rdb: cfg.Client, prefix: prefix}, nil
}

// key names what fchttp calls name, of kind ("s" a session, "u" a
// person's sessions, "r" a revoked session, "ru" a revoked person) by its
// SHA-256, whatever name is.
func (s *Store) key(kind, name string) string {
	sum := sha256.Sum256([]byte(name))
	return s.prefix + kind + ":" + hex.EncodeToString(sum[:])
}

// wrap prefixes a Redis error with the package name.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// createScript keeps a new session (never over an existing one) and adds
// it to its person's index, whose expiry it pushes back to the session's.
var createScript = redis.NewScript(`
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EXAT', ARGV[2]) then
	return redis.error_reply('session id already in use')
end
redis.call('SADD', KEYS[2], KEYS[1])
local left = tonumber(ARGV[2]) - tonumber(redis.call('TIME')[1])
if redis.call('TTL', KEYS[2]) < left then
	redis.call('EXPIRE', KEYS[2], left)
end
return 1
`)

// Create keeps data as the new session id of subject until expiry.
func (s *Store) Create(ctx context.Context, id, subject string, data []byte, expiry time.Time) error {
	if err := future(expiry); err != nil {
		return err
	}
	keys := []string{s.key("s", id), s.key("u", subject)}
	return wrap("create", createScript.Run(ctx, s.rdb, keys, data, expiry.Unix()).Err())
}

// Load returns the data of session id, or nil.
func (s *Store) Load(ctx context.Context, id string) ([]byte, error) {
	data, err := s.rdb.Get(ctx, s.key("s", id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return data, wrap("load", err)
}

// Update replaces the data and expiry of session id if it still exists
// (SET … XX), and reports whether it did.
func (s *Store) Update(ctx context.Context, id string, data []byte, expiry time.Time) (bool, error) {
	if err := future(expiry); err != nil {
		return false, err
	}
	err := s.rdb.SetArgs(ctx, s.key("s", id), data, redis.SetArgs{Mode: "XX", ExpireAt: expiry}).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return err == nil, wrap("update", err)
}

// Delete ends session id.
func (s *Store) Delete(ctx context.Context, id string) error {
	return wrap("delete", s.rdb.Del(ctx, s.key("s", id)).Err())
}

// deleteSubjectScript deletes every session of a person, then its index.
var deleteSubjectScript = redis.NewScript(`
local sessions = redis.call('SMEMBERS', KEYS[1])
for _, key in ipairs(sessions) do
	redis.call('DEL', key)
end
redis.call('DEL', KEYS[1])
return #sessions
`)

// DeleteSubject ends every session of subject.
func (s *Store) DeleteSubject(ctx context.Context, subject string) error {
	return wrap("delete subject", deleteSubjectScript.Run(ctx, s.rdb, []string{s.key("u", subject)}).Err())
}

// future refuses an expiry that has passed: fchttp never asks for one.
func future(expiry time.Time) error {
	if !expiry.After(time.Now()) {
		return fmt.Errorf("redisstore: expiry %v is not in the future", expiry)
	}
	return nil
}
