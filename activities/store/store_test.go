package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/activities/store/storetest"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// newCase is a case with units; those of a case past referral were referred to it.
func newCase(id, status, lead string, co ...string) domain.Case {
	now := time.Date(2026, 11, 23, 9, 0, 0, 123456789, time.UTC)
	referred := []string{}
	if lead != "" && status != "triage" && status != "referral" {
		referred = append([]string{lead}, co...)
	}
	return domain.Case{ID: id, Status: status, Title: "用地审批 " + id, Description: "厂房用地", Category: "land",
		List: "problem", EnterpriseID: "ent-001", LeadUnit: lead, CoUnits: co, ReferredUnits: referred, CreatedBy: "leader1",
		CreatedAt: now, UpdatedAt: now, LastSeq: 1}
}

func event(caseID string, seq int, typ string) domain.Event {
	return domain.Event{CaseID: caseID, Seq: seq, Type: typ, At: time.Date(2026, 11, 23, 9, seq, 0, 999, time.UTC),
		Actor: domain.Actor{Username: "member", Role: "member_dept"}, Data: json.RawMessage(`{"note":"说明","n":1}`)}
}

func TestProjectIsIdempotentAndChained(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	c := newCase("PT-2026-000001", "triage", "")
	p1 := domain.Projection{Case: c, Events: []domain.Event{event(c.ID, 1, "created")}}
	for range 2 { // a retried activity
		if _, err := st.Project(ctx, p1); err != nil {
			t.Fatal(err)
		}
	}
	c2 := c
	c2.Status, c2.LastSeq = "referral", 3
	p2 := domain.Projection{Case: c2, Events: []domain.Event{event(c.ID, 2, "triaged"), event(c.ID, 3, "commented")}}
	if _, err := st.Project(ctx, p2); err != nil {
		t.Fatal(err)
	}
	// A late retry of the first projection must not move the case back.
	if _, err := st.Project(ctx, p1); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetCase(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "referral" || got.LastSeq != 3 {
		t.Errorf("case %s seq %d, want referral 3", got.Status, got.LastSeq)
	}
	events, err := st.Timeline(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 || events[0].Type != "created" || events[2].Type != "commented" {
		t.Fatalf("timeline %+v", events)
	}
	if err := st.VerifyTimeline(ctx, c.ID); err != nil {
		t.Fatalf("verify: %v", err)
	}
}

func TestAllocateCaseIDWithIdempotencyKeys(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	req := []byte(`{"title":"a","enterprise_id":"ent-001"}`)
	id1, err := st.AllocateCaseID(ctx, 2026, "leader1", "", req)
	if err != nil || id1 != "PT-2026-000001" {
		t.Fatalf("first: %s %v", id1, err)
	}
	id2, _ := st.AllocateCaseID(ctx, 2026, "leader1", "k1", req)
	if id2 != "PT-2026-000002" {
		t.Fatalf("second: %s", id2)
	}
	// The same key and request (keys in another order) gets the same id.
	again, err := st.AllocateCaseID(ctx, 2026, "leader1", "k1", []byte(`{"enterprise_id":"ent-001","title":"a"}`))
	if err != nil || again != id2 {
		t.Fatalf("retry: %s %v", again, err)
	}
	// Another user's same key is another request.
	if other, _ := st.AllocateCaseID(ctx, 2026, "member", "k1", req); other != "PT-2026-000003" {
		t.Fatalf("other user: %s", other)
	}
	if _, err := st.AllocateCaseID(ctx, 2026, "leader1", "k1", []byte(`{"title":"b"}`)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("same key, other request: %v", err)
	}
	if id, _ := st.AllocateCaseID(ctx, 2027, "leader1", "", req); id != "PT-2027-000001" {
		t.Fatalf("new year: %s", id)
	}
}

func TestListCasesFiltersAndScopes(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	cases := []domain.Case{
		newCase("PT-2026-000001", "handling", "natural-resources", "licheng"),
		newCase("PT-2026-000002", "handling", "licheng"),
		newCase("PT-2026-000003", "triage", ""),
		newCase("PT-2026-000004", "closed", "power-supply"),
		newCase("PT-2026-000005", "referral", "natural-resources"), // triaged, not yet referred
	}
	cases[1].Category, cases[1].Title = "power", "电力增容"
	cases[1].Sensitive, cases[1].Office, cases[1].Description = true, "party", "企业负债3亿"
	cases[2].CreatedBy = "leader2"
	cases[3].Office = "government"
	for i, c := range cases {
		c.CreatedAt = c.CreatedAt.Add(time.Duration(i) * time.Minute)
		if _, err := st.Project(ctx, domain.Projection{Case: c, Events: []domain.Event{event(c.ID, 1, "created")}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		f    store.CaseFilter
		want []string
	}{
		{"all, newest first", store.CaseFilter{}, []string{"PT-2026-000005", "PT-2026-000004", "PT-2026-000003", "PT-2026-000002", "PT-2026-000001"}},
		{"status", store.CaseFilter{Status: "handling"}, []string{"PT-2026-000002", "PT-2026-000001"}},
		{"category", store.CaseFilter{Category: "power"}, []string{"PT-2026-000002"}},
		{"unit as lead or co-unit", store.CaseFilter{Unit: "licheng"}, []string{"PT-2026-000002", "PT-2026-000001"}},
		{"office", store.CaseFilter{Office: "government"}, []string{"PT-2026-000004"}},
		{"q in title", store.CaseFilter{Query: "电力"}, []string{"PT-2026-000002"}},
		{"q by id", store.CaseFilter{Query: "000003"}, []string{"PT-2026-000003"}},
		{"q with wildcard characters", store.CaseFilter{Query: "%"}, nil},
		{"unit scope: referred cases only", store.CaseFilter{VisibleToUnit: "natural-resources"}, []string{"PT-2026-000001"}},
		{"q in a sensitive description, for whoever may read it", store.CaseFilter{Query: "负债3亿", SearchSensitive: true}, []string{"PT-2026-000002"}},
		{"q in a sensitive description, for its lead office", store.CaseFilter{Query: "负债3亿", SearchSensitiveOffice: "party"}, []string{"PT-2026-000002"}},
		{"q in a sensitive description, for another office", store.CaseFilter{Query: "负债3亿", SearchSensitiveOffice: "government"}, nil},
		{"q in a sensitive description, for a reader without it", store.CaseFilter{Query: "负债"}, nil},
		{"q in a plain description, for anyone", store.CaseFilter{Query: "厂房用地"}, []string{"PT-2026-000005", "PT-2026-000004", "PT-2026-000003", "PT-2026-000001"}},
		{"leader scope", store.CaseFilter{CreatedBy: "leader2"}, []string{"PT-2026-000003"}},
		{"page 2 of 3-sized pages", store.CaseFilter{Page: 2, PageSize: 3}, []string{"PT-2026-000002", "PT-2026-000001"}},
		{"q of one Chinese character", store.CaseFilter{Query: "电"}, []string{"PT-2026-000002"}},
		{"q in lower case finds upper case", store.CaseFilter{Query: "pt-2026-000004"}, []string{"PT-2026-000004"}},
		{"q with a space", store.CaseFilter{Query: "用地审批 PT-2026-000001"}, []string{"PT-2026-000001"}},
		{"q that appears nowhere", store.CaseFilter{Query: "停电"}, nil},
		{"unit filter with status", store.CaseFilter{Unit: "natural-resources", Status: "handling"}, []string{"PT-2026-000001"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := st.ListCases(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			items, total := page.Items, page.Total
			if page.TotalEstimated {
				t.Errorf("a total of %d is estimated; a small one must be exact", total)
			}
			var ids []string
			for _, c := range items {
				ids = append(ids, c.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", ids, tc.want)
			}
			if tc.f.Page == 0 && total != len(tc.want) {
				t.Errorf("total %d, want %d", total, len(tc.want))
			}
			if tc.f.Page == 2 && total != 5 {
				t.Errorf("total %d, want 5", total)
			}
			// The to-do panel's count of the same list is the page's total.
			if n, estimated, err := st.CountCases(ctx, tc.f); err != nil || n != total || estimated {
				t.Errorf("counted %d (estimated %v, %v), the list's total is %d", n, estimated, err, total)
			}
		})
	}
}

func TestCursorPagesThroughEveryCaseOnceEvenWhenTheyShareACreationTime(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	for i := range 7 {
		c := newCase(fmt.Sprintf("PT-2026-%06d", i+1), "triage", "")
		c.CreatedAt = c.CreatedAt.Add(time.Duration(i/3) * time.Minute) // three by three at the same instant
		if _, err := st.Project(ctx, domain.Projection{Case: c, Events: []domain.Event{event(c.ID, 1, "created")}}); err != nil {
			t.Fatal(err)
		}
	}
	// newest first; within one instant, highest id first
	want := []string{"PT-2026-000007", "PT-2026-000006", "PT-2026-000005", "PT-2026-000004", "PT-2026-000003", "PT-2026-000002", "PT-2026-000001"}
	var got []string
	f := store.CaseFilter{PageSize: 2}
	for pages := 0; ; pages++ {
		if pages > 4 {
			t.Fatalf("more than 4 pages: %v", got)
		}
		page, err := st.ListCases(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Items {
			got = append(got, c.ID)
		}
		if page.Next == nil {
			break
		}
		f.After = page.Next
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestLargeTotalsAreEstimatedAndSaySo(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	const n = 3000
	if err := st.SeedSynthetic(ctx, n, 2026, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	page, err := st.ListCases(ctx, store.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if !page.TotalEstimated || page.Total < store.ExactTotalUpTo+1 || page.Total > 2*n {
		t.Errorf("total %d (estimated %v), want an estimate near %d", page.Total, page.TotalEstimated, n)
	}
	if count, estimated, err := st.CountCases(ctx, store.CaseFilter{}); err != nil || count != page.Total || !estimated {
		t.Errorf("every case counted %d (estimated %v, %v), the list's total is the estimate %d", count, estimated, err, page.Total)
	}
	if len(page.Items) != 20 || page.Items[0].ID != fmt.Sprintf("SY-2026-%06d", n) {
		t.Errorf("first page starts with %s (%d items), want the newest synthetic case", page.Items[0].ID, len(page.Items))
	}
	// A filter that keeps few cases is counted exactly.
	page, err = st.ListCases(ctx, store.CaseFilter{Status: "triage"})
	if err != nil {
		t.Fatal(err)
	}
	if page.TotalEstimated || page.Total == 0 || page.Total > store.ExactTotalUpTo {
		t.Errorf("triage: total %d (estimated %v), want a small exact count", page.Total, page.TotalEstimated)
	}
	triage, err := st.CountForTest(ctx, `SELECT count(*) FROM cases WHERE status = 'triage'`)
	if err != nil {
		t.Fatal(err)
	}
	if count, estimated, err := st.CountCases(ctx, store.CaseFilter{Status: "triage"}); err != nil || count != triage || estimated {
		t.Errorf("triage counted %d (estimated %v, %v), there are %d", count, estimated, err, triage)
	}
	for _, c := range page.Items {
		if c.Status != "triage" {
			t.Errorf("%s is %s", c.ID, c.Status)
		}
	}
	// The synthetic timelines are chained like real ones.
	if err := st.VerifyTimeline(ctx, "SY-2026-000001"); err != nil {
		t.Error(err)
	}
	page, err = st.ListCases(ctx, store.CaseFilter{Query: "停电"})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total == 0 {
		t.Error("no synthetic case mentions 停电")
	}
	for _, c := range page.Items {
		if !strings.Contains(c.Title+c.Description, "停电") {
			t.Errorf("%s found by 停电: %s %s", c.ID, c.Title, c.Description)
		}
	}
}

// TestALargeListsTotalIsPlannedOnceForSecondsAndItsCasesAreAlwaysFresh: a large list's
// estimated total is the planner's of up to five seconds ago (an office opening its inbox
// again is not planned again), while the cases on the page are read afresh each time; once
// the five seconds are up, the total follows the table.
func TestALargeListsTotalIsPlannedOnceForSecondsAndItsCasesAreAlwaysFresh(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	st.EstimatesAt(func() time.Time { return now })
	if err := st.SeedSynthetic(ctx, 3000, 2025, now); err != nil {
		t.Fatal(err)
	}
	if err := st.ExecForTest(ctx, `ANALYZE cases`); err != nil {
		t.Fatal(err)
	}
	first, err := st.ListCases(ctx, store.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if !first.TotalEstimated || first.Total < 2000 || first.Total > 4000 {
		t.Fatalf("3,000 cases: total %d (estimated %v)", first.Total, first.TotalEstimated)
	}
	if err := st.SeedSynthetic(ctx, 6000, 2026, now); err != nil {
		t.Fatal(err)
	}
	if err := st.ExecForTest(ctx, `ANALYZE cases`); err != nil {
		t.Fatal(err)
	}
	now = now.Add(4 * time.Second)
	again, err := st.ListCases(ctx, store.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Total != first.Total {
		t.Errorf("4 s later: total %d, want the estimate planned before, %d", again.Total, first.Total)
	}
	if len(again.Items) == 0 || !strings.HasPrefix(again.Items[0].ID, "SY-2026-") {
		t.Errorf("4 s later the page does not start with a case written since: %v", again.Items[0].ID)
	}
	// Another filter is planned on its own.
	if handling, err := st.ListCases(ctx, store.CaseFilter{Status: "handling"}); err != nil || handling.Total == first.Total {
		t.Errorf("handling: total %d (%v), the default list's %d", handling.Total, err, first.Total)
	}
	now = now.Add(time.Second)
	later, err := st.ListCases(ctx, store.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if later.Total < 7000 || later.Total > 11000 {
		t.Errorf("5 s later: total %d, want the 9,000 cases planned again", later.Total)
	}
}

func TestTamperedTimelineFailsVerification(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	c := newCase("PT-2026-000009", "triage", "")
	c.LastSeq = 2
	if _, err := st.Project(ctx, domain.Projection{Case: c, Events: []domain.Event{event(c.ID, 1, "created"), event(c.ID, 2, "commented")}}); err != nil {
		t.Fatal(err)
	}
	if err := st.VerifyTimeline(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.ExecForTest(ctx, `UPDATE case_events SET data = '{"note":"改过"}' WHERE case_id = $1 AND seq = 1`, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.VerifyTimeline(ctx, c.ID); err == nil {
		t.Fatal("an edited event passed verification")
	}
}

func TestUsersAndSessions(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	if _, err := st.Authenticate(ctx, "member", "wrong"); !errors.Is(err, store.ErrUnauthorized) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := st.Authenticate(ctx, "nobody", "demo"); !errors.Is(err, store.ErrUnauthorized) {
		t.Fatalf("unknown user: %v", err)
	}
	u, err := st.Authenticate(ctx, "unit-hanjiang", "demo")
	if err != nil || u.Role != "unit" || u.Unit != "hanjiang" {
		t.Fatalf("demo unit user: %+v %v", u, err)
	}
	token, _, err := st.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.UserByToken(ctx, token); err != nil || got.Username != "unit-hanjiang" {
		t.Fatalf("token: %+v %v", got, err)
	}
	expired, _, _ := st.CreateSession(ctx, u.ID, -time.Minute)
	if _, err := st.UserByToken(ctx, expired); !errors.Is(err, store.ErrUnauthorized) {
		t.Fatalf("expired token: %v", err)
	}
	if err := st.CreateUser(ctx, store.NewUser{Username: "member", Role: "member_dept", Password: "x"}, false); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate user: %v", err)
	}
	if err := st.CreateUser(ctx, store.NewUser{Username: "u2", Role: "unit", Unit: "atlantis", Password: "x"}, false); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown unit: %v", err)
	}
}

func TestAReadIsRecordedWithoutWaitingForTheDiskWhileCasesStillWait(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	if err := st.RecordSensitiveReads(ctx, "member", "PT-2026-900001", "PT-2026-900002"); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordSensitiveReads(ctx, "unit-hanjiang", "PT-2026-900001"); err != nil {
		t.Fatal(err)
	}
	reads, err := st.SensitiveReads(ctx, "PT-2026-900001")
	if err != nil || len(reads) != 2 || reads[0].Username != "member" || reads[1].Username != "unit-hanjiang" {
		t.Fatalf("the case's sensitive reads: %+v %v", reads, err)
	}
	if reads, _ := st.SensitiveReads(ctx, "PT-2026-900002"); len(reads) != 1 {
		t.Fatalf("the other case's: %+v", reads)
	}
	// An answer showing a case's amount, its timeline and the enterprise's contact is one
	// read of each.
	var r store.Reads
	r.Case("PT-2026-900003")
	r.Case("PT-2026-900003")
	r.Enterprise("ent-001")
	r.Enterprise("ent-001")
	if err := st.RecordReads(ctx, "unit-hanjiang", r); err != nil {
		t.Fatal(err)
	}
	if reads, _ := st.SensitiveReads(ctx, "PT-2026-900003"); len(reads) != 1 || reads[0].Username != "unit-hanjiang" {
		t.Errorf("the case read once with its contact: %+v", reads)
	}
	if n, err := st.ContactReadsForTest(ctx, "ent-001"); err != nil || n != 1 {
		t.Errorf("reads of the enterprise's contacts: %d %v", n, err)
	}
	if err := st.RecordReads(ctx, "unit-hanjiang", store.Reads{}); err != nil {
		t.Errorf("nothing to record: %v", err)
	}
	// An enterprise's page shows its contacts and no case.
	if err := st.RecordReads(ctx, "member", store.Reads{Enterprises: []string{"ent-001"}}); err != nil {
		t.Errorf("a read of contacts alone: %v", err)
	}
	if n, err := st.ContactReadsForTest(ctx, "ent-001"); err != nil || n != 2 {
		t.Errorf("reads of the enterprise's contacts: %d %v; want 2", n, err)
	}
	cases, records, err := st.CommitModesForTest(ctx)
	if err != nil || cases != "on" || records != "off" {
		t.Fatalf("synchronous_commit: cases %q, records of reads %q (%v); want on and off", cases, records, err)
	}
}

func TestReadsRecordedACaseARowAreTheSameReadsAfterMigration28AndBackAgain(t *testing.T) {
	ctx := context.Background()
	st := storetest.Empty(t)
	if err := st.MigrateToForTest(ctx, 27); err != nil {
		t.Fatal(err)
	}
	at := func(minute int) time.Time { return time.Date(2026, 11, 30, 9, minute, 0, 0, time.UTC) }
	// As versions before it recorded an answer: a row per case, sharing the statement's time.
	for _, r := range []struct {
		user  string
		cases []string
		at    time.Time
	}{
		{"member", []string{"PT-2026-000001", "PT-2026-000002"}, at(1)},
		{"unit-hanjiang", []string{"PT-2026-000001"}, at(2)},
		{"member", []string{"PT-2026-000003"}, at(3)},
		{"office-party", []string{"PT-2026-000002", "PT-2026-000003", "PT-2026-000001"}, at(3)},
	} {
		if err := st.ExecForTest(ctx, `INSERT INTO sensitive_reads (case_id, username, at) SELECT unnest($1::text[]), $2, $3`,
			r.cases, r.user, r.at); err != nil {
			t.Fatal(err)
		}
	}
	before, n, err := st.DigestForTest(ctx, "(SELECT case_id, username, at FROM sensitive_reads ORDER BY id)", "at, username, case_id")
	if err != nil || n != 7 {
		t.Fatalf("the reads written as before: %d rows, %v", n, err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	type read struct {
		user string
		at   time.Time
	}
	for id, want := range map[string][]read{
		"PT-2026-000001": {{"member", at(1)}, {"unit-hanjiang", at(2)}, {"office-party", at(3)}},
		"PT-2026-000002": {{"member", at(1)}, {"office-party", at(3)}},
		"PT-2026-000003": {{"member", at(3)}, {"office-party", at(3)}},
		"PT-2026-000004": nil,
	} {
		reads, err := st.SensitiveReads(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []read
		for _, r := range reads {
			got = append(got, read{r.Username, r.At.UTC()})
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s was read %v; want %v", id, got, want)
		}
	}
	if n, err := st.CountForTest(ctx, `SELECT count(*) FROM sensitive_reads`); err != nil || n != 4 {
		t.Errorf("%d rows after the migration (%v); want one an answer, 4", n, err)
	}
	// A read recorded after it is found with those before it.
	if err := st.RecordSensitiveReads(ctx, "member", "PT-2026-000004", "PT-2026-000001"); err != nil {
		t.Fatal(err)
	}
	if reads, _ := st.SensitiveReads(ctx, "PT-2026-000001"); len(reads) != 4 || reads[3].Username != "member" {
		t.Errorf("PT-2026-000001's reads with a new one: %+v", reads)
	}
	if err := st.ExecForTest(ctx, `DELETE FROM sensitive_reads WHERE at > $1`, at(3)); err != nil {
		t.Fatal(err)
	}
	if err := st.MigrateDownToForTest(ctx, 27); err != nil {
		t.Fatal(err)
	}
	after, n, err := st.DigestForTest(ctx, "(SELECT case_id, username, at FROM sensitive_reads ORDER BY id)", "at, username, case_id")
	if err != nil || n != 7 || after != before {
		t.Errorf("undone, %d rows (%v), the same reads: %v; want 7 and the same", n, err, after == before)
	}
}

func TestSeedDemoIsIdempotent(t *testing.T) {
	ctx := context.Background()
	st := newStore(t) // seeded once
	if err := st.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	units, _ := st.ListUnits(ctx)
	ents, _ := st.ListEnterprises(ctx)
	if len(units) != 20 || len(ents) != 12 {
		t.Errorf("%d units, %d enterprises; want 20 and 12", len(units), len(ents))
	}
	if units[0].ID != "chengxiang" || units[0].Name != "城厢区" {
		t.Errorf("first unit %+v", units[0])
	}
}

func TestRuleSetsOnlyMoveForward(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	if _, err := st.ActiveRuleSet(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no rule set yet: %v", err)
	}
	for _, v := range []int64{1, 5} {
		if err := st.SaveRuleSet(ctx, store.RuleSetRecord{Version: v, Source: fmt.Sprintf("version: %d", v), RuleCount: 1, UploadedBy: "admin"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SaveRuleSet(ctx, store.RuleSetRecord{Version: 3, Source: "x", UploadedBy: "admin"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("older version: %v", err)
	}
	active, err := st.ActiveRuleSet(ctx)
	if err != nil || active.Version != 5 || active.Source != "version: 5" || active.UploadedBy != "admin" {
		t.Fatalf("active %+v %v", active, err)
	}
	history, _ := st.RuleSetHistory(ctx)
	if len(history) != 2 || history[0].Version != 5 || history[1].Version != 1 {
		t.Errorf("history %+v", history)
	}
}

func TestCaseHistoryCountsForRouting(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	quarter := time.Date(2026, 10, 1, 0, 0, 0, 0, domain.Shanghai) // as domain.QuarterStart gives it
	add := func(id, enterprise, category, status string, at time.Time) {
		c := newCase(id, status, "")
		c.EnterpriseID, c.Category, c.CreatedAt = enterprise, category, at
		if _, err := st.Project(ctx, domain.Projection{Case: c, Events: []domain.Event{event(id, 1, "created")}}); err != nil {
			t.Fatal(err)
		}
	}
	in := quarter.Add(24 * time.Hour)
	add("PT-2026-000001", "ent-001", "power", "handling", in)                    // licheng
	add("PT-2026-000002", "ent-001", "power", "closed", in)                      // licheng
	add("PT-2026-000003", "ent-009", "power", "triage", in)                      // licheng, another enterprise
	add("PT-2026-000004", "ent-009", "power", "triage", quarter.Add(-time.Hour)) // last quarter
	add("PT-2026-000005", "ent-002", "power", "triage", in)                      // hanjiang
	add("PT-2026-000006", "ent-001", "land", "closed", in)
	add("PT-2026-000007", "ent-001", "power", "triage", in) // the case being routed

	h, err := st.CaseHistoryFor(ctx, "ent-001", "PT-2026-000007", "power", quarter)
	if err != nil {
		t.Fatal(err)
	}
	if h.OpenByCategory["power"] != 1 || h.PastByCategory["power"] != 1 || h.PastByCategory["land"] != 1 {
		t.Errorf("enterprise history %+v", h)
	}
	// Licheng, power, this quarter, other cases still open: 000001 and 000003.
	if h.CountyOpenSameCategory != 2 {
		t.Errorf("county open %d, want 2", h.CountyOpenSameCategory)
	}
	// ent-001 itself and ent-009.
	if h.CountyEnterprisesSameCategory != 2 {
		t.Errorf("county enterprises %d, want 2", h.CountyEnterprisesSameCategory)
	}
	// An enterprise whose only case is the one being routed has no history at all.
	h, err = st.CaseHistoryFor(ctx, "ent-002", "PT-2026-000005", "power", quarter)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.OpenByCategory) != 0 || len(h.PastByCategory) != 0 || h.CountyOpenSameCategory != 0 || h.CountyEnterprisesSameCategory != 1 {
		t.Errorf("history of an enterprise's first case %+v", h)
	}
	// A case not written yet (routing before intake) leaves nothing out.
	h, err = st.CaseHistoryFor(ctx, "ent-001", "", "power", quarter)
	if err != nil {
		t.Fatal(err)
	}
	if h.OpenByCategory["power"] != 2 || h.CountyOpenSameCategory != 3 {
		t.Errorf("history without a case of its own %+v", h)
	}
}

// The counts routing reads (case_counts, migration 00025) are the cases' own whatever wrote
// them: cases written before the migration, the synthetic cases' COPY, intake, every change
// of status (closing and reopening among them) and of category, a deletion. They are held to counts
// made in Go from the cases themselves, by domain.QuarterStart.
func TestRoutingsCountsAreTheCasesCountedWhateverWroteThem(t *testing.T) {
	ctx := context.Background()
	st := storetest.Empty(t)
	if err := st.MigrateToForTest(ctx, 24); err != nil {
		t.Fatal(err)
	}
	if err := st.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(23, 25))
	written := map[string]domain.Case{}
	var migrated bool
	write := func(n int) {
		enterprises, categories := []string{"ent-001", "ent-002", "ent-003"}, []string{"power", "land", "finance"}
		statuses := []string{"triage", "referral", "handling", "follow_up", "closed"}
		for range n {
			var c domain.Case
			if len(written) == 0 || rng.IntN(3) == 0 {
				c = newCase(fmt.Sprintf("PT-2026-%06d", len(written)+1), "triage", "")
				c.EnterpriseID, c.Category = enterprises[rng.IntN(3)], categories[rng.IntN(3)]
				// Within a few hours of a quarter's start, Shanghai's and UTC's quarters differ.
				c.CreatedAt = time.Date(2026, time.Month(1+3*rng.IntN(4)), 1, rng.IntN(24)-12, 0, 0, 0, time.UTC)
			} else {
				c = written[fmt.Sprintf("PT-2026-%06d", 1+rng.IntN(len(written)))]
				c.LastSeq++
				c.Status = statuses[rng.IntN(len(statuses))]
				if rng.IntN(4) == 0 {
					c.Category = categories[rng.IntN(3)]
				}
			}
			writeCase(t, st, c, migrated)
			written[c.ID] = c
		}
	}
	write(60)
	migrated = true
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.SeedSynthetic(ctx, 300, 2026, now); err != nil {
		t.Fatal(err)
	}
	write(400)
	// caseflow deletes no case; an operator who does takes it off its count too.
	if err := st.ExecForTest(ctx, `WITH gone AS (SELECT id FROM cases WHERE id IN ('PT-2026-000001', 'SY-2026-000001')),
		a AS (DELETE FROM case_snapshots WHERE id IN (SELECT id FROM gone)),
		b AS (DELETE FROM case_units WHERE case_id IN (SELECT id FROM gone)),
		c AS (DELETE FROM case_leaders WHERE case_id IN (SELECT id FROM gone)),
		d AS (DELETE FROM case_events WHERE case_id IN (SELECT id FROM gone)),
		e AS (DELETE FROM notifications WHERE case_id IN (SELECT id FROM gone)),
		f AS (DELETE FROM supervision_notices WHERE case_id IN (SELECT id FROM gone))
		DELETE FROM cases WHERE id IN (SELECT id FROM gone)`); err != nil {
		t.Fatal(err)
	}

	cases, err := st.RowsForTest(ctx, `SELECT enterprise_id, category, status, created_at FROM cases`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int64{}
	for _, r := range cases {
		key := fmt.Sprint(r[0], " ", r[1], " ", domain.QuarterStart(r[3].(time.Time)).Format(time.RFC3339))
		n := want[key]
		if r[2] == "closed" {
			n[1]++
		} else {
			n[0]++
		}
		want[key] = n
	}
	counts, err := st.RowsForTest(ctx, `SELECT enterprise_id, category, quarter, open, closed FROM case_counts WHERE open <> 0 OR closed <> 0`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int64{}
	for _, r := range counts {
		got[fmt.Sprint(r[0], " ", r[1], " ", r[2].(time.Time).In(domain.Shanghai).Format(time.RFC3339))] = [2]int64{r[3].(int64), r[4].(int64)}
	}
	if len(written) < 100 || len(cases) < len(written)+300-2 || !maps.Equal(got, want) {
		t.Errorf("%d cases; counted (open, closed) by enterprise, category and quarter:\n%v\nthe cases counted:\n%v", len(cases), got, want)
	}
}

// writeCase writes a case, first written or moved on: through store.Project once the
// database is migrated, before that as the versions before migration 00026 did.
func writeCase(t *testing.T, st *store.Store, c domain.Case, migrated bool) {
	t.Helper()
	if !migrated {
		writeAsBefore(t, st, c)
		return
	}
	// Its events up to its last, each as its first projection wrote it (the store skips
	// those written): a case written as the versions before did has none.
	var events []domain.Event
	for seq := 1; seq <= c.LastSeq; seq++ {
		events = append(events, event(c.ID, seq, "x"))
	}
	if _, err := st.Project(context.Background(), domain.Projection{Case: c, Events: events}); err != nil {
		t.Fatal(err)
	}
}

// writeAsBefore writes a case straight into its table, its units' and its leaders', whose
// rows had no status before migration 00026; today's store.Project writes what today's
// migrations added.
func writeAsBefore(t *testing.T, st *store.Store, c domain.Case) {
	t.Helper()
	if err := st.ExecForTest(context.Background(), `WITH u AS (INSERT INTO case_units (unit, at, case_id)
			SELECT DISTINCT unnest($10::text[]), $12::timestamptz, $1 ON CONFLICT DO NOTHING),
		l AS (INSERT INTO case_leaders (leader, at, case_id, via)
			SELECT username, $12::timestamptz, $1, 'raised' FROM users WHERE username = $11 AND role = 'leader' ON CONFLICT DO NOTHING)
		INSERT INTO cases (id, status, title, description, category, list, enterprise_id, lead_unit, co_units,
			referred_units, created_by, last_seq, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13, $12, $12)
		ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, category = EXCLUDED.category, lead_unit = EXCLUDED.lead_unit,
			referred_units = EXCLUDED.referred_units, last_seq = EXCLUDED.last_seq`,
		c.ID, c.Status, c.Title, c.Description, c.Category, c.List, c.EnterpriseID, c.LeadUnit, domain.NonNil(c.CoUnits),
		domain.NonNil(c.ReferredUnits), c.CreatedBy, c.CreatedAt, c.LastSeq); err != nil {
		t.Fatal(err)
	}
}

func TestAUnitsOrALeadersListOfOneStatusIsTheirCasesInThatStatusWhateverWroteThem(t *testing.T) {
	ctx := context.Background()
	st := storetest.Empty(t)
	if err := st.MigrateToForTest(ctx, 25); err != nil {
		t.Fatal(err)
	}
	if err := st.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(26, 26))
	units := []string{"power-supply", "natural-resources", "market-regulation"}
	statuses := []string{"triage", "referral", "handling", "follow_up", "closed"}
	written := map[string]domain.Case{}
	write := func(n int, migrated bool) {
		for range n {
			var c domain.Case
			if len(written) == 0 || rng.IntN(3) == 0 {
				c = newCase(fmt.Sprintf("PT-2026-%06d", len(written)+1), "handling", units[rng.IntN(3)], units[rng.IntN(3)])
				c.CreatedAt = c.CreatedAt.Add(time.Duration(len(written)) * time.Minute)
			} else {
				c = written[fmt.Sprintf("PT-2026-%06d", 1+rng.IntN(len(written)))]
				c.LastSeq++
			}
			c.Status = statuses[rng.IntN(len(statuses))]
			if rng.IntN(4) == 0 { // referred again, to another unit
				c.LeadUnit = units[rng.IntN(3)]
				c.ReferredUnits = append(slices.Clone(c.ReferredUnits), c.LeadUnit)
			}
			writeCase(t, st, c, migrated)
			written[c.ID] = c
		}
	}
	write(60, false)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.SeedSynthetic(ctx, 300, 2026, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	write(300, true)
	// An operator who changes a case's status by hand changes it in its units' lists too.
	if err := st.ExecForTest(ctx, `UPDATE cases SET status = 'closed' WHERE id IN ('PT-2026-000002', 'SY-2026-000007')`); err != nil {
		t.Fatal(err)
	}

	stale, err := st.RowsForTest(ctx, `SELECT cu.unit, cu.case_id, cu.case_status, c.status
		FROM case_units cu JOIN cases c ON c.id = cu.case_id WHERE cu.case_status <> c.status
		UNION ALL SELECT cl.leader, cl.case_id, cl.case_status, c.status
		FROM case_leaders cl JOIN cases c ON c.id = cl.case_id WHERE cl.case_status <> c.status`)
	if err != nil || len(stale) > 0 {
		t.Errorf("units' and leaders' rows whose status is not their case's (unit or leader, case, in the row, the case's): %v %v", stale, err)
	}
	type list struct {
		who  string
		f    store.CaseFilter
		want string // the cases of the list, any status
	}
	var lists []list
	for _, unit := range units {
		lists = append(lists, list{unit, store.CaseFilter{VisibleToUnit: unit}, `SELECT id, status, created_at FROM cases WHERE $1 = ANY (referred_units)`})
	}
	for _, leader := range []string{"leader1", "leader2"} {
		lists = append(lists, list{leader, store.CaseFilter{FollowedBy: leader},
			`SELECT id, status, created_at FROM cases c WHERE EXISTS (SELECT 1 FROM case_leaders cl WHERE cl.case_id = c.id AND cl.leader = $1)`})
	}
	for _, l := range lists {
		for _, status := range statuses {
			want, err := st.RowsForTest(ctx, `SELECT id FROM (`+l.want+`) AS c WHERE status = $2
				ORDER BY created_at DESC, id DESC`, l.who, status)
			if err != nil {
				t.Fatal(err)
			}
			f := l.f
			f.Status, f.SearchSensitive, f.PageSize = status, true, 20
			page, err := st.ListCases(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var got, first []string
			for _, c := range page.Items {
				got = append(got, c.ID)
			}
			for _, r := range want[:min(20, len(want))] {
				first = append(first, r[0].(string))
			}
			n, _, err := st.CountCases(ctx, f)
			if !slices.Equal(got, first) || page.Total != len(want) || n != len(want) || err != nil {
				t.Errorf("%s's cases in %s: listed %v (total %d, counted %d, %v), the cases are %v (%d)",
					l.who, status, got, page.Total, n, err, first, len(want))
			}
		}
	}
}

func TestCasesWrittenBeforeFastListsAreFoundAndReadAfterTheUpgrade(t *testing.T) {
	ctx := context.Background()
	st := storetest.Empty(t)
	if err := st.MigrateToForTest(ctx, 4); err != nil {
		t.Fatal(err)
	}
	if err := st.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	c := newCase("PT-2026-000042", "handling", "power-supply")
	c.Title = "厂区频繁停电"
	snapshot, _ := json.Marshal(c)
	if err := st.ExecForTest(ctx, `INSERT INTO cases (id, status, title, description, category, list, enterprise_id,
		lead_unit, referred_units, created_by, last_seq, snapshot, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'power', 'problem', 'ent-001', 'power-supply', '{power-supply}', 'leader1', 1, $5, $6, $6)`,
		c.ID, c.Status, c.Title, c.Description, snapshot, c.CreatedAt); err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetCase(ctx, c.ID)
	if err != nil || got.Title != c.Title {
		t.Fatalf("after the upgrade: %+v, %v", got, err)
	}
	for _, f := range []store.CaseFilter{{Query: "停电"}, {VisibleToUnit: "power-supply"}, {Unit: "power-supply"}} {
		page, err := st.ListCases(ctx, f)
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != c.ID || page.Total != 1 {
			t.Errorf("list %+v after the upgrade: %+v, %v", f, page, err)
		}
	}
	// The case moves on as before.
	c.Status, c.LastSeq = "follow_up", 2
	if _, err := st.Project(ctx, domain.Projection{Case: c, Events: []domain.Event{event(c.ID, 1, "created"), event(c.ID, 2, "completed")}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.GetCase(ctx, c.ID); got.Status != "follow_up" {
		t.Errorf("after a projection: %s", got.Status)
	}
}

func TestACaseKeepsTheCreationTimeFirstWrittenWhenItsFirstTaskRunsAgain(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	first := newCase("PT-2026-000077", "triage", "")
	if _, err := st.Project(ctx, domain.Projection{Case: first, Events: []domain.Event{event(first.ID, 1, "created")}}); err != nil {
		t.Fatal(err)
	}
	// The worker died before the task completed: the task runs again, later, and goes on.
	again := first
	again.CreatedAt = first.CreatedAt.Add(7 * time.Second)
	if _, err := st.Project(ctx, domain.Projection{Case: again, Events: []domain.Event{event(first.ID, 1, "created")}}); err != nil {
		t.Fatal(err)
	}
	again.LastSeq = 2
	if _, err := st.Project(ctx, domain.Projection{Case: again, Events: []domain.Event{event(first.ID, 2, "routed")}}); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetCase(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(first.CreatedAt.Truncate(time.Microsecond)) || got.LastSeq != 2 {
		t.Errorf("created at %v (seq %d), want the first %v", got.CreatedAt, got.LastSeq, first.CreatedAt)
	}
	page, err := st.ListCases(ctx, store.CaseFilter{PageSize: 1})
	if err != nil || len(page.Items) != 1 || !page.Items[0].CreatedAt.Equal(got.CreatedAt) {
		t.Fatalf("list: %+v %v", page, err)
	}
}

func TestAnImportUpdatesEnterprisesByNameAndAddsTheOthers(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	before, _ := st.ListEnterprises(ctx)
	existing := before[0]
	rows := []domain.Enterprise{
		{Name: existing.Name, County: existing.County, MemberKind: "vice_chair", ContactPhone: "13800000000"},
		{Name: "新企业甲", County: "licheng", MemberKind: "chamber"},
		{Name: "新企业乙", County: "xiuyu"},
	}
	imported, updated, err := st.ImportEnterprises(ctx, rows, true) // a dry run writes nothing
	if err != nil || imported != 2 || updated != 1 {
		t.Fatalf("dry run: %d %d %v", imported, updated, err)
	}
	if after, _ := st.ListEnterprises(ctx); len(after) != len(before) {
		t.Fatalf("a dry run wrote: %d → %d", len(before), len(after))
	}
	if imported, updated, err = st.ImportEnterprises(ctx, rows, false); err != nil || imported != 2 || updated != 1 {
		t.Fatalf("import: %d %d %v", imported, updated, err)
	}
	got, _ := st.GetEnterprise(ctx, existing.ID)
	if got.MemberKind != "vice_chair" || got.ContactPhone != "13800000000" {
		t.Errorf("the existing enterprise keeps its id and takes the row: %+v", got)
	}
	// The same file again only updates.
	if imported, updated, err = st.ImportEnterprises(ctx, rows, false); err != nil || imported != 0 || updated != 3 {
		t.Errorf("again: %d %d %v", imported, updated, err)
	}
	if after, _ := st.ListEnterprises(ctx); len(after) != len(before)+2 {
		t.Errorf("%d enterprises, want %d", len(after), len(before)+2)
	}
}

// BenchmarkImportEnterprises writes 10,000 enterprises in one import (go test -bench
// ImportEnterprises ./activities/store); the first run adds them, later ones update them.
func BenchmarkImportEnterprises(b *testing.B) {
	ctx := context.Background()
	st := newStore(b)
	rows := make([]domain.Enterprise, 10_000)
	for i := range rows {
		rows[i] = domain.Enterprise{Name: fmt.Sprintf("莆田企业%05d", i), County: "chengxiang", MemberKind: "standing_member",
			IndustryChain: "鞋服", Size: "medium", ContactName: "联系人", ContactPhone: "13900000000"}
	}
	for b.Loop() {
		if _, _, err := st.ImportEnterprises(ctx, rows, false); err != nil {
			b.Fatal(err)
		}
	}
}

// TestADemoVisitingSeedCutShortIsFinishedByTheNextStartADayLater: a first start stopped
// while the demo's visiting side was being written (here: its context ends, sooner or
// later, until one seeding stops half-way) leaves visits but no links, and the next start, a
// day later, finishes it: the visits are those one whole seeding that day writes, each once.
func TestADemoVisitingSeedCutShortIsFinishedByTheNextStartADayLater(t *testing.T) {
	ctx := context.Background()
	today := time.Date(2026, 11, 27, 12, 0, 0, 0, domain.Shanghai)
	later := today.AddDate(0, 0, 1)
	visits := func(st *store.Store) []string {
		t.Helper()
		vs, _, err := st.ListVisits(ctx, store.VisitFilter{PageSize: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range vs {
			out = append(out, fmt.Sprint(v.Leaders, v.Date, v.EnterpriseIDs))
		}
		slices.Sort(out)
		return out
	}
	whole := newStore(t)
	if err := whole.SeedDemoVisiting(ctx, later); err != nil {
		t.Fatal(err)
	}
	want := visits(whole)

	cut := newStore(t)
	for d := time.Millisecond; ; d *= 2 {
		if d > 10*time.Second {
			t.Fatal("no seeding was stopped half-way")
		}
		short, cancel := context.WithTimeout(ctx, d)
		err := cut.SeedDemoVisiting(short, today)
		cancel()
		if err == nil {
			t.Fatal("a seeding finished before one was stopped half-way; nothing to finish")
		}
		if len(visits(cut)) > 0 {
			break // stopped half-way
		}
	}
	if links, err := cut.LeaderLinks(ctx, "leader1", 2026); err != nil || len(links) > 0 {
		t.Fatalf("a seeding stopped half-way left %d links (%v); want none, so that the next one runs", len(links), err)
	}
	if err := cut.SeedDemoVisiting(ctx, later); err != nil {
		t.Fatal(err)
	}
	if got := visits(cut); !slices.Equal(got, want) {
		t.Errorf("after a seeding cut short and one a day later: %d visits, want the %d of one whole seeding", len(got), len(want))
	}
	if links, err := cut.LeaderLinks(ctx, "leader1", 2026); err != nil || len(links) != 85 {
		t.Errorf("leader1 has %d links (%v), want 85", len(links), err)
	}
}

func TestTheDemosVisitingSideMeetsTheMinimumsForLeader1AndFallsShortForLeader2(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	today := time.Date(2026, 11, 28, 12, 0, 0, 0, domain.Shanghai)
	for range 2 { // a second run changes nothing
		if err := st.SeedDemoVisiting(ctx, today); err != nil {
			t.Fatal(err)
		}
	}
	all, _ := st.ListEnterprises(ctx)
	names := map[string]bool{}
	for _, e := range all {
		if names[e.Name] {
			t.Errorf("two enterprises named %s", e.Name)
		}
		names[e.Name] = true
	}
	if len(all) != 200 {
		t.Errorf("%d enterprises, want 200", len(all))
	}
	count := func(leader string) map[string]int {
		links, err := st.LeaderLinks(ctx, leader, 2026)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, l := range links {
			n[l.MemberKind]++
		}
		return n
	}
	if n := count("leader1"); n["chamber"] != 5 || n["vice_chair"] != 10 || n["remote_chamber"] != 20 || n["standing_member"] != 50 {
		t.Errorf("leader1's links: %v", n)
	}
	if n := count("leader2"); n["remote_chamber"] != 18 || n["standing_member"] != 50 {
		t.Errorf("leader2's links: %v", n)
	}
	cov, err := st.Coverage(ctx, 2026, "2026-10-01", "2026-12-31")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cov {
		if len(c.Visited) == 0 || len(c.Visited) == len(c.Linked) {
			t.Errorf("%s visited %d of %d in Q4: the demo should show some, not all", c.Leader, len(c.Visited), len(c.Linked))
		}
	}
	visits, total, err := st.ListVisits(ctx, store.VisitFilter{To: "2026-11-28", PageSize: 1})
	if err != nil || total < 40 || visits[0].Date > "2026-11-28" {
		t.Errorf("%d visits (%v), newest %v", total, err, visits)
	}
}

// A search with more matches than a small list holds is paged without the grams index (the
// planner cannot then pick it on a misjudged guess); every page, followed by its cursor,
// must still find exactly the cases LIKE finds, as each reader may search them.
func TestASearchWithManyMatchesPagesThroughExactlyTheCasesThatContainTheWord(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	const n = 20_000
	if err := st.SeedSynthetic(ctx, n, 2026, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	walk := func(f store.CaseFilter) []domain.Case {
		t.Helper()
		f.PageSize = 100
		var all []domain.Case
		for {
			page, err := st.ListCases(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page.Items...)
			if page.Next == nil {
				return all
			}
			f.After = page.Next
		}
	}
	ids := func(cs []domain.Case) []string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = c.ID
		}
		return out
	}
	every := walk(store.CaseFilter{})
	natural := walk(store.CaseFilter{VisibleToUnit: "natural-resources"})
	if len(every) != n {
		t.Fatalf("walked %d cases, want %d", len(every), n)
	}
	for _, tc := range []struct {
		name   string
		f      store.CaseFilter
		within []domain.Case
		want   func(c domain.Case) bool
	}{
		{"the member department, 停电", store.CaseFilter{Query: "停电", SearchSensitive: true}, every,
			func(c domain.Case) bool { return strings.Contains(c.Title+" "+c.Description, "停电") }},
		{"the party office, 停电 (sensitive descriptions only of its own cases)",
			store.CaseFilter{Query: "停电", SearchSensitiveOffice: "party"}, every,
			func(c domain.Case) bool {
				return strings.Contains(c.Title, "停电") ||
					strings.Contains(c.Description, "停电") && (!c.Sensitive || c.Office == "party")
			}},
		{"the natural resources bureau, 公司", store.CaseFilter{Query: "公司", VisibleToUnit: "natural-resources", SearchSensitive: true}, natural,
			func(c domain.Case) bool { return strings.Contains(c.Title+" "+c.Description, "公司") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []domain.Case
			for _, c := range tc.within {
				if tc.want(c) {
					want = append(want, c)
				}
			}
			if len(want) <= store.ExactTotalUpTo+100 {
				t.Fatalf("only %d matches: the search would be a small list", len(want))
			}
			plan, err := st.ExplainListCases(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			page := plan[strings.Index(plan, "Execution Time"):] // the large list's page, after the small list's plan
			// The grams index, if the page has it at all, finds the matches older than its
			// walk's window, and here the walk fills the page before.
			grams := false
			for _, line := range strings.Split(page, "\n") {
				grams = grams || strings.Contains(line, "grams_idx") && !strings.Contains(line, "never executed")
			}
			if !strings.Contains(plan, "served by the large-list page") || grams {
				t.Errorf("the page of %d matches is not served by walking the cases newest first:\n%s", len(want), plan)
			}
			if got := ids(walk(tc.f)); !slices.Equal(got, ids(want)) {
				t.Errorf("found %d cases, want the %d that contain the word (first found %v, first wanted %v)",
					len(got), len(want), got[:min(3, len(got))], ids(want)[:3])
			}
		})
	}
}

func TestOnlyASearchShapedLikeTheStartOfACaseNumberIsLookedUpAsARangeOfNumbers(t *testing.T) {
	for q, want := range map[string][2]string{
		"PT-2026-000123": {"PT-2026-000123", "PT-2026-000124"}, "pt-2026-0": {"PT-2026-0", "PT-2026-1"},
		"sy-": {"SY-", "SY."}, "PT-2026-": {"PT-2026-", "PT-2026."}, "SY-VS-2026": {"SY-VS-2026", "SY-VS-2027"},
		"Sy-2026-00z": {"SY-2026-00Z", "SY-2026-00["},
		// Not the start of a number of caseflow's shape: the grams find them.
		"PT": {}, "PT2026": {}, "P-2026": {}, "2026-000123": {}, "PT-2026-0%": {}, "PT-2026_": {}, "PT-停电": {},
		"PT 2026": {}, "": {}, "-PT-2026": {}, "P1-2026": {},
	} {
		lo, hi, ok := store.CaseNumberPrefix(q)
		if ok != (want != [2]string{}) || lo != want[0] || hi != want[1] {
			t.Errorf("%q: the range [%q, %q) (%v), want [%q, %q)", q, lo, hi, ok, want[0], want[1])
		}
	}
}

func TestTheStartOfACaseNumberTwoCharactersShortOfItsHeadIsReadByEveryHeadItCanHave(t *testing.T) {
	digits := func(prefix string) []string {
		var out []string
		for _, c := range "-0123456789" {
			out = append(out, prefix+string(c))
		}
		return out
	}
	var heads8 []string
	for _, h := range digits("SY-2026-") {
		heads8 = append(heads8, digits(h)...)
	}
	for _, tc := range []struct {
		lo           string
		heads, short []string
	}{
		{"SY-2026-00", []string{"SY-2026-00"}, nil},
		{"SY-2026-0", digits("SY-2026-0"), []string{"SY-2026-0"}},
		{"SY-2026-", heads8, append([]string{"SY-2026-"}, digits("SY-2026-")...)},
		// Longer: its range is at most a head's thousandth, read whole; shorter: its heads
		// would be a thousand; or no number of caseflow's shape starts with it.
		{"SY-2026-001", nil, nil}, {"SY-2026", nil, nil}, {"SY-VS-2026", nil, nil}, {"SY-2026-0A", nil, nil},
	} {
		heads, short := store.CaseNumberHeads(tc.lo)
		if !slices.Equal(heads, tc.heads) || !slices.Equal(short, tc.short) {
			t.Errorf("%q: heads %v and short %v, want %v and %v", tc.lo, heads, short, tc.heads, tc.short)
		}
	}
}

func TestASearchWithLettersIsFirstLookedForByItsLongestPartThatHasNoCase(t *testing.T) {
	for q, want := range map[string]string{
		"SY-2026-00": "-2026-00", "sy-2026-001": "-2026-001", "5G基站": "基站", "GB-50016": "-50016",
		"a1%_b": "1%_", "停电 5G 用地规划": " 用地规划", "PT-2026-000123X": "-2026-000123",
		// Too short to answer much alone, or no part without case: ILIKE alone.
		"wifi": "", "G5G": "", "a1b2c": "", "Ωmega9": "",
		// Letters of other scripts have a case too, in some locale: never in the run.
		"ÉTÉ-2026": "-2026", "Straße 12": " 12",
	} {
		if got := store.CaselessRun(q); got != want {
			t.Errorf("%q: %q, want %q", q, got, want)
		}
	}
}

// A list the planner believes small is counted first; when counting finds it large, it is
// remembered as large, and its next reads go straight to its page, with the same cases.
func TestAListThePlannerBelievedSmallIsReadByItsPageOnceCountingFoundItLarge(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	if err := st.SeedSynthetic(ctx, 3000, 2026, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	// 700 old cases numbered QX-2026-000001…, written after the statistics were taken (and
	// kept from autovacuum's ANALYZE): the planner knows of no number in their range.
	for _, sql := range []string{
		`ALTER TABLE cases SET (autovacuum_enabled = false)`,
		`INSERT INTO cases SELECT (jsonb_populate_record(NULL::cases, to_jsonb(c) || jsonb_build_object('id', 'QX' || substr(id, 3)))).*
			FROM cases AS c WHERE id <= 'SY-2026-000700'`,
		`INSERT INTO case_snapshots (id, snapshot) SELECT 'QX' || substr(id, 3), jsonb_set(snapshot, '{id}', to_jsonb('QX' || substr(id, 3)))
			FROM case_snapshots WHERE id <= 'SY-2026-000700'`,
	} {
		if err := st.ExecForTest(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	f := store.CaseFilter{Query: "QX-2026-000", SearchSensitive: true, PageSize: 20}
	served := func() string {
		t.Helper()
		plan, err := st.ExplainListCases(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(plan, "\n")
		return first
	}
	if first := served(); !strings.Contains(first, "small-list query") {
		t.Fatalf("the planner knew the range: %s", first)
	}
	want, err := st.RowsForTest(ctx, `SELECT id FROM cases WHERE id LIKE 'QX-2026-000%' ORDER BY created_at DESC, id DESC LIMIT 20`)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		page, err := st.ListCases(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if !page.TotalEstimated || page.Total <= store.ExactTotalUpTo || len(page.Items) != 20 {
			t.Fatalf("read %d: total %d (estimated %v), %d cases", i+1, page.Total, page.TotalEstimated, len(page.Items))
		}
		for k, c := range page.Items {
			if c.ID != want[k][0] {
				t.Fatalf("read %d: case %d is %s, want %s", i+1, k, c.ID, want[k][0])
			}
		}
		if now := served(); !strings.Contains(now, "large-list page") {
			t.Errorf("after read %d: %s", i+1, now)
		}
	}
}

func TestAListWhoseMatchesAreOlderThanItsNewestCasesPagesThroughExactlyThemNewestFirst(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	if err := st.SeedSynthetic(ctx, 3000, 2026, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	// Old cases numbered otherwise than caseflow numbers them (copies of old cases): four
	// whose number holds SY-2026-001 — in small letters, after another letter, not at its
	// start, going on with a letter — and one whose does not; and old cases that name such
	// a number in their title or their description. Newer than those, though older than the
	// newest thousand, numbers that start with SY-2025- (or sy-2025-): of caseflow's shape,
	// shorter or longer than a head (ten characters), and of another shape under one.
	for from, id := range map[string]string{"SY-2026-000050": "sy-2026-0019", "SY-2026-000060": "XSY-2026-0015",
		"SY-2026-000070": "PT-SY-2026-001", "SY-2026-000080": "SY-2026-001X", "SY-2026-000090": "SY-2026-02X",
		"SY-2026-001510": "SY-2025-", "SY-2026-001520": "SY-2025-0", "SY-2026-001530": "SY-2025-12",
		"SY-2026-001540": "SY-2025-1234567", "SY-2026-001550": "SY-2025-00Q7", "SY-2026-001560": "sy-2025-0042"} {
		for _, sql := range []string{
			`INSERT INTO cases SELECT (jsonb_populate_record(NULL::cases, to_jsonb(c) || jsonb_build_object('id', $2::text))).* FROM cases AS c WHERE id = $1`,
			`INSERT INTO case_snapshots (id, snapshot) SELECT $2, jsonb_set(snapshot, '{id}', to_jsonb($2::text)) FROM case_snapshots WHERE id = $1`,
		} {
			if err := st.ExecForTest(ctx, sql, from, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Last year's numbers, SY-2025-000001…000700, as old as this year's first 700.
	for _, sql := range []string{
		`INSERT INTO cases SELECT (jsonb_populate_record(NULL::cases, to_jsonb(c) || jsonb_build_object('id', 'SY-2025' || substr(id, 8)))).*
			FROM cases AS c WHERE id BETWEEN 'SY-2026-000001' AND 'SY-2026-000700'`,
		`INSERT INTO case_snapshots (id, snapshot) SELECT 'SY-2025' || substr(id, 8), jsonb_set(snapshot, '{id}', to_jsonb('SY-2025' || substr(id, 8)))
			FROM case_snapshots WHERE id BETWEEN 'SY-2026-000001' AND 'SY-2026-000700'`,
	} {
		if err := st.ExecForTest(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	// The oldest 1,200 cases have a co-handling unit of their own, referred to it, and the
	// newest cases waiting for their referral are proposed to it: none of the other newest.
	// The next hundred were referred to it once and have been referred elsewhere since; one
	// of its own names another unit not referred yet. A unit and a leader see every case:
	// their own lists are large.
	for _, sql := range []string{
		`UPDATE cases SET title = title || '（同 SY-2026-0017）' WHERE id = 'SY-2026-000300'`,
		`UPDATE cases SET description = description || '，见 sy-2026-001 号' WHERE id = 'SY-2026-000400'`,
		`UPDATE cases SET co_units = co_units || '{quiet-unit}', referred_units = referred_units || '{quiet-unit}' WHERE id <= 'SY-2026-001200'`,
		`UPDATE cases SET referred_units = referred_units || '{quiet-unit}' WHERE id BETWEEN 'SY-2026-001201' AND 'SY-2026-001300'`,
		`UPDATE cases SET co_units = co_units || '{quiet-unit}' WHERE status = 'referral'`,
		`UPDATE cases SET co_units = co_units || '{not-yet-referred}' WHERE id = 'SY-2026-001150'`,
		`INSERT INTO case_units (unit, at, case_id, case_status) SELECT 'quiet-unit', created_at, id, status FROM cases WHERE 'quiet-unit' = ANY (referred_units)`,
		`UPDATE cases SET title = title || CASE WHEN id < 'SY-2026-001100' THEN '（5g基站）' ELSE '（5G基站）' END
			WHERE id BETWEEN 'SY-2026-000500' AND 'SY-2026-001700'`,
		`INSERT INTO case_units (unit, at, case_id, case_status) SELECT 'every-unit', created_at, id, status FROM cases`,
		`INSERT INTO case_leaders (leader, at, case_id, case_status, via) SELECT 'every-leader', created_at, id, status, 'raised' FROM cases`,
		`ANALYZE cases`, `ANALYZE case_units`, `ANALYZE case_leaders`,
	} {
		if err := st.ExecForTest(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	// The cases numbered SY-2026-001…: 001000–001999, all older than the newest thousand,
	// and the old ones above.
	like := func(q string) string {
		return fmt.Sprintf(`(id ILIKE '%%%[1]s%%' OR title ILIKE '%%%[1]s%%' OR description ILIKE '%%%[1]s%%')`, q)
	}
	ids := func(cs []domain.Case) []string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = c.ID
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    store.CaseFilter
		want string // the same list, by hand, newest first
	}{
		{"the member department's search for SY-2026-001", store.CaseFilter{Query: "SY-2026-001", SearchSensitive: true},
			`SELECT id FROM cases WHERE ` + like("SY-2026-001") + ` ORDER BY created_at DESC, id DESC`},
		{"the member department's search for sy-2026-001, in small letters", store.CaseFilter{Query: "sy-2026-001", SearchSensitive: true},
			`SELECT id FROM cases WHERE ` + like("SY-2026-001") + ` ORDER BY created_at DESC, id DESC`},
		// Searches whose numbers are read by their heads (caseNumberHeads).
		{"the member department's search for SY-2025-00", store.CaseFilter{Query: "SY-2025-00", SearchSensitive: true},
			`SELECT id FROM cases WHERE ` + like("SY-2025-00") + ` ORDER BY created_at DESC, id DESC`},
		{"the member department's search for sy-2025-0, in small letters", store.CaseFilter{Query: "sy-2025-0", SearchSensitive: true},
			`SELECT id FROM cases WHERE ` + like("SY-2025-0") + ` ORDER BY created_at DESC, id DESC`},
		{"the member department's search for SY-2025-, a year", store.CaseFilter{Query: "SY-2025-", SearchSensitive: true},
			`SELECT id FROM cases WHERE ` + like("SY-2025-") + ` ORDER BY created_at DESC, id DESC`},
		{"the closed cases of the member department's search for SY-2025-0", store.CaseFilter{Query: "SY-2025-0", Status: "closed",
			SearchSensitive: true}, `SELECT id FROM cases WHERE ` + like("SY-2025-0") + ` AND status = 'closed' ORDER BY created_at DESC, id DESC`},
		{"an office's search for SY-2025-0, recording its read", store.CaseFilter{Query: "SY-2025-0", SearchSensitiveOffice: "party",
			Record: &store.ListRecord{Username: "party", Office: "party"}},
			`SELECT id FROM cases WHERE (id ILIKE '%SY-2025-0%' OR title ILIKE '%SY-2025-0%' OR description ILIKE '%SY-2025-0%' AND (NOT sensitive OR office = 'party'))
				ORDER BY created_at DESC, id DESC`},
		{"the member department's search for 5G基站, whatever the case of its letter", store.CaseFilter{Query: "5G基站", SearchSensitive: true},
			`SELECT id FROM cases WHERE ` + like("5G基站") + ` ORDER BY created_at DESC, id DESC`},
		{"the member department's search for 2026-001, the middle of a number", store.CaseFilter{Query: "2026-001", SearchSensitive: true},
			`SELECT id FROM cases WHERE ` + like("2026-001") + ` ORDER BY created_at DESC, id DESC`},
		{"the member department's unit filter, for a unit whose referred cases are old", store.CaseFilter{Unit: "quiet-unit"},
			`SELECT id FROM cases WHERE 'quiet-unit' = ANY (co_units) ORDER BY created_at DESC, id DESC`},
		{"the closed cases of a unit whose cases are old", store.CaseFilter{Unit: "quiet-unit", Status: "closed"},
			`SELECT id FROM cases WHERE 'quiet-unit' = ANY (co_units) AND status = 'closed' ORDER BY created_at DESC, id DESC`},
		{"the member department's unit filter, recording its read", store.CaseFilter{Unit: "quiet-unit", Record: &store.ListRecord{Username: "member"}},
			`SELECT id FROM cases WHERE 'quiet-unit' = ANY (co_units) ORDER BY created_at DESC, id DESC`},
		{"the cases of a unit that an office leads, checked row by row", store.CaseFilter{Unit: "quiet-unit", Office: "party"},
			`SELECT id FROM cases WHERE 'quiet-unit' = ANY (co_units) AND office = 'party' ORDER BY created_at DESC, id DESC`},
		{"the member department's search, recording its read", store.CaseFilter{Query: "SY-2026-001", SearchSensitive: true,
			Record: &store.ListRecord{Username: "member"}},
			`SELECT id FROM cases WHERE ` + like("SY-2026-001") + ` ORDER BY created_at DESC, id DESC`},
		{"a unit's search in its own cases, recording its read", store.CaseFilter{Query: "SY-2026-001", VisibleToUnit: "every-unit",
			SearchSensitive: true, Record: &store.ListRecord{Username: "every-unit-user"}},
			`SELECT id FROM cases WHERE ` + like("SY-2026-001") + ` ORDER BY created_at DESC, id DESC`},
		{"a leader's search in their own cases", store.CaseFilter{Query: "SY-2026-001", FollowedBy: "every-leader", SearchSensitive: true},
			`SELECT id FROM cases WHERE ` + like("SY-2026-001") + ` ORDER BY created_at DESC, id DESC`},
	} {
		rows, err := st.RowsForTest(ctx, tc.want)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]string, len(rows))
		for i, r := range rows {
			want[i] = r[0].(string)
		}
		if len(want) <= store.ExactTotalUpTo+100 {
			t.Fatalf("%s: only %d matches, a small list", tc.name, len(want))
		}
		// The walk's window: none of the newest 100 match; the newest 1,010 hold 9 of the
		// search's matches (001991–001999), fewer than a page; the newest 5,000 are all.
		for _, window := range []int{100, 1010, 5000} {
			t.Run(fmt.Sprintf("%s, checking the newest %d row by row", tc.name, window), func(t *testing.T) {
				store.SetNearWindowForTest(t, window)
				var walked []string
				f := tc.f
				f.PageSize = 25
				for pages := 0; ; pages++ {
					page, err := st.ListCases(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if !page.TotalEstimated {
						t.Fatalf("total %d counted: a small list, not the page of a large one", page.Total)
					}
					walked = append(walked, ids(page.Items)...)
					if f.Record != nil { // the shown cases that hold anything sensitive (an office's: those it leads)
						var held []string
						for _, c := range page.Items {
							if (c.Sensitive || c.AmountCNY != nil) && (f.Record.Office == "" || c.Office == f.Record.Office) {
								held = append(held, c.ID)
							}
						}
						if !slices.Equal(page.Recorded, held) {
							t.Errorf("recorded the read of %v, want %v", page.Recorded, held)
						}
					}
					if page.Next == nil || pages > len(want) {
						break
					}
					f.After = page.Next
				}
				if !slices.Equal(walked, want) {
					t.Errorf("walked by cursor %d cases, want the %d (first walked %v, first wanted %v)",
						len(walked), len(want), walked[:min(3, len(walked))], want[:3])
				}
				for _, n := range []int{1, 2, 7} {
					f := tc.f
					f.Page, f.PageSize = n, 25
					page, err := st.ListCases(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if got := ids(page.Items); !slices.Equal(got, want[(n-1)*25:n*25]) {
						t.Errorf("page %d lists %v, want %v", n, got, want[(n-1)*25:n*25])
					}
				}
			})
		}
	}
	// The page of a search shaped like the start of a case number ran by its generic plan
	// from its first run, and left its connection planning as PostgreSQL chooses.
	pages, err := st.PagePlansForTest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if p.Mode != "auto" {
			t.Errorf("a connection left with plan_cache_mode %s", p.Mode)
		}
	}
	// So did the page of the member department's list of a unit's cases.
	for _, kind := range []struct {
		name string
		is   func(store.PagePlan) bool
	}{
		{"a search for the start of a case number", func(p store.PagePlan) bool { return p.Ranged }},
		{"the member department's list of a unit's cases", func(p store.PagePlan) bool { return p.UnitWalk }},
	} {
		prepared := 0
		for _, p := range pages {
			if kind.is(p) {
				prepared++
				if p.Custom > 0 || p.Generic == 0 {
					t.Errorf("the page of %s planned for its values %d times, by its generic plan %d", kind.name, p.Custom, p.Generic)
				}
			}
		}
		if prepared == 0 {
			t.Errorf("no page of %s is prepared", kind.name)
		}
	}
	// That list walks the unit's own index, and finds its cases not referred yet in theirs.
	plan, err := st.ExplainListCases(ctx, store.CaseFilter{Unit: "quiet-unit", Status: "closed"})
	if err != nil {
		t.Fatal(err)
	}
	if _, page, _ := strings.Cut(plan, "-- the page"); !strings.Contains(page, "Index Only Scan Backward using case_units_status_idx") ||
		!strings.Contains(page, "Bitmap Index Scan on cases_unreferred_units_idx") {
		t.Errorf("the page of a unit's closed cases walks neither the unit's cases nor those not referred yet:\n%s", page)
	}
	// A number's head finds its newest numbers in its own index, not by reading every number
	// in the range and sorting them.
	plan, err = st.ExplainListCases(ctx, store.CaseFilter{Query: "SY-2025-00", SearchSensitive: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, page, _ := strings.Cut(plan, "-- the page"); !strings.Contains(page, "Index Only Scan Backward using cases_id_head_at_idx") {
		t.Errorf("the page of a search for SY-2025-00 reads no head's newest numbers:\n%s", page)
	}
}

func TestAReportCompiledBeforeItsRowsHadATableKeepsEveryRowAfterTheUpgrade(t *testing.T) {
	ctx := context.Background()
	st := storetest.Empty(t)
	if err := st.MigrateToForTest(ctx, 20); err != nil {
		t.Fatal(err)
	}
	if err := st.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	amount := 3_000_000.0
	at := time.Date(2026, 8, 3, 2, 0, 0, 0, time.UTC)
	rows := []store.ReportRow{
		{CaseID: "PT-2026-000001", List: "problem", Enterprise: "莆田鞋业", County: "licheng", Category: "power", Description: "厂区停电",
			LeadUnit: "power-supply", CoUnits: []string{"natural-resources"}, Office: "party", Status: "handling", DueDate: "2026-08-31",
			RaisedBy: "leader1", VisitDate: "2026-08-01", Leaders: []string{"leader1", "leader2"}, CreatedAt: at, Overdue: true, CalledBack: 1, Satisfied: 1},
		{CaseID: "PT-2026-000002", List: "funding", Category: "financing", Description: "贷款", AmountCNY: &amount, Sensitive: true,
			RaisedBy: "member", CreatedAt: at},
		{CaseID: "PT-2025-000107", List: "problem", Category: "land", Description: "用地", RaisedBy: "member", CreatedAt: at.AddDate(-1, 0, 0), Earlier: true},
	}
	// The content as the versions before wrote it: the rows inside (a nil co_units as null).
	content, err := json.Marshal(store.ReportContent{Period: "2026-Q3", From: "2026-07-01", To: "2026-09-30", AsOf: at, Rows: rows})
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`INSERT INTO quarterly_reports (period, status, deadline, version, compiled_at) VALUES ('2026-Q3', 'closed', '2026-10-10', 1, now())`,
		`INSERT INTO quarterly_report_versions (period, version, compiled_at, final, content) VALUES ('2026-Q3', 1, now(), false, $1)`,
	} {
		var args []any
		if strings.Contains(sql, "$1") {
			args = append(args, content)
		}
		if err := st.ExecForTest(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	q := domain.Quarter{Year: 2026, Q: 3}
	rep, got, err := st.ReportOf(ctx, q)
	if err != nil || rep.Version != 1 || got.Period != "2026-Q3" || got.Rows != nil {
		t.Fatalf("the report after the upgrade: %+v, %+v, %v", rep, got, err)
	}
	var read []store.ReportRow
	for _, sheet := range []struct {
		list    string
		earlier bool
	}{{"problem", false}, {"funding", false}, {"problem", true}} {
		if err := st.EachReportRow(ctx, q, 1, sheet.list, sheet.earlier, func(r store.ReportRow) error {
			read = append(read, r)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	rows[1].CoUnits, rows[1].Leaders, rows[2].CoUnits, rows[2].Leaders = []string{}, []string{}, []string{}, []string{}
	for i := range read {
		read[i].CreatedAt = read[i].CreatedAt.UTC()
	}
	if !reflect.DeepEqual(read, rows) {
		t.Errorf("rows after the upgrade:\n%+v\nwant\n%+v", read, rows)
	}
}

// TestASavedCalendarYearCountsAtOnceHereAndWithinASecondElsewhere: deadlines are counted on
// the calendar a process read last (it is read on every action otherwise); a year saved
// through the process counts at once, and another process (a worker apart from its API)
// counts with it a second later at most.
func TestASavedCalendarYearCountsAtOnceHereAndWithinASecondElsewhere(t *testing.T) {
	ctx := context.Background()
	api, worker := storetest.Pair(t)
	// Friday 4 December 2026: the next working day is Monday the 7th, until an administrator
	// makes the 7th a holiday.
	friday := time.Date(2026, 12, 4, 10, 0, 0, 0, domain.Shanghai)
	next := func(st *store.Store) string {
		t.Helper()
		cal, err := st.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return cal.AddWorkdays(friday, 1).Format(domain.DateLayout)
	}
	if a, w := next(api), next(worker); a != "2026-12-07" || w != "2026-12-07" {
		t.Fatalf("next working day after Friday 4 December: %s and %s, want 2026-12-07", a, w)
	}
	y := store.CalendarYear{Year: 2026, Holidays: []string{"2026-12-07"}, Workdays: []string{}, UpdatedBy: "admin"}
	if err := api.SaveCalendarYear(ctx, y); err != nil {
		t.Fatal(err)
	}
	if got := next(api); got != "2026-12-08" {
		t.Errorf("the process that saved the holiday counts the next working day as %s, want 2026-12-08", got)
	}
	deadline := time.Now().Add(3 * time.Second)
	for next(worker) != "2026-12-08" {
		if time.Now().After(deadline) {
			t.Fatal("another process still counts without the new holiday after 3 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestSyntheticCasesWrittenAFewAtATimeAreTheCasesWrittenAllAtOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, domain.Shanghai)
	whole := storetest.New(t)
	if err := whole.SeedSynthetic(ctx, 300, 2026, now); err != nil { // one chunk a share
		t.Fatal(err)
	}
	store.SetSyntheticChunkForTest(t, 7) // leaders' visits left open across chunks
	chunked := storetest.New(t)
	if err := chunked.SeedSynthetic(ctx, 300, 2026, now); err != nil {
		t.Fatal(err)
	}
	for _, table := range []struct{ name, order string }{{"cases", "t.id"}, {"case_snapshots", "t.id"},
		{"case_units", "t.case_id, t.unit"}, {"case_leaders", "t.case_id, t.leader"}, {"case_events", "t.case_id, t.seq"},
		{"visits", "t.id"}, {"visit_leaders", "t.visit_id, t.leader"}, {"visit_enterprises", "t.visit_id, t.enterprise_id"}} {
		want, wantN, err := whole.DigestForTest(ctx, table.name, table.order)
		if err != nil {
			t.Fatal(err)
		}
		got, n, err := chunked.DigestForTest(ctx, table.name, table.order)
		if err != nil {
			t.Fatal(err)
		}
		if got != want || n != wantN || n == 0 {
			t.Errorf("%s: %d rows written 7 cases at a time, %d at once: not the same rows", table.name, n, wantN)
		}
	}
	// Every case a leader raised is in its visit's problems, and every visit's cases name it.
	for what, query := range map[string]string{
		"cases not in their visit": `(SELECT c.id FROM cases c LEFT JOIN visits v ON v.id = c.visit_id
			WHERE c.visit_id <> '' AND NOT c.id = ANY (coalesce(v.case_ids, '{}')))`,
		"visits naming another's cases": `(SELECT v.id FROM visits v CROSS JOIN unnest(v.case_ids) AS k(id) JOIN cases c ON c.id = k.id
			WHERE c.visit_id <> v.id OR cardinality(v.case_ids) <> jsonb_array_length(v.problems))`,
		"leaders' cases without a visit": `(SELECT c.id FROM cases c WHERE c.created_by LIKE 'leader%' AND c.visit_id = '')`,
	} {
		if _, n, err := chunked.DigestForTest(ctx, query, "t.id"); err != nil || n != 0 {
			t.Errorf("%s: %d (%v)", what, n, err)
		}
	}
	if _, n, err := chunked.DigestForTest(ctx, "visits", "t.id"); err != nil || n < 300/10 {
		t.Errorf("%d visits for 300 cases (%v): want the leaders' visits", n, err)
	}
}

func TestSyntheticCasesAreWrittenOnceAndASecondRunSaysSo(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	if written, err := st.SyntheticWritten(ctx, 2026); err != nil || written {
		t.Fatalf("a fresh database: synthetic written %v (%v)", written, err)
	}
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, domain.Shanghai)
	if err := st.SeedSynthetic(ctx, 20, 2026, now); err != nil {
		t.Fatal(err)
	}
	if written, err := st.SyntheticWritten(ctx, 2026); err != nil || !written {
		t.Fatalf("after writing them: synthetic written %v (%v)", written, err)
	}
	err := st.SeedSynthetic(ctx, 20, 2026, now)
	if err == nil || !strings.Contains(err.Error(), "already") || !strings.Contains(err.Error(), "fresh database") {
		t.Errorf("writing them again: %v, want an error saying they are there already", err)
	}
}

// A list given a read to record records, in its own statement, one read of the cases its
// page shows that hold anything sensitive — not the extra case it fetches to know a page
// follows — and answers them; an office's, only those it leads. Both ways a list is read
// (a large list's page, a small list's matches) and a page reached by a cursor do the same,
// and explaining a list records nothing.
func TestALargeListsPageIsPlannedForItsFirstRunsOnAConnectionThenServedByItsGenericPlan(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	if err := st.SeedSynthetic(ctx, 3000, 2026, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	const runs = 15
	first, err := st.ListCases(ctx, store.CaseFilter{PageSize: 10})
	if err != nil || first.Next == nil {
		t.Fatalf("first page: %v, next %v", err, first.Next)
	}
	for _, tc := range []struct {
		name string
		f    store.CaseFilter
		word string // written into the statement
	}{
		{"every case, page of 30", store.CaseFilter{PageSize: 30}, ""},
		{"a search's page of 40 that records its read", store.CaseFilter{SearchSensitive: true, PageSize: 40,
			Record: &store.ListRecord{Username: "reader"}}, ""},
		{"every case after a cursor, page of 25", store.CaseFilter{PageSize: 25, After: first.Next}, ""},
		{"every case, page 3 of 35 (not prepared: planned for its values)", store.CaseFilter{Page: 3, PageSize: 35}, ""},
		{"the closed cases, page of 15, the status written in", store.CaseFilter{Status: "closed", PageSize: 15}, "status = 'closed'"},
		{"an office's cases, page of 12, the office written in", store.CaseFilter{Office: "party", PageSize: 12}, "office = 'party'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var first []string
			for i := range runs {
				page, err := st.ListCases(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if !page.TotalEstimated {
					t.Fatalf("total %d counted: a small list, not the page of a large one", page.Total)
				}
				ids := make([]string, len(page.Items))
				for j, c := range page.Items {
					ids[j] = c.ID
				}
				if i == 0 {
					first = ids
				} else if !slices.Equal(ids, first) {
					t.Fatalf("run %d listed %v, the first %v", i+1, ids, first)
				}
			}
			offset := max(tc.f.Page-1, 0) * tc.f.PageSize
			generic, custom, err := st.PlansForTest(ctx, fmt.Sprintf("LIMIT %d OFFSET %d", tc.f.PageSize+1, offset))
			if err != nil {
				t.Fatal(err)
			}
			plan, err := st.ExplainListCases(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if tc.f.Page > 1 {
				if generic+custom != 0 || !strings.Contains(plan, "-- the page planned for its values on every run") {
					t.Errorf("a numbered page ran prepared (%d + %d runs) or its plan says so:\n%s", generic, custom, plan)
				}
				return
			}
			if !strings.Contains(plan, "-- the page by its generic plan") {
				t.Errorf("the bench's plan of the page does not say it is the generic plan:\n%s", plan)
			}
			if tc.word != "" {
				page := fmt.Sprintf("LIMIT %d OFFSET %d", tc.f.PageSize+1, offset)
				if g, c, err := st.PlansForTest(ctx, page, tc.word); err != nil || g != generic || c != custom {
					t.Errorf("the statement with %s ran %d+%d times (%v), want the page's %d+%d", tc.word, g, c, err, generic, custom)
				}
			}
			if generic+custom != runs || generic == 0 {
				t.Errorf("of %d runs, %d by a generic plan and %d planned for their values: want every run "+
					"prepared, and the generic plan kept after the first runs", runs, generic, custom)
			}
		})
	}
}

func TestAConnectionKeepsAtMost32ListPagesPreparedLettingTheLeastRecentlyUsedGo(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	if err := st.SeedSynthetic(ctx, 3000, 2026, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	// Each page size is a statement of its own (its LIMIT is written in): 40 of them, then
	// the first ones again, which were let go and are prepared anew.
	var sizes []int
	for size := 1; size <= 40; size++ {
		sizes = append(sizes, size)
	}
	for _, size := range append(sizes, 1, 2, 3, 4, 5) {
		page, err := st.ListCases(ctx, store.CaseFilter{PageSize: size})
		if err != nil {
			t.Fatal(err)
		}
		if !page.TotalEstimated || len(page.Items) != size {
			t.Fatalf("page of %d: %d cases (total %d, estimated %v), want a full page of a large list",
				size, len(page.Items), page.Total, page.TotalEstimated)
		}
	}
	most, agree, err := st.PreparedPagesForTest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if most != store.PagesPerConn || !agree {
		t.Errorf("a connection holds %d pages prepared (the store agrees: %v), want %d", most, agree, store.PagesPerConn)
	}
}

func TestAFilterValueWithQuotesFindsNothingAndRunsNoSQLOfItsOwn(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	if err := st.SeedSynthetic(ctx, 300, 2026, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for _, f := range []store.CaseFilter{
		{Status: "closed' OR ''='"}, {Card: "red' OR true OR card='"}, {Office: `party'; DELETE FROM cases; --`},
		{Category: "land' OR 'a'='a"}, {Status: "closed", Card: "yellow') OR (''='"},
	} {
		page, err := st.ListCases(ctx, f)
		if err != nil || page.Total != 0 || len(page.Items) != 0 {
			t.Errorf("%+v: %d cases listed (%v), want none: no case has that word", f, page.Total, err)
		}
	}
	if n, err := st.CountForTest(ctx, `SELECT count(*) FROM cases`); err != nil || n != 300 {
		t.Errorf("%d cases left (%v), want the 300", n, err)
	}
}

func TestAListRecordsTheReadOfTheSensitiveCasesItShowsInItsOwnStatement(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	if err := st.SeedSynthetic(ctx, 3000, 2026, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	records := func() int {
		n, err := st.CountForTest(ctx, `SELECT count(*) FROM sensitive_reads`)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	shown := func(items []domain.Case, office string) []string {
		var ids []string
		for _, c := range items {
			if (c.Sensitive || c.AmountCNY != nil) && (office == "" || c.Office == office) {
				ids = append(ids, c.ID)
			}
		}
		return ids
	}
	var after *store.Cursor
	for _, tc := range []struct {
		name  string
		f     store.CaseFilter
		small bool
	}{
		{"a large list's first page", store.CaseFilter{SearchSensitive: true}, false},
		{"its next page, by cursor", store.CaseFilter{SearchSensitive: true}, false},
		{"a large list's third page of 50", store.CaseFilter{SearchSensitive: true, Page: 3, PageSize: 50}, false},
		{"a small list", store.CaseFilter{Status: "triage", SearchSensitive: true, PageSize: 100}, true},
		{"a unit's (small)", store.CaseFilter{VisibleToUnit: "power-supply", SearchSensitive: true, PageSize: 50}, true},
		{"a leader's, small by its estimate but not in fact (594 cases)", store.CaseFilter{FollowedBy: "leader1", SearchSensitive: true, PageSize: 50}, false},
		{"an office's, of both offices", store.CaseFilter{SearchSensitiveOffice: "party", PageSize: 100}, false},
		{"an office's small list", store.CaseFilter{Status: "handling", Office: "party", SearchSensitiveOffice: "party", PageSize: 100}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			if tc.name == "its next page, by cursor" {
				f.After = after
			}
			office := f.SearchSensitiveOffice
			f.Record = &store.ListRecord{Username: "reader", Office: office}
			before := records()
			page, err := st.ListCases(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			after = page.Next
			if page.TotalEstimated == tc.small {
				t.Fatalf("total %d estimated %v: not the kind of list this case is about", page.Total, page.TotalEstimated)
			}
			want := shown(page.Items, office)
			if len(want) == 0 {
				t.Fatalf("no case of the page holds anything sensitive: nothing to record")
			}
			if !slices.Equal(page.Recorded, want) {
				t.Errorf("recorded %v, want the shown cases that hold anything sensitive %v", page.Recorded, want)
			}
			if n := records() - before; n != 1 {
				t.Errorf("%d reads recorded, want one", n)
			}
			for _, id := range want[:1] {
				reads, err := st.SensitiveReads(ctx, id)
				if err != nil || len(reads) == 0 || reads[len(reads)-1].Username != "reader" {
					t.Errorf("%s's reads: %+v %v", id, reads, err)
				}
			}
			// The case fetched beyond the page is not recorded.
			if page.Next != nil {
				f := f
				f.Record, f.Page, f.After, f.PageSize = nil, 0, page.Next, 1
				beyond, err := st.ListCases(ctx, f)
				if err != nil || len(beyond.Items) != 1 || slices.Contains(page.Recorded, beyond.Items[0].ID) {
					t.Errorf("the case after the page (%v, %v) is among those recorded %v", beyond.Items, err, page.Recorded)
				}
			}
			before = records()
			if plan, err := st.ExplainListCases(ctx, f); err != nil || !strings.Contains(plan, "Insert on sensitive_reads") {
				t.Fatalf("the plan of the statement that records: %v\n%s", err, plan)
			}
			if n := records() - before; n != 0 {
				t.Errorf("explaining the list recorded %d reads", n)
			}
		})
	}
	// A page with nothing sensitive on it records nothing.
	before := records()
	page, err := st.ListCases(ctx, store.CaseFilter{Query: "SY-2026-000001", SearchSensitive: true,
		Record: &store.ListRecord{Username: "reader"}})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("one case: %v %v", page.Items, err)
	}
	if want := shown(page.Items, ""); !slices.Equal(page.Recorded, want) || records()-before != len(want) {
		t.Errorf("recorded %v (%d rows), want %v", page.Recorded, records()-before, want)
	}
}
