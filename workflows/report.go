package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// The quarterly report (季度调研报告): one workflow per quarter, ID quarterly-report-2026-Q3,
// started by the schedule on the first day of the next quarter, by a manual run or by a
// backfill — whichever comes first; the others find it. It compiles the report when it
// starts, whenever asked, and finally at the deadline (10 April/July/October/January 00:00,
// Shanghai), when it ends; it reminds the leaders still owing their submission 7, 3 and 1
// days before the deadline, and takes each leader's submission as an Update.

// Report message names.
const (
	UpdateSubmitReport  = "submit"
	UpdateCompileReport = "compile"
	QueryReport         = "report"
	// ReportScheduleID is the Temporal Schedule that starts each quarter's report.
	ReportScheduleID = "quarterly-report"
)

// ReportWorkflowID is the workflow ID of a quarter's report.
func ReportWorkflowID(period string) string { return "quarterly-report-" + period }

// ReportInput starts (or continues) a quarter's report.
type ReportInput struct {
	Period string `json:"period"`
	// State carries a continued run's state.
	State *ReportState `json:"state,omitempty"`
}

// ReportState is what the report's workflow knows: what it compiled, who submitted, which
// reminders went out.
type ReportState struct {
	Period     string    `json:"period"`
	Status     string    `json:"status"`
	Deadline   time.Time `json:"deadline"`
	Version    int       `json:"version"`
	CompiledAt time.Time `json:"compiled_at"`
	Final      bool      `json:"final"`
	Leaders    []string  `json:"leaders"`
	Submitted  []string  `json:"submitted"`
	// Reminded: days before the deadline whose reminder went out (or was past when the
	// report started, so never sent late).
	Reminded []int `json:"reminded"`
	// RemindedLeaders: who each reminder went to, by days before the deadline.
	RemindedLeaders map[int][]string `json:"reminded_leaders,omitempty"`
}

// SubmitReportBody is a leader's submission.
type SubmitReportBody struct {
	Narrative string `json:"narrative"`
}

// MaxNarrativeLength bounds a submission, in characters.
const MaxNarrativeLength = 50_000

// Validate checks the narrative.
func (b SubmitReportBody) Validate() error {
	if strings.TrimSpace(b.Narrative) == "" {
		return invalidInput("narrative", "必填 (required)")
	}
	if p := domain.TextProblem(b.Narrative, false); p != "" {
		return invalidInput("narrative", p)
	}
	if n := len([]rune(b.Narrative)); n > MaxNarrativeLength {
		return invalidInput("narrative", fmt.Sprintf("不能超过 %d 字 (at most %d characters)", MaxNarrativeLength, MaxNarrativeLength))
	}
	return nil
}

// LateWindow is how long after its deadline a report still takes (late) submissions.
const LateWindow = 92 * 24 * time.Hour

// reportOptions: a report's activities take seconds; a worker that died under way is
// noticed after a minute, and the activity retried on another.
var reportOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// compileOptions: compiling a quarter takes seconds (a million cases: under ten) and
// heartbeats, so a worker that died under way is noticed within ten seconds, not a minute.
var compileOptions = func() workflow.ActivityOptions {
	o := reportOptions
	o.HeartbeatTimeout = 10 * time.Second
	return o
}()

