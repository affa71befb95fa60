package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/rules"
	wf "github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

var (
	member  = domain.Actor{Username: "member", Role: domain.RoleMemberDept}
	party   = domain.Actor{Username: "party", Role: domain.RoleSupervision, Unit: domain.OfficeParty}
	gov     = domain.Actor{Username: "gov", Role: domain.RoleSupervision, Unit: domain.OfficeGovernment}
	leader1 = domain.Actor{Username: "leader1", Role: domain.RoleLeader}
	leader2 = domain.Actor{Username: "leader2", Role: domain.RoleLeader}
	eff     = domain.Actor{Username: "efficiency", Role: domain.RoleEfficiency}
	natres  = domain.Actor{Username: "unit-natural-resources", Role: domain.RoleUnit, Unit: "natural-resources"}
	licheng = domain.Actor{Username: "unit-licheng", Role: domain.RoleUnit, Unit: "licheng"}
	housing = domain.Actor{Username: "unit-housing-construction", Role: domain.RoleUnit, Unit: "housing-construction"}
	yes, no = true, false
	// Monday 23 November 2026, 09:00 in domain.Shanghai.
	startTime = time.Date(2026, 11, 23, 9, 0, 0, 0, domain.Shanghai)
)

// step is one action sent to the workflow, and what must come of it: "" for accepted,
// or the error type of the rejection.
type step struct {
	update string
	input  any
	want   string
}

func act[T any](update string, a domain.Actor, body T, want string) step {
	return step{update, wf.ActionInput[T]{Actor: a, Body: body}, want}
}

func referTriage(want string) step {
	return act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer, Category: "land", Scope: domain.ScopeIndividual,
		List: "problem", Office: domain.OfficeParty, LeadUnit: "natural-resources", CoUnits: &[]string{"licheng"}, Note: "用地指标",
		OverrideReason: "涉及市委督办事项，荔城区配合"}, want)
}

// outcome of running the steps.
type outcome struct {
	results     []string // per step: "" accepted, else the error type
	projections []domain.Projection
	live        domain.Case // what the query answered at the end
	continued   bool        // the closed case continued as new
	notices     []domain.Notice
	deliveries  []domain.DeliverInput
	tells       []domain.UpdateCaseInput // messages to other cases
	// timers the run started and what became of them: fired or cancelled (by timer ID)
	timers, fired, cancelled map[string]time.Duration
	// activities counts the activities the run ran, by name
	activities map[string]int
}

// pendingTimers are the timers the run started that have neither fired nor been cancelled.
func (o outcome) pendingTimers() []time.Duration {
	var out []time.Duration
	for id, d := range o.timers {
		if _, ok := o.fired[id]; !ok {
			if _, ok := o.cancelled[id]; !ok {
				out = append(out, d)
			}
		}
	}
	return out
}

func (o outcome) final() domain.Case { return o.projections[len(o.projections)-1].Case }

// with returns the first projection that wrote an event of type, and that event.
func (o outcome) with(eventType string) (domain.Projection, domain.Event) {
	for _, p := range o.projections {
		for _, e := range p.Events {
			if e.Type == eventType {
				return p, e
			}
		}
	}
	return domain.Projection{}, domain.Event{}
}

// eventTypes lists the timeline's event types, without the supervision ladder's.
func (o outcome) eventTypes() []string {
	var types []string
	for _, p := range o.projections {
		for _, e := range p.Events {
			if slices.Contains([]string{domain.EventReminded, domain.EventUrged, domain.EventYellowCard, domain.EventRedCard}, e.Type) {
				continue
			}
			types = append(types, e.Type)
		}
	}
	return types
}

// routeFunc stands in for the RouteCase activity.
type routeFunc func(context.Context, domain.RouteInput) (domain.RouteProposal, error)

// routeWithDefaultRules routes with the real default rule set, for an enterprise in Licheng.
func routeWithDefaultRules(_ context.Context, in domain.RouteInput) (domain.RouteProposal, error) {
	rs, err := rules.Load(rules.PutianYAML)
	if err != nil {
		return domain.RouteProposal{}, err
	}
	c := in.Case
	return activities.ProposalOf(rs.Evaluate(rules.Input{
		Case:       rules.Case{Category: c.Category, List: c.List, Title: c.Title, Description: c.Description},
		Enterprise: rules.Enterprise{ID: c.EnterpriseID, County: "licheng"},
	})), nil
}

