package store

import (
	"strings"
	"testing"
	"time"
)

// TestAnEstimateIsKeptFiveSecondsByItsWholeQueryAndNoKeyIsUnbounded: arguments that would
// read alike run together are different lists; an estimate is gone at five seconds; a key
// longer than maxEstimateKey (a search pasted from a document) is not kept; and a full
// cache starts afresh rather than grow.
func TestAnEstimateIsKeptFiveSecondsByItsWholeQueryAndNoKeyIsUnbounded(t *testing.T) {
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	c := newEstimateCache()
	c.Now = func() time.Time { return now }
	ab, a_b := estimateKey("cases WHERE x = $1 AND y = $2", []any{"a b", ""}), estimateKey("cases WHERE x = $1 AND y = $2", []any{"a", "b"})
	if ab == a_b {
		t.Fatalf("two lists share the key %q", ab)
	}
	c.put(ab, 7, now)
	if rows, ok := c.Get(a_b); ok {
		t.Errorf("the other list is served %d", rows)
	}
	now = now.Add(estimateTTL - time.Millisecond)
	if rows, ok := c.Get(ab); !ok || rows != 7 {
		t.Errorf("just under five seconds: %d, %v", rows, ok)
	}
	now = now.Add(time.Millisecond)
	if _, ok := c.Get(ab); ok {
		t.Error("kept at five seconds")
	}
	long := estimateKey("cases WHERE q = $1", []any{strings.Repeat("停电", maxEstimateKey)})
	c.put(long, 3, now)
	if _, ok := c.Get(long); ok || c.Len() != 1 {
		t.Errorf("a key of %d bytes is kept (%d keys)", len(long), c.Len())
	}
	for i := range maxEstimates + 10 {
		c.put(estimateKey("cases", []any{i}), i, now)
	}
	if c.Len() > maxEstimates {
		t.Errorf("%d estimates kept, at most %d", c.Len(), maxEstimates)
	}
}
