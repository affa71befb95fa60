package pgcluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
)

// Temp is a private cluster in a temporary directory, for tests: each test takes a fresh
// database from it.
type Temp struct {
	*Cluster
	dir string
	n   atomic.Int64
}

// StartTemp starts a cluster in a new temporary directory that every user can reach
// (PostgreSQL runs as user postgres when the tests run as root).
func StartTemp(ctx context.Context) (*Temp, error) {
	dir, err := os.MkdirTemp("", "caseflow-pg-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	c, err := Start(ctx, filepath.Join(dir, "cluster"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Temp{Cluster: c, dir: dir}, nil
}

// NewDatabase creates an empty database and returns its URL.
func (t *Temp) NewDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("test_%d", t.n.Add(1))
	if err := t.CreateDatabase(ctx, name); err != nil {
		return "", err
	}
	return t.DatabaseURL(name), nil
}

// Dir is the temporary directory the cluster lives in.
func (t *Temp) Dir() string {
	return t.dir
}

// Remove stops the cluster and deletes its directory.
func (t *Temp) Remove() {
	_ = t.Stop()
	_ = os.RemoveAll(t.dir)
}