func run(t *testing.T, steps ...step) outcome {
	t.Helper()
	return runWith(t, routeWithDefaultRules, steps...)
}

func runWith(t *testing.T, route routeFunc, steps ...step) outcome {
	t.Helper()
	return runAt(t, startTime, route, steps...)
}

// newEnv is a test environment starting at start, whose activities record into out.
func newEnv(start time.Time, route routeFunc, out *outcome) *testsuite.TestWorkflowEnvironment {
	return newEnvWith(start, route, out, nil)
}

// newEnvWith is newEnv whose read model may refuse a projection (refuse returns an error).
func newEnvWith(start time.Time, route routeFunc, out *outcome, refuse func(domain.Projection) error) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{WorkflowExecutionTimeout: 30 * 24 * time.Hour})
	env.RegisterActivityWithOptions(func(_ context.Context, p domain.Projection) (domain.Projected, error) {
		if refuse != nil {
			if err := refuse(p); err != nil {
				return domain.Projected{}, err
			}
		}
		out.projections = append(out.projections, p)
		// Every event with an audience queues notifications, unless nobody takes them.
		pending := !nobodySubscribes && slices.ContainsFunc(p.Events, func(e domain.Event) bool { return e.Notify != nil })
		return domain.Projected{Pending: pending}, nil
	}, activity.RegisterOptions{Name: "ProjectCase"})
	env.RegisterActivityWithOptions(route, activity.RegisterOptions{Name: "RouteCase"})
	registerSupervision(env, out)
	out.timers, out.fired, out.cancelled = map[string]time.Duration{}, map[string]time.Duration{}, map[string]time.Duration{}
	env.SetOnTimerScheduledListener(func(id string, d time.Duration) { out.timers[id] = d })
	env.SetOnTimerFiredListener(func(id string) { out.fired[id] = out.timers[id] })
	env.SetOnTimerCanceledListener(func(id string) { out.cancelled[id] = out.timers[id] })
	out.activities = map[string]int{}
	count := func(info *activity.Info) {
		stubMu.Lock()
		defer stubMu.Unlock()
		out.activities[info.ActivityType.Name]++
	}
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) { count(info) })
	env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, _ []any) { count(info) })
	return env
}

func runAt(t *testing.T, start time.Time, route routeFunc, steps ...step) outcome {
	t.Helper()
	return runRefusing(t, start, route, nil, steps...)
}

// runRefusing runs the steps against a read model that refuses what refuse says.
func runRefusing(t *testing.T, start time.Time, route routeFunc, refuse func(domain.Projection) error, steps ...step) outcome {
	t.Helper()
	var out outcome
	env := newEnvWith(start, route, &out, refuse)
	out.results = make([]string, len(steps))
	for i, st := range steps {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(st.update, fmt.Sprint(i), &testsuite.TestUpdateCallback{
				OnAccept: func() {},
				OnReject: func(err error) { out.results[i] = errType(err) },
				OnComplete: func(_ any, err error) {
					if err != nil {
						out.results[i] = errType(err)
					}
				},
			}, st.input)
		}, time.Duration(i+1)*time.Hour)
	}
	env.ExecuteWorkflow(wf.CaseWorkflow, wf.CaseInput{
		Case: domain.Case{ID: "PT-2026-000001", Title: "厂房用地审批慢", Description: "新厂房用地审批三个月未办结",
			Category: "land", List: "problem", EnterpriseID: "ent-001"},
		Actor: leader1,
	})
	// The case workflow never ends by itself: the test ends it by timeout, unless the case
	// was closed and, left alone for a day, continued as new.
	var timeout *temporal.TimeoutError
	var can *workflow.ContinueAsNewError
	switch err := env.GetWorkflowError(); {
	case errors.As(err, &can):
		var next wf.CaseInput
		if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
			t.Fatal(err)
		}
		if !next.Continued || next.Case.Status != domain.StatusClosed {
			t.Fatalf("continued as new with the case in %s (continued %v)", next.Case.Status, next.Continued)
		}
		out.live, out.continued = next.Case, true
	case errors.As(err, &timeout):
		q, err := env.QueryWorkflow(wf.QueryCase)
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		if err := q.Get(&out.live); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("workflow ended with %v, want the test's timeout", err)
	}
	for i, st := range steps {
		if out.results[i] != st.want {
			t.Errorf("step %d (%s by %v): got %q, want %q", i, st.update, actorOf(st.input), out.results[i], st.want)
		}
	}
	return out
}

func actorOf(in any) string { return fmt.Sprintf("%+v", in) }

