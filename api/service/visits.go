package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Visits are the operations on leaders' visits (走访), their links to enterprises and
// coverage (links.go), the enterprises with their files and plans (enterprises.go) and the
// work ledger (ledger.go).
type Visits struct{ *deps }

// NewVisit is a visit as logged (POST /visits): each problem heard becomes a case.
type NewVisit struct {
	Date            string                  `json:"date"`
	Leaders         []string                `json:"leaders"`
	EnterpriseIDs   []string                `json:"enterprise_ids"`
	Method          string                  `json:"method"`
	Topics          []string                `json:"topics"`
	Notes           string                  `json:"notes"`
	InvestmentLeads []domain.InvestmentLead `json:"investment_leads"`
	Problems        []domain.VisitProblem   `json:"problems"`
	// Key is the idempotency key ("" for none).
	Key string `json:"-"`
}

// Bounds of one visit.
const maxVisitLeaders, maxVisitEnterprises, maxVisitItems = 20, 100, 50

// Create logs a visit; each problem heard becomes a case. The visit's own workflow
// (workflows.VisitWorkflow) writes it, starts its cases and shows it once every case is
// written; this waits for that within the action timeout. With a key, a retried request
// finds the workflow the first one started (running or done) and answers the same visit;
// a crash anywhere is finished by that workflow, without a retry.
func (s Visits) Create(ctx context.Context, u domain.User, req NewVisit) (VisitView, error) {
	if err := require(u, RolesRaisers...); err != nil {
		return VisitView{}, err
	}
	v, err := s.checkVisit(ctx, u, req)
	if err != nil {
		return VisitView{}, err
	}
	if err := CheckIdempotencyKey(req.Key); err != nil {
		return VisitView{}, err
	}
	v.CreatedBy = u.Username
	canonical, err := json.Marshal(req)
	if err != nil {
		return VisitView{}, err
	}
	in := workflows.VisitInput{
		Visit: v, Year: s.Year(), Key: req.Key, Actor: u.Actor(), Clock: s.Clock, Policy: s.Policy,
	}
	ctx, cancel := context.WithTimeout(ctx, s.ActionTimeout)
	defer cancel()
	run, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        workflows.VisitWorkflowID(u.Username, req.Key, canonical),
		TaskQueue: workflows.TaskQueue,
		// A run that failed (a refusal) may be tried again; one that succeeded answers.
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.VisitWorkflow, in)
	if err != nil {
		return VisitView{}, err
	}
	var id string
	if err := run.Get(ctx, &id); err != nil {
		return VisitView{}, err
	}
	if v, err = s.Store.GetVisit(ctx, id); err != nil {
		return VisitView{}, err
	}
	return s.viewOne(ctx, u, v)
}

