package franceconnect

import (
	"context"
	"sync/atomic"
	"time"
)

// Cache lifetimes of the discovery document and provider keys, taken from
// Cache-Control max-age and clamped to [minCacheTTL, maxCacheTTL]. A copy is
// refreshed in the background from the last fifth of its lifetime on. A
// failed refresh is retried after retryAfterFail, then after twice as long
// at each failure in a row, up to maxRetryPause.
const (
	defaultCacheTTL = 10 * time.Minute
	minCacheTTL     = time.Minute
	maxCacheTTL     = 24 * time.Hour
	retryAfterFail  = 30 * time.Second
	maxRetryPause   = 5 * time.Minute
	// refreshTimeout bounds a background refresh, whatever the HTTP
	// client's own timeout.
	refreshTimeout = 30 * time.Second
)

// cached is an immutable cache entry.
type cached[T any] struct {
	value     T
	refreshAt time.Time // from then on, a read starts a background refresh
	failures  int       // refreshes failed in a row since value was fetched
}

// refreshing holds a value fetched from FranceConnect and refreshes it
// without ever making a login wait. Readers load the current entry
// atomically, without locking. A read past the entry's refreshAt starts a
// refresh in a new goroutine unless one is under way: sema, a one-slot
// semaphore, is held by whoever fetches, so that one fetch at most is in
// flight. The goroutine runs under its own timeout, detached from the
// reader's cancellation, and ends with its fetch: nothing outlives a
// refresh, and a Client needs no Close. Until the fetch succeeds, readers
// keep the last good value; a failure only postpones the next attempt.
type refreshing[T any] struct {
	c       *Client
	what    string // names the value in log events
	fetch   func(context.Context) (T, time.Duration, error)
	cur     atomic.Pointer[cached[T]]
	sema    chan struct{}
	timeout time.Duration // of a background refresh
}

func newRefreshing[T any](c *Client, what string, fetch func(context.Context) (T, time.Duration, error)) *refreshing[T] {
	return &refreshing[T]{c: c, what: what, fetch: fetch, sema: make(chan struct{}, 1), timeout: refreshTimeout}
}

// init fetches the first value, on the caller's path (New).
func (r *refreshing[T]) init(ctx context.Context) error {
	v, ttl, err := r.fetch(ctx)
	if err != nil {
		return err
	}
	r.cur.Store(fresh(v, r.c.now(), ttl))
	return nil
}

// fresh is the entry of a value just fetched with lifetime ttl.
func fresh[T any](v T, now time.Time, ttl time.Duration) *cached[T] {
	return &cached[T]{value: v, refreshAt: now.Add(ttl - ttl/5)}
}

// get returns the current value at once, and starts a background refresh
// when the value is due for one.
func (r *refreshing[T]) get(ctx context.Context) T { return r.entry(ctx).value }

// entry is get, returning the whole entry.
func (r *refreshing[T]) entry(ctx context.Context) *cached[T] {
	e := r.cur.Load()
	if !r.c.now().Before(e.refreshAt) {
		r.start(ctx, e)
	}
	return e
}

// start runs a refresh of seen in a new goroutine, unless a refresh is under
// way or has already replaced seen. ctx only lends its values (for the
// logger's handler); the refresh has its own deadline.
func (r *refreshing[T]) start(ctx context.Context, seen *cached[T]) {
	select {
	case r.sema <- struct{}{}:
	default:
		return
	}
	if r.cur.Load() != seen {
		<-r.sema
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
	go func() {
		defer func() {
			cancel()
			<-r.sema
		}()
		r.refresh(ctx, seen)
	}()
}

// refresh fetches the value and stores the new entry, which it returns. On
// failure it keeps seen's value and postpones the next attempt. The caller
// holds sema.
func (r *refreshing[T]) refresh(ctx context.Context, seen *cached[T]) *cached[T] {
	v, ttl, err := r.fetch(ctx)
	now := r.c.now()
	var next *cached[T]
	if err == nil {
		next = fresh(v, now, ttl)
	} else {
		pause := retryPause(seen.failures)
		r.c.log.WarnContext(ctx, "franceconnect: "+r.what+" refresh failed, keeping the cached copy", "err", err, "retry_in", pause)
		next = &cached[T]{value: seen.value, refreshAt: now.Add(pause), failures: seen.failures + 1}
	}
	r.cur.Store(next)
	return next
}

// retryPause is the pause after a refresh that failed with failures earlier
// failures in a row.
func retryPause(failures int) time.Duration {
	return min(retryAfterFail<<min(failures, 8), maxRetryPause)
}
