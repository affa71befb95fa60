package workflows_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	wf "github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// reportRun records what a report's workflow asked of its activities.
type reportRun struct {
	mu        sync.Mutex
	compiles  []domain.ReportCompileInput
	statuses  []string
	reminders map[int][]string // days before → leaders reminded
	remindAt  map[int]time.Time
	submitted map[string]domain.Submission
	delivered int
	version   int
	final     bool
	recompile []string // the outcome of each compile request: "" or the rejection's type
}

// runReport runs a quarter's report from start; submissions are sent at the given times.
func runReport(t *testing.T, period string, start time.Time, submissions map[string]time.Time, compileAt ...time.Time) *reportRun {
	t.Helper()
	env, run := newReportEnv(t, period, start)
	for leader, at := range submissions {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(wf.UpdateSubmitReport, leader, &testsuite.TestUpdateCallback{
				OnAccept: func() {}, OnReject: func(err error) { t.Errorf("%s's submission refused: %v", leader, err) },
				OnComplete: func(_ any, err error) {
					if err != nil {
						t.Errorf("%s's submission failed: %v", leader, err)
					}
				}},
				wf.ActionInput[wf.SubmitReportBody]{Actor: domain.Actor{Username: leader, Role: domain.RoleLeader},
					Body: wf.SubmitReportBody{Narrative: "本季度走访挂钩企业情况"}})
		}, at.Sub(start))
	}
	for _, at := range compileAt {
		env.RegisterDelayedCallback(func() { compileReport(env, run, at.String()) }, at.Sub(start))
	}
	env.ExecuteWorkflow(wf.QuarterlyReportWorkflow, wf.ReportInput{Period: period})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("report %s: %v", period, err)
	}
	return run
}

// compileReport asks the report to compile again, recording the outcome.
func compileReport(env *testsuite.TestWorkflowEnvironment, run *reportRun, id string) {
	env.UpdateWorkflow(wf.UpdateCompileReport, id, &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) { run.recompile = append(run.recompile, errType(err)) },
		OnComplete: func(_ any, err error) {
			if err == nil {
				run.recompile = append(run.recompile, "")
			}
		}}, wf.SyncInput{})
}

// newReportEnv is a test environment whose report activities record into the run.
func newReportEnv(t *testing.T, period string, start time.Time) (*testsuite.TestWorkflowEnvironment, *reportRun) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	q, _ := domain.ParseQuarter(period)
	run := &reportRun{reminders: map[int][]string{}, remindAt: map[int]time.Time{}, submitted: map[string]domain.Submission{}}
	env.RegisterActivityWithOptions(func(ctx context.Context, in domain.ReportCompileInput) (domain.ReportCompiled, error) {
		run.mu.Lock()
		defer run.mu.Unlock()
		if run.final {
			return domain.ReportCompiled{Version: run.version, Final: true, Leaders: []string{"leader1", "leader2"}}, nil
		}
		run.compiles = append(run.compiles, in)
		run.version++
		run.final = in.Final
		return domain.ReportCompiled{Version: run.version, CompiledAt: in.AsOf, Final: in.Final, Leaders: []string{"leader1", "leader2"}}, nil
	}, activity.RegisterOptions{Name: "CompileQuarterlyReport"})
	env.RegisterActivityWithOptions(func(ctx context.Context, in domain.ReportStatusInput) error {
		run.mu.Lock()
		defer run.mu.Unlock()
		run.statuses = append(run.statuses, in.Status)
		return nil
	}, activity.RegisterOptions{Name: "SetReportStatus"})
	env.RegisterActivityWithOptions(func(ctx context.Context, in domain.SubmissionInput) (domain.Submission, error) {
		run.mu.Lock()
		defer run.mu.Unlock()
		sub := domain.Submission{Period: in.Period, Leader: in.Leader, Narrative: in.Narrative, SubmittedAt: in.At, Late: !in.At.Before(q.Deadline())}
		run.submitted[in.Leader] = sub
		return sub, nil
	}, activity.RegisterOptions{Name: "SaveSubmission"})
	env.RegisterActivityWithOptions(func(ctx context.Context, in domain.ReminderInput) ([]string, error) {
		run.mu.Lock()
		defer run.mu.Unlock()
		var missing []string
		for _, l := range []string{"leader1", "leader2"} {
			if _, ok := run.submitted[l]; !ok {
				missing = append(missing, l)
			}
		}
		run.reminders[in.DaysBefore] = missing
		run.remindAt[in.DaysBefore] = in.At
		return missing, nil
	}, activity.RegisterOptions{Name: "RemindLeaders"})
	env.RegisterActivityWithOptions(func(ctx context.Context, in domain.DeliverInput) error {
		run.mu.Lock()
		defer run.mu.Unlock()
		run.delivered++
		return nil
	}, activity.RegisterOptions{Name: "DeliverNotifications"})
	return env, run
}