func errType(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Type()
	}
	return "unexpected: " + err.Error()
}

func TestCaseRunsFromIntakeToClosure(t *testing.T) {
	o := run(t,
		referTriage(""),
		act(wf.UpdateRefer, party, wf.ReferBody{Instructions: "请15个工作日内办结"}, ""),
		act(wf.UpdateSign, natres, wf.SignBody{}, ""),
		act(wf.UpdateSign, licheng, wf.SignBody{}, ""),
		act(wf.UpdateProgress, licheng, wf.ProgressBody{Note: "已现场踏勘"}, ""),
		act(wf.UpdateComplete, natres, wf.CompleteBody{Outcome: domain.OutcomeResolved, Report: "已完成用地审批"}, ""),
		act(wf.UpdateCallback, member, wf.CallbackBody{Solved: &yes, Satisfied: &yes, Note: "企业满意"}, ""),
		act(wf.UpdateClose, party, wf.CloseBody{Note: "销号"}, ""),
		act(wf.UpdateComment, leader1, wf.CommentBody{Text: "感谢"}, ""),
		act(wf.UpdateReopen, gov, wf.ReopenBody{Reason: "x"}, wf.ErrForbidden), // not the lead office
		act(wf.UpdateReopen, party, wf.ReopenBody{Reason: "企业反映问题复发"}, ""),
		act(wf.UpdateRefer, party, wf.ReferBody{Instructions: "重新交办"}, ""),
	)
	want := []string{"created", "routed", "triaged", "referred", "signed", "signed", "progress", "completed", "called_back",
		"closed", "commented", "reopened", "referred"}
	if got := o.eventTypes(); !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	var closed domain.Case
	for _, p := range o.projections {
		if p.Events[0].Type == domain.EventClosed {
			closed = p.Case
		}
	}
	if closed.Status != domain.StatusClosed || closed.Outcome != domain.OutcomeResolved {
		t.Errorf("closed case: status %q outcome %q", closed.Status, closed.Outcome)
	}
	// Reopened, it went back to its office and was referred again, to the same units.
	c := o.final()
	if o.live.Status != c.Status || o.live.LastSeq != c.LastSeq {
		t.Errorf("query answered %s#%d, the read model has %s#%d", o.live.Status, o.live.LastSeq, c.Status, c.LastSeq)
	}
	if c.Status != domain.StatusHandling || c.Outcome != "" || c.Callback != nil || len(c.SignedUnits) != 0 || c.LastSeq < len(want) {
		t.Errorf("reopened case: status %q outcome %q callback %v signed %v", c.Status, c.Outcome, c.Callback, c.SignedUnits)
	}
	// Referred Monday 23 November, 15 working days (weekends skipped) is Monday 14 December.
	if closed.DueDate != "2026-12-14" {
		t.Errorf("due date %s, want 2026-12-14", closed.DueDate)
	}
	if c.LeadUnit != "natural-resources" || !slices.Equal(c.CoUnits, []string{"licheng"}) || c.Office != domain.OfficeParty {
		t.Errorf("route: %s %v %s", c.LeadUnit, c.CoUnits, c.Office)
	}
	for i, p := range o.projections {
		for j, e := range p.Events {
			if e.CaseID != c.ID || e.Seq != p.Case.LastSeq-len(p.Events)+1+j {
				t.Errorf("projection %d: event %s#%d out of sequence", i, e.Type, e.Seq)
			}
		}
	}
	created := o.projections[0].Events[0]
	if created.Actor != leader1 || o.projections[0].Case.CreatedBy != "leader1" || o.projections[0].Case.Status != domain.StatusTriage {
		t.Errorf("created event %+v", created)
	}
}

func TestTriageAnswerAndRejectCloseTheCase(t *testing.T) {
	o := run(t,
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionAnswer}, wf.ErrInvalidInput),
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionAnswer, Answer: "政策已于10月出台，详见市政府公告"}, ""),
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionReject, Reason: "重复"}, wf.ErrInvalidTransition),
		act(wf.UpdateReopen, party, wf.ReopenBody{Reason: "企业再次反映"}, ""),
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionReject, Reason: "不属于企业诉求范围"}, ""),
	)
	want := []string{"created", "routed", "triaged", "closed", "reopened", "triaged", "closed"}
	if got := o.eventTypes(); !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	if c := o.final(); c.Status != domain.StatusClosed || c.Resolution != "不属于企业诉求范围" {
		t.Errorf("final %s %q", c.Status, c.Resolution)
	}
}

