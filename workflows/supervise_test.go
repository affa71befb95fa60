package workflows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/putian-fic/caseflow/activities/calendar"
	wf "github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// registerSupervision registers the calendar activities on the statutory calendar, and
// records notices and deliveries.
// stubMu guards what the stand-in activities record, as the test environment may run
// activities concurrently.
var stubMu sync.Mutex

// refusingChildren are the cases that refuse to be merged in the tests, with their reason.
// nobodySubscribes: the stand-in read model queues no notification (no user takes them
// by e-mail or webhook).
var nobodySubscribes bool

var refusingChildren = map[string]string{"PT-2026-000009": "案件 PT-2026-000009 当前状态为「办理中」，不能并入共性问题"}

func registerSupervision(env *testsuite.TestWorkflowEnvironment, out *outcome) {
	cal := calendar.New()
	deadline := func(_ context.Context, in domain.DeadlineInput) (string, error) {
		from := in.From
		if in.FromDate != "" {
			from, _ = calendar.ParseDate(in.FromDate)
		}
		return cal.AddWorkdays(from, in.Days).Format(domain.DateLayout), nil
	}
	ladder := func(_ context.Context, in domain.LadderInput) (domain.LadderPlan, error) {
		due, _ := calendar.ParseDate(in.Due)
		at := func(n int) time.Time { return cal.AddWorkdays(due, n).Add(time.Duration(in.Hour) * time.Hour) }
		return domain.LadderPlan{Reminder: at(-in.ReminderBefore), Blue: at(in.UrgeAfter), Yellow: at(in.YellowAfter), Red: at(in.RedAfter)}, nil
	}
	env.RegisterActivityWithOptions(deadline, activity.RegisterOptions{Name: "WorkdayDeadline"})
	env.RegisterActivityWithOptions(ladder, activity.RegisterOptions{Name: "PlanLadder"})
	env.RegisterActivityWithOptions(func(ctx context.Context, in domain.PlannedDeadlineInput) (domain.PlannedDeadline, error) {
		date, _ := deadline(ctx, in.Deadline)
		in.Ladder.Due = date
		plan, err := ladder(ctx, in.Ladder)
		return domain.PlannedDeadline{Date: date, Ladder: plan}, err
	}, activity.RegisterOptions{Name: "PlannedDeadline"})
	env.RegisterActivityWithOptions(func(_ context.Context, n domain.Notice) (domain.Notice, error) {
		for _, prev := range out.notices { // keyed as the store keys them
			if prev.CaseID == n.CaseID && (n.Key == "" && prev.Key == "" && prev.DeadlineKind == n.DeadlineKind &&
				prev.Deadline == n.Deadline && prev.Card == n.Card || n.Key != "" && prev.Key == n.Key) {
				return prev, nil
			}
		}
		n.No = fmt.Sprintf("DB-%d-%04d", n.IssuedAt.Year(), len(out.notices)+1)
		out.notices = append(out.notices, n)
		return n, nil
	}, activity.RegisterOptions{Name: "IssueNotice"})
	env.RegisterActivityWithOptions(func(_ context.Context, in domain.DeliverInput) error {
		// Deliveries run beside the case's other activities: record them under a lock.
		stubMu.Lock()
		defer stubMu.Unlock()
		out.deliveries = append(out.deliveries, in)
		return nil
	}, activity.RegisterOptions{Name: "DeliverNotifications"})
	// Other cases: a child named in refusingChildren refuses to be merged; every other
	// accepts. Each message is recorded.
	env.RegisterActivityWithOptions(func(_ context.Context, in domain.UpdateCaseInput) error {
		stubMu.Lock()
		defer stubMu.Unlock()
		out.tells = append(out.tells, in)
		if reason, ok := refusingChildren[strings.TrimPrefix(in.WorkflowID, "case-")]; ok && in.Update == wf.UpdateMergeInto {
			return temporal.NewNonRetryableApplicationError(reason, domain.ErrCaseRefused, nil)
		}
		return nil
	}, activity.RegisterOptions{Name: "UpdateCase"})
}

