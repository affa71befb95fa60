package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// The quarterly report (季度调研报告): what the store compiles for a quarter, the versions it
// keeps, the leaders' submissions and the reminders.

// ReportRow is one case in an attachment (附件1–3): the columns of the lists. A version's rows
// are kept in quarterly_report_rows, a column a field (reportRowColumns).
type ReportRow struct {
	CaseID      string   `json:"case_id" db:"case_id"`
	List        string   `json:"list" db:"list"`
	Enterprise  string   `json:"enterprise" db:"enterprise"`
	County      string   `json:"county" db:"county"`
	Category    string   `json:"category" db:"category"`
	Description string   `json:"description" db:"description"`
	AmountCNY   *float64 `json:"amount_cny" db:"amount_cny"`
	LeadUnit    string   `json:"lead_unit" db:"lead_unit"`
	CoUnits     []string `json:"co_units" db:"co_units"`
	Office      string   `json:"office" db:"office"`
	Status      string   `json:"status" db:"status"`
	DueDate     string   `json:"due_date" db:"due_date"`
	Outcome     string   `json:"outcome" db:"outcome"`
	RaisedBy    string   `json:"raised_by" db:"raised_by"`
	VisitDate   string   `json:"visit_date" db:"visit_date"`
	Sensitive   bool     `json:"sensitive" db:"sensitive"`
	// Leaders: who raised it (the visit's leaders, or the leader who created it).
	Leaders    []string  `json:"leaders" db:"leaders"`
	CreatedAt  time.Time `json:"created_at" db:"created_at"`
	Overdue    bool      `json:"overdue" db:"overdue"`
	CalledBack int       `json:"called_back" db:"called_back"`
	Satisfied  int       `json:"satisfied" db:"satisfied"`
	// Earlier: raised before the quarter and still open at its end (the second sheet).
	Earlier bool `json:"earlier" db:"earlier"`
}

// reportRowColumns are quarterly_report_rows' columns of a ReportRow, in the order values
// answers them.
var reportRowColumns = []string{"case_id", "list", "enterprise", "county", "category", "description", "amount_cny",
	"lead_unit", "co_units", "office", "status", "due_date", "outcome", "raised_by", "visit_date", "sensitive", "leaders",
	"created_at", "overdue", "called_back", "satisfied", "earlier"}

func (r ReportRow) values() []any {
	return []any{r.CaseID, r.List, r.Enterprise, r.County, r.Category, r.Description, r.AmountCNY,
		r.LeadUnit, domain.NonNil(r.CoUnits), r.Office, r.Status, r.DueDate, r.Outcome, r.RaisedBy, r.VisitDate, r.Sensitive,
		domain.NonNil(r.Leaders), r.CreatedAt, r.Overdue, r.CalledBack, r.Satisfied, r.Earlier}
}

// fields are r's fields as values answers them, for Scan: a quarter's rows are read back by
// position (by name, pgx matched each row's columns to the fields anew: 0.9 s of CPU for a
// quarter of a million cases' attachments).
func (r *ReportRow) fields() []any {
	return []any{&r.CaseID, &r.List, &r.Enterprise, &r.County, &r.Category, &r.Description, &r.AmountCNY,
		&r.LeadUnit, &r.CoUnits, &r.Office, &r.Status, &r.DueDate, &r.Outcome, &r.RaisedBy, &r.VisitDate, &r.Sensitive,
		&r.Leaders, &r.CreatedAt, &r.Overdue, &r.CalledBack, &r.Satisfied, &r.Earlier}
}