func TestReturnGoesBackToReferral(t *testing.T) {
	o := run(t,
		referTriage(""),
		act(wf.UpdateRefer, party, wf.ReferBody{DueDate: "2026-12-31"}, ""),
		act(wf.UpdateSign, natres, wf.SignBody{}, ""),
		act(wf.UpdateReturn, licheng, wf.ReturnBody{Grounds: "非本单位职责"}, wf.ErrForbidden), // co-unit cannot return
		act(wf.UpdateReturn, natres, wf.ReturnBody{}, wf.ErrInvalidInput),
		act(wf.UpdateReturn, natres, wf.ReturnBody{Grounds: "属住建局职责"}, ""),
		act(wf.UpdateSign, natres, wf.SignBody{}, wf.ErrInvalidTransition),
		act(wf.UpdateRefer, party, wf.ReferBody{LeadUnit: "housing-construction", CoUnits: &[]string{}}, ""),
		act(wf.UpdateSign, natres, wf.SignBody{}, wf.ErrForbidden),
		act(wf.UpdateSign, housing, wf.SignBody{}, ""),
		act(wf.UpdateComplete, housing, wf.CompleteBody{Outcome: domain.OutcomeExplained, Report: "已解释"}, ""),
	)
	want := []string{"created", "routed", "triaged", "referred", "signed", "returned", "referred", "signed", "completed"}
	if got := o.eventTypes(); !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	c := o.final()
	if c.Status != domain.StatusFollowUp || c.LeadUnit != "housing-construction" || len(c.CoUnits) != 0 || c.ReturnCount != 1 {
		t.Errorf("final %+v", c)
	}
}

func TestUnsatisfiedCallbackRedoesAtMostTwice(t *testing.T) {
	complete := act(wf.UpdateComplete, natres, wf.CompleteBody{Outcome: domain.OutcomePartlyResolved, Report: "部分解决"}, "")
	unsatisfied := act(wf.UpdateCallback, member, wf.CallbackBody{Solved: &no, Satisfied: &no, Note: "仍未解决"}, "")
	o := run(t,
		referTriage(""),
		act(wf.UpdateRefer, party, wf.ReferBody{}, ""),
		act(wf.UpdateSign, natres, wf.SignBody{}, ""),
		complete,
		act(wf.UpdateClose, party, wf.CloseBody{}, wf.ErrInvalidTransition), // not called back yet
		unsatisfied, // redo 1
		complete,
		unsatisfied, // redo 2
		complete,
		unsatisfied, // out of redos: stays in follow-up
		act(wf.UpdateCallback, gov, wf.CallbackBody{Solved: &no, Satisfied: &no}, wf.ErrForbidden),
		act(wf.UpdateClose, gov, wf.CloseBody{}, wf.ErrForbidden),
		act(wf.UpdateClose, party, wf.CloseBody{Note: "已尽力，政策所限"}, ""),
	)
	c := o.final()
	if c.Status != domain.StatusClosed || c.RedoCount != wf.MaxRedos {
		t.Errorf("final status %s redo_count %d", c.Status, c.RedoCount)
	}
	redo := 0
	for _, p := range o.projections {
		for _, e := range p.Events {
			if e.Type == domain.EventCalledBack && p.Case.Status == domain.StatusHandling {
				redo++
				if p.Case.DueDate == "" {
					t.Errorf("redo without a new deadline")
				}
			}
		}
	}
	if redo != 2 {
		t.Errorf("%d redos, want 2", redo)
	}
	// The referral and each redo record on the timeline the deadlines they set, which the
	// audit reads.
	recorded := 0
	for _, p := range o.projections {
		for _, e := range p.Events {
			v, err := domain.DecodeEvent(e.Type, e.Data)
			if err != nil {
				t.Fatal(err)
			}
			var got *domain.Deadlines
			switch d := v.(type) {
			case *domain.Referred:
				got = d.Deadlines
			case *domain.CalledBack:
				if !d.Redo {
					continue
				}
				got = d.Deadlines
			default:
				continue
			}
			recorded++
			if got == nil || *got != p.Case.Deadlines || got.Handling == "" {
				t.Errorf("%s (seq %d) recorded deadlines %+v, the case has %+v", e.Type, e.Seq, got, p.Case.Deadlines)
			}
		}
	}
	if recorded != 3 {
		t.Errorf("%d events recorded deadlines, want the referral and two redos", recorded)
	}
}

