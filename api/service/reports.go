package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/putian-fic/caseflow/activities/reportbook"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Reports are the operations on the quarterly report (季度调研报告): its schedule, its
// quarters, their contents, the three attachments, the printable summary's figures and the
// leaders' submissions. The compilation itself is the report's workflow
// (workflows/report.go) and its activity (activities/report.go).
type Reports struct{ *deps }

// Run is a run of the quarterly Schedule.
type Run struct {
	ScheduledAt string `json:"scheduled_at"`
	StartedAt   string `json:"started_at"`
	WorkflowID  string `json:"workflow_id"`
}

// Schedule is the quarterly Schedule as Temporal describes it.
type Schedule struct {
	ID         string   `json:"id"`
	NextRuns   []string `json:"next_runs"`
	Paused     bool     `json:"paused"`
	RecentRuns []Run    `json:"recent_runs"`
	TimeZone   string   `json:"time_zone"`
}

// Schedule is the quarterly Schedule: its next runs and its recent ones.
func (s Reports) Schedule(ctx context.Context, u domain.User) (Schedule, error) {
	if err := require(u, RolesReportRunners...); err != nil {
		return Schedule{}, err
	}
	desc, err := s.Temporal.ScheduleClient().GetHandle(ctx, workflows.ReportScheduleID).Describe(ctx)
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return Schedule{}, notFound("季度报告计划尚未建立：启动一个 worker 即会建立 (no schedule yet: a worker creates it when it starts)")
		}
		return Schedule{}, err
	}
	out := Schedule{ID: workflows.ReportScheduleID, TimeZone: domain.Shanghai.String(), NextRuns: []string{}, RecentRuns: []Run{}}
	for _, t := range desc.Info.NextActionTimes {
		out.NextRuns = append(out.NextRuns, t.UTC().Format(time.RFC3339))
	}
	for _, a := range desc.Info.RecentActions {
		r := Run{ScheduledAt: a.ScheduleTime.UTC().Format(time.RFC3339), StartedAt: a.ActualTime.UTC().Format(time.RFC3339)}
		if a.StartWorkflowResult != nil {
			r.WorkflowID = a.StartWorkflowResult.WorkflowID
		}
		out.RecentRuns = append(out.RecentRuns, r)
	}
	out.Paused = desc.Schedule.State != nil && desc.Schedule.State.Paused
	return out, nil
}

// begun refuses a quarter after the current one: not found.
func begun(q domain.Quarter) error {
	if cur := domain.QuarterOf(time.Now()); q.Start().After(cur.Start()) {
		return notFound(fmt.Sprintf("%s 尚未开始 (the quarter has not begun)", q))
	}
	return nil
}

// SubmissionCounts count the leaders' submissions of a quarter.
type SubmissionCounts struct {
	OnTime  int `json:"on_time"`
	Late    int `json:"late"`
	Missing int `json:"missing"`
}

// SubmissionView is a leader's submission as a reader sees it.
type SubmissionView struct {
	Leader      string     `json:"leader"`
	Status      string     `json:"status"`
	SubmittedAt *time.Time `json:"submitted_at"`
	Narrative   *string    `json:"narrative,omitempty"`
	// Files are the files the leader attached, for those who read the narrative.
	Files []File `json:"files,omitempty"`
}

