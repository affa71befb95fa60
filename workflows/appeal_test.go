package workflows

import (
	"testing"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

func TestAUnitAppealsOnceAtATimeAndOnlyTheEfficiencyOfficeDecides(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, domain.Shanghai)
	c := coreCase(domain.StatusClosed)
	natres, licheng := coreActors[domain.RoleUnit], domain.Actor{Username: "unit-licheng", Role: domain.RoleUnit, Unit: "licheng"}
	housing := domain.Actor{Username: "unit-housing-construction", Role: domain.RoleUnit, Unit: "housing-construction"}
	eff, yes := coreActors[domain.RoleEfficiency], true
	appeal := AppealBody{Reason: "企业原因导致延误", Items: []string{"overdue", "yellow_card"}}
	for name, tc := range map[string]struct {
		body AppealBody
		by   domain.Actor
		want string
	}{
		"the member department":     {appeal, coreActors[domain.RoleMemberDept], ErrForbidden},
		"a unit the case never saw": {appeal, housing, ErrForbidden},
		"no reason":                 {AppealBody{Items: []string{"overdue"}}, natres, ErrInvalidInput},
		"the lead unit":             {appeal, natres, ""},
		"a co-unit":                 {AppealBody{Reason: "x", Items: []string{"red_card"}}, licheng, ""},
	} {
		err := tc.body.check(&c, tc.by, now)
		if got := coreErrType(err); err == nil && tc.want != "" || err != nil && got != tc.want {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	for _, bad := range []AppealBody{{Reason: "x"}, {Reason: "x", Items: []string{"bribery"}}, {Reason: "x", Items: []string{"redo", "redo"}}} {
		if err := bad.Validate(); coreErrType(err) != ErrInvalidInput {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	events := appeal.apply(&c, natres, now)
	if len(events) != 1 || events[0].Type != domain.EventAppealed || len(c.Appeals) != 1 || c.Appeals[0].Status != domain.AppealPending {
		t.Fatalf("appealed: %+v %+v", events, c.Appeals)
	}
	if err := appeal.check(&c, natres, now); coreErrType(err) != ErrInvalidTransition {
		t.Errorf("a second appeal while one is pending: %v", err)
	}
	decide := DecideAppealBody{N: 1, Accept: &yes, Note: "情况属实"}
	if err := decide.check(&c, coreActors[domain.RoleAdmin], now); coreErrType(err) != ErrForbidden {
		t.Errorf("admin decides: %v", err)
	}
	if err := (DecideAppealBody{N: 2, Accept: &yes}).check(&c, eff, now); coreErrType(err) != ErrNotFoundAppeal {
		t.Errorf("no appeal 2: %v", err)
	}
	if err := (DecideAppealBody{N: 1}).Validate(); coreErrType(err) != ErrInvalidInput {
		t.Errorf("no decision: %v", err)
	}
	if err := decide.check(&c, eff, now); err != nil {
		t.Fatal(err)
	}
	events = decide.apply(&c, eff, now)
	if events[0].Type != domain.EventAppealAccepted || c.Appeals[0].Status != domain.AppealAccepted || c.Appeals[0].DecidedBy != "efficiency" {
		t.Errorf("decided: %+v %+v", events, c.Appeals[0])
	}
	if err := decide.check(&c, eff, now); coreErrType(err) != ErrInvalidTransition {
		t.Errorf("deciding twice: %v", err)
	}
	if err := appeal.check(&c, natres, now); err != nil {
		t.Errorf("a new appeal once the first is decided: %v", err)
	}
}
