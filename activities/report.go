package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows/domain"
)

func quarter(period string) (domain.Quarter, error) {
	q, err := domain.ParseQuarter(period)
	if err != nil {
		return q, temporal.NewNonRetryableApplicationError(err.Error(), "invalid_input", err)
	}
	return q, nil
}

// CompileQuarterlyReport compiles the quarter's report and stores it as a new version. Once
// a final version exists, nothing more is compiled: the final one is answered (so a retried
// final compilation writes nothing twice).
func (a *Activities) CompileQuarterlyReport(ctx context.Context, in domain.ReportCompileInput) (domain.ReportCompiled, error) {
	defer heartbeat(ctx)()
	q, err := quarter(in.Period)
	if err != nil {
		return domain.ReportCompiled{}, err
	}
	content, err := a.Store.CompileQuarter(ctx, q, in.AsOf)
	if err != nil {
		return domain.ReportCompiled{}, err
	}
	leaders := make([]string, len(content.ByLeader))
	for i, l := range content.ByLeader {
		leaders[i] = l.Leader
	}
	status := q.Status(in.AsOf, in.Final)
	rep, err := a.Store.SaveReportVersion(ctx, q, status, content, in.Final)
	if errors.Is(err, store.ErrConflict) {
		if rep, _, err = a.Store.ReportOf(ctx, q); err != nil {
			return domain.ReportCompiled{}, err
		}
	} else if err != nil {
		return domain.ReportCompiled{}, err
	}
	return domain.ReportCompiled{Version: rep.Version, CompiledAt: *rep.CompiledAt, Final: rep.Final, Leaders: leaders}, nil
}

// SetReportStatus records the report's status.
func (a *Activities) SetReportStatus(ctx context.Context, in domain.ReportStatusInput) error {
	q, err := quarter(in.Period)
	if err != nil {
		return err
	}
	return a.Store.SetReportStatus(ctx, q, in.Status)
}

// SaveSubmission stores a leader's submission.
func (a *Activities) SaveSubmission(ctx context.Context, in domain.SubmissionInput) (domain.Submission, error) {
	q, err := quarter(in.Period)
	if err != nil {
		return domain.Submission{}, err
	}
	return a.Store.SaveSubmission(ctx, q, in.Leader, in.Narrative, in.At)
}

// RemindLeaders puts a reminder in the outbox for every leader whose submission is missing,
// and returns who they are. Idempotent (one reminder per leader, channel and day).
func (a *Activities) RemindLeaders(ctx context.Context, in domain.ReminderInput) ([]string, error) {
	q, err := quarter(in.Period)
	if err != nil {
		return nil, err
	}
	leaders, err := a.Store.Leaders(ctx)
	if err != nil {
		return nil, err
	}
	subs, err := a.Store.Submissions(ctx, q)
	if err != nil {
		return nil, err
	}
	missing := []string{}
	for _, l := range leaders {
		if !slices.ContainsFunc(subs, func(s domain.Submission) bool { return s.Leader == l.Username }) {
			missing = append(missing, l.Username)
		}
	}
	if len(missing) == 0 {
		return missing, nil
	}
	payload, _ := json.Marshal(map[string]any{"type": "report_reminder", "period": q.String(),
		"title":    fmt.Sprintf("%d年第%d季度调研报告将于 %s 截止，请尽快提交", q.Year, q.Q, q.Deadline().Format("1月2日")),
		"deadline": q.Deadline(), "days_before": in.DaysBefore})
	return missing, a.Store.QueueReportReminders(ctx, q, in.DaysBefore, missing, payload)
}

// StartQuarterlyReport starts the quarter's report workflow unless it exists (running or
// ended): the schedule, a manual run and a backfill all reach the same report.
func (a *Activities) StartQuarterlyReport(ctx context.Context, in domain.StartReportInput) error {
	if a.Temporal == nil {
		return errors.New("this worker has no Temporal client to start reports")
	}
	_, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: in.WorkflowID, TaskQueue: in.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE},
		in.Workflow, map[string]any{"period": in.Period})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil // the report ran and ended: found
	}
	return err
}

// SealAuditDays seals every day before until's day (Asia/Shanghai) for the audit.
func (a *Activities) SealAuditDays(ctx context.Context, until time.Time) error {
	return a.Store.SealDays(ctx, until)
}

// heartbeat records the activity's heartbeat every two seconds until the stop it answers is
// called. With a HeartbeatTimeout in the activity's options, an activity whose worker died
// is tried again once its heartbeats stop, not after its whole StartToClose timeout.
func heartbeat(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { close(done) }
}
