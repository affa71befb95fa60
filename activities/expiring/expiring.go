// Package expiring keeps what a process read from PostgreSQL for a moment, trusted until it
// is older than a fixed time: whose a session token is (api/service/sessions.go), the
// planner's estimate of a list (activities/store/estimates.go). A Map is bounded: past its
// size it starts afresh rather than grow, so that no stream of new keys can exhaust memory.
package expiring

import (
	"sync"
	"time"
)

// Map keeps values by key for TTL from the time each was put. Now is its clock (tests set
// their own).
type Map[K comparable, V any] struct {
	TTL time.Duration
	Max int
	Now func() time.Time

	mu sync.Mutex
	m  map[K]entry[V]
}

type entry[V any] struct {
	v  V
	at time.Time
}

// New is a Map keeping at most max values, each for ttl.
func New[K comparable, V any](ttl time.Duration, max int) *Map[K, V] {
	return &Map[K, V]{TTL: ttl, Max: max, Now: time.Now, m: map[K]entry[V]{}}
}

// Get is the value of k if it was put less than TTL ago.
func (c *Map[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || c.Now().Sub(e.at) >= c.TTL {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Put keeps v for k as read at at: a value is as old as the read that gave it.
func (c *Map[K, V]) Put(k K, v V, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.Max {
		clear(c.m)
	}
	c.m[k] = entry[V]{v: v, at: at}
}

// Delete drops k.
func (c *Map[K, V]) Delete(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}

// DeleteFunc drops every value for which del is true.
func (c *Map[K, V]) DeleteFunc(del func(V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if del(e.v) {
			delete(c.m, k)
		}
	}
}

// Len is how many values are kept, old ones included.
func (c *Map[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
