package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// The quarterly report (季度调研报告): its schedule, its quarters, their contents, the three
// attachments, the printable summary and the leaders' submissions.

// reportSchedule: GET /reports/schedule.
func (s *Server) reportSchedule(c *gin.Context) error {
	desc, err := s.Temporal.ScheduleClient().GetHandle(c.Request.Context(), workflows.ReportScheduleID).Describe(c.Request.Context())
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return newError(http.StatusNotFound, "not_found", "季度报告计划尚未建立：启动一个 worker 即会建立 (no schedule yet: a worker creates it when it starts)")
		}
		return err
	}
	next := []string{}
	for _, t := range desc.Info.NextActionTimes {
		next = append(next, t.UTC().Format(time.RFC3339))
	}
	type run struct {
		ScheduledAt string `json:"scheduled_at"`
		StartedAt   string `json:"started_at"`
		WorkflowID  string `json:"workflow_id"`
	}
	recent := []run{}
	for _, a := range desc.Info.RecentActions {
		r := run{ScheduledAt: a.ScheduleTime.UTC().Format(time.RFC3339), StartedAt: a.ActualTime.UTC().Format(time.RFC3339)}
		if a.StartWorkflowResult != nil {
			r.WorkflowID = a.StartWorkflowResult.WorkflowID
		}
		recent = append(recent, r)
	}
	paused := desc.Schedule.State != nil && desc.Schedule.State.Paused
	respond(c, http.StatusOK, gin.H{"id": workflows.ReportScheduleID, "time_zone": domain.Shanghai.String(), "next_runs": next,
		"recent_runs": recent, "paused": paused})
	return nil
}

// reportPeriod reads {period}: 422 when malformed, 404 for a quarter after the current one.
func (s *Server) reportPeriod(c *gin.Context) (domain.Quarter, error) {
	q, err := pathQuarter(c, "period")
	if err != nil {
		return q, err
	}
	if cur := domain.QuarterOf(time.Now()); q.Start().After(cur.Start()) {
		return q, newError(http.StatusNotFound, "not_found", fmt.Sprintf("%s 尚未开始 (the quarter has not begun)", q))
	}
	return q, nil
}

type submissionCounts struct {
	OnTime  int `json:"on_time"`
	Late    int `json:"late"`
	Missing int `json:"missing"`
}

type submissionView struct {
	Leader      string     `json:"leader"`
	Status      string     `json:"status"`
	SubmittedAt *time.Time `json:"submitted_at"`
	Narrative   *string    `json:"narrative,omitempty"`
}

// submissionViews lists every leader's submission status for the quarter.
func (s *Server) submissionViews(ctx context.Context, q domain.Quarter, leaders []store.Leader) ([]submissionView, submissionCounts, error) {
	subs, err := s.Store.Submissions(ctx, q)
	if err != nil {
		return nil, submissionCounts{}, err
	}
	var counts submissionCounts
	out := make([]submissionView, 0, len(leaders))
	for _, l := range leaders {
		v := submissionView{Leader: l.Username, Status: domain.SubmissionMissing}
		if i := slices.IndexFunc(subs, func(sb domain.Submission) bool { return sb.Leader == l.Username }); i >= 0 {
			sb := subs[i]
			v.SubmittedAt, v.Narrative, v.Status = &sb.SubmittedAt, &sb.Narrative, domain.SubmissionOnTime
			if sb.Late {
				v.Status = domain.SubmissionLate
			}
		}
		switch v.Status {
		case domain.SubmissionOnTime:
			counts.OnTime++
		case domain.SubmissionLate:
			counts.Late++
		default:
			counts.Missing++
		}
		out = append(out, v)
	}
	return out, counts, nil
}

// listReports: GET /reports/quarterly.
func (s *Server) listReports(c *gin.Context) error {
	reports, err := s.Store.Reports(c.Request.Context())
	if err != nil {
		return err
	}
	type item struct {
		reportHead
		Submissions submissionCounts `json:"submissions"`
	}
	leaders, err := s.Store.Leaders(c.Request.Context())
	if err != nil {
		return err
	}
	items := []item{}
	for _, r := range reports {
		q, _ := domain.ParseQuarter(r.Period)
		_, counts, err := s.submissionViews(c.Request.Context(), q, leaders)
		if err != nil {
			return err
		}
		items = append(items, item{reportHead: headOf(r), Submissions: counts})
	}
	respond(c, http.StatusOK, gin.H{"items": items})
	return nil
}

// runReport: POST /reports/quarterly/{period}/run — starts the quarter's report if it is not
// running, else compiles it again → 202 with the report.
func (s *Server) runReport(c *gin.Context) error {
	q, err := s.reportPeriod(c)
	if err != nil {
		return err
	}
	// Like every request that waits on a workflow, within ActionTimeout: a compilation that
	// a crashed worker left under way goes on when a worker is back, and the client, told
	// 503 with Retry-After, reads the report again.
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.ActionTimeout)
	defer cancel()
	if _, err := workflows.RunReport(ctx, s.Temporal, q); err != nil {
		return err
	}
	return s.respondReport(c, http.StatusAccepted, q)
}

