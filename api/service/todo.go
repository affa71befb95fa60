package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/activities/calendar"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/rules"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// The to-do panel (待办) that opens every home page, and what a case's page shows beside the
// case: its deadlines counted in working days and the actions the user may take now.

// To-do items, by key (the console labels them).
const (
	TodoTriage    = "triage"    // 待梳理
	TodoReferral  = "referral"  // 待转办
	TodoSign      = "sign"      // 待签收
	TodoDueSoon   = "due_soon"  // 3个工作日内到期
	TodoOverdue   = "overdue"   // 已逾期
	TodoExtension = "extension" // 延期申请
	TodoCallback  = "callback"  // 待回访
	TodoClose     = "close"     // 待销号
	TodoCarded    = "carded"    // 黄牌/红牌
	TodoMine      = "mine"      // 我提出的在办案件
)

// DueSoonDays: a case is due soon when its handling deadline is within this many working days.
const DueSoonDays = 3

// TodoItem is one count of the panel and the list it counts.
type TodoItem struct {
	Key   string
	Count int
	Query CaseQuery
}

// Todo is the user's to-do panel: for each thing their role does, how many cases wait for
// it, and the list that shows them (counted as the list would select them).
func (s Cases) Todo(ctx context.Context, u domain.User) ([]TodoItem, error) {
	cal, err := s.Store.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	today := s.Now()
	dueBy := cal.AddWorkdays(today, DueSoonDays).Format(domain.DateLayout)
	office := ""
	if u.Role == domain.RoleSupervision {
		office = u.Unit // the office counts the cases it leads
	}
	var items []TodoItem
	add := func(key string, q CaseQuery) { items = append(items, TodoItem{Key: key, Query: q}) }
	switch u.Role {
	case domain.RoleMemberDept:
		add(TodoTriage, CaseQuery{Status: domain.StatusTriage})
		add(TodoCallback, CaseQuery{Pending: domain.PendingCallback})
		add(TodoDueSoon, CaseQuery{DueBy: dueBy})
		add(TodoOverdue, CaseQuery{Overdue: true})
	case domain.RoleSupervision:
		add(TodoReferral, CaseQuery{Status: domain.StatusReferral, Office: office})
		add(TodoExtension, CaseQuery{Pending: domain.PendingExtension, Office: office})
		add(TodoDueSoon, CaseQuery{DueBy: dueBy, Office: office})
		add(TodoOverdue, CaseQuery{Overdue: true, Office: office})
		add(TodoCallback, CaseQuery{Pending: domain.PendingCallback, Office: office})
		add(TodoClose, CaseQuery{Pending: domain.PendingClose, Office: office})
	case domain.RoleUnit:
		add(TodoSign, CaseQuery{Pending: domain.PendingSignFor(u.Unit)})
		add(TodoDueSoon, CaseQuery{DueBy: dueBy})
		add(TodoOverdue, CaseQuery{Overdue: true})
	case domain.RoleLeader:
		add(TodoMine, CaseQuery{Status: domain.StatusHandling})
		add(TodoOverdue, CaseQuery{Overdue: true})
	case domain.RoleEfficiency, domain.RoleAdmin:
		add(TodoOverdue, CaseQuery{Overdue: true})
		add(TodoCarded, CaseQuery{Card: domain.CardRed})
	}
	// The counts are independent queries: asked at once, the panel waits for the slowest.
	g, gctx := errgroup.WithContext(ctx)
	for i := range items {
		g.Go(func() (err error) {
			items[i].Count, err = s.Count(gctx, u, items[i].Query)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return items, nil
}

// Countdown is a deadline as people read it: the date, and the working days left until it
// (0: due today), or, once passed, the working days since.
type Countdown struct {
	Step    string // triage, referral, sign, handling, callback
	Date    string
	Left    int
	Overdue int
}

// ActionChoice is an action the user may take on the case now (Appeal: the appeal a
// decision decides).
type ActionChoice struct {
	Name, Label string
	Appeal      int
}

// CaseDetail is a case's page: the case and its timeline as the user may read them, its
// deadlines counted in working days, and the actions the user may take now (each decided
// by the check the workflow's validator runs, workflows.Action.Allowed).
type CaseDetail struct {
	Case CaseView
	// EnterpriseName is the name of the case's enterprise.
	EnterpriseName string
	Events         []TimelineEvent
	Deadlines      []Countdown
	Actions        []ActionChoice
	// MayAttach: the user may attach a file to the case now (workflows.AttachAction).
	MayAttach bool
	// Explain, for a case in triage read by the member department (or the administrator),
	// is what the rules in force propose for it now, and each rule that matched with its
	// description and what it set; nil when no rule set is active.
	Explain *rules.Result
}

// Detail is the case's page for the user (what it shows recorded as a read of the case,
// of its timeline and of the enterprise's contact are, once for the page).
func (s Cases) Detail(ctx context.Context, u domain.User, id string) (CaseDetail, error) {
	cs, err := s.visibleCase(ctx, u, id)
	if err != nil {
		return CaseDetail{}, err
	}
	var reads store.Reads
	view := shown(u, &cs, &reads)
	t, err := s.timelineOf(ctx, u, &cs, &reads) // the case read once for the page
	if err != nil {
		return CaseDetail{}, err
	}
	cal, err := s.Store.Calendar(ctx)
	if err != nil {
		return CaseDetail{}, err
	}
	ent, err := s.Store.GetEnterprise(ctx, cs.EnterpriseID)
	if err != nil {
		return CaseDetail{}, err
	}
	if view.EnterpriseContact, err = s.contact(ctx, u, &cs.Case, &ent, &reads); err != nil {
		return CaseDetail{}, err
	}
	if view.Files, err = s.caseFiles(ctx, cs.ID); err != nil {
		return CaseDetail{}, err
	}
	out := CaseDetail{Case: view, Events: t.Events, EnterpriseName: ent.Name}
	today := s.Now()
	d := cs.Deadlines
	for _, step := range []struct{ name, date string }{{domain.DeadlineTriage, d.Triage}, {domain.DeadlineReferral, d.Referral},
		{domain.DeadlineSign, d.Sign}, {domain.DeadlineHandling, d.Handling}, {domain.DeadlineCallback, d.Callback}} {
		if step.date == "" {
			continue
		}
		out.Deadlines = append(out.Deadlines, countdown(cal, step.name, step.date, today))
	}
	now := s.Clock.Business(time.Now())
	for _, a := range workflows.Actions {
		if a.Allowed(&cs.Case, u.Actor(), now) {
			out.Actions = append(out.Actions, ActionChoice{Name: a.Name, Label: a.Label})
		}
	}
	if cs.Status == domain.StatusTriage && (u.Role == domain.RoleMemberDept || u.Role == domain.RoleAdmin) {
		if out.Explain, err = s.explain(ctx, cs.Case); err != nil {
			return CaseDetail{}, err
		}
	}
	out.MayAttach = workflows.AttachAction.Allowed(&cs.Case, u.Actor(), now)
	if workflows.AppealAction.Allowed(&cs.Case, u.Actor(), now) {
		out.Actions = append(out.Actions, ActionChoice{Name: workflows.AppealAction.Name, Label: workflows.AppealAction.Label})
	}
	if slices.Contains(RolesAppealJudge, u.Role) {
		for _, a := range cs.Appeals {
			if a.Status == domain.AppealPending {
				out.Actions = append(out.Actions, ActionChoice{Name: workflows.DecideAppealAction.Name,
					Label: fmt.Sprintf("%s（第 %d 号）", workflows.DecideAppealAction.Label, a.N), Appeal: a.N})
			}
		}
	}
	if err := s.Store.RecordReads(ctx, u.Username, reads); err != nil {
		return CaseDetail{}, err
	}
	return out, nil
}

// explain evaluates the rules in force for the case, as intake did (nil: no rule set).
func (s Cases) explain(ctx context.Context, cs domain.Case) (*rules.Result, error) {
	rec, err := s.Store.ActiveRuleSet(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rs, err := s.rules.Get(rec.Version, []byte(rec.Source))
	if err != nil {
		return nil, err
	}
	in, err := s.Store.RuleInput(ctx, activities.RuleCase(cs), cs.EnterpriseID, cs.ID)
	if err != nil {
		return nil, err
	}
	res := rs.Evaluate(in)
	return &res, nil
}

// countdown counts the working days between today and a deadline's date.
func countdown(cal *calendar.Calendar, step, date string, today time.Time) Countdown {
	c := Countdown{Step: step, Date: date}
	due, err := calendar.ParseDate(date)
	if err != nil {
		return c
	}
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, domain.Shanghai)
	// At most a year and a half of days either way: a deadline is never further.
	for d, n := day, 0; n < 550; n++ {
		switch {
		case d.Before(due):
			d = d.AddDate(0, 0, 1)
			if cal.IsWorkday(d) {
				c.Left++
			}
		case d.After(due):
			if cal.IsWorkday(d) {
				c.Overdue++
			}
			d = d.AddDate(0, 0, -1)
		default:
			return c
		}
	}
	return c
}
