package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/activities/store/pgcluster"
)

var cluster *pgcluster.Temp

func TestMain(m *testing.M) {
	var err error
	cluster, err = pgcluster.StartTemp(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "store tests need PostgreSQL:", err)
		os.Exit(1)
	}
	code := m.Run()
	cluster.Remove()
	os.Exit(code)
}

// newStore returns a migrated store on a fresh database, with the demo data.
func newStore(t *testing.T) *store.Store {
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
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}