// ladderEvent is a supervision event as the timeline has it.
type ladderEvent struct {
	Type, Deadline, Due, NoticeNo string
	At                            time.Time
}

func (o outcome) ladder() []ladderEvent {
	var out []ladderEvent
	for _, p := range o.projections {
		for _, e := range p.Events {
			if !slices.Contains([]string{domain.EventReminded, domain.EventUrged, domain.EventYellowCard, domain.EventRedCard}, e.Type) {
				continue
			}
			var d struct {
				Deadline string `json:"deadline"`
				Due      string `json:"due"`
				NoticeNo string `json:"notice_no"`
			}
			mustJSON(e.Data, &d)
			out = append(out, ladderEvent{e.Type, d.Deadline, d.Due, d.NoticeNo, e.At.In(domain.Shanghai)})
		}
	}
	return out
}

func shanghai(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, domain.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDeadlinesAcrossSpringFestival(t *testing.T) {
	// Friday 13 February 2026, the last working day before the Spring Festival holiday.
	o := runAt(t, shanghai("2026-02-13 08:00"), routeWithDefaultRules,
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer}, ""),
		act(wf.UpdateRefer, party, wf.ReferBody{}, wf.ErrForbidden), // the government office leads land cases
		act(wf.UpdateRefer, gov, wf.ReferBody{}, ""),
	)
	intake, _ := o.with(domain.EventRouted)
	first := intake.Case.Deadlines    // at intake
	if first.Triage != "2026-02-25" { // 14 Feb (make-up Saturday), 24, 25
		t.Errorf("triage deadline %s, want 2026-02-25", first.Triage)
	}
	var referred domain.Case
	for _, p := range o.projections {
		if p.Events[0].Type == domain.EventReferred {
			referred = p.Case
		}
	}
	d := referred.Deadlines
	if d.Referral != "2026-02-24" || d.Sign != "2026-02-14" || d.Handling != "2026-03-12" || referred.DueDate != "2026-03-12" {
		t.Errorf("deadlines %+v, due %s; want referral 2026-02-24, sign 2026-02-14, handling 2026-03-12", d, referred.DueDate)
	}
}

func TestTheLadderFiresInOrderAndOnce(t *testing.T) {
	// Referred on Monday 23 November; the unit never signs nor handles.
	o := run(t,
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer, SLA: "urgent", OverrideReason: "企业停产在即"}, ""),
		act(wf.UpdateRefer, gov, wf.ReferBody{}, ""),
	)
	got := o.ladder()
	want := []ladderEvent{
		// sign-for due Tue 24 Nov (its reminder would come before the referral: skipped)
		{domain.EventUrged, "sign", "2026-11-24", "", shanghai("2026-11-25 09:00")},
		// handling (urgent: 5 working days) due Mon 30 Nov
		{domain.EventReminded, "handling", "2026-11-30", "", shanghai("2026-11-26 09:00")},
		{domain.EventYellowCard, "sign", "2026-11-24", "DB-2026-0001", shanghai("2026-11-27 09:00")},
		{domain.EventRedCard, "sign", "2026-11-24", "DB-2026-0002", shanghai("2026-12-01 09:00")},
		{domain.EventUrged, "handling", "2026-11-30", "", shanghai("2026-12-01 09:00")},
		{domain.EventYellowCard, "handling", "2026-11-30", "DB-2026-0003", shanghai("2026-12-03 09:00")},
		{domain.EventRedCard, "handling", "2026-11-30", "DB-2026-0004", shanghai("2026-12-07 09:00")},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ladder:\n got %v\nwant %v", got, want)
	}
	c := o.final()
	if c.Card != "red" || !c.Overdue || len(c.Notices) != 7 || c.Notices[2].No != "DB-2026-0001" {
		t.Errorf("case card %s overdue %v notices %+v", c.Card, c.Overdue, c.Notices)
	}
	// Who is told: the yellow card of the handling deadline goes to the unit and the office,
	// the red card to the leaders too.
	for _, p := range o.projections {
		for _, e := range p.Events {
			if e.Type == domain.EventRedCard && (e.Notify == nil || !slices.Contains(e.Notify.Roles, domain.RoleLeader) ||
				!slices.Contains(e.Notify.Units, "natural-resources") || !slices.Contains(e.Notify.Offices, "government")) {
				t.Errorf("red card audience %+v", e.Notify)
			}
		}
	}
	if len(o.deliveries) < 7 {
		t.Errorf("%d deliveries started", len(o.deliveries))
	}
}

