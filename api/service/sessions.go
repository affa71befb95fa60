package service

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// sessionTTL is how long a process trusts what it read of a session: every request carries
// a token, and asking PostgreSQL whose it is costs a round trip (about a fifth of what the API
// adds to a read). A session ended through this process (logout, revocation, a change of the
// user's role or unit, a disabling, a new password) is forgotten at once; one ended through
// another API process or `caseflow user` is refused here at most sessionTTL later.
const sessionTTL = time.Second

// maxCachedSessions bounds the cache: past it, it starts afresh.
const maxCachedSessions = 10_000

// sessionCache remembers, for sessionTTL, the user each live token belongs to, keyed by the
// token's hash (the token itself is not kept).
type sessionCache struct {
	mu  sync.Mutex
	m   map[[32]byte]cachedSession
	now func() time.Time
}

type cachedSession struct {
	u  domain.User
	at time.Time
}

func newSessionCache() *sessionCache {
	return &sessionCache{m: map[[32]byte]cachedSession{}, now: time.Now}
}

// get is the user of token if it was read less than sessionTTL ago.
func (c *sessionCache) get(token string) (domain.User, bool) {
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[key]
	if !ok || c.now().Sub(s.at) >= sessionTTL {
		return domain.User{}, false
	}
	return s.u, true
}

// put remembers that token belongs to u, from now.
func (c *sessionCache) put(token string, u domain.User) {
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedSessions {
		clear(c.m)
	}
	c.m[key] = cachedSession{u: u, at: c.now()}
}

// forget drops token.
func (c *sessionCache) forget(token string) {
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
}

// forgetUser drops every token of the user.
func (c *sessionCache) forgetUser(username string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, s := range c.m {
		if s.u.Username == username {
			delete(c.m, k)
		}
	}
}
