package main

// fchttpPkg is the web layer, whose tests must notice its checks missing.
var fchttpPkg = []string{"./fchttp"}

// The sessions of fchttp: bound to their cookie, origin and door, weak
// keys refused, ended by idle and absolute deadlines and by logout with
// shared state, hooks that fail safe, private responses; and the Redis
// module (its own module, its own tests).
func init() {
	mutants = append(mutants,
		mutant{"fchttp: a sealed session is bound to its cookie name", "fchttp/doors.go", [][2]string{
			{`"cookie", cookieName, "origin"`, `"cookie", "", "origin"`}}, fchttpPkg},
		mutant{"fchttp: a sealed session is bound to its origin", "fchttp/doors.go", [][2]string{
			{`"origin", origin}, d.fields()...`, `"origin", ""}, d.fields()...`}}, fchttpPkg},
		mutant{"fchttp: a sealed session is bound to its door", "fchttp/doors.go", [][2]string{
			{`"origin", origin}, d.fields()...)`, `"origin", origin})`}}, fchttpPkg},
		mutant{"fchttp: a stored session is bound to its id", "fchttp/seal.go", [][2]string{
			{`encodeFields([]string{"stored session", id})`, `encodeFields([]string{"stored session"})`}}, fchttpPkg},
		mutant{"fchttp: an all-zero key is refused", "fchttp/seal.go", [][2]string{
			{`case bytes.Count(k, []byte{0}) == len(k):`, `case false:`}}, fchttpPkg},
		mutant{"fchttp: a key repeating a pattern is refused", "fchttp/seal.go", [][2]string{
			{`case period(k) > 0:`, `case false:`}}, fchttpPkg},
		mutant{"fchttp: a printable key is refused", "fchttp/seal.go", [][2]string{
			{`case printable(k):`, `case false:`}}, fchttpPkg},
		mutant{"fchttp: a key twice in the ring is refused", "fchttp/seal.go", [][2]string{
			{`if bytes.Equal(keys[j], k) {`, `if false {`}}, fchttpPkg},
		mutant{"fchttp: the idle timeout ends a session", "fchttp/sessions.go", [][2]string{
			{`now.Unix() >= u.end(h.cfg.IdleTimeout)`, `now.Unix() >= u.Expiry`}}, fchttpPkg},
		mutant{"fchttp: the lifetime ends a session", "fchttp/session.go", [][2]string{
			{`return min(u.Expiry, u.Seen+int64(idle/time.Second))`, `return u.Seen + int64(idle/time.Second)`}}, fchttpPkg},
		mutant{"fchttp: lifetimes have an upper bound", "fchttp/config.go", [][2]string{
			{`c.SessionLifetime < time.Minute || c.SessionLifetime > MaxSessionLifetime`, `c.SessionLifetime < time.Minute`},
			{`c.IdleTimeout < time.Minute || c.IdleTimeout > MaxIdleTimeout`, `c.IdleTimeout < time.Minute`}}, fchttpPkg},
		mutant{"fchttp: every request checks the revocation list", "fchttp/sessions.go", [][2]string{
			{"\t\tif revoked {\n", "\t\tif revoked && false {\n"}}, fchttpPkg},
		mutant{"fchttp: logout revokes a sealed session", "fchttp/sessions.go", [][2]string{
			{`err = h.revocations.Revoke(ctx, idKey(u.ID), time.Unix(u.Expiry, 0))`, `err = nil`}}, fchttpPkg},
		mutant{"fchttp: logout deletes a stored session", "fchttp/sessions.go", [][2]string{
			{`err = h.store.Delete(ctx, idKey(u.ID))`, `err = nil`}}, fchttpPkg},
		mutant{"fchttp: an update of a deleted session signs nobody in", "fchttp/sessions.go", [][2]string{
			{"\tif !ok {\n\t\ts.user, s.dropped = nil, true", "\tif !ok && false {\n\t\ts.user, s.dropped = nil, true"}}, fchttpPkg},
		mutant{"fchttp: log out everywhere deletes the stored sessions", "fchttp/sessions.go", [][2]string{
			{`err = h.store.DeleteSubject(ctx, key)`, `err = nil`}}, fchttpPkg},
		mutant{"fchttp: log out everywhere revokes the sealed sessions", "fchttp/sessions.go", [][2]string{
			{`h.revocations.RevokeSubject(ctx, key, now, now.Add(MaxSessionLifetime))`,
				`h.revocations.RevokeSubject(ctx, key, now.Add(-time.Hour), now.Add(MaxSessionLifetime))`}}, fchttpPkg},
		mutant{"fchttp: a login ends the previous session before OnLogin", "fchttp/login.go", [][2]string{
			{"\tif err := h.endSession(r.Context(), s); err != nil {\n\t\th.fail(w, r, s, stepLogin, err)",
				"\tif err := error(nil); err != nil {\n\t\th.fail(w, r, s, stepLogin, err)"}}, fchttpPkg},
		mutant{"fchttp: OnLogin's data is bounded", "fchttp/login.go", [][2]string{
			{`case len(b) > limit:`, `case false:`}}, fchttpPkg},
		mutant{"fchttp: a panicking hook is caught", "fchttp/hooks.go", [][2]string{
			{`if v := recover(); v != nil {`, `if v := any(nil); v != nil {`}}, fchttpPkg},
		mutant{"fchttp: OnLogin's page is private", "fchttp/login.go", [][2]string{
			{"\tpage.copyHeader(w)\n\tsetPrivate(w.Header())\n", "\tpage.copyHeader(w)\n"}}, fchttpPkg},
		mutant{"fchttp: private responses send no Referer", "fchttp/headers.go", [][2]string{
			{`h.Set("Referrer-Policy", "no-referrer")`, `h.Del("Referrer-Policy")`}}, fchttpPkg},
		mutant{"fchttp: over https a POST comes from the full origin", "fchttp/headers.go", [][2]string{
			{`if !h.sameOrigin(r) {`, `if false {`}}, fchttpPkg},
		mutant{"fchttp: two doors never share a cookie", "fchttp/doors.go", [][2]string{
			{`case o.cookieName == h.cookieName:`, `case false:`}}, fchttpPkg},
		mutant{"redisstore: an update never brings a deleted session back", "fchttp/redisstore/redisstore.go", [][2]string{
			{`redis.SetArgs{Mode: "XX", ExpireAt: expiry}`, `redis.SetArgs{ExpireAt: expiry}`}}, []string{"."}},
		mutant{"redisstore: session ids are hashed at rest", "fchttp/redisstore/redisstore.go", [][2]string{
			{"\tsum := sha256.Sum256([]byte(name))\n\treturn s.prefix + kind + \":\" + hex.EncodeToString(sum[:])",
				"\t_, _ = sha256.Sum256, hex.EncodeToString\n\treturn s.prefix + kind + \":\" + name"}}, []string{"."}},
		mutant{"redisstore: a revoked session is revoked", "fchttp/redisstore/revocations.go", [][2]string{
			{"\tif vals[0] != nil {\n", "\tif false {\n"}}, []string{"."}},
		mutant{"redisstore: a person's revocation covers the sessions before it", "fchttp/redisstore/revocations.go", [][2]string{
			{`return start.UnixMilli() <= before, nil`, `return before < 0, nil`}}, []string{"."}},
		mutant{"redisstore: log out everywhere deletes the sessions", "fchttp/redisstore/redisstore.go", [][2]string{
			{"\tredis.call('DEL', key)\n", "\tredis.call('EXISTS', key)\n"}}, []string{"."}},
		mutant{"redisstore: a session id is never reused", "fchttp/redisstore/redisstore.go", [][2]string{
			{`redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EXAT', ARGV[2])`, `redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[2])`}}, []string{"."}},
	)
}