func TestEachDeadlineIsComputedWithItsLadderInOneActivity(t *testing.T) {
	// The ladder's times are those PlanLadder gave (TestTheLadderFiresInOrderAndOnce); the
	// case asks for them with each deadline: triage, referral, sign-for, handling, callback.
	o := run(t, handledInTime()...)
	if got := o.activities; got["PlannedDeadline"] != 5 || got["WorkdayDeadline"] != 0 || got["PlanLadder"] != 0 {
		t.Errorf("activities %v; want PlannedDeadline 5 times, no WorkdayDeadline nor PlanLadder", got)
	}
	if d := o.final().Deadlines; d.Triage == "" || d.Referral == "" || d.Sign == "" || d.Handling == "" || d.Callback == "" {
		t.Errorf("deadlines %+v: each step's should be set", d)
	}
}

// handledInTime are a case's steps from triage to closure, each taken an hour after the one
// before: every deadline is met.
func handledInTime() []step {
	return []step{
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer}, ""),
		act(wf.UpdateRefer, gov, wf.ReferBody{}, ""),
		act(wf.UpdateSign, natres, wf.SignBody{}, ""),
		act(wf.UpdateComplete, natres, wf.CompleteBody{Outcome: domain.OutcomeResolved, Report: "已办结"}, ""),
		act(wf.UpdateCallback, member, wf.CallbackBody{Solved: &yes, Satisfied: &yes}, ""),
		act(wf.UpdateClose, gov, wf.CloseBody{Note: "销号"}, ""),
	}
}

func TestACaseStartsNoDeliveryWhenNobodyTakesNotifications(t *testing.T) {
	told := run(t, handledInTime()...)
	nobodySubscribes = true
	defer func() { nobodySubscribes = false }()
	untold := run(t, handledInTime()...)
	if told.final().Status != domain.StatusClosed || untold.final().Status != domain.StatusClosed {
		t.Fatalf("cases ended %s and %s, want both closed", told.final().Status, untold.final().Status)
	}
	if len(told.deliveries) == 0 {
		t.Error("no delivery started for a case whose events queued notifications")
	}
	if len(untold.deliveries) != 0 {
		t.Errorf("%d deliveries started for a case whose events queued none: %+v", len(untold.deliveries), untold.deliveries)
	}
}

func TestADeadlineMovedByAnActionLeavesNoTimerToFireForNothing(t *testing.T) {
	o := run(t, handledInTime()...)
	if !o.continued {
		t.Fatalf("the closed case did not continue as new (status %s)", o.live.Status)
	}
	// Each step moved a deadline and woke the ladder, waiting on a timer for its next rung:
	// those timers were cancelled, not left to fire days later.
	if len(o.cancelled) < 4 {
		t.Errorf("%d timers cancelled (of %d started), want the ladder's timer cancelled at each step", len(o.cancelled), len(o.timers))
	}
	if pending := o.pendingTimers(); len(pending) > 0 {
		t.Errorf("the run continued as new with timers still set: %v", pending)
	}
	for id, d := range o.fired {
		if d != wf.ClosedIdle {
			t.Errorf("timer %s (%s) fired, yet no rung is due on a met deadline", id, d)
		}
	}
}

