package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/activities/audit"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows/domain"
)

func TestEveryEditDeletionAndInsertionInATimelineIsNamed(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	ids := []string{"PT-2026-000101", "PT-2026-000102", "PT-2026-000103", "PT-2026-000104", "PT-2026-000105", "PT-2026-000106"}
	for _, id := range ids {
		c := newCase(id, "referral", "")
		c.LastSeq = 3
		if _, err := st.Project(ctx, domain.Projection{Case: c, Events: []domain.Event{event(id, 1, "created"), event(id, 2, "triaged"), event(id, 3, "commented")}}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, domain.Shanghai)
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, domain.Shanghai)
	v, err := st.VerifyRange(ctx, day, day, now)
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK || v.CheckedCases != 6 || v.CheckedEvents != 18 || len(v.Problems) != 0 {
		t.Fatalf("untouched: %+v", v)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if err := st.ExecForTest(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	// 101: an event's content edited.
	exec(`UPDATE case_events SET data = '{"note":"改过"}' WHERE case_id = $1 AND seq = 2`, ids[0])
	// 102: an event in the middle deleted.
	exec(`DELETE FROM case_events WHERE case_id = $1 AND seq = 2`, ids[1])
	// 103: the last event deleted.
	exec(`DELETE FROM case_events WHERE case_id = $1 AND seq = 3`, ids[2])
	// 104: an event inserted at the end, hashed correctly, and the case's last_seq moved:
	// the chain holds; only the day's seal knows.
	tl, err := st.Timeline(ctx, ids[3])
	if err != nil {
		t.Fatal(err)
	}
	forged := domain.Event{CaseID: ids[3], Seq: 4, Type: "closed", At: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
		Actor: domain.Actor{Username: "member", Role: "member_dept"}, Data: json.RawMessage(`{"reason":"answer"}`)}
	hash, err := store.EventHash(tl[2].Hash, forged)
	if err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO case_events (case_id, seq, type, at, actor_username, actor_role, actor_unit, data, prev_hash, hash)
		VALUES ($1, 4, 'closed', $2, 'member', 'member_dept', '', '{"reason":"answer"}', $3, $4)`, ids[3], forged.At, tl[2].Hash, hash)
	exec(`UPDATE cases SET last_seq = 4 WHERE id = $1`, ids[3])
	// 105: the whole case deleted, foreign keys and all.
	exec(`DELETE FROM case_events WHERE case_id = $1`, ids[4])
	exec(`DELETE FROM case_units WHERE case_id = $1`, ids[4])
	exec(`DELETE FROM case_leaders WHERE case_id = $1`, ids[4])
	exec(`DELETE FROM case_snapshots WHERE id = $1`, ids[4])
	exec(`DELETE FROM cases WHERE id = $1`, ids[4])

	for id, want := range map[string]struct {
		ok   bool
		seq  int
		word string
	}{ids[0]: {false, 2, "edited"}, ids[1]: {false, 2, "missing"}, ids[2]: {false, 3, "truncated"}, ids[3]: {true, 0, ""}, ids[5]: {true, 0, ""}} {
		v, err := st.VerifyCase(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if v.OK != want.ok || v.FirstBadSeq != want.seq || !strings.Contains(v.Reason, want.word) {
			t.Errorf("verify %s: %+v, want ok=%v seq %d (%s)", id, v, want.ok, want.seq, want.word)
		}
	}
	if _, err := st.VerifyCase(ctx, ids[4]); err == nil {
		t.Errorf("a deleted case verified")
	}
	v, err = st.VerifyRange(ctx, day, day, now)
	if err != nil {
		t.Fatal(err)
	}
	named := map[string][]string{}
	for _, p := range v.Problems {
		named[p.CaseID] = append(named[p.CaseID], p.Reason)
	}
	if v.OK || len(named) != 5 || named[ids[5]] != nil {
		t.Fatalf("range: %d problems for %d cases: %+v", len(v.Problems), len(named), v.Problems)
	}
	for i, word := range []string{"edited", "missing", "truncated", "seal", "deleted"} {
		if !strings.Contains(strings.Join(named[ids[i]], " | "), word) {
			t.Errorf("%s: %v, want %q", ids[i], named[ids[i]], word)
		}
	}
	// The seals themselves rewritten: the chain of days says so.
	exec(`UPDATE audit_day_cases SET digest = 'x' WHERE case_id = $1`, ids[5])
	v, err = st.VerifyRange(ctx, day, day, now)
	if err != nil {
		t.Fatal(err)
	}
	chain := false
	for _, p := range v.Problems {
		chain = chain || p.CaseID == "" && strings.Contains(p.Reason, "seals were changed")
	}
	if !chain {
		t.Errorf("rewritten seal not found: %+v", v.Problems)
	}
}

func TestTheAuditStreamHandsOverEachCaseWholeInTheOrderOfTheIds(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	// Synthetic cases: a few thousand audited events, several batches. Two cases of another
	// prefix, one with data the figures do not read (a completion's report).
	if err := st.SeedSynthetic(ctx, 400, 2026, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"PT-2026-000102", "PT-2026-000101"} {
		c := newCase(id, "referral", "")
		c.LastSeq = 4
		done := event(id, 4, "completed")
		done.Data = json.RawMessage(`{"report":"` + strings.Repeat("已办结，", 200) + `"}`)
		if _, err := st.Project(ctx, domain.Projection{Case: c, Events: []domain.Event{event(id, 1, "created"),
			event(id, 2, "triaged"), event(id, 3, "commented"), done}}); err != nil {
			t.Fatal(err)
		}
	}
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, domain.Shanghai)
	var ids []string
	events := 0
	err := st.EachAuditCase(ctx, end, func(evs []audit.Event) error {
		id := evs[0].CaseID
		if n := len(ids); n > 0 && ids[n-1] >= id {
			t.Fatalf("case %s after %s: not in the order of the ids, or handed over in two parts", id, ids[n-1])
		}
		ids = append(ids, id)
		// The case's events are its timeline's audited ones, in seq order, read as the figures read them.
		timeline, err := st.Timeline(ctx, id)
		if err != nil {
			return err
		}
		var want []audit.Event
		for _, e := range timeline {
			if slices.Contains(audit.Types, e.Type) && e.At.Before(end) {
				w := audit.Event{CaseID: id, Seq: e.Seq, Type: e.Type, At: e.At}
				if err := w.Read(e.Data); err != nil {
					return err
				}
				want = append(want, w)
			}
		}
		if len(evs) != len(want) {
			t.Fatalf("case %s: %d events streamed, its timeline has %d audited", id, len(evs), len(want))
		}
		for i := range evs {
			if !evs[i].At.Equal(want[i].At) || !reflect.DeepEqual(evs[i].Items, want[i].Items) {
				t.Fatalf("case %s, event %d: streamed %+v, want %+v", id, i, evs[i], want[i])
			}
			evs[i].At = want[i].At // the same instant (checked above), perhaps in another zone
			if !reflect.DeepEqual(evs[i], want[i]) {
				t.Fatalf("case %s, event %d: streamed %+v, want %+v", id, i, evs[i], want[i])
			}
		}
		events += len(evs)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// No case with an audited event is left out.
	for i := 1; i <= 400; i++ {
		id := fmt.Sprintf("SY-2026-%06d", i)
		timeline, err := st.Timeline(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		audited := slices.ContainsFunc(timeline, func(e domain.Event) bool { return slices.Contains(audit.Types, e.Type) })
		if _, streamed := slices.BinarySearch(ids, id); streamed != audited {
			t.Errorf("case %s: streamed %v, has audited events %v", id, streamed, audited)
		}
	}
	if ids[0] != "PT-2026-000101" || ids[1] != "PT-2026-000102" || events < 1500 {
		t.Errorf("%d cases (first %v), %d events: want PT-2026-000101 first, over 1,500 events", len(ids), ids[:2], events)
	}
}
