package redisstore

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Revoke revokes session id until expiry.
func (s *Store) Revoke(ctx context.Context, id string, expiry time.Time) error {
	if !expiry.After(time.Now()) {
		return nil // the session has ended by itself
	}
	return wrap("revoke", s.rdb.SetArgs(ctx, s.key("r", id), "1", redis.SetArgs{ExpireAt: expiry}).Err())
}

// revokeSubjectScript keeps the latest instant before which a person's
// sessions are revoked, and the latest expiry.
var revokeSubjectScript = redis.NewScript(`
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > current then
	redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[2])
end
return 1
`)

// RevokeSubject revokes every session of subject that started at or
// before before, until expiry.
func (s *Store) RevokeSubject(ctx context.Context, subject string, before, expiry time.Time) error {
	if err := future(expiry); err != nil {
		return err
	}
	keys := []string{s.key("ru", subject)}
	return wrap("revoke subject", revokeSubjectScript.Run(ctx, s.rdb, keys, before.UnixMilli(), expiry.Unix()).Err())
}

// Revoked reports whether session id, of subject, started at start, is
// revoked: one round trip (MGET).
func (s *Store) Revoked(ctx context.Context, id, subject string, start time.Time) (bool, error) {
	vals, err := s.rdb.MGet(ctx, s.key("r", id), s.key("ru", subject)).Result()
	if err != nil {
		return false, wrap("revoked", err)
	}
	if vals[0] != nil {
		return true, nil
	}
	if vals[1] == nil {
		return false, nil
	}
	str, ok := vals[1].(string)
	before, err := strconv.ParseInt(str, 10, 64)
	if !ok || err != nil {
		return false, errors.New("redisstore: revoked: a person's revocation is not a time") // fail closed: 503
	}
	return start.UnixMilli() <= before, nil
}