func TestActionsAreRejectedBeforeTheyTouchTheCase(t *testing.T) {
	o := run(t,
		act(wf.UpdateTriage, natres, wf.TriageBody{Decision: domain.DecisionAnswer, Answer: "x"}, wf.ErrForbidden), // wrong role
		act(wf.UpdateRefer, party, wf.ReferBody{LeadUnit: "natural-resources"}, wf.ErrInvalidTransition),           // wrong state
		act(wf.UpdateSign, natres, wf.SignBody{}, wf.ErrForbidden),                                                 // not referred to it
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: "maybe"}, wf.ErrInvalidInput),
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer, Category: "weather", Scope: domain.ScopeIndividual,
			List: "problem", Office: domain.OfficeParty, LeadUnit: "natural-resources"}, wf.ErrInvalidInput),
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer, Category: "land", Scope: domain.ScopeIndividual,
			List: "problem", Office: domain.OfficeParty, LeadUnit: "licheng", CoUnits: &[]string{"licheng"}}, wf.ErrInvalidInput),
		referTriage(""),
		act(wf.UpdateRefer, gov, wf.ReferBody{}, wf.ErrForbidden), // not the lead office
		act(wf.UpdateRefer, party, wf.ReferBody{DueDate: "2026-11-23"}, wf.ErrInvalidInput),
		act(wf.UpdateRefer, party, wf.ReferBody{DueDate: "23/12/2026"}, wf.ErrInvalidInput),
		act(wf.UpdateRefer, party, wf.ReferBody{}, ""),
		act(wf.UpdateComplete, natres, wf.CompleteBody{Outcome: domain.OutcomeResolved, Report: "r"}, wf.ErrInvalidTransition), // not signed
		act(wf.UpdateSign, natres, wf.SignBody{}, ""),
		act(wf.UpdateSign, natres, wf.SignBody{}, wf.ErrInvalidTransition),                                              // twice
		act(wf.UpdateComplete, licheng, wf.CompleteBody{Outcome: domain.OutcomeResolved, Report: "r"}, wf.ErrForbidden), // co-unit
		act(wf.UpdateComplete, natres, wf.CompleteBody{Outcome: "done", Report: "r"}, wf.ErrInvalidInput),
		act(wf.UpdateCallback, member, wf.CallbackBody{Solved: &yes, Satisfied: &yes}, wf.ErrInvalidTransition), // still handling
		act(wf.UpdateComment, eff, wf.CommentBody{Text: "审计"}, wf.ErrForbidden),
		act(wf.UpdateComment, leader2, wf.CommentBody{Text: "?"}, wf.ErrForbidden), // not their case
		act(wf.UpdateComment, housing, wf.CommentBody{Text: "?"}, wf.ErrForbidden), // not referred to it
		act(wf.UpdateComment, licheng, wf.CommentBody{}, wf.ErrInvalidInput),
		act(wf.UpdateReopen, party, wf.ReopenBody{Reason: "?"}, wf.ErrInvalidTransition),
		act(wf.UpdateComplete, natres, wf.CompleteBody{Outcome: domain.OutcomeResolved, Report: "已办结"}, ""),
		act(wf.UpdateCallback, member, wf.CallbackBody{Solved: &yes}, wf.ErrInvalidInput),
	)
	// Only the accepted actions left a trace.
	want := []string{"created", "routed", "triaged", "referred", "signed", "completed"}
	if got := o.eventTypes(); !slices.Equal(got, want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
}

func TestTriageStartsFromTheRulesProposal(t *testing.T) {
	o := run(t,
		// Changing the proposed route without saying why is refused.
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer, Office: domain.OfficeParty}, wf.ErrInvalidInput),
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer, Office: domain.OfficeParty, SLA: "urgent",
			OverrideReason: "市委领导批示件"}, ""),
	)
	routed, ev := o.with(domain.EventRouted)
	p := routed.Case.RouteProposal
	if ev.Actor != wf.SystemActor || p == nil ||
		p.Office != "government" || p.LeadUnit != "natural-resources" || p.Reason != "matched" ||
		!slices.Equal(p.RuleIDs, []string{"land"}) || p.RuleSetVersion != 1 {
		t.Fatalf("routed: %+v %+v", ev, p)
	}
	c := o.final()
	if c.Office != domain.OfficeParty || c.LeadUnit != "natural-resources" || c.SLA != "urgent" || c.Priority != "normal" ||
		c.Scope != domain.ScopeIndividual || c.Status != domain.StatusReferral {
		t.Errorf("triaged case: %+v", c)
	}
	var data struct {
		Overrides      []wf.Override `json:"overrides"`
		OverrideReason string        `json:"override_reason"`
	}
	_, triaged := o.with(domain.EventTriaged)
	if err := json.Unmarshal(triaged.Data, &data); err != nil {
		t.Fatal(err)
	}
	if len(data.Overrides) != 2 || data.Overrides[0].Field != "office" || data.Overrides[0].Proposed != "government" ||
		data.Overrides[1].Field != "sla" || data.OverrideReason != "市委领导批示件" {
		t.Errorf("overrides recorded: %+v", data)
	}
}

