package fcdata

import (
	"container/list"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"
)

// cache keeps answers by a keyed hash of the token: a process-wide random
// key makes the hashes useless outside the process, and no token is ever
// kept, as a key or otherwise. It is a least-recently-used list of at most
// size entries, and it de-duplicates concurrent fetches of one token. mu
// guards every field.
type cache struct {
	hashKey [32]byte
	size    int

	mu       sync.Mutex
	entries  map[[32]byte]*list.Element
	order    *list.List // of *entry, most recent first
	inflight map[[32]byte]*call
}

type entry struct {
	key   [32]byte
	res   *Introspection
	until time.Time
}

// call is a fetch under way, which its waiters read once done is closed.
type call struct {
	done chan struct{}
	res  *Introspection
	err  error
}

func newCache(size int) *cache {
	c := &cache{size: size, entries: make(map[[32]byte]*list.Element), order: list.New(),
		inflight: make(map[[32]byte]*call)}
	_, _ = rand.Read(c.hashKey[:])
	return c
}

// key is the HMAC-SHA256 of token under the cache's key.
func (c *cache) key(token string) [32]byte {
	m := hmac.New(sha256.New, c.hashKey[:])
	m.Write([]byte(token))
	var k [32]byte
	copy(k[:], m.Sum(nil))
	return k
}

// get returns a live answer.
func (c *cache) get(k [32]byte, now time.Time) (*Introspection, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		return nil, false
	}
	e := el.Value.(*entry)
	if !now.Before(e.until) {
		c.order.Remove(el)
		delete(c.entries, k)
		return nil, false
	}
	c.order.MoveToFront(el)
	return e.res, true
}

// put keeps res for ttl, evicting the least recently used entry when full.
func (c *cache) put(k [32]byte, res *Introspection, ttl time.Duration, now time.Time) {
	if c.size == 0 || ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[k]; ok {
		c.order.Remove(el)
		delete(c.entries, k)
	}
	for c.order.Len() >= c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*entry).key)
	}
	c.entries[k] = c.order.PushFront(&entry{key: k, res: res, until: now.Add(ttl)})
}

// do runs fetch for k once for all the callers that ask meanwhile. fetch
// runs in its own goroutine, so that a caller whose ctx ends gets ctx's
// error at once while the others still get the answer.
func (c *cache) do(ctx context.Context, k [32]byte, fetch func() (*Introspection, error)) (*Introspection, error) {
	c.mu.Lock()
	cl, ok := c.inflight[k]
	if !ok {
		cl = &call{done: make(chan struct{})}
		c.inflight[k] = cl
		go func() {
			cl.res, cl.err = fetch()
			c.mu.Lock()
			delete(c.inflight, k)
			c.mu.Unlock()
			close(cl.done)
		}()
	}
	c.mu.Unlock()
	select {
	case <-cl.done:
		return cl.res, cl.err
	case <-ctx.Done():
		return nil, errorf("%w: %w", ErrIntrospection, ctx.Err())
	}
}