// checkVisit checks a visit as logged: the whole request, before anything is written.
func (s Visits) checkVisit(ctx context.Context, u domain.User, req NewVisit) (domain.Visit, error) {
	v := domain.Visit{Date: req.Date, Leaders: req.Leaders, EnterpriseIDs: req.EnterpriseIDs, Method: req.Method,
		Topics: domain.NonNil(req.Topics), Notes: strings.TrimSpace(req.Notes), InvestmentLeads: domain.NonNil(req.InvestmentLeads),
		Problems: domain.NonNil(req.Problems)}
	day, err := time.ParseInLocation(domain.DateLayout, v.Date, domain.Shanghai)
	if err != nil {
		return v, invalid("date: 应为 YYYY-MM-DD (a date like 2026-11-20)")
	}
	if day.Year() < domain.FirstYear {
		return v, invalid(fmt.Sprintf("date: %s 早于 %d 年 (a visit before %d cannot be counted in any ledger, coverage or report)",
			v.Date, domain.FirstYear, domain.FirstYear))
	}
	if today := domain.Today(s.Now()); day.Format(domain.DateLayout) > today {
		return v, invalid(fmt.Sprintf("date: %s 晚于今天 %s (a visit cannot be in the future)", v.Date, today))
	}
	if err := workflows.CheckWord("method", v.Method, domain.VisitMethods); err != nil {
		return v, err
	}
	for i, t := range v.Topics {
		if err := workflows.CheckWord("topics", t, domain.VisitTopics); err != nil {
			return v, err
		}
		if slices.Contains(v.Topics[:i], t) {
			return v, invalid(fmt.Sprintf("topics: %q 重复 (listed twice)", t))
		}
	}
	if err := distinctIDs("leaders", v.Leaders, 1, maxVisitLeaders); err != nil {
		return v, err
	}
	leaders, err := s.Store.Leaders(ctx)
	if err != nil {
		return v, err
	}
	for _, l := range v.Leaders {
		if !slices.ContainsFunc(leaders, func(x store.Leader) bool { return x.Username == l }) {
			return v, invalid(fmt.Sprintf("leaders: %q 不是班子成员 (no such leader)", l))
		}
	}
	if u.Role == domain.RoleLeader && !slices.Contains(v.Leaders, u.Username) {
		return v, forbidden("班子成员只能记录本人参加的走访 (a leader logs only visits they took part in)")
	}
	if err := distinctIDs("enterprise_ids", v.EnterpriseIDs, 1, maxVisitEnterprises); err != nil {
		return v, err
	}
	if err := s.Store.RequireEnterprises(ctx, v.EnterpriseIDs); err != nil {
		return v, referenced(err, "enterprise_ids")
	}
	if err := workflows.CheckText("notes", v.Notes); err != nil {
		return v, err
	}
	if len(v.InvestmentLeads) > maxVisitItems || len(v.Problems) > maxVisitItems {
		return v, invalid(fmt.Sprintf("investment_leads, problems: 每次走访各最多 %d 条 (at most %d each)", maxVisitItems, maxVisitItems))
	}
	for i, l := range v.InvestmentLeads {
		field := fmt.Sprintf("investment_leads[%d]", i)
		if strings.TrimSpace(l.Title) == "" {
			return v, invalid(field + ".title: 必填 (required)")
		}
		if err := workflows.CheckLine(field+".title", l.Title, 200); err != nil {
			return v, err
		}
		if err := workflows.CheckText(field+".description", l.Description); err != nil {
			return v, err
		}
	}
	for i := range v.Problems {
		p := &v.Problems[i]
		field := fmt.Sprintf("problems[%d]", i)
		p.Title, p.Description = strings.TrimSpace(p.Title), strings.TrimSpace(p.Description)
		if p.EnterpriseID == "" && len(v.EnterpriseIDs) == 1 {
			p.EnterpriseID = v.EnterpriseIDs[0]
		}
		if !slices.Contains(v.EnterpriseIDs, p.EnterpriseID) {
			return v, invalid(fmt.Sprintf("%s.enterprise_id: 应为本次走访的企业之一 (one of the visit's enterprise_ids)", field))
		}
		cs := domain.Case{Title: p.Title, Description: p.Description, Category: p.Category, List: p.List,
			EnterpriseID: p.EnterpriseID, AmountCNY: p.AmountCNY, Sensitive: p.Sensitive}
		if err := workflows.ValidateNewCase(cs); err != nil {
			var e *temporal.ApplicationError
			if errors.As(err, &e) {
				return v, invalid(field + "." + e.Message())
			}
			return v, err
		}
	}
	return v, nil
}

// distinctIDs checks a list of ids: least to most, each a plain word, none twice.
func distinctIDs(field string, ids []string, least, most int) error {
	if len(ids) < least || len(ids) > most {
		return invalid(fmt.Sprintf("%s: 应有 %d 到 %d 个 (%d to %d)", field, least, most, least, most))
	}
	for i, id := range ids {
		if err := workflows.CheckLine(field, id, 100); err != nil {
			return err
		}
		if slices.Contains(ids[:i], id) {
			return invalid(fmt.Sprintf("%s: %q 重复 (listed twice)", field, id))
		}
	}
	return nil
}

// VisitView is a visit as a reader sees it: each problem redacted as its case is (viewVisit).
type VisitView struct {
	domain.Visit
	Cases    []VisitCase `json:"cases"`
	Redacted []string    `json:"redacted,omitempty"`
	// Files are the files attached to the visit (GET /visits/{id} only).
	Files []File `json:"files,omitempty"`
}

// VisitCase is a visit's case as it stands now: "pending" while its workflow has not
// written it.
type VisitCase struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
	LeadUnit    string `json:"lead_unit"`
	DueDate     string `json:"due_date"`
	Outcome     string `json:"outcome"`
}

// casesOf lists a visit's cases as they stand in cases (by id).
func casesOf(v domain.Visit, cases map[string]domain.Case) []VisitCase {
	out := make([]VisitCase, 0, len(v.CaseIDs))
	for i, id := range v.CaseIDs {
		vc := VisitCase{ID: id, Title: v.Problems[i].Title, Status: "pending", StatusLabel: "待建立"}
		if cs, ok := cases[id]; ok {
			vc.Status, vc.StatusLabel, vc.LeadUnit, vc.DueDate, vc.Outcome = cs.Status, domain.StatusLabels[cs.Status], cs.LeadUnit, cs.DueDate, cs.Outcome
		}
		out = append(out, vc)
	}
	return out
}