// ReportGroup is one line of a breakdown (by county, category or unit).
type ReportGroup struct {
	Key              string  `json:"key"`
	Name             string  `json:"name"`
	Raised           int     `json:"raised"`
	Closed           int     `json:"closed"`
	Overdue          int     `json:"overdue"`
	CalledBack       int     `json:"called_back"`
	Satisfied        int     `json:"satisfied"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
}

// LeaderSection is one leader's part of the report.
type LeaderSection struct {
	Leader      string   `json:"leader"`
	DisplayName string   `json:"display_name"`
	Linked      int      `json:"linked"`
	Visited     int      `json:"visited"`
	Share       float64  `json:"share"`
	NotVisited  []string `json:"not_visited"`
	Raised      int      `json:"raised"`
	Closed      int      `json:"closed"`
	Overdue     int      `json:"overdue"`
}

// ReportContent is one compiled version of a quarter's report.
type ReportContent struct {
	Period     string          `json:"period"`
	From       string          `json:"from"`
	To         string          `json:"to"`
	AsOf       time.Time       `json:"as_of"`
	Totals     ReportGroup     `json:"totals"`
	ByLeader   []LeaderSection `json:"by_leader"`
	ByCounty   []ReportGroup   `json:"by_county"`
	ByCategory []ReportGroup   `json:"by_category"`
	ByUnit     []ReportGroup   `json:"by_unit"`
	Rows       []ReportRow     `json:"rows"`
}

// reportChunk is how many rows CompileQuarter gathers before starting another chunk.
var reportChunk = 8192

// CompileQuarter gathers the quarter's report as the read model stands at asOf: every case
// raised in the quarter (created in it, Shanghai) and every earlier case still open at its
// end, the breakdowns, and each leader's coverage and problems.
func (s *Store) CompileQuarter(ctx context.Context, q domain.Quarter, asOf time.Time) (ReportContent, error) {
	start, end := q.Start(), q.End()
	out := ReportContent{Period: q.String(), From: start.Format(domain.DateLayout), To: end.AddDate(0, 0, -1).Format(domain.DateLayout),
		AsOf: asOf}
	// Two queries, in the order of the report (created_at, id): the earlier cases still open
	// at the quarter's end, then those raised in it. Open at the end: no closure before it,
	// or a reopening after the last one. The earlier ones are looked for among the cases open
	// now and those closed after the quarter, each looked up by its id: what a compile reads
	// grows with the open cases, not with the years of closed ones (a closed case always has
	// its closed event).
	const columns = `SELECT c.id, c.list, coalesce(e.name, ''), coalesce(e.county, ''), c.category, c.description, c.amount_cny,
			c.lead_unit, c.co_units, c.office, c.status, coalesce(c.due_date::text, ''), c.outcome, c.created_by,
			coalesce(v.date::text, ''), c.sensitive,
			coalesce((SELECT array_agg(vl.leader ORDER BY vl.leader) FROM visit_leaders vl WHERE vl.visit_id = c.visit_id), '{}'),
			c.created_at, c.overdue,
			coalesce((SELECT array_agg(cb.data ORDER BY cb.seq) FROM case_events cb WHERE cb.case_id = c.id AND cb.type = 'called_back'), '{}'),
			c.created_at < $1
		FROM cases c
		LEFT JOIN enterprises e ON e.id = c.enterprise_id
		LEFT JOIN visits v ON v.id = c.visit_id`
	var open []string
	for st := range domain.StatusLabels {
		if st != domain.StatusClosed && st != domain.StatusMerged {
			open = append(open, st)
		}
	}
	queries := []struct {
		sql  string
		args []any
	}{
		{columns + `
		WHERE c.id = ANY(ARRAY(SELECT id FROM cases WHERE status = ANY($3) AND created_at < $1
				UNION SELECT case_id FROM case_events WHERE type = 'closed' AND at >= $2))
			AND c.created_at < $1 AND c.status <> 'merged' AND NOT EXISTS (
				SELECT 1 FROM case_events ce WHERE ce.case_id = c.id AND ce.type = 'closed' AND ce.at < $2
					AND NOT EXISTS (SELECT 1 FROM case_events ro WHERE ro.case_id = c.id AND ro.type = 'reopened'
						AND ro.seq > ce.seq AND ro.at < $2))
		ORDER BY c.created_at, c.id`, []any{start, end, open}},
		{columns + `
		WHERE c.created_at >= $1 AND c.created_at < $2
		ORDER BY c.created_at, c.id`, []any{start, end}},
	}
	// Rows are gathered in chunks and put together once: a quarter is hundreds of thousands of
	// rows, and a slice grown row by row copies them over and over.
	var chunks [][]ReportRow
	chunk := make([]ReportRow, 0, reportChunk)
	readRow := func(rows pgx.Rows) error {
		if len(chunk) == cap(chunk) {
			chunks, chunk = append(chunks, chunk), make([]ReportRow, 0, reportChunk)
		}
		chunk = append(chunk, ReportRow{})
		r := &chunk[len(chunk)-1]
		var callbacks [][]byte
		err := rows.Scan(&r.CaseID, &r.List, &r.Enterprise, &r.County, &r.Category, &r.Description, &r.AmountCNY,
			&r.LeadUnit, &r.CoUnits, &r.Office, &r.Status, &r.DueDate, &r.Outcome, &r.RaisedBy, &r.VisitDate, &r.Sensitive,
			&r.Leaders, &r.CreatedAt, &r.Overdue, &callbacks, &r.Earlier)
		if err != nil {
			return err
		}
		// The callbacks, read as their events' type says (domain.CalledBack).
		for _, data := range callbacks {
			var cb domain.CalledBack
			if err := json.Unmarshal(data, &cb); err != nil {
				return fmt.Errorf("case %s: a callback: %w", r.CaseID, err)
			}
			r.CalledBack++
			if cb.Satisfied {
				r.Satisfied++
			}
		}
		return nil
	}
	for _, query := range queries {
		rows, _ := s.pool.Query(ctx, query.sql, query.args...)
		err := func() error {
			defer rows.Close()
			for rows.Next() {
				if err := readRow(rows); err != nil {
					return err
				}
			}
			return rows.Err()
		}()
		if err != nil {
			return ReportContent{}, fmt.Errorf("store: compile %s: %w", q, err)
		}
	}
	list := domain.NonNil(slices.Concat(append(chunks, chunk)...))
	out.Rows = list
	units, err := s.ListUnits(ctx)
	if err != nil {
		return ReportContent{}, err
	}
	unitName := map[string]string{}
	for _, u := range units {
		unitName[u.ID] = u.Name
	}
	groups := map[string]map[string]*ReportGroup{"county": {}, "category": {}, "unit": {}}
	add := func(g *ReportGroup, r ReportRow) {
		g.Raised++
		if r.Status == domain.StatusClosed {
			g.Closed++
		}
		if r.Overdue {
			g.Overdue++
		}
		g.CalledBack += r.CalledBack
		g.Satisfied += r.Satisfied
	}
	group := func(kind, key, name string) *ReportGroup {
		g := groups[kind][key]
		if g == nil {
			g = &ReportGroup{Key: key, Name: name}
			groups[kind][key] = g
		}
		return g
	}
	out.Totals = ReportGroup{Key: "all", Name: "全市"}
	raisedBy := map[string][]int{} // a leader's rows in list
	for i, r := range list {
		if r.Earlier {
			continue
		}
		add(&out.Totals, r)
		add(group("county", r.County, unitName[r.County]), r)
		add(group("category", r.Category, domain.Categories[r.Category]), r)
		if r.LeadUnit != "" {
			add(group("unit", r.LeadUnit, unitName[r.LeadUnit]), r)
		}
		leaders := slices.Clone(r.Leaders)
		if !slices.Contains(leaders, r.RaisedBy) {
			leaders = append(leaders, r.RaisedBy)
		}
		for _, l := range leaders {
			raisedBy[l] = append(raisedBy[l], i)
		}
	}
	rate := func(g *ReportGroup) {
		if g.CalledBack > 0 {
			g.SatisfactionRate = float64(g.Satisfied) / float64(g.CalledBack)
		}
	}
	rate(&out.Totals)
	for kind, dst := range map[string]*[]ReportGroup{"county": &out.ByCounty, "category": &out.ByCategory, "unit": &out.ByUnit} {
		*dst = []ReportGroup{}
		for _, g := range groups[kind] {
			rate(g)
			*dst = append(*dst, *g)
		}
		slices.SortFunc(*dst, func(a, b ReportGroup) int {
			if a.Raised != b.Raised {
				return b.Raised - a.Raised
			}
			return cmpString(a.Key, b.Key)
		})
	}
	coverage, err := s.Coverage(ctx, q.Year, out.From, out.To)
	if err != nil {
		return ReportContent{}, err
	}
	leaders, err := s.Leaders(ctx)
	if err != nil {
		return ReportContent{}, err
	}
	out.ByLeader = make([]LeaderSection, 0, len(leaders))
	for i, l := range leaders {
		c := coverage[i]
		sec := LeaderSection{Leader: l.Username, DisplayName: l.DisplayName, Linked: len(c.Linked), Visited: len(c.Visited), NotVisited: []string{}}
		if sec.Linked > 0 {
			sec.Share = float64(sec.Visited) / float64(sec.Linked)
		}
		for _, id := range c.Linked {
			if !slices.Contains(c.Visited, id) {
				sec.NotVisited = append(sec.NotVisited, id)
			}
		}
		for _, i := range raisedBy[l.Username] {
			r := &list[i]
			sec.Raised++
			if r.Status == domain.StatusClosed {
				sec.Closed++
			}
			if r.Overdue {
				sec.Overdue++
			}
		}
		out.ByLeader = append(out.ByLeader, sec)
	}
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Report is a quarter's report as listed: its status and latest version.
type Report struct {
	Period     string     `json:"period" db:"period"`
	Status     string     `json:"status" db:"status"`
	Deadline   time.Time  `json:"deadline" db:"deadline"`
	Version    int        `json:"version" db:"version"`
	CompiledAt *time.Time `json:"compiled_at" db:"compiled_at"`
	Final      bool       `json:"final" db:"final"`
}

// SaveReportVersion stores a newly compiled version of the quarter's report and returns its
// number. A final version is the last: nothing is compiled after it (ErrConflict).
// The attachments' rows go to quarterly_report_rows (COPY), one a case, the rest to the
// version's content.
func (s *Store) SaveReportVersion(ctx context.Context, q domain.Quarter, status string, content ReportContent, final bool) (Report, error) {
	rowsOf := content.Rows
	content.Rows = nil
	raw, err := json.Marshal(content)
	if err != nil {
		return Report{}, err
	}
	var out Report
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO quarterly_reports (period, status, deadline) VALUES ($1, $2, $3)
			ON CONFLICT (period) DO NOTHING`, q.String(), status, q.Deadline()); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `UPDATE quarterly_reports SET version = version + 1, compiled_at = $2, final = $3, status = $4
			WHERE period = $1 AND NOT final RETURNING period, status, deadline, version, compiled_at, final`,
			q.String(), content.AsOf, final, status)
		list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Report])
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return &Error{Kind: ErrConflict, Entity: "report", ID: q.String(), Detail: "final"}
		}
		out = list[0]
		if _, err = tx.Exec(ctx, `INSERT INTO quarterly_report_versions (period, version, compiled_at, final, content)
			VALUES ($1, $2, $3, $4, $5)`, q.String(), out.Version, content.AsOf, final, raw); err != nil {
			return err
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"quarterly_report_rows"}, append([]string{"period", "version", "n"}, reportRowColumns...),
			pgx.CopyFromSlice(len(rowsOf), func(i int) ([]any, error) {
				return append([]any{q.String(), out.Version, i + 1}, rowsOf[i].values()...), nil
			}))
		return err
	})
	if err != nil && !errors.Is(err, ErrConflict) {
		return Report{}, fmt.Errorf("store: save report %s: %w", q, err)
	}
	return out, err
}