// reportUpdate sends an Update to the quarter's report, starting it if needed. A report
// whose workflow has ended (long after its deadline) answers 409.
func (s *Server) reportUpdate(ctx context.Context, q domain.Quarter, name string, arg, out any) (any, error) {
	err := workflows.ReportUpdate(ctx, s.Temporal, q, name, arg, out)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil, newError(http.StatusConflict, "report_closed",
			fmt.Sprintf("%s 的报告已结束，不再接收提交或重新汇总 (the report has ended)", q))
	}
	return out, err
}

// reportHead is what the list and the report both say of a quarter's report.
type reportHead struct {
	Period      string     `json:"period"`
	Status      string     `json:"status"`
	StatusLabel string     `json:"status_label"`
	Deadline    time.Time  `json:"deadline"`
	CompiledAt  *time.Time `json:"compiled_at"`
	Version     int        `json:"version"`
	Final       bool       `json:"final"`
}

// headOf is the report's head; its status follows from the time and whether the final
// version is written.
func headOf(r store.Report) reportHead {
	q, _ := domain.ParseQuarter(r.Period)
	status := q.Status(time.Now(), r.Final)
	return reportHead{Period: r.Period, Status: status, StatusLabel: domain.ReportStatusLabels[status], Deadline: r.Deadline,
		CompiledAt: r.CompiledAt, Version: r.Version, Final: r.Final}
}

// reportView is GET /reports/quarterly/{period} for one reader.
type reportView struct {
	reportHead
	Totals      reportTotals          `json:"totals"`
	ByLeader    []store.LeaderSection `json:"by_leader"`
	ByCounty    []store.ReportGroup   `json:"by_county"`
	ByCategory  []store.ReportGroup   `json:"by_category"`
	ByUnit      []store.ReportGroup   `json:"by_unit"`
	Submissions []submissionView      `json:"submissions"`
}

type reportTotals struct {
	Raised           int     `json:"raised"`
	Closed           int     `json:"closed"`
	Overdue          int     `json:"overdue"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
}

// loadReport reads the quarter's latest version, shaped for the reader: a leader gets their
// own section, their own submission and the Federation-wide totals only.
func (s *Server) loadReport(c *gin.Context, q domain.Quarter, rows bool) (reportView, store.ReportContent, error) {
	ctx := c.Request.Context()
	rep, content, err := s.Store.ReportOf(ctx, q, rows)
	if errors.Is(err, store.ErrNotFound) {
		return reportView{}, content, newError(http.StatusNotFound, "not_found",
			fmt.Sprintf("%s 的报告尚未汇总：POST /reports/quarterly/%s/run (not compiled yet)", q, q))
	}
	if err != nil {
		return reportView{}, content, err
	}
	leaders, err := s.Store.Leaders(ctx)
	if err != nil {
		return reportView{}, content, err
	}
	subs, _, err := s.submissionViews(ctx, q, leaders)
	if err != nil {
		return reportView{}, content, err
	}
	t := content.Totals
	v := reportView{reportHead: headOf(rep),
		Totals:   reportTotals{Raised: t.Raised, Closed: t.Closed, Overdue: t.Overdue, SatisfactionRate: t.SatisfactionRate},
		ByLeader: content.ByLeader, ByCounty: content.ByCounty, ByCategory: content.ByCategory, ByUnit: content.ByUnit, Submissions: subs}
	if u := currentUser(c); u.Role == domain.RoleLeader {
		own := func(name string) bool { return name == u.Username }
		v.ByLeader = slices.DeleteFunc(slices.Clone(v.ByLeader), func(l store.LeaderSection) bool { return !own(l.Leader) })
		v.Submissions = slices.DeleteFunc(v.Submissions, func(sv submissionView) bool { return !own(sv.Leader) })
		v.ByCounty, v.ByCategory, v.ByUnit = []store.ReportGroup{}, []store.ReportGroup{}, []store.ReportGroup{}
	} else {
		for i := range v.Submissions {
			v.Submissions[i].Narrative = nil // the narratives are read one by one, not listed
		}
	}
	return v, content, nil
}

func (s *Server) respondReport(c *gin.Context, status int, q domain.Quarter) error {
	v, _, err := s.loadReport(c, q, false)
	if err != nil {
		return err
	}
	respond(c, status, v)
	return nil
}

// getReport: GET /reports/quarterly/{period}.
func (s *Server) getReport(c *gin.Context) error {
	q, err := s.reportPeriod(c)
	if err != nil {
		return err
	}
	return s.respondReport(c, http.StatusOK, q)
}

// submitReport: POST /reports/quarterly/{period}/submissions — a leader's submission.
func (s *Server) submitReport(c *gin.Context) error {
	q, err := s.reportPeriod(c)
	if err != nil {
		return err
	}
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	var body workflows.SubmitReportBody
	if err := decodeStrict(raw, &body); err != nil {
		return err
	}
	if err := body.Validate(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.ActionTimeout)
	defer cancel()
	var sub domain.Submission
	u := currentUser(c)
	if _, err := s.reportUpdate(ctx, q, workflows.UpdateSubmitReport,
		workflows.ActionInput[workflows.SubmitReportBody]{Actor: u.Actor(), Body: body}, &sub); err != nil {
		return err
	}
	status := domain.SubmissionOnTime
	if sub.Late {
		status = domain.SubmissionLate
	}
	respond(c, http.StatusCreated, gin.H{"period": q.String(), "leader": sub.Leader, "status": status,
		"submitted_at": sub.SubmittedAt, "updated_at": sub.UpdatedAt, "narrative": sub.Narrative})
	return nil
}
