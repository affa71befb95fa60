package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

type visitRequest struct {
	Date            string                  `json:"date"`
	Leaders         []string                `json:"leaders"`
	EnterpriseIDs   []string                `json:"enterprise_ids"`
	Method          string                  `json:"method"`
	Topics          []string                `json:"topics"`
	Notes           string                  `json:"notes"`
	InvestmentLeads []domain.InvestmentLead `json:"investment_leads"`
	Problems        []domain.VisitProblem   `json:"problems"`
}

// Bounds of one visit.
const maxVisitLeaders, maxVisitEnterprises, maxVisitItems = 20, 100, 50

// createVisit logs a visit; each problem heard becomes a case. The visit's own workflow
// (workflows.VisitWorkflow) writes it, starts its cases and shows it once every case is
// written; this waits for that within the action timeout. With an Idempotency-Key, a
// retried request finds the workflow the first one started (running or done) and answers
// the same visit; a crash anywhere is finished by that workflow, without a retry.
func (s *Server) createVisit(c *gin.Context) error {
	u := currentUser(c)
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	var req visitRequest
	if err := decodeStrict(raw, &req); err != nil {
		return err
	}
	v, err := s.checkVisit(c, req)
	if err != nil {
		return err
	}
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	v.CreatedBy = u.Username
	canonical, err := json.Marshal(req)
	if err != nil {
		return err
	}
	in := workflows.VisitInput{
		Visit: v, Year: s.Clock.Business(time.Now()).In(domain.Shanghai).Year(), Key: key,
		Actor: u.Actor(), Clock: s.Clock, Policy: s.Policy,
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.ActionTimeout)
	defer cancel()
	run, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        workflows.VisitWorkflowID(u.Username, key, canonical),
		TaskQueue: workflows.TaskQueue,
		// A run that failed (a refusal) may be tried again; one that succeeded answers.
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.VisitWorkflow, in)
	if err != nil {
		return err
	}
	var id string
	if err := run.Get(ctx, &id); err != nil {
		return err
	}
	if v, err = s.Store.GetVisit(ctx, id); err != nil {
		return err
	}
	return s.respondVisit(c, http.StatusCreated, v)
}

// checkVisit checks a visit as logged: the whole request, before anything is written.
func (s *Server) checkVisit(c *gin.Context, req visitRequest) (domain.Visit, error) {
	ctx := c.Request.Context()
	u := currentUser(c)
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
	if today := domain.Today(s.Clock.Business(time.Now())); day.Format(domain.DateLayout) > today {
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
		return v, newError(http.StatusForbidden, "forbidden", "班子成员只能记录本人参加的走访 (a leader logs only visits they took part in)")
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

// visitView is a visit as a reader sees it: each problem redacted as its case is (viewVisit).
type visitView struct {
	domain.Visit
	Cases    []visitCase `json:"cases"`
	Redacted []string    `json:"redacted,omitempty"`
}

// visitCase is a visit's case as it stands now: "pending" while its workflow has not
// written it.
type visitCase struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
	LeadUnit    string `json:"lead_unit"`
	DueDate     string `json:"due_date"`
	Outcome     string `json:"outcome"`
}

// casesOf lists a visit's cases as they stand in cases (by id).
func casesOf(v domain.Visit, cases map[string]domain.Case) []visitCase {
	out := make([]visitCase, 0, len(v.CaseIDs))
	for i, id := range v.CaseIDs {
		vc := visitCase{ID: id, Title: v.Problems[i].Title, Status: "pending", StatusLabel: "待建立"}
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
func viewVisit(v domain.Visit, cases map[string]domain.Case, u domain.User) (visitView, []string) {
	out := visitView{Visit: v, Cases: casesOf(v, cases)}
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
				if may = needsSensitive(&cs, u); may && hasSensitive(&cs) {
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

// visitViews are visits as the user sees them, each with its cases as they stand (read in
// one query); every sensitive field read unredacted is recorded, as for a case.
func (s *Server) visitViews(c *gin.Context, visits []domain.Visit) ([]visitView, error) {
	var ids []string
	for _, v := range visits {
		ids = append(ids, v.CaseIDs...)
	}
	cases, err := s.Store.CasesByID(c.Request.Context(), ids)
	if err != nil {
		return nil, err
	}
	u := currentUser(c)
	out := make([]visitView, 0, len(visits))
	var read []string
	for _, v := range visits {
		view, r := viewVisit(v, cases, u)
		out = append(out, view)
		read = append(read, r...)
	}
	if err := s.Store.RecordSensitiveReads(c.Request.Context(), u.Username, read...); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) respondVisit(c *gin.Context, status int, v domain.Visit) error {
	views, err := s.visitViews(c, []domain.Visit{v})
	if err != nil {
		return err
	}
	respond(c, status, views[0])
	return nil
}

// visibleVisit loads a visit the user may see: a leader sees the visits they took part in.
func (s *Server) visibleVisit(c *gin.Context) (domain.Visit, error) {
	v, err := s.Store.GetVisit(c.Request.Context(), c.Param("id"))
	if err != nil {
		return v, err
	}
	if u := currentUser(c); u.Role == domain.RoleLeader && !slices.Contains(v.Leaders, u.Username) {
		return domain.Visit{}, &store.Error{Entity: store.EntityVisit, ID: v.ID, Kind: store.ErrNotFound}
	}
	return v, nil
}

func (s *Server) getVisit(c *gin.Context) error {
	v, err := s.visibleVisit(c)
	if err != nil {
		return err
	}
	return s.respondVisit(c, http.StatusOK, v)
}

func (s *Server) listVisits(c *gin.Context) error {
	u := currentUser(c)
	f := store.VisitFilter{Leader: c.Query("leader"), EnterpriseID: c.Query("enterprise_id"), From: c.Query("from"), To: c.Query("to")}
	for _, d := range []struct{ name, v string }{{"from", f.From}, {"to", f.To}} {
		if _, err := time.Parse(domain.DateLayout, d.v); d.v != "" && err != nil {
			return newError(http.StatusBadRequest, "invalid_query", d.name+": 应为 YYYY-MM-DD (a date)")
		}
	}
	if u.Role == domain.RoleLeader {
		if f.Leader != "" && f.Leader != u.Username {
			return newError(http.StatusForbidden, "forbidden", "只能查看本人的走访 (a leader reads only their own visits)")
		}
		f.Leader = u.Username
	}
	var err error
	if f.Page, err = intParam(c, "page", 1, 1, 1_000_000); err != nil {
		return err
	}
	if f.PageSize, err = intParam(c, "page_size", 20, 1, 100); err != nil {
		return err
	}
	visits, total, err := s.Store.ListVisits(c.Request.Context(), f)
	if err != nil {
		return err
	}
	items, err := s.visitViews(c, visits)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"items": items, "total": total, "page": f.Page, "page_size": f.PageSize})
	return nil
}
