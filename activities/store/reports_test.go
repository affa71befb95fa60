package store_test

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
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

// A quarter's second sheet lists the cases raised before it that were still open at its end:
// open now, closed only after it, or reopened after their last closure before its end; not
// those closed at its end (even if reopened since), nor merged ones. Those raised in it are on
// the first, whatever their state.
func TestAQuarterListsTheEarlierCasesStillOpenAtItsEnd(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	q := domain.Quarter{Year: 2026, Q: 3}
	before, in, after := q.Start().AddDate(0, -2, 0), q.Start().AddDate(0, 1, 0), q.End().AddDate(0, 0, 10)
	project := func(id, status string, created time.Time, events ...domain.Event) {
		t.Helper()
		c := newCase(id, status, "natural-resources")
		c.CreatedAt, c.UpdatedAt = created, created
		evs := []domain.Event{{CaseID: id, Seq: 1, Type: "created", At: created, Actor: domain.Actor{Username: "member", Role: "member_dept"},
			Data: json.RawMessage(`{}`)}}
		for i, e := range events {
			e.CaseID, e.Seq, e.Actor, e.Data = id, i+2, domain.Actor{Username: "member", Role: "member_dept"}, json.RawMessage(`{}`)
			evs = append(evs, e)
		}
		c.LastSeq = len(evs)
		if _, err := st.Project(ctx, domain.Projection{Case: c, Events: evs}); err != nil {
			t.Fatal(err)
		}
	}
	closed := func(at time.Time) domain.Event { return domain.Event{Type: domain.EventClosed, At: at} }
	reopened := func(at time.Time) domain.Event { return domain.Event{Type: domain.EventReopened, At: at} }
	project("PT-2026-000001", "handling", before)                                    // open now: listed
	project("PT-2026-000002", "closed", before, closed(after))                       // closed after the quarter: listed
	project("PT-2026-000003", "closed", before, closed(in))                          // closed in it: not
	project("PT-2026-000004", "handling", before, closed(in), reopened(after))       // closed at its end, reopened since: not
	project("PT-2026-000005", "merged", before)                                      // merged: not
	project("PT-2026-000006", "follow_up", before, closed(before), reopened(before)) // reopened before it: listed
	project("PT-2026-000007", "closed", in, closed(in))                              // raised in it: first sheet
	project("PT-2026-000008", "triage", after)                                       // raised after it: nowhere
	r, err := st.CompileQuarter(ctx, q, after)
	if err != nil {
		t.Fatal(err)
	}
	var earlier, raised []string
	for _, row := range r.Rows {
		if row.Earlier {
			earlier = append(earlier, row.CaseID)
		} else {
			raised = append(raised, row.CaseID)
		}
	}
	if !slices.Equal(earlier, []string{"PT-2026-000001", "PT-2026-000002", "PT-2026-000006"}) || !slices.Equal(raised, []string{"PT-2026-000007"}) {
		t.Errorf("earlier cases %v (want 000001, 000002, 000006), raised in the quarter %v (want 000007)", earlier, raised)
	}
}