// QuarterlyReportWorkflow runs one quarter's report until its deadline.
func QuarterlyReportWorkflow(ctx workflow.Context, in ReportInput) error {
	q, err := domain.ParseQuarter(in.Period)
	if err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, err)
	}
	st := ReportState{Period: q.String(), Deadline: q.Deadline(), Leaders: []string{}, Submitted: []string{}, Reminded: []int{}}
	if in.State != nil {
		st = *in.State
	}
	ctx = workflow.WithActivityOptions(ctx, reportOptions)
	mu := workflow.NewMutex(ctx)

	// compile writes a new version, as of now (final at the deadline).
	compile := func(ctx workflow.Context, final bool) error {
		ctx = workflow.WithActivityOptions(ctx, compileOptions)
		if err := mu.Lock(ctx); err != nil {
			return err
		}
		defer mu.Unlock()
		if st.Final {
			return nil
		}
		var out domain.ReportCompiled
		if err := workflow.ExecuteActivity(ctx, actCompileQuarterlyReport, domain.ReportCompileInput{
			Period: st.Period, AsOf: workflow.Now(ctx), Final: final}).Get(ctx, &out); err != nil {
			return err
		}
		st.Version, st.CompiledAt, st.Final, st.Leaders = out.Version, out.CompiledAt, out.Final, domain.NonNil(out.Leaders)
		st.Status = q.Status(workflow.Now(ctx), st.Final)
		return nil
	}

	if err := workflow.SetQueryHandler(ctx, QueryReport, func() (ReportState, error) { return st, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCompileReport,
		func(ctx workflow.Context, _ SyncInput) (ReportState, error) {
			if st.Version == 0 { // the first compilation is under way: that one answers
				if err := workflow.Await(ctx, func() bool { return st.Version > 0 }); err != nil {
					return st, err
				}
				return st, nil
			}
			return st, compile(ctx, false)
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, _ SyncInput) error {
			if st.Final {
				return rejection(ErrInvalidTransition, fmt.Sprintf("%s 的报告已于截止时定稿，不再重新汇总 (the report is final)", st.Period))
			}
			return nil
		}}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSubmitReport,
		func(ctx workflow.Context, in ActionInput[SubmitReportBody]) (domain.Submission, error) {
			ctx = workflow.WithActivityOptions(ctx, reportOptions)
			var sub domain.Submission
			err := workflow.ExecuteActivity(ctx, actSaveSubmission, domain.SubmissionInput{Period: st.Period,
				Leader: in.Actor.Username, Narrative: in.Body.Narrative, At: workflow.Now(ctx)}).Get(ctx, &sub)
			if err == nil && !slices.Contains(st.Submitted, in.Actor.Username) {
				st.Submitted = append(st.Submitted, in.Actor.Username)
			}
			return sub, err
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, in ActionInput[SubmitReportBody]) error {
			if err := requireRole(in.Actor, domain.RoleLeader); err != nil {
				return err
			}
			return in.Body.Validate()
		}}); err != nil {
		return err
	}

	if in.State == nil {
		// Reminders already past when the report starts (a backfill, a late start) are not sent.
		now := workflow.Now(ctx)
		for i, at := range q.Reminders() {
			if !at.After(now) {
				st.Reminded = append(st.Reminded, domain.ReminderDays[i])
			}
		}
		if err := compile(ctx, !now.Before(q.Deadline())); err != nil {
			return err
		}
	}
	for !st.Final {
		now := workflow.Now(ctx)
		if s := q.StatusAt(now); s != st.Status && !now.Before(q.End()) {
			if err := workflow.ExecuteActivity(ctx, actSetReportStatus, domain.ReportStatusInput{Period: st.Period, Status: s}).Get(ctx, nil); err != nil {
				return err
			}
			st.Status = s
		}
		if !now.Before(q.Deadline()) {
			if err := compile(ctx, true); err != nil {
				return err
			}
			break
		}
		next := q.Deadline()
		if now.Before(q.End()) {
			next = q.End()
		}
		due := -1
		for i, at := range q.Reminders() {
			days := domain.ReminderDays[i]
			if slices.Contains(st.Reminded, days) {
				continue
			}
			if !at.After(now) {
				due = days
				break
			}
			if at.Before(next) {
				next = at
			}
		}
		if due >= 0 {
			if err := remind(ctx, &st, due); err != nil {
				return err
			}
			continue
		}
		suggested := func() bool { return workflow.GetInfo(ctx).GetContinueAsNewSuggested() }
		if _, err := workflow.AwaitWithTimeout(ctx, next.Sub(now), suggested); err != nil {
			return err
		}
		if suggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return err
			}
			return workflow.NewContinueAsNewError(ctx, QuarterlyReportWorkflow, ReportInput{Period: st.Period, State: &st})
		}
	}
	// Final. Late submissions are still taken (marked late) for LateWindow after the deadline.
	if wait := q.Deadline().Add(LateWindow).Sub(workflow.Now(ctx)); wait > 0 {
		if _, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return workflow.GetInfo(ctx).GetContinueAsNewSuggested() }); err != nil {
			return err
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return err
			}
			return workflow.NewContinueAsNewError(ctx, QuarterlyReportWorkflow, ReportInput{Period: st.Period, State: &st})
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// remind tells the leaders still owing a submission, days before the deadline, through
// the outbox.
func remind(ctx workflow.Context, st *ReportState, days int) error {
	var leaders []string
	if err := workflow.ExecuteActivity(ctx, actRemindLeaders, domain.ReminderInput{Period: st.Period, DaysBefore: days,
		At: workflow.Now(ctx)}).Get(ctx, &leaders); err != nil {
		return err
	}
	st.Reminded = append(st.Reminded, days)
	if st.RemindedLeaders == nil {
		st.RemindedLeaders = map[int][]string{}
	}
	st.RemindedLeaders[days] = domain.NonNil(leaders)
	if len(leaders) > 0 {
		period := st.Period
		workflow.Go(ctx, func(ctx workflow.Context) {
			dctx := workflow.WithActivityOptions(ctx, deliverOptions)
			_ = workflow.ExecuteActivity(dctx, actDeliverNotifications, domain.DeliverInput{Period: period}).Get(dctx, nil)
		})
	}
	return nil
}

// ScheduledQuarterlyReport is the schedule's action: it starts (or finds) the report of the
// quarter that ended before its scheduled time.
func ScheduledQuarterlyReport(ctx workflow.Context) error {
	at := workflow.GetInfo(ctx).WorkflowStartTime
	if t, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")); ok && !t.IsZero() {
		at = t
	}
	period := domain.QuarterOf(at).Prev().String()
	ctx = workflow.WithActivityOptions(ctx, reportOptions)
	err := workflow.ExecuteActivity(ctx, actStartQuarterlyReport, domain.StartReportInput{WorkflowID: ReportWorkflowID(period),
		Workflow: "QuarterlyReportWorkflow", TaskQueue: TaskQueue, Period: period}).Get(ctx, nil)
	if err != nil {
		return errors.Join(fmt.Errorf("quarterly report %s", period), err)
	}
	return nil
}

// ReportUpdate sends an Update to a quarter's report, starting its workflow if there is none
// (a report whose workflow ended long after its deadline is not started again: the error is
// then a serviceerror.WorkflowExecutionAlreadyStarted), and waits for its result in out.
func ReportUpdate(ctx context.Context, c client.Client, q domain.Quarter, name string, arg, out any) error {
	id := ReportWorkflowID(q.String())
	start := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: id, TaskQueue: TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, QuarterlyReportWorkflow, ReportInput{Period: q.String()})
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: name, Args: []any{arg},
			WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, out)
}

// RunReport starts a quarter's report, or compiles it again, and answers its state; a final
// report is answered as it stands.
func RunReport(ctx context.Context, c client.Client, q domain.Quarter) (ReportState, error) {
	var st ReportState
	err := ReportUpdate(ctx, c, q, UpdateCompileReport, SyncInput{}, &st)
	var app *temporal.ApplicationError
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &app) && app.Type() == ErrInvalidTransition || errors.As(err, &started) {
		return st, nil // final already
	}
	return st, err
}
