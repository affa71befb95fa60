package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

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
