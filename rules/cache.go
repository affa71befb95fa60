package rules

import (
	"fmt"
	"sync"
)

// Cache keeps compiled rule sets by version, so a set is compiled once per process.
// The zero value is ready to use; it is safe for concurrent use.
type Cache struct {
	mu   sync.Mutex
	sets map[int64]*RuleSet
}

// Get returns the compiled rule set of a version, compiling src the first time.
func (c *Cache) Get(version int64, src []byte) (*RuleSet, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rs, ok := c.sets[version]; ok {
		return rs, nil
	}
	rs, err := Load(src)
	if err != nil {
		return nil, err
	}
	if rs.Version != version {
		return nil, fmt.Errorf("rules: stored as version %d, the set says %d", version, rs.Version)
	}
	if c.sets == nil {
		c.sets = map[int64]*RuleSet{}
	}
	c.sets[version] = rs
	return rs, nil
}
