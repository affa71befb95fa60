package service

import (
	"crypto/sha256"
	"time"

	"github.com/putian-fic/caseflow/activities/expiring"
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
	*expiring.Map[[32]byte, domain.User]
}

func newSessionCache() *sessionCache {
	return &sessionCache{expiring.New[[32]byte, domain.User](sessionTTL, maxCachedSessions)}
}

// get is the user of token if it was read less than sessionTTL ago.
func (c *sessionCache) get(token string) (domain.User, bool) {
	return c.Get(sha256.Sum256([]byte(token)))
}

// put remembers that token belongs to u, from now.
func (c *sessionCache) put(token string, u domain.User) {
	c.Put(sha256.Sum256([]byte(token)), u, c.Now())
}

// forget drops token.
func (c *sessionCache) forget(token string) { c.Delete(sha256.Sum256([]byte(token))) }

// forgetUser drops every token of the user.
func (c *sessionCache) forgetUser(username string) {
	c.DeleteFunc(func(u domain.User) bool { return u.Username == username })
}