func TestRoutingFailureLeavesTheCaseToManualTriage(t *testing.T) {
	failing := func(context.Context, domain.RouteInput) (domain.RouteProposal, error) {
		return domain.RouteProposal{}, errors.New("database unreachable")
	}
	o := runWith(t, failing,
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer}, wf.ErrInvalidInput), // nothing to start from
		referTriage(""),
	)
	if routed, _ := o.with(domain.EventRouted); routed.Case.RouteProposal == nil || routed.Case.RouteProposal.Reason != domain.ReasonRoutingFailed {
		t.Fatalf("proposal %+v", routed.Case.RouteProposal)
	}
	if p := o.final().RouteProposal; p == nil || p.Reason != domain.ReasonRoutingFailed {
		t.Fatalf("proposal %+v", p)
	}
	if c := o.final(); c.Status != domain.StatusReferral || c.Office != domain.OfficeParty {
		t.Errorf("final %+v", c)
	}
}

// TestFilesAreAttachedByThoseHandlingTheCaseUntilItCloses: the attach Update takes a file
// from the member department, the lead office and the units assigned, records its SHA-256,
// and refuses the other office, the efficiency office, a unit it was not referred to, a
// body that is not a stored file's, and any file once the case has closed.
func TestFilesAreAttachedByThoseHandlingTheCaseUntilItCloses(t *testing.T) {
	file := func(id string) wf.AttachBody {
		return wf.AttachBody{FileID: id, Name: "批复.pdf", ContentType: "application/pdf", Size: 100, SHA256: strings.Repeat("ab", 32)}
	}
	bad := file("FL-AAAAAAAAAAAAAAAAAAAAAAAAAA")
	bad.ContentType = "application/x-msdownload"
	o := run(t,
		act(wf.UpdateAttach, member, file("FL-AAAAAAAAAAAAAAAAAAAAAAAAAA"), ""),
		referTriage(""),
		act(wf.UpdateRefer, party, wf.ReferBody{}, ""),
		act(wf.UpdateAttach, gov, file("FL-BBBBBBBBBBBBBBBBBBBBBBBBBB"), wf.ErrForbidden),
		act(wf.UpdateAttach, eff, file("FL-BBBBBBBBBBBBBBBBBBBBBBBBBB"), wf.ErrForbidden),
		act(wf.UpdateAttach, housing, file("FL-BBBBBBBBBBBBBBBBBBBBBBBBBB"), wf.ErrForbidden),
		act(wf.UpdateAttach, natres, bad, wf.ErrInvalidInput),
		act(wf.UpdateAttach, natres, file("FL-../../etc/passwd"), wf.ErrInvalidInput),
		act(wf.UpdateAttach, party, file("FL-CCCCCCCCCCCCCCCCCCCCCCCCCC"), ""),
		act(wf.UpdateSign, natres, wf.SignBody{}, ""),
		act(wf.UpdateAttach, natres, file("FL-DDDDDDDDDDDDDDDDDDDDDDDDDD"), ""),
		act(wf.UpdateComplete, natres, wf.CompleteBody{Outcome: domain.OutcomeResolved, Report: "已办结"}, ""),
		act(wf.UpdateCallback, member, wf.CallbackBody{Solved: &yes, Satisfied: &yes}, ""),
		act(wf.UpdateClose, party, wf.CloseBody{}, ""),
		act(wf.UpdateAttach, member, file("FL-EEEEEEEEEEEEEEEEEEEEEEEEEE"), wf.ErrInvalidTransition),
	)
	added := 0
	for _, typ := range o.eventTypes() {
		if typ == domain.EventFileAdded {
			added++
		}
	}
	if added != 3 {
		t.Errorf("%d file_added events, want 3: %v", added, o.eventTypes())
	}
}
