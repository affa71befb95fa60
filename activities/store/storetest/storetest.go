// Package storetest gives tests a real PostgreSQL: one private cluster per test binary
// and a fresh, migrated database with the demo data per test.
package storetest

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"testing"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/activities/store/pgcluster"
)

var cluster *pgcluster.Temp

// Main starts the cluster, runs the tests and removes the cluster: call it from TestMain.
// A test binary interrupted (Ctrl-C), terminated, or whose output is no longer read (go test
// killed, `| head`) removes its cluster too, rather than leave a PostgreSQL running.
func Main(m *testing.M) {
	var err error
	if cluster, err = pgcluster.StartTemp(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "these tests need PostgreSQL's server binaries:", err)
		os.Exit(1)
	}
	var once sync.Once
	remove := func() { once.Do(cluster.Remove) }
	stopped := make(chan os.Signal, 1)
	signal.Notify(stopped, os.Interrupt, syscall.SIGTERM, syscall.SIGPIPE)
	go func() {
		s := <-stopped
		remove()
		fmt.Fprintf(os.Stderr, "storetest: %v: the test cluster is removed\n", s)
		os.Exit(2)
	}()
	code := m.Run()
	remove()
	os.Exit(code)
}

// ClusterDir is the temporary directory of the test binary's cluster.
func ClusterDir() string {
	return cluster.Dir()
}

// Empty returns a store on a fresh, empty database: not migrated.
func Empty(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	url, err := cluster.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// New returns a store on a fresh database, migrated, with the demo data.
func New(t testing.TB) *store.Store {
	t.Helper()
	st, err := Unmanaged(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// Unmanaged returns a store on a fresh database, migrated, with the demo data, that no
// test's cleanup closes: for benchmarks that share one large database (it goes with the
// cluster when Main ends).
func Unmanaged(ctx context.Context) (*store.Store, error) {
	url, err := cluster.NewDatabase(ctx)
	if err != nil {
		return nil, err
	}
	return prepared(ctx, url)
}

// Open returns a store on the database at url (one a test or benchmark keeps between runs),
// migrated, with the demo data.
func Open(ctx context.Context, url string) (*store.Store, error) {
	return prepared(ctx, url)
}

// Pair returns two stores on one fresh database, migrated, with the demo data: two
// processes sharing PostgreSQL (an API apart from its worker).
func Pair(t testing.TB) (*store.Store, *store.Store) {
	t.Helper()
	ctx := context.Background()
	url, err := cluster.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, err := prepared(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	b, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return a, b
}

// prepared opens the store at url, migrated, with the demo data.
func prepared(ctx context.Context, url string) (*store.Store, error) {
	st, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := st.SeedDemo(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}
