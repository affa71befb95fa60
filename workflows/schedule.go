package workflows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the schedule's time zone loads in images without zoneinfo

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// The Temporal Schedule that starts each quarter's report: 08:00 on 1 January, April, July
// and October, Asia/Shanghai. Overlap SKIP: a trigger only starts (or finds) one quarter's
// report and ends, so two never need to run at once. Catch-up window 9 days: if Temporal was
// down at 08:00 on the 1st, the run still happens when it is back before the deadline on the
// 10th; after that the quarter is started by hand or by a backfill.

// ReportCatchupWindow is how late a missed scheduled run still happens.
const ReportCatchupWindow = 9 * 24 * time.Hour

// reportSchedule is the schedule as caseflow wants it.
func reportSchedule() (client.ScheduleSpec, *client.ScheduleWorkflowAction, string) {
	spec := client.ScheduleSpec{
		Calendars: []client.ScheduleCalendarSpec{{
			Month:      []client.ScheduleRange{{Start: 1, End: 12, Step: 3}},
			DayOfMonth: []client.ScheduleRange{{Start: 1}},
			Hour:       []client.ScheduleRange{{Start: 8}},
		}},
		TimeZoneName: domain.Shanghai.String(),
	}
	action := &client.ScheduleWorkflowAction{ID: "quarterly-report-trigger", Workflow: "ScheduledQuarterlyReport", TaskQueue: TaskQueue,
		WorkflowExecutionTimeout: time.Hour}
	return spec, action, specNote(spec, action, ReportCatchupWindow)
}

// specNote is what identifies a schedule as caseflow made it: a hash of its spec, action and
// policies (overlap is always SKIP), kept with the schedule.
func specNote(spec client.ScheduleSpec, action *client.ScheduleWorkflowAction, catchup time.Duration) string {
	raw, _ := json.Marshal(struct {
		Spec     client.ScheduleSpec
		Workflow any
		Queue    string
		Overlap  enumspb.ScheduleOverlapPolicy
		Catchup  time.Duration
	}{spec, action.Workflow, action.TaskQueue, enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, catchup})
	sum := sha256.Sum256(raw)
	return "caseflow spec " + hex.EncodeToString(sum[:8])
}

// EnsureReportSchedule creates the schedule, or updates it when its spec changed (a hash of
// the spec is kept with the schedule: Describe returns a normalised spec, not the one given,
// so specs are not compared field by field). Idempotent: several workers starting at once
// leave one schedule.
func EnsureReportSchedule(ctx context.Context, c client.Client) error {
	spec, action, note := reportSchedule()
	return ensureSchedule(ctx, c, ReportScheduleID, spec, action, ReportCatchupWindow, note)
}

// SealScheduleID is the Schedule that seals the audit's days every night.
const SealScheduleID = "audit-seal"

// sealSchedule: 01:00 every day, Asia/Shanghai. A missed night is sealed by the next run
// (every day not sealed yet is), so the catch-up window is one day.
func sealSchedule() (client.ScheduleSpec, *client.ScheduleWorkflowAction, string) {
	spec := client.ScheduleSpec{
		Calendars:    []client.ScheduleCalendarSpec{{Hour: []client.ScheduleRange{{Start: 1}}}},
		TimeZoneName: domain.Shanghai.String(),
	}
	action := &client.ScheduleWorkflowAction{ID: "audit-seal-run", Workflow: "SealAuditDaysWorkflow", TaskQueue: TaskQueue,
		WorkflowExecutionTimeout: time.Hour}
	return spec, action, specNote(spec, action, sealCatchupWindow)
}

// sealCatchupWindow: a missed night is sealed by the next run anyway.
const sealCatchupWindow = 24 * time.Hour

// EnsureSchedules creates or updates every schedule caseflow runs: the quarterly report and
// the audit's nightly seal.
func EnsureSchedules(ctx context.Context, c client.Client) error {
	if err := EnsureReportSchedule(ctx, c); err != nil {
		return err
	}
	spec, action, note := sealSchedule()
	return ensureSchedule(ctx, c, SealScheduleID, spec, action, sealCatchupWindow, note)
}

func ensureSchedule(ctx context.Context, c client.Client, id string, spec client.ScheduleSpec, action *client.ScheduleWorkflowAction,
	catchup time.Duration, note string) error {
	// The hash goes in the memo at creation, as the schedule's record of what it was made
	// from; the SDK cannot change a schedule's memo, so the hash in force is kept in its note.
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: id, Spec: spec, Action: action, Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: catchup, Note: note, Memo: map[string]any{"spec_hash": note},
	})
	if err == nil {
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("the schedule %s: %w", id, err)
	}
	h := c.ScheduleClient().GetHandle(ctx, id)
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		if s.State != nil && strings.HasPrefix(s.State.Note, note) {
			return nil, temporal.ErrSkipScheduleUpdate
		}
		s.Spec, s.Action = &spec, action
		if s.Policy == nil {
			s.Policy = &client.SchedulePolicies{}
		}
		s.Policy.Overlap, s.Policy.CatchupWindow = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, catchup
		if s.State == nil {
			s.State = &client.ScheduleState{}
		}
		s.State.Note = note
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		return fmt.Errorf("the schedule %s: %w", id, err)
	}
	return nil
}