// viewVisit is the visit as u sees it: each problem redacted exactly as its case is (the
// amount unless u handles the case; a sensitive problem's description too), so that no
// one reads through a visit what the case hides from them. A problem whose case is not
// written yet is shown in full only to the member department. It also answers the cases
// whose sensitive fields u reads unredacted, to be recorded.
func viewVisit(v domain.Visit, cases map[string]domain.Case, u domain.User) (VisitView, []string) {
	out := VisitView{Visit: v, Cases: casesOf(v, cases)}
	out.Problems = slices.Clone(v.Problems)
	var read []string
	for i := range out.Problems {
		p := &out.Problems[i]
		if !p.Sensitive && p.AmountCNY == nil {
			continue
		}
		may := u.Role == domain.RoleMemberDept
		if i < len(v.CaseIDs) {
			if cs, ok := cases[v.CaseIDs[i]]; ok {
				if may = needsSensitive(&cs, u, slices.Contains(v.Leaders, u.Username)); may && hasSensitive(&cs) {
					read = append(read, cs.ID)
				}
			}
		}
		if may {
			continue
		}
		if p.Sensitive {
			p.Description = redactedText
			out.Redacted = append(out.Redacted, fmt.Sprintf("problems[%d].description", i))
		}
		if p.AmountCNY != nil {
			p.AmountCNY = nil
			out.Redacted = append(out.Redacted, fmt.Sprintf("problems[%d].amount_cny", i))
		}
	}
	return out, read
}

// views are visits as the user sees them, each with its cases as they stand (read in one
// query); every sensitive field read unredacted is recorded, as for a case.
func (s Visits) views(ctx context.Context, u domain.User, visits []domain.Visit) ([]VisitView, error) {
	var ids []string
	for _, v := range visits {
		ids = append(ids, v.CaseIDs...)
	}
	cases, err := s.Store.CasesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]VisitView, 0, len(visits))
	var read []string
	for _, v := range visits {
		view, r := viewVisit(v, cases, u)
		out = append(out, view)
		read = append(read, r...)
	}
	if err := s.Store.RecordSensitiveReads(ctx, u.Username, read...); err != nil {
		return nil, err
	}
	return out, nil
}

func (s Visits) viewOne(ctx context.Context, u domain.User, v domain.Visit) (VisitView, error) {
	views, err := s.views(ctx, u, []domain.Visit{v})
	if err != nil {
		return VisitView{}, err
	}
	if views[0].Files, err = s.Store.Files(ctx, store.FileOfVisit, v.ID); err != nil {
		return VisitView{}, err
	}
	return views[0], nil
}

// Get is a visit the user may see (a leader: the visits they took part in).
func (s Visits) Get(ctx context.Context, u domain.User, id string) (VisitView, error) {
	if err := require(u, RolesVisitReaders...); err != nil {
		return VisitView{}, err
	}
	v, err := s.visibleVisit(ctx, u, id)
	if err != nil {
		return VisitView{}, err
	}
	return s.viewOne(ctx, u, v)
}

// visibleVisit loads a visit the user may see: any role but units, a leader only the
// visits they took part in (any other is not found).
func (d *deps) visibleVisit(ctx context.Context, u domain.User, id string) (domain.Visit, error) {
	if u.Role == domain.RoleUnit {
		return domain.Visit{}, missing(store.EntityVisit, id)
	}
	v, err := d.Store.GetVisit(ctx, id)
	if err != nil {
		return domain.Visit{}, err
	}
	if u.Role == domain.RoleLeader && !slices.Contains(v.Leaders, u.Username) {
		return domain.Visit{}, missing(store.EntityVisit, v.ID)
	}
	return v, nil
}

// VisitQuery selects a page of visits.
type VisitQuery struct {
	Leader, EnterpriseID string
	// From and To are dates (YYYY-MM-DD, both included; "" for no bound).
	From, To       string
	Page, PageSize int
}

// VisitPage is a page of visits.
type VisitPage struct {
	Items    []VisitView `json:"items"`
	Page     int         `json:"page"`
	PageSize int         `json:"page_size"`
	Total    int         `json:"total"`
}

// List is a page of the visits the user may see (a leader: their own).
func (s Visits) List(ctx context.Context, u domain.User, q VisitQuery) (VisitPage, error) {
	if err := require(u, RolesVisitReaders...); err != nil {
		return VisitPage{}, err
	}
	f := store.VisitFilter{Leader: q.Leader, EnterpriseID: q.EnterpriseID, From: q.From, To: q.To, Page: q.Page, PageSize: q.PageSize}
	for _, d := range []struct{ name, v string }{{"from", f.From}, {"to", f.To}} {
		if _, err := time.Parse(domain.DateLayout, d.v); d.v != "" && err != nil {
			return VisitPage{}, newError(BadRequest, "invalid_query", d.name+": 应为 YYYY-MM-DD (a date)")
		}
	}
	if u.Role == domain.RoleLeader {
		if f.Leader != "" && f.Leader != u.Username {
			return VisitPage{}, forbidden("只能查看本人的走访 (a leader reads only their own visits)")
		}
		f.Leader = u.Username
	}
	visits, total, err := s.Store.ListVisits(ctx, f)
	if err != nil {
		return VisitPage{}, err
	}
	items, err := s.views(ctx, u, visits)
	if err != nil {
		return VisitPage{}, err
	}
	return VisitPage{Items: items, Total: total, Page: f.Page, PageSize: f.PageSize}, nil
}