// SetReportStatus records the report's status (open, collecting, closed).
func (s *Store) SetReportStatus(ctx context.Context, q domain.Quarter, status string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO quarterly_reports (period, status, deadline) VALUES ($1, $2, $3)
		ON CONFLICT (period) DO UPDATE SET status = EXCLUDED.status`, q.String(), status, q.Deadline())
	if err != nil {
		return fmt.Errorf("store: report %s status: %w", q, err)
	}
	return nil
}

// Reports lists the quarters with a report, newest first.
func (s *Store) Reports(ctx context.Context) ([]Report, error) {
	return queryAll[Report](ctx, s, "reports", `SELECT period, status, deadline, version, compiled_at, final
		FROM quarterly_reports ORDER BY period DESC`)
}

// ReportOf is the quarter's report with its latest version's content (ErrNotFound when
// nothing was compiled yet), without the attachments' rows: EachReportRow reads those.
func (s *Store) ReportOf(ctx context.Context, q domain.Quarter) (Report, ReportContent, error) {
	list, err := queryAll[Report](ctx, s, "report", `SELECT period, status, deadline, version, compiled_at, final
		FROM quarterly_reports WHERE period = $1 AND version > 0`, q.String())
	if err != nil {
		return Report{}, ReportContent{}, err
	}
	if len(list) == 0 {
		return Report{}, ReportContent{}, &Error{Kind: ErrNotFound, Entity: "report", ID: q.String()}
	}
	var raw []byte
	if err := s.pool.QueryRow(ctx, `SELECT content FROM quarterly_report_versions WHERE period = $1 AND version = $2`,
		q.String(), list[0].Version).Scan(&raw); err != nil {
		return Report{}, ReportContent{}, fmt.Errorf("store: report %s: %w", q, err)
	}
	var content ReportContent
	if err := json.Unmarshal(raw, &content); err != nil {
		return Report{}, ReportContent{}, fmt.Errorf("store: report %s: %w", q, err)
	}
	return list[0], content, nil
}

// EachReportRow hands fn the rows of one version of the quarter's report on one list, those
// raised in the quarter (earlier false) or those raised before and still open at its end
// (true), in the report's order, one at a time as PostgreSQL sends them.
func (s *Store) EachReportRow(ctx context.Context, q domain.Quarter, version int, list string, earlier bool, fn func(ReportRow) error) error {
	rows, err := s.pool.Query(ctx, `SELECT `+strings.Join(reportRowColumns, ", ")+` FROM quarterly_report_rows
		WHERE period = $1 AND version = $2 AND list = $3 AND earlier = $4 ORDER BY n`, q.String(), version, list, earlier)
	if err != nil {
		return fmt.Errorf("store: report %s rows: %w", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ReportRow
		if err := rows.Scan(r.fields()...); err != nil {
			return fmt.Errorf("store: report %s rows: %w", q, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: report %s rows: %w", q, err)
	}
	return nil
}

// SaveSubmission records a leader's submission; a later one replaces the narrative and keeps
// the first submission's time and lateness. Idempotent for the same text.
func (s *Store) SaveSubmission(ctx context.Context, q domain.Quarter, leader, narrative string, at time.Time) (domain.Submission, error) {
	if err := s.SetReportStatus(ctx, q, q.StatusAt(at)); err != nil {
		return domain.Submission{}, err
	}
	list, err := queryAll[domain.Submission](ctx, s, "submission", `
		INSERT INTO report_submissions (period, leader, narrative, submitted_at, updated_at, late)
		VALUES ($1, $2, $3, $4, $4, $5)
		ON CONFLICT (period, leader) DO UPDATE SET narrative = EXCLUDED.narrative, updated_at = EXCLUDED.updated_at
		RETURNING period, leader, narrative, submitted_at, updated_at, late`,
		q.String(), leader, narrative, at, !at.Before(q.Deadline()))
	if err != nil {
		return domain.Submission{}, err
	}
	return list[0], nil
}

// Submissions lists a quarter's submissions by leader.
func (s *Store) Submissions(ctx context.Context, q domain.Quarter) ([]domain.Submission, error) {
	return queryAll[domain.Submission](ctx, s, "submissions", `SELECT period, leader, narrative, submitted_at, updated_at, late
		FROM report_submissions WHERE period = $1 ORDER BY leader`, q.String())
}

// QueueReportReminders puts a reminder for each leader in the outbox (one per leader,
// channel and reminder: seq is the days before the deadline).
func (s *Store) QueueReportReminders(ctx context.Context, q domain.Quarter, daysBefore int, leaders []string, payload []byte) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO notifications (case_id, report_period, seq, event_type, username, channel, address, payload)
		SELECT NULL, $1, $2, 'report_reminder', u.username, ch.channel, ch.address, $4
		FROM users u CROSS JOIN LATERAL (VALUES ($5::text, u.email, u.notify_email),
			($6::text, u.webhook_url, u.notify_webhook)) AS ch (channel, address, enabled)
		WHERE ch.enabled AND ch.address <> '' AND u.username = ANY ($3)
		ON CONFLICT DO NOTHING`, q.String(), daysBefore, leaders, payload, domain.ChannelEmail, domain.ChannelWebhook)
	if err != nil {
		return fmt.Errorf("store: reminders %s: %w", q, err)
	}
	return nil
}

// PendingReportNotifications are a report's reminders not yet delivered.
func (s *Store) PendingReportNotifications(ctx context.Context, q domain.Quarter) ([]Notification, error) {
	return queryAll[Notification](ctx, s, "pending reminders", `SELECT `+notificationColumns+` FROM notifications
		WHERE case_id IS NULL AND report_period = $1 AND status = $2 ORDER BY id`, q.String(), domain.DeliveryPending)
}

// ReportNotifications are all of a report's reminders (for tests and the admin).
func (s *Store) ReportNotifications(ctx context.Context, q domain.Quarter) ([]Notification, error) {
	return queryAll[Notification](ctx, s, "reminders", `SELECT `+notificationColumns+` FROM notifications
		WHERE case_id IS NULL AND report_period = $1 ORDER BY id`, q.String())
}