func TestAQuarterlyReportRemindsTheLeadersStillOwingAndFreezesAtTheDeadline(t *testing.T) {
	// Q3 2026: the deadline is 10 October 00:00, in the National Day week.
	run := runReport(t, "2026-Q3", shanghai("2026-09-15 10:00"), map[string]time.Time{
		"leader1": shanghai("2026-10-05 15:00"), // on time, between the first and second reminders
		"leader2": shanghai("2026-10-12 10:00"), // late
	}, shanghai("2026-09-20 10:00"), shanghai("2026-10-11 10:00")) // compile again before the deadline, then after it
	// At the start, when asked on 20 September, and final at the deadline; asked again
	// after it, the final version stands.
	if len(run.compiles) != 3 || run.compiles[1].Final || !run.compiles[2].Final ||
		!run.compiles[2].AsOf.Equal(shanghai("2026-10-10 00:00")) || !slices.Equal(run.recompile, []string{"", wf.ErrInvalidTransition}) {
		t.Fatalf("compilations: %+v, requests %v", run.compiles, run.recompile)
	}
	want := map[int]string{7: "2026-10-03 09:00", 3: "2026-10-07 09:00", 1: "2026-10-09 09:00"}
	for days, at := range want {
		if got := run.remindAt[days]; !got.Equal(shanghai(at)) {
			t.Errorf("reminder %d days before: at %v, want %s", days, got, at)
		}
	}
	if !slices.Equal(run.reminders[7], []string{"leader1", "leader2"}) || !slices.Equal(run.reminders[3], []string{"leader2"}) ||
		!slices.Equal(run.reminders[1], []string{"leader2"}) {
		t.Errorf("reminded: %v", run.reminders)
	}
	if run.submitted["leader1"].Late || !run.submitted["leader2"].Late {
		t.Errorf("submissions: %+v", run.submitted)
	}
	if !slices.Equal(run.statuses, []string{domain.ReportCollecting, domain.ReportClosed}) {
		t.Errorf("statuses recorded: %v", run.statuses)
	}
	if run.delivered != 3 {
		t.Errorf("%d deliveries, want one per reminder", run.delivered)
	}
}

func TestTheFourthQuartersRemindersCrossTheNewYear(t *testing.T) {
	run := runReport(t, "2026-Q4", shanghai("2026-12-20 08:00"), nil)
	for days, at := range map[int]string{7: "2027-01-03 09:00", 3: "2027-01-07 09:00", 1: "2027-01-09 09:00"} {
		if got := run.remindAt[days]; !got.Equal(shanghai(at)) {
			t.Errorf("reminder %d days before: at %v, want %s", days, got, at)
		}
	}
	if last := run.compiles[len(run.compiles)-1]; !last.Final || !last.AsOf.Equal(shanghai("2027-01-10 00:00")) {
		t.Errorf("final compilation: %+v", last)
	}
}

func TestABackfilledQuarterIsCompiledFinalAtOnceAndRemindsNobody(t *testing.T) {
	run := runReport(t, "2026-Q1", shanghai("2026-11-28 10:00"), nil)
	if len(run.compiles) != 1 || !run.compiles[0].Final || len(run.reminders) != 0 {
		t.Errorf("compilations %+v, reminders %v", run.compiles, run.reminders)
	}
}

func TestAReportWithALongHistoryContinuesAsNewWithWhatItKnows(t *testing.T) {
	// Temporal suggests a fresh history; the quarter's end wakes the workflow.
	start := shanghai("2026-09-15 10:00")
	env, run := newReportEnv(t, "2026-Q3", start)
	env.RegisterDelayedCallback(func() { env.SetContinueAsNewSuggested(true) }, time.Hour)
	env.ExecuteWorkflow(wf.QuarterlyReportWorkflow, wf.ReportInput{Period: "2026-Q3"})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next wf.ReportInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.Period != "2026-Q3" || next.State == nil || next.State.Version != 1 || next.State.Final || len(next.State.Leaders) != 2 {
		t.Errorf("continued with %+v (state %+v), compiles %d", next, next.State, len(run.compiles))
	}
}
