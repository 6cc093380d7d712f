package redisstore_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// benchSite is an instance of the site whose clock the benchmark moves,
// and a user who logs in to it.
type benchSite struct {
	inst   *instance
	user   *fctest.Visitor
	offset atomic.Int64 // added to the site's clock
}

func newBenchSite(b *testing.B, state string) *benchSite {
	f := newFS(b, fctest.New(b, fctest.Options{}), site)
	s := &benchSite{}
	now := func() time.Time { return time.Now().Add(time.Duration(s.offset.Load())) }
	s.inst = f.instance(state, redisAddr, func(c *fchttp.Config) {
		c.Now, c.IdleTimeout, c.SessionLifetime = now, fchttp.MaxIdleTimeout, fchttp.MaxSessionLifetime
	})
	s.user = f.user(s.inst)
	return s
}

// login signs the user in and returns the session cookie's value.
func (s *benchSite) login(b *testing.B) string {
	ctx := context.Background()
	start, err := s.user.Open(ctx, "/login")
	require.NoError(b, err)
	cb, err := s.user.ChooseIdentity(ctx, start, "camille")
	require.NoError(b, err)
	require.Equal(b, http.StatusSeeOther, cb.Status, cb.Body)
	base := httptest.NewRequest(http.MethodGet, site+"/", nil)
	for _, c := range s.user.HTTPClient().Jar.Cookies(base.URL) {
		if c.Name == "__Host-fs_session" {
			return c.Value
		}
	}
	b.Fatal("no session cookie")
	return ""
}

// request is one page of the site asking who is signed in, as Handler.User
// does on every page; it returns the cookie the response sets, if any.
func (s *benchSite) request(b *testing.B, value string) string {
	req := httptest.NewRequest(http.MethodGet, site+"/", nil)
	req.AddCookie(&http.Cookie{Name: "__Host-fs_session", Value: value})
	w := httptest.NewRecorder()
	user, err := s.inst.fc.User(w, req)
	if err != nil || user == nil {
		b.Fatalf("no user: %v", err)
	}
	if c := w.Result().Cookies(); len(c) > 0 {
		return c[0].Value
	}
	return value
}

// BenchmarkSessionRequest is the cost of a request with a session, as
// Handler.User sees it, with the session in a sealed cookie alone
// (state=sealed), in a sealed cookie checked against a revocation list in
// Redis (state=revocations: one MGET), or in Redis (state=store: one
// GET). op=open is a request within the idle refresh period; op=refresh
// one that pushes the idle deadline back (a new sealed cookie, or with
// the Store a SET … XX), which a user's requests do once every eighth of
// the idle timeout.
func BenchmarkSessionRequest(b *testing.B) {
	needRedis(b)
	for _, state := range []string{"sealed", "revocations", "store"} {
		s := newBenchSite(b, state)
		b.Run("state="+state+"/op=open", func(b *testing.B) {
			value := s.login(b)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				s.request(b, value)
			}
		})
		b.Run("state="+state+"/op=refresh", func(b *testing.B) {
			const refreshes = 40 // each moves the clock 30 min: a session lasts 48
			value := s.login(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if i > 0 && i%refreshes == 0 {
					b.StopTimer()
					value = s.login(b)
					b.StartTimer()
				}
				s.offset.Add(int64(fchttp.MaxIdleTimeout / 8))
				value = s.request(b, value)
			}
		})
	}
}
