package workflows_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	wf "github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// TestLongCasesContinueAsNewWithTheirState: once the history is long, the case continues
// as new carrying the case, its ladders and its settings, and the next run goes on from there.
func TestLongCasesContinueAsNewWithTheirState(t *testing.T) {
	var out outcome
	env := newEnv(startTime, routeWithDefaultRules, &out)
	steps := []step{
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionRefer}, ""),
		act(wf.UpdateRefer, gov, wf.ReferBody{}, ""),
	}
	for i := range 3 {
		steps = append(steps, act(wf.UpdateComment, member, wf.CommentBody{Text: fmt.Sprintf("第%d次催问", i+1)}, ""))
	}
	for i, st := range steps {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(st.update, fmt.Sprint(i), &testsuite.TestUpdateCallback{
				OnAccept: func() {}, OnReject: func(error) {}, OnComplete: func(any, error) {},
			}, st.input)
		}, time.Duration(i+1)*time.Minute)
	}
	// Temporal suggests a fresh history; the next action wakes the workflow.
	env.RegisterDelayedCallback(func() { env.SetContinueAsNewSuggested(true) }, time.Duration(len(steps)+1)*time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(wf.UpdateComment, "last", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(error) {}, OnComplete: func(any, error) {},
		}, wf.ActionInput[wf.CommentBody]{Actor: member, Body: wf.CommentBody{Text: "最后一次"}})
	}, time.Duration(len(steps)+2)*time.Minute)
	env.ExecuteWorkflow(wf.CaseWorkflow, wf.CaseInput{
		Case:  domain.Case{ID: "PT-2026-000042", Title: "用地", Description: "用地", Category: "land", List: "problem", EnterpriseID: "ent-001"},
		Actor: leader1,
	})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("workflow ended with %v, want continue-as-new", err)
	}
	var next wf.CaseInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	last := out.projections[len(out.projections)-1].Case
	if !next.Continued || !next.Supervised || next.Case.LastSeq != last.LastSeq ||
		next.Case.Status != domain.StatusHandling || next.Case.Deadlines.Handling != last.Deadlines.Handling || len(next.Ladders) == 0 {
		t.Fatalf("next run's input: continued %v supervised %v seq %d (read model %d) status %s ladders %d",
			next.Continued, next.Supervised, next.Case.LastSeq, last.LastSeq, next.Case.Status, len(next.Ladders))
	}

	// The next run picks up where the first stopped: no event recorded again, and actions go on.
	var out2 outcome
	env2 := newEnv(startTime.Add(time.Hour), routeWithDefaultRules, &out2)
	var signed error = errors.New("not run")
	env2.RegisterDelayedCallback(func() {
		env2.UpdateWorkflow(wf.UpdateSign, "s", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { signed = err }, OnComplete: func(_ any, err error) { signed = err },
		}, wf.ActionInput[wf.SignBody]{Actor: natres})
	}, time.Minute)
	env2.ExecuteWorkflow(wf.CaseWorkflow, next)
	if signed != nil {
		t.Fatalf("sign in the continued run: %v", signed)
	}
	if len(out2.projections) == 0 || out2.projections[0].Events[0].Type != domain.EventSigned ||
		out2.projections[0].Events[0].Seq != last.LastSeq+1 {
		t.Fatalf("continued run recorded %d projections", len(out2.projections))
	}
	// The ladder carried over goes on (the handling deadline's rungs), numbered on from there.
	seq := last.LastSeq
	var types []string
	for _, p := range out2.projections {
		for _, e := range p.Events {
			if e.Seq != seq+1 {
				t.Errorf("event %s has seq %d after %d", e.Type, e.Seq, seq)
			}
			seq = e.Seq
			types = append(types, e.Type)
		}
	}
	if fmt.Sprint(types) != "[signed reminded urged yellow_card red_card]" {
		t.Errorf("continued run's events: %v", types)
	}
}

// TestAClosedCaseContinuesAsNewWhenLeftAlone: a case closed in a run and left alone for a
// day continues as new (so idle closed cases run current code); the new run keeps the case
// and stays, closed and idle, without continuing again; a reopen there works.
func TestAClosedCaseContinuesAsNewWhenLeftAlone(t *testing.T) {
	o := run(t,
		act(wf.UpdateTriage, member, wf.TriageBody{Decision: domain.DecisionAnswer, Answer: "政策已出台"}, ""),
		act(wf.UpdateComment, member, wf.CommentBody{Text: "已电话告知企业"}, ""), // within the day: the clock restarts
	)
	if !o.continued || o.live.Status != domain.StatusClosed || o.live.LastSeq != o.final().LastSeq {
		t.Fatalf("continued %v, case %s at seq %d (read model %d)", o.continued, o.live.Status, o.live.LastSeq, o.final().LastSeq)
	}

	var next outcome
	env := newEnv(startTime.Add(48*time.Hour), routeWithDefaultRules, &next)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(wf.UpdateReopen, "reopen", &testsuite.TestUpdateCallback{OnAccept: func() {},
			OnReject: func(err error) { t.Errorf("reopen rejected: %v", err) },
			OnComplete: func(_ any, err error) {
				if err != nil {
					t.Errorf("reopen: %v", err)
				}
			}}, wf.ActionInput[wf.ReopenBody]{Actor: gov, Body: wf.ReopenBody{Reason: "企业再次反映"}})
	}, 72*time.Hour)
	env.ExecuteWorkflow(wf.CaseWorkflow, wf.CaseInput{Case: o.live, Continued: true, Supervised: true, Strict: true})
	var timeout *temporal.TimeoutError
	if err := env.GetWorkflowError(); !errors.As(err, &timeout) {
		t.Fatalf("the continued run ended with %v; a closed case left alone must stay", err)
	}
	if got := next.eventTypes(); !slices.Equal(got, []string{domain.EventReopened}) {
		t.Fatalf("continued run recorded %v", got)
	}
}
