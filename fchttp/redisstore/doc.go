// Package redisstore keeps the sessions of fchttp in Redis, for a site
// whose instances share one Redis: a logout, or
// fchttp.Handler.LogoutEverywhere, then ends a session on every instance
// at once, which a sealed cookie alone cannot do.
//
// A Store is both an fchttp.Store (Config.Store: the sessions themselves
// live in Redis, the cookie holds their id) and an fchttp.Revocations
// (Config.Revocations: the sessions stay in sealed cookies, Redis keeps
// the list of those that ended). Either way:
//
//   - Redis keys are SHA-256 hashes of what fchttp passes, itself a hash of
//     the session id that only the sealed cookie holds, and fchttp seals
//     the sessions it stores with the session key ring: a copy of the
//     database opens no session and reveals nothing of them;
//   - every key expires with what it stands for (a session at its idle or
//     absolute end, a revocation when the session would have expired);
//   - an update of a session that a logout deleted fails atomically
//     (SET … XX), so that a request that loaded the session before the
//     logout never brings it back;
//   - a login in progress writes nothing to Redis (fchttp keeps it in the
//     cookie): requests to the login route cannot fill the database.
//
// Redis must keep what it is given: run it with maxmemory-policy
// noeviction (the default), since an evicted revocation would let an
// ended session open again, and with persistence if sessions must survive
// its restart. In Redis Cluster, put a hash tag in the prefix
// ("{fchttp}:"): a login writes a session and its person's index in one
// script.
//
// This is a module of its own, so that the library does not depend on a
// Redis driver; it is versioned with the library.
package redisstore
