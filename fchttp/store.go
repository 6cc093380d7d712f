package fchttp

import (
	"context"
	"time"
)

// Store keeps signed-in sessions on a server that every instance of the
// site shares, such as Redis (the module
// github.com/go-franceconnect/franceconnect/fchttp/redisstore). With a
// Store, the browser's sealed cookie holds the logins in progress and the
// session's id; the Store holds the session: the User, the logout hint
// and the application's data, at most MaxStoredUserData bytes of it, and
// with Config.KeepTokens the login's tokens, in a record of their own. A
// logout deletes the session on the server, so that a copy of the cookie
// taken before opens nothing after; a login in progress writes nothing to
// the Store.
//
// The Handler names sessions and people by hashes (base64url SHA-256): id
// is the hash of a random session id that only the sealed cookie holds,
// subject the hash of a door and a sub. It seals what it keeps with the
// session key ring, bound to the session id, the cookie, the origin and
// the door. A copy of the Store therefore opens no session and reveals
// nothing of the sessions it holds. Implementations must be safe for
// concurrent use; any error makes the request fail with 503 (ErrStore),
// never a signed-out page.
type Store interface {
	// Create keeps data as the new session id of subject until expiry.
	Create(ctx context.Context, id, subject string, data []byte, expiry time.Time) error
	// Load returns the data of session id, nil when there is none
	// (unknown, expired or deleted).
	Load(ctx context.Context, id string) ([]byte, error)
	// Update replaces the data and the expiry of session id only if the
	// session still exists, atomically, and reports whether it did. A
	// request that loaded the session before a logout deleted it must
	// never bring it back.
	Update(ctx context.Context, id string, data []byte, expiry time.Time) (bool, error)
	// Delete ends session id. An unknown id is not an error.
	Delete(ctx context.Context, id string) error
	// DeleteSubject ends every session of subject ("log out everywhere").
	DeleteSubject(ctx context.Context, subject string) error
}

// Revocations is a revocation list that every instance of the site shares,
// for sessions in sealed cookies: a logout revokes the session's id until
// the session would have expired, and every request checks the list, so
// that a copy of the cookie taken before the logout opens nothing after.
// The redisstore module implements it. Without it (and without a Store) a
// sealed session lasts until it expires, whatever the user does: logout
// only deletes the cookie from the browser that asks.
//
// As for Store, id and subject are hashes. Implementations must be safe
// for concurrent use; any error makes the request fail with 503 (ErrStore).
type Revocations interface {
	// Revoke revokes session id until expiry.
	Revoke(ctx context.Context, id string, expiry time.Time) error
	// RevokeSubject revokes every session of subject that started at or
	// before before, and remembers it until expiry; of several calls, the
	// latest before wins.
	RevokeSubject(ctx context.Context, subject string, before, expiry time.Time) error
	// Revoked reports whether session id, of subject, started at start,
	// is revoked.
	Revoked(ctx context.Context, id, subject string, start time.Time) (bool, error)
}
