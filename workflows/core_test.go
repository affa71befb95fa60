package workflows

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// The pure core of the case lifecycle, without Temporal: every action × role × status gives
// either the error type a user would see or the events the action records. It runs in
// milliseconds, so it covers every combination.

var coreActors = map[string]domain.Actor{
	domain.RoleLeader:      {Username: "leader1", Role: domain.RoleLeader},
	domain.RoleMemberDept:  {Username: "member", Role: domain.RoleMemberDept},
	domain.RoleSupervision: {Username: "gov", Role: domain.RoleSupervision, Unit: domain.OfficeGovernment},
	domain.RoleUnit:        {Username: "unit-natural-resources", Role: domain.RoleUnit, Unit: "natural-resources"},
	domain.RoleEfficiency:  {Username: "efficiency", Role: domain.RoleEfficiency},
	domain.RoleAdmin:       {Username: "admin", Role: domain.RoleAdmin},
}

// coreCase is a case in status, led by the government office, referred to natural resources
// (lead) and Licheng.
func coreCase(status string) domain.Case {
	return domain.Case{ID: "PT-2026-000001", Status: status, Title: "用地", Description: "用地审批慢", Category: "land",
		List: domain.ListProblem, EnterpriseID: "ent-001", CreatedBy: "leader1", Office: domain.OfficeGovernment,
		LeadUnit: "natural-resources", CoUnits: []string{"licheng"}, ReferredUnits: []string{"natural-resources", "licheng"},
		SignedUnits: []string{}, SLA: domain.SLAStandard, Priority: domain.PriorityNormal, Card: domain.CardNone,
		RouteProposal: &domain.RouteProposal{Route: domain.Route{Office: domain.OfficeGovernment, LeadUnit: "natural-resources",
			CoUnits: []string{"licheng"}}, Reason: "matched"}}
}

type coreAction struct {
	body     action
	roles    []string // who may take it
	statuses []string // in which statuses
	prepare  func(c *domain.Case)
	events   []string
}

var allStatuses = []string{domain.StatusTriage, domain.StatusReferral, domain.StatusHandling, domain.StatusFollowUp, domain.StatusClosed,
	domain.StatusMerged}

func signed(c *domain.Case) { c.SignedUnits = []string{"natural-resources"} }

var coreActions = map[string]coreAction{
	UpdateTriage: {TriageBody{Decision: domain.DecisionRefer}, []string{domain.RoleMemberDept},
		[]string{domain.StatusTriage}, nil, []string{domain.EventTriaged}},
	UpdateRefer: {ReferBody{}, []string{domain.RoleSupervision}, []string{domain.StatusReferral}, nil,
		[]string{domain.EventReferred}},
	UpdateSign: {SignBody{}, []string{domain.RoleUnit}, []string{domain.StatusHandling}, nil, []string{domain.EventSigned}},
	UpdateProgress: {ProgressBody{Note: "已约谈"}, []string{domain.RoleUnit}, []string{domain.StatusHandling}, signed,
		[]string{domain.EventProgress}},
	UpdateReturn: {ReturnBody{Grounds: "非本单位职责"}, []string{domain.RoleUnit}, []string{domain.StatusHandling}, nil,
		[]string{domain.EventReturned}},
	UpdateComplete: {CompleteBody{Outcome: domain.OutcomeResolved, Report: "已办结"}, []string{domain.RoleUnit},
		[]string{domain.StatusHandling}, signed, []string{domain.EventCompleted}},
	UpdateExtend: {ExtendBody{Days: 5, Reason: "需协调"}, []string{domain.RoleUnit}, []string{domain.StatusHandling}, nil,
		[]string{domain.EventExtensionRequested}},
	UpdateDecideExtension: {DecideExtensionBody{Approve: ptr(true)}, []string{domain.RoleSupervision},
		[]string{domain.StatusHandling}, func(c *domain.Case) {
			c.Extension = &domain.Extension{Days: 5, Reason: "需协调", Status: domain.ExtensionPending}
		}, []string{domain.EventExtensionApproved}},
	UpdateCallback: {CallbackBody{Solved: ptr(true), Satisfied: ptr(true)}, []string{domain.RoleMemberDept, domain.RoleSupervision},
		[]string{domain.StatusFollowUp}, nil, []string{domain.EventCalledBack}},
	UpdateClose: {CloseBody{Note: "销号"}, []string{domain.RoleSupervision}, []string{domain.StatusFollowUp},
		func(c *domain.Case) { c.Callback = &domain.Callback{Solved: true, Satisfied: true} }, []string{domain.EventClosed}},
	UpdateReopen: {ReopenBody{Reason: "企业反映问题复发"}, []string{domain.RoleSupervision}, []string{domain.StatusClosed}, nil,
		[]string{domain.EventReopened}},
	UpdateComment: {CommentBody{Text: "请抓紧"}, []string{domain.RoleLeader, domain.RoleMemberDept, domain.RoleSupervision, domain.RoleUnit},
		allStatuses, nil, []string{domain.EventCommented}},
	// By hand, the lead office in handling (the notice's number is given before apply).
	UpdateUrge: {UrgeBody{Note: "请加快"}, []string{domain.RoleSupervision}, []string{domain.StatusHandling}, nil,
		[]string{domain.EventUrged}},
	UpdateCard: {CardBody{Level: domain.CardYellow, Reason: "两次催办未见进展"}, []string{domain.RoleSupervision},
		[]string{domain.StatusHandling}, nil, []string{domain.EventYellowCard}},
	// The merge records its event in its own handler, with the children that accepted.
	UpdateMerge: {MergeBody{ChildIDs: []string{"PT-2026-000002"}}, []string{domain.RoleMemberDept}, []string{domain.StatusTriage}, nil, nil},
}

func ptr[T any](v T) *T { return &v }

func coreErrType(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Type()
	}
	return fmt.Sprint(err)
}

func TestEveryActionRoleAndStatusGivesTheRightAnswer(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, domain.Shanghai)
	if len(coreActions) != len(Actions) {
		t.Fatalf("%d actions in the table, %d in Actions", len(coreActions), len(Actions))
	}
	checked := 0
	for _, a := range Actions {
		ca, ok := coreActions[a.Name]
		if !ok {
			t.Fatalf("action %s has no row", a.Name)
		}
		for role, actor := range coreActors {
			for _, status := range allStatuses {
				c := coreCase(status)
				if ca.prepare != nil {
					ca.prepare(&c)
				}
				err := ca.body.check(&c, actor, now)
				if err == nil {
					if s, ok := ca.body.(strictAction); ok {
						err = s.checkStrict(&c, actor)
					}
				}
				want := ""
				switch {
				case !slices.Contains(ca.roles, role):
					want = ErrForbidden
				case !slices.Contains(ca.statuses, status):
					want = ErrInvalidTransition
				}
				got := ""
				if err != nil {
					got = coreErrType(err)
				}
				if got != want {
					t.Errorf("%s by %s in %s: got %q (%v), want %q", a.Name, role, status, got, err, want)
					continue
				}
				checked++
				if err != nil {
					continue
				}
				next := c
				var types []string
				for _, e := range ca.body.apply(&next, actor, now) {
					types = append(types, e.Type)
				}
				if !slices.Equal(types, ca.events) {
					t.Errorf("%s by %s in %s: events %v, want %v", a.Name, role, status, types, ca.events)
				}
			}
		}
	}
	if checked != len(Actions)*len(coreActors)*len(allStatuses) {
		t.Errorf("checked %d combinations", checked)
	}
}