// submissionViews lists every leader's submission status for the quarter.
func (s Reports) submissionViews(ctx context.Context, q domain.Quarter, leaders []store.Leader) ([]SubmissionView, SubmissionCounts, error) {
	subs, err := s.Store.Submissions(ctx, q)
	if err != nil {
		return nil, SubmissionCounts{}, err
	}
	parents := make([]string, 0, len(leaders))
	for _, l := range leaders {
		parents = append(parents, submissionParent(q, l.Username))
	}
	files, err := s.Store.FilesOf(ctx, store.FileOfSubmission, parents)
	if err != nil {
		return nil, SubmissionCounts{}, err
	}
	var counts SubmissionCounts
	out := make([]SubmissionView, 0, len(leaders))
	for _, l := range leaders {
		v := SubmissionView{Leader: l.Username, Status: domain.SubmissionMissing}
		for _, f := range files {
			if f.ParentID == submissionParent(q, l.Username) {
				v.Files = append(v.Files, f)
			}
		}
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

// ReportHead is what the list and the report both say of a quarter's report.
type ReportHead struct {
	Period      string     `json:"period"`
	Status      string     `json:"status"`
	StatusLabel string     `json:"status_label"`
	Deadline    time.Time  `json:"deadline"`
	CompiledAt  *time.Time `json:"compiled_at"`
	Version     int        `json:"version"`
	Final       bool       `json:"final"`
}

// headOf is the report's head; its status follows from the time and whether the final
// version is written (domain.Quarter.Status).
func headOf(r store.Report) ReportHead {
	q, _ := domain.ParseQuarter(r.Period)
	status := q.Status(time.Now(), r.Final)
	return ReportHead{Period: r.Period, Status: status, StatusLabel: domain.ReportStatusLabels[status], Deadline: r.Deadline,
		CompiledAt: r.CompiledAt, Version: r.Version, Final: r.Final}
}

// ReportItem is a quarter in the list of reports.
type ReportItem struct {
	ReportHead
	Submissions SubmissionCounts `json:"submissions"`
}

// List is every quarter's report, newest first, with its submissions counted.
func (s Reports) List(ctx context.Context, u domain.User) ([]ReportItem, error) {
	if err := require(u, RolesReportReaders...); err != nil {
		return nil, err
	}
	reports, err := s.Store.Reports(ctx)
	if err != nil {
		return nil, err
	}
	leaders, err := s.Store.Leaders(ctx)
	if err != nil {
		return nil, err
	}
	items := []ReportItem{}
	for _, r := range reports {
		q, _ := domain.ParseQuarter(r.Period)
		_, counts, err := s.submissionViews(ctx, q, leaders)
		if err != nil {
			return nil, err
		}
		items = append(items, ReportItem{ReportHead: headOf(r), Submissions: counts})
	}
	return items, nil
}

// Run starts the quarter's report if it is not running, else compiles it again, and
// answers the report. Like every operation that waits on a workflow, within the action
// timeout: a compilation that a crashed worker left under way goes on when a worker is
// back, and the caller, told Unavailable, reads the report again.
func (s Reports) Run(ctx context.Context, u domain.User, q domain.Quarter) (ReportView, error) {
	if err := require(u, RolesReportRunners...); err != nil {
		return ReportView{}, err
	}
	if err := begun(q); err != nil {
		return ReportView{}, err
	}
	wait, cancel := context.WithTimeout(ctx, s.ActionTimeout)
	defer cancel()
	if _, err := workflows.RunReport(wait, s.Temporal, q); err != nil {
		return ReportView{}, err
	}
	return s.Get(ctx, u, q)
}

// ReportView is a quarter's report for one reader.
type ReportView struct {
	ReportHead
	Totals      ReportTotals          `json:"totals"`
	ByLeader    []store.LeaderSection `json:"by_leader"`
	ByCounty    []store.ReportGroup   `json:"by_county"`
	ByCategory  []store.ReportGroup   `json:"by_category"`
	ByUnit      []store.ReportGroup   `json:"by_unit"`
	Submissions []SubmissionView      `json:"submissions"`
	// Sent are the sendings of the report to the city's leaders (报送); Instructions the
	// instructions that came back (批示), each with the cases raised from it as they stand.
	Sent         []store.Sending   `json:"sent"`
	Instructions []InstructionView `json:"instructions"`
	// Leads count the investment leads registered in the quarter by state (a leader: their
	// own); leads.xlsx lists them.
	Leads LeadCounts `json:"leads"`
}

// ReportTotals are the Federation-wide totals of a quarter.
type ReportTotals struct {
	Raised           int     `json:"raised"`
	Closed           int     `json:"closed"`
	Overdue          int     `json:"overdue"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
}

// load reads the quarter's latest version, shaped for the reader: a leader gets their own
// section, their own submission and the Federation-wide totals only.
func (s Reports) load(ctx context.Context, u domain.User, q domain.Quarter) (ReportView, store.ReportContent, error) {
	if err := begun(q); err != nil {
		return ReportView{}, store.ReportContent{}, err
	}
	rep, content, err := s.Store.ReportOf(ctx, q)
	if errors.Is(err, store.ErrNotFound) {
		return ReportView{}, content, notFound(fmt.Sprintf("%s 的报告尚未汇总：POST /reports/quarterly/%s/run (not compiled yet)", q, q))
	}
	if err != nil {
		return ReportView{}, content, err
	}
	leaders, err := s.Store.Leaders(ctx)
	if err != nil {
		return ReportView{}, content, err
	}
	subs, _, err := s.submissionViews(ctx, q, leaders)
	if err != nil {
		return ReportView{}, content, err
	}
	sent, instructions, err := s.followUp(ctx, q)
	if err != nil {
		return ReportView{}, content, err
	}
	leads, err := s.quarterLeads(ctx, u, q)
	if err != nil {
		return ReportView{}, content, err
	}
	counts := LeadCounts{ByStatus: map[string]int{}}
	for _, l := range leads {
		counts.Total++
		counts.ByStatus[l.Status]++
	}
	t := content.Totals
	v := ReportView{ReportHead: headOf(rep), Sent: sent, Instructions: instructions, Leads: counts,
		Totals:   ReportTotals{Raised: t.Raised, Closed: t.Closed, Overdue: t.Overdue, SatisfactionRate: t.SatisfactionRate},
		ByLeader: content.ByLeader, ByCounty: content.ByCounty, ByCategory: content.ByCategory, ByUnit: content.ByUnit, Submissions: subs}
	if u.Role == domain.RoleLeader {
		own := func(name string) bool { return name == u.Username }
		v.ByLeader = slices.DeleteFunc(slices.Clone(v.ByLeader), func(l store.LeaderSection) bool { return !own(l.Leader) })
		v.Submissions = slices.DeleteFunc(v.Submissions, func(sv SubmissionView) bool { return !own(sv.Leader) })
		v.ByCounty, v.ByCategory, v.ByUnit = []store.ReportGroup{}, []store.ReportGroup{}, []store.ReportGroup{}
	} else if !slices.Contains(RolesNarrativeReaders, u.Role) {
		for i := range v.Submissions {
			// A leader's text and files are for the office that compiles them.
			v.Submissions[i].Narrative, v.Submissions[i].Files = nil, nil
		}
	}
	return v, content, nil
}

// Get is the quarter's report as the user may read it.
func (s Reports) Get(ctx context.Context, u domain.User, q domain.Quarter) (ReportView, error) {
	if err := require(u, RolesReportReaders...); err != nil {
		return ReportView{}, err
	}
	v, _, err := s.load(ctx, u, q)
	return v, err
}

// SubmissionReceipt is a leader's submission as stored.
type SubmissionReceipt struct {
	Leader      string    `json:"leader"`
	Narrative   string    `json:"narrative"`
	Period      string    `json:"period"`
	Status      string    `json:"status"`
	SubmittedAt time.Time `json:"submitted_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Submit is a leader's submission of the quarter (again: it replaces the text).
func (s Reports) Submit(ctx context.Context, u domain.User, q domain.Quarter, body workflows.SubmitReportBody) (SubmissionReceipt, error) {
	if err := require(u, RolesSubmitter...); err != nil {
		return SubmissionReceipt{}, err
	}
	if err := begun(q); err != nil {
		return SubmissionReceipt{}, err
	}
	if err := body.Validate(); err != nil {
		return SubmissionReceipt{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.ActionTimeout)
	defer cancel()
	var sub domain.Submission
	err := workflows.ReportUpdate(ctx, s.Temporal, q, workflows.UpdateSubmitReport,
		workflows.ActionInput[workflows.SubmitReportBody]{Actor: u.Actor(), Body: body}, &sub)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		// A report whose workflow has ended (long after its deadline).
		return SubmissionReceipt{}, newError(Conflict, "report_closed",
			fmt.Sprintf("%s 的报告已结束，不再接收提交或重新汇总 (the report has ended)", q))
	}
	if err != nil {
		return SubmissionReceipt{}, err
	}
	status := domain.SubmissionOnTime
	if sub.Late {
		status = domain.SubmissionLate
	}
	return SubmissionReceipt{Period: q.String(), Leader: sub.Leader, Status: status, SubmittedAt: sub.SubmittedAt,
		UpdatedAt: sub.UpdatedAt, Narrative: sub.Narrative}, nil
}

// Attachment is attachment n (附件1–3, "1".."3") of the quarter's report: the cases of list
// n raised in the quarter, and a sheet of earlier cases still open at its end, each case
// redacted as the reader sees it and every unredacted read recorded.
func (s Reports) Attachment(ctx context.Context, u domain.User, q domain.Quarter, n string) (Workbook, error) {
	if err := require(u, RolesReportReaders...); err != nil {
		return Workbook{}, err
	}
	if err := begun(q); err != nil {
		return Workbook{}, err
	}
	if n == "leads" {
		return s.leadsWorkbook(ctx, u, q)
	}
	if _, ok := reportbook.Lists[n]; !ok {
		return Workbook{}, notFound("附件只有 1.xlsx、2.xlsx、3.xlsx 和 leads.xlsx (attachments are 1.xlsx, 2.xlsx, 3.xlsx and leads.xlsx)")
	}
	v, _, err := s.load(ctx, u, q)
	if err != nil {
		return Workbook{}, err
	}
	names, err := s.names(ctx, false)
	if err != nil {
		return Workbook{}, err
	}
	sees := func(row store.ReportRow) bool {
		return needsSensitive(reportCase(row), u, row.RaisedBy == u.Username || slices.Contains(row.Leaders, u.Username))
	}
	rows := func(list string, earlier bool, fn func(store.ReportRow) error) error {
		return s.Store.EachReportRow(ctx, q, v.Version, list, earlier, fn)
	}
	read := func(ids ...string) error { return s.Store.RecordSensitiveReads(ctx, u.Username, ids...) }
	sheets, err := reportbook.Attachment(rows, n, reportbook.Reader{Role: u.Role, Username: u.Username, Sees: sees}, names, read)
	if err != nil {
		return Workbook{}, err
	}
	return Workbook{ASCIIName: fmt.Sprintf("report-%s-attachment-%s", q, n),
		Name: fmt.Sprintf("%s 附件%s %s", q, n, domain.Lists[reportbook.Lists[n]]), Sheets: sheets}, nil
}

// reportCase is a report row as the case it shows, with what needsSensitive asks of a case
// read by the report's readers (no units read reports).
func reportCase(row store.ReportRow) *domain.Case {
	return &domain.Case{ID: row.CaseID, CreatedBy: row.RaisedBy, Office: row.Office, LeadUnit: row.LeadUnit,
		CoUnits: row.CoUnits, Status: row.Status, Sensitive: row.Sensitive, AmountCNY: row.AmountCNY}
}

// names are the names people read for the ids in a workbook or a report: units' and
// leaders', and with enterprises every enterprise's.
func (d *deps) names(ctx context.Context, enterprises bool) (reportbook.Names, error) {
	n := reportbook.Names{Units: map[string]string{}, Users: map[string]string{}, Enterprises: map[string]string{}}
	units, err := d.Store.ListUnits(ctx)
	if err != nil {
		return n, err
	}
	for _, u := range units {
		n.Units[u.ID] = u.Name
	}
	leaders, err := d.Store.Leaders(ctx)
	if err != nil {
		return n, err
	}
	for _, l := range leaders {
		n.Users[l.Username] = l.DisplayName
	}
	if enterprises {
		list, err := d.Store.ListEnterprises(ctx)
		if err != nil {
			return n, err
		}
		for _, e := range list {
			n.Enterprises[e.ID] = e.Name
		}
	}
	return n, nil
}

// Bar is one bar of a chart drawn by the server.
type Bar struct {
	Label         string
	Value, Second int
	Y, W, W2      int
}

// chart lays out horizontal bars for groups: raised (and closed inside it).
func chart(groups []store.ReportGroup, label func(store.ReportGroup) string) ([]Bar, int) {
	most := 1
	for _, g := range groups {
		most = max(most, g.Raised)
	}
	bars := make([]Bar, 0, len(groups))
	for i, g := range groups {
		bars = append(bars, Bar{Label: label(g), Value: g.Raised, Second: g.Closed, Y: i * 26,
			W: g.Raised * 400 / most, W2: g.Closed * 400 / most})
	}
	return bars, len(groups)*26 + 4
}

// SummaryLeader is a leader's line of the summary.
type SummaryLeader struct {
	Name                                                 string
	Linked, Visited, NotVisited, Raised, Closed, Overdue int
	Share                                                float64
	Submission                                           string
	// Narrative is the leader's quarterly text, for who may read it ("" otherwise); Files
	// the files attached to it, for the same readers.
	Narrative string
	Files     []File
}

// SummaryGroup is a group's line of the summary (a county, a category, a unit).
type SummaryGroup struct {
	Name                    string
	Raised, Closed, Overdue int
	Rate                    float64
}

// SummaryChart is a chart of groups with their table.
type SummaryChart struct {
	Title, Key string
	Bars       []Bar
	Height     int
	Rows       []SummaryGroup
}

// Summary is what the printable summary of a quarter shows, in Chinese.
type Summary struct {
	Title, From, To, CompiledAt, StatusLabel, Deadline string
	Version                                            int
	Final                                              bool
	Totals                                             ReportTotals
	Satisfaction                                       float64
	Leaders                                            []SummaryLeader
	Charts                                             []SummaryChart
	// Sent and Instructions: to whom the report went, and what came back with its cases.
	Sent         []SummarySending
	Instructions []InstructionView
}

// SummarySending is a sending as the summary says it.
type SummarySending struct{ To, At string }

// Summary is the quarter's report as its printable summary shows it to the user: names for
// ids, percentages, and bar charts laid out.
func (s Reports) Summary(ctx context.Context, u domain.User, q domain.Quarter) (Summary, error) {
	if err := require(u, RolesReportReaders...); err != nil {
		return Summary{}, err
	}
	v, content, err := s.load(ctx, u, q)
	if err != nil {
		return Summary{}, err
	}
	names, err := s.names(ctx, false)
	if err != nil {
		return Summary{}, err
	}
	subLabel := map[string]string{domain.SubmissionOnTime: "按时提交", domain.SubmissionLate: "逾期提交", domain.SubmissionMissing: "未提交"}
	data := Summary{Title: fmt.Sprintf("%d年第%d季度企业家意见建议收集办理情况", q.Year, q.Q), From: content.From, To: content.To,
		StatusLabel: v.StatusLabel, Deadline: q.Deadline().In(domain.Shanghai).Format("2006-01-02 15:04"), Version: v.Version,
		Final: v.Final, Totals: v.Totals, Satisfaction: v.Totals.SatisfactionRate * 100}
	if v.CompiledAt != nil {
		data.CompiledAt = v.CompiledAt.In(domain.Shanghai).Format("2006-01-02 15:04")
	}
	for _, sd := range v.Sent {
		data.Sent = append(data.Sent, SummarySending{To: strings.Join(sd.To, "、"), At: sd.SentAt.In(domain.Shanghai).Format("2006-01-02 15:04")})
	}
	data.Instructions = v.Instructions
	for _, l := range v.ByLeader {
		sub, text := domain.SubmissionMissing, ""
		var files []File
		for _, sv := range v.Submissions {
			if sv.Leader == l.Leader {
				sub, files = sv.Status, sv.Files
				if sv.Narrative != nil {
					text = *sv.Narrative
				}
			}
		}
		data.Leaders = append(data.Leaders, SummaryLeader{Name: names.User(l.Leader), Linked: l.Linked, Visited: l.Visited,
			NotVisited: len(l.NotVisited), Raised: l.Raised, Closed: l.Closed, Overdue: l.Overdue, Share: l.Share * 100, Submission: subLabel[sub],
			Narrative: text, Files: files})
	}
	for _, g := range []struct {
		title, key string
		groups     []store.ReportGroup
		label      func(store.ReportGroup) string
	}{
		{"分县区", "县区", v.ByCounty, func(g store.ReportGroup) string { return names.Unit(g.Key) }},
		{"分问题类别", "类别", v.ByCategory, func(g store.ReportGroup) string { return domain.Categories[g.Key] }},
		{"分承办单位", "承办单位", v.ByUnit, func(g store.ReportGroup) string { return names.Unit(g.Key) }},
	} {
		if len(g.groups) == 0 {
			continue
		}
		bars, height := chart(g.groups, g.label)
		cd := SummaryChart{Title: g.title, Key: g.key, Bars: bars, Height: height}
		for _, gr := range g.groups {
			cd.Rows = append(cd.Rows, SummaryGroup{Name: g.label(gr), Raised: gr.Raised, Closed: gr.Closed, Overdue: gr.Overdue, Rate: gr.SatisfactionRate * 100})
		}
		data.Charts = append(data.Charts, cd)
	}
	return data, nil
}
