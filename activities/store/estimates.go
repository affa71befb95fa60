package store

import (
	"fmt"
	"time"

	"github.com/putian-fic/caseflow/activities/expiring"
)

// estimateTTL is how long the planner's estimate of a list is kept. An estimate follows
// PostgreSQL's statistics of the table, which change when ANALYZE runs (autovacuum's, after a
// tenth of the table has changed), and the table's size: a list asked again within this
// long — an office's inbox, which everyone in the office opens, a page after the page before
// — is not planned again for its total. The cases the list shows are always read afresh.
const estimateTTL = 5 * time.Second

// maxEstimates bounds the cache: past it, it starts afresh. maxEstimateKey bounds a list's
// key (a search's words are in it, as long as a URL allows): a longer one is not kept, so
// the cache holds at most some 8 MB whatever is searched.
const (
	maxEstimates   = 4096
	maxEstimateKey = 2048
)

// estimateCache keeps the estimates of the lists asked in the last estimateTTL, by their
// query and arguments (estimateKey).
type estimateCache struct {
	*expiring.Map[string, int]
}

func newEstimateCache() estimateCache {
	return estimateCache{expiring.New[string, int](estimateTTL, maxEstimates)}
}

// estimateKey names a list's estimate: its query and its arguments, each written as Go
// writes a value's literal (a string quoted), so that no two lists share a key.
func estimateKey(fromWhere string, args []any) string {
	return fmt.Sprintf("%s\x00%#v", fromWhere, args)
}

// put keeps an estimate planned at at (when it was asked), unless its key is too long.
func (c estimateCache) put(key string, rows int, at time.Time) {
	if len(key) <= maxEstimateKey {
		c.Put(key, rows, at)
	}
}
