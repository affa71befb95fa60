package service

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/activities/store/storetest"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// A list records its reads of sensitive fields in the statement that reads its page
// (ListRecord): for every role, each list records exactly the cases needsSensitive gives
// the reader among those the page shows, so that List has none left to record after it —
// and a list read through List is one read recorded, not two.
func TestEachRolesListRecordsInItsStatementTheReadsItsRuleGives(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	if err := st.SeedSynthetic(ctx, 3000, 2026, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := New(Config{Store: st})
	users := []domain.User{
		{Username: "member", Role: domain.RoleMemberDept},
		{Username: "party", Role: domain.RoleSupervision, Unit: "party"},
		{Username: "government", Role: domain.RoleSupervision, Unit: "government"},
		{Username: "unit-power-supply", Role: domain.RoleUnit, Unit: "power-supply"},
		{Username: "leader1", Role: domain.RoleLeader},
		{Username: "efficiency", Role: domain.RoleEfficiency},
		{Username: "no-office", Role: domain.RoleSupervision}, // a unit and an office without their unit read
		{Username: "no-unit", Role: domain.RoleUnit},          // everything redacted
	}
	queries := []CaseQuery{{}, {Status: "handling"}, {Office: OfficeAll, PageSize: 100}, {Query: "停电", PageSize: 100},
		{Card: "yellow", PageSize: 100}, {Page: 3, PageSize: 50}}
	for _, u := range users {
		recorded := 0
		for _, q := range queries {
			f, err := svc.Cases.filter(u, q)
			if err != nil {
				t.Fatal(err)
			}
			f.Record = ListRecord(u)
			page, err := st.ListCases(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for i := range page.Items {
				if c := &page.Items[i]; hasSensitive(c) && needsSensitive(c, u, u.Role == domain.RoleLeader) {
					want = append(want, c.ID)
				}
			}
			if !slices.Equal(page.Recorded, want) {
				t.Errorf("%s's list %+v recorded %v, its rule gives %v", u.Username, q, page.Recorded, want)
			}
			recorded += len(want)
		}
		if (recorded == 0) != (u.Role == domain.RoleEfficiency || u.Unit == "" && u.Role != domain.RoleMemberDept && u.Role != domain.RoleLeader) {
			t.Errorf("%s's lists recorded %d reads of sensitive cases", u.Username, recorded)
		}
	}
	// Through List, a page that shows sensitive cases is one read of each, recorded once.
	u := users[3] // unit-power-supply
	buf := NewListBuffer()
	defer buf.Release()
	page, err := svc.Cases.List(ctx, u, CaseQuery{PageSize: 100}, buf)
	if err != nil {
		t.Fatal(err)
	}
	var shown string
	for _, c := range page.Items {
		if c.AmountCNY != nil || c.Sensitive {
			shown = c.ID
			break
		}
	}
	if shown == "" {
		t.Fatal("the unit's page shows no sensitive case")
	}
	before, err := st.SensitiveReads(ctx, shown)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Cases.List(ctx, u, CaseQuery{PageSize: 100}, buf); err != nil {
		t.Fatal(err)
	}
	if after, err := st.SensitiveReads(ctx, shown); err != nil || len(after) != len(before)+1 || after[len(after)-1].Username != u.Username {
		t.Errorf("%s's reads after one more list: %d → %+v %v", shown, len(before), after, err)
	}
}
