package fchttp_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roundRobin is an in-process load balancer: each request goes to the next
// instance, with no stickiness.
type roundRobin struct {
	instances []http.Handler
	n         atomic.Int64
}

func (rr *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := rr.n.Add(1) - 1
	rr.instances[i%int64(len(rr.instances))].ServeHTTP(w, r)
}

// TestInstancesShareNothingButTheKeys runs two instances, each with its own
// franceconnect.Client and Handler and the same key ring, behind a
// round-robin balancer: every step of a login and a logout lands on the
// other instance than the step before.
func TestInstancesShareNothingButTheKeys(t *testing.T) {
	e := newEnv(t)
	a, b := e.newApp(nil), e.newApp(nil)
	lb := &roundRobin{instances: []http.Handler{a, b}}
	u := e.user(lb)
	ctx := context.Background()

	home, err := u.Open(ctx, "/") // A
	require.NoError(t, err)
	start, err := u.StartLogin(ctx, home, nil) // B keeps the login in progress
	require.NoError(t, err)
	require.True(t, e.isAuthorize(start))
	cb, err := u.ChooseIdentity(ctx, start, "camille") // A finishes it
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	assert.Equal(t, []int64{2, 1}, []int64{a.requests.Load(), b.requests.Load()})

	page, err := u.Follow(ctx, cb) // B knows the user
	require.NoError(t, err)
	require.Contains(t, page.Body, "Bonjour Camille Hélène")
	out, err := u.Logout(ctx, page) // A starts the logout, B checks its state
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, out.Status, out.Body)
	assert.Equal(t, "/", out.Header.Get("Location"))
	assert.Equal(t, []int64{3, 3}, []int64{a.requests.Load(), b.requests.Load()})
	assert.Contains(t, mustOpen(t, u, "/").Body, "Anonyme") // A
}

// TestInstancesWithDifferentKeys shows what a mistake in the key rings does:
// the callback cannot read the login in progress and fails closed.
func TestInstancesWithDifferentKeys(t *testing.T) {
	e := newEnv(t)
	a := e.newApp(nil)
	b := e.newApp(nil)
	e.ring = [][]byte{newKey()}
	c := e.newApp(nil)
	u := e.user(&roundRobin{instances: []http.Handler{a, c, b}})
	ctx := context.Background()

	start, err := u.Open(ctx, "/login") // A
	require.NoError(t, err)
	require.True(t, e.isAuthorize(start))
	cb, err := u.ChooseIdentity(ctx, start, "camille") // C, another ring
	require.NoError(t, err)
	requireProblem(t, cb, http.StatusBadRequest, "ErrLoginNotFound", "ErrStateMismatch")
	assert.Contains(t, cb.Body, "recommencez la connexion")
	home, err := u.Open(ctx, "/") // B: C dropped the cookie it could not open
	require.NoError(t, err)
	assert.Contains(t, home.Body, "Anonyme")
}