func TestAMetDeadlineFiresNothing(t *testing.T) {
	o := run(t, handledInTime()...)
	if l := o.ladder(); len(l) != 0 {
		t.Errorf("ladder fired on a case handled in time: %v", l)
	}
	if c := o.final(); c.Card != "none" || c.Overdue || c.Deadlines.Callback == "" {
		t.Errorf("case %+v", c)
	}
}

func TestAnApprovedExtensionMovesEveryLaterStep(t *testing.T) {
	o := run(t,
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer, SLA: "urgent", OverrideReason: "企业停产在即"}, ""),
		act(wf.UpdateRefer, gov, wf.ReferBody{}, ""),
		act(wf.UpdateSign, natres, wf.SignBody{}, ""),
		act(wf.UpdateExtend, licheng, wf.ExtendBody{Days: 5, Reason: "x"}, wf.ErrForbidden), // co-unit
		act(wf.UpdateExtend, natres, wf.ExtendBody{Days: 0, Reason: "x"}, wf.ErrInvalidInput),
		act(wf.UpdateExtend, natres, wf.ExtendBody{Days: 5, Reason: "需等待省厅批复"}, ""),
		act(wf.UpdateExtend, natres, wf.ExtendBody{Days: 5, Reason: "again"}, wf.ErrInvalidTransition), // pending
		act(wf.UpdateDecideExtension, party, wf.DecideExtensionBody{Approve: &yes}, wf.ErrForbidden),
		act(wf.UpdateDecideExtension, gov, wf.DecideExtensionBody{Approve: &yes, Note: "同意"}, ""),
		act(wf.UpdateExtend, natres, wf.ExtendBody{Days: 3, Reason: "再延"}, wf.ErrInvalidTransition), // one per case
	)
	c := o.final()
	// Urgent: due Mon 30 Nov; plus 5 working days: Mon 7 Dec.
	if c.Deadlines.Handling != "2026-12-07" || c.DueDate != "2026-12-07" || c.ExtensionsGranted != 1 || c.Extension.Status != "approved" {
		t.Errorf("after the extension: %+v due %s ext %+v", c.Deadlines, c.DueDate, c.Extension)
	}
	got := o.ladder()
	want := []ladderEvent{
		{domain.EventReminded, "handling", "2026-12-07", "", shanghai("2026-12-03 09:00")},
		{domain.EventUrged, "handling", "2026-12-07", "", shanghai("2026-12-08 09:00")},
		{domain.EventYellowCard, "handling", "2026-12-07", "DB-2026-0001", shanghai("2026-12-10 09:00")},
		{domain.EventRedCard, "handling", "2026-12-07", "DB-2026-0002", shanghai("2026-12-14 09:00")},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ladder:\n got %v\nwant %v", got, want)
	}
}

func TestAReturnStopsTheUnitsClock(t *testing.T) {
	o := run(t,
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer}, ""),
		act(wf.UpdateRefer, gov, wf.ReferBody{}, ""),
		act(wf.UpdateSign, natres, wf.SignBody{}, ""),
		act(wf.UpdateReturn, natres, wf.ReturnBody{Grounds: "属住建局职责"}, ""),
		act(wf.UpdateRefer, gov, wf.ReferBody{LeadUnit: "natural-resources"}, ""),
		act(wf.UpdateSign, natres, wf.SignBody{}, ""),
		// Signed and returned once already: not again.
		act(wf.UpdateReturn, natres, wf.ReturnBody{Grounds: "再退"}, wf.ErrInvalidTransition),
		act(wf.UpdateComplete, natres, wf.CompleteBody{Outcome: domain.OutcomeExplained, Report: "已解释"}, ""),
		act(wf.UpdateCallback, member, wf.CallbackBody{Solved: &yes, Satisfied: &yes}, ""),
	)
	var returned domain.Case
	for _, p := range o.projections {
		if p.Events[0].Type == domain.EventReturned {
			returned = p.Case
		}
	}
	if d := returned.Deadlines; d.Sign != "" || d.Handling != "" || returned.DueDate != "" || d.Referral != "2026-11-25" {
		t.Errorf("after the return: %+v", d)
	}
	if l := o.ladder(); len(l) != 0 {
		t.Errorf("ladder: %v", l)
	}
}

