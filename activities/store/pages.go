package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"
)

// pagesPerConn is how many large lists' pages a connection keeps prepared. PostgreSQL holds
// each prepared page with its plans, about 160 KB (pg_backend_memory_contexts, a unit's
// page that records its read): 32 of them are 5 MB a connection, 120 MB for the 24
// connections of a process at most, whatever lists its users ask for. pgx's own statement
// cache, which the store's fixed statements use, keeps 512 a connection: the lists,
// whose filters combine into thousands of statements, are kept apart from it.
const pagesPerConn = 32

// pageStatements are the pages of large lists each connection has prepared (ListCases),
// the least recently used first. A connection is used by one request at a time; the lock
// guards the map.
type pageStatements struct {
	mu    sync.Mutex
	conns map[*pgx.Conn][]string
}

// prepare answers the name of sql prepared on c, preparing it (and letting go of the least
// recently used page when c holds pagesPerConn) if c has not. pgx's Prepare answers a
// statement c holds without asking PostgreSQL, so a page asked again costs nothing.
func (p *pageStatements) prepare(ctx context.Context, c *pgx.Conn, sql string) (string, error) {
	sum := sha256.Sum256([]byte(sql))
	name := "caseflow_page_" + hex.EncodeToString(sum[:12])
	names := p.of(c)
	if i := slices.Index(names, name); i >= 0 {
		names = slices.Delete(names, i, i+1)
	} else if len(names) >= pagesPerConn {
		if err := c.Deallocate(ctx, names[0]); err != nil {
			return "", err
		}
		names = slices.Delete(names, 0, 1)
	}
	p.set(c, names) // what c holds, whatever happens next
	if _, err := c.Prepare(ctx, name, sql); err != nil {
		return "", err
	}
	p.set(c, append(names, name))
	return name, nil
}

// of is what c holds prepared, the least recently used first.
func (p *pageStatements) of(c *pgx.Conn) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.conns[c])
}

func (p *pageStatements) set(c *pgx.Conn, names []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		p.conns = map[*pgx.Conn][]string{}
	}
	p.conns[c] = slices.Clone(names)
}

// forget drops what c prepared, as the pool closes it.
func (p *pageStatements) forget(c *pgx.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}
