package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows/domain"
)

func TestAQuarterGatheredInManyChunksIsTheSameReport(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	if err := st.SeedSynthetic(ctx, 400, 2026, now); err != nil {
		t.Fatal(err)
	}
	q := domain.Quarter{Year: 2026, Q: 3}
	whole, err := st.CompileQuarter(ctx, q, now)
	if err != nil {
		t.Fatal(err)
	}
	store.SetReportChunkForTest(t, 7)
	chunked, err := st.CompileQuarter(ctx, q, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Rows) < 50 || !reflect.DeepEqual(whole, chunked) {
		t.Fatalf("%d rows in one chunk, %d in chunks of 7 (totals %+v / %+v): want the same report of over 50 rows",
			len(whole.Rows), len(chunked.Rows), whole.Totals, chunked.Totals)
	}
}