func mustJSON(raw []byte, v any) {
	if err := json.Unmarshal(raw, v); err != nil {
		panic(err)
	}
}

// TestTheLeadOfficeUrgesAndCardsByHand: in handling, the lead office urges the unit and
// issues a red card with its reasons; each gets a numbered notice of its own (a yellow
// card by hand beside the ladder's too), raises the card, is told to the unit and the
// office (the red card to the leaders too), and is recorded as the ladder's event of that
// card, marked manual. The other office, a unit, or a note left out are refused.
func TestTheLeadOfficeUrgesAndCardsByHand(t *testing.T) {
	o := run(t,
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer}, ""),
		act(wf.UpdateRefer, gov, wf.ReferBody{}, ""),
		act(wf.UpdateSign, natres, wf.SignBody{}, ""),
		act(wf.UpdateUrge, party, wf.UrgeBody{Note: "请加快"}, wf.ErrForbidden),
		act(wf.UpdateUrge, natres, wf.UrgeBody{Note: "请加快"}, wf.ErrForbidden),
		act(wf.UpdateUrge, gov, wf.UrgeBody{}, wf.ErrInvalidInput),
		act(wf.UpdateCard, gov, wf.CardBody{Level: "blue", Reason: "x"}, wf.ErrInvalidInput),
		act(wf.UpdateUrge, gov, wf.UrgeBody{Note: "请于本周内报送进展"}, ""),
		act(wf.UpdateCard, gov, wf.CardBody{Level: domain.CardRed, Reason: "两次催办未见进展"}, ""),
		act(wf.UpdateCard, gov, wf.CardBody{Level: domain.CardYellow, Reason: "补发黄牌"}, ""),
	)
	var got []string
	for _, p := range o.projections {
		for _, e := range p.Events {
			if e.Type != domain.EventUrged && e.Type != domain.EventYellowCard && e.Type != domain.EventRedCard {
				continue
			}
			var d domain.Supervised
			if mustJSON(e.Data, &d); !d.Manual {
				continue // the ladder's own, later (the unit never completes)
			}
			got = append(got, fmt.Sprintf("%s %s %s manual=%v %s %s", e.Type, d.Deadline, d.NoticeNo, d.Manual, d.Reason, d.Unit))
			if e.Notify == nil || !slices.Contains(e.Notify.Units, "natural-resources") || !slices.Contains(e.Notify.Offices, "government") ||
				slices.Contains(e.Notify.Roles, domain.RoleLeader) != (e.Type == domain.EventRedCard) {
				t.Errorf("%s told %+v", e.Type, e.Notify)
			}
		}
	}
	want := []string{
		"urged handling DB-2026-0001 manual=true 请于本周内报送进展 natural-resources",
		"red_card handling DB-2026-0002 manual=true 两次催办未见进展 natural-resources",
		"yellow_card handling DB-2026-0003 manual=true 补发黄牌 natural-resources",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("notices by hand:\n got %q\nwant %q", got, want)
	}
	c := o.final()
	if c.Card != domain.CardRed || len(c.Notices) < 3 || c.Notices[1].No != "DB-2026-0002" || c.Notices[1].Kind != domain.CardRed {
		t.Errorf("the case: card %s notices %+v", c.Card, c.Notices)
	}
	if len(o.notices) < 3 || o.notices[1].Note != "两次催办未见进展" || o.notices[0].Key == o.notices[1].Key {
		t.Errorf("issued %+v", o.notices)
	}
}
