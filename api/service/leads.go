package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/activities/xlsx"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Investment leads (以商招商): a visit's leads join the register when the visit is logged
// (store.CompleteVisit); the member department, the administrator or a leader (their own)
// adds others; each lead is followed up until it lands or is dropped, every follow-up kept.

// Lead is a lead as the register shows it.
type Lead = store.Lead

// LeadView is a lead with its state named and its follow-ups.
type LeadView struct {
	store.Lead
	StatusLabel string               `json:"status_label"`
	FollowUps   []store.LeadFollowUp `json:"follow_ups,omitempty"`
}

// NewLead is a lead added by hand.
type NewLead struct {
	EnterpriseID      string   `json:"enterprise_id"`
	Leader            string   `json:"leader"`
	Title             string   `json:"title"`
	Description       string   `json:"description"`
	IndustryChain     string   `json:"industry_chain"`
	ExpectedAmountCNY *float64 `json:"expected_amount_cny"`
}

// FollowUpRequest is a follow-up of a lead: a note, and the state it moves to ("" for
// none); dropping a lead needs its reason.
type FollowUpRequest struct {
	Status string `json:"status"`
	Note   string `json:"note"`
	Reason string `json:"reason"`
}

// resendWindow: the same follow-up by the same user within it is a form sent twice.
const resendWindow = 10 * time.Minute

// LeadQuery selects leads.
type LeadQuery struct{ Leader, Status, EnterpriseID string }

func leadView(l store.Lead) LeadView {
	return LeadView{Lead: l, StatusLabel: domain.LeadStatuses[l.Status]}
}

// visibleLead loads a lead the user may see: a leader their own (any other is not found).
func (d *deps) visibleLead(ctx context.Context, u domain.User, id string) (store.Lead, error) {
	if err := require(u, RolesVisitReaders...); err != nil {
		return store.Lead{}, err
	}
	if domain.LineProblem(id, 100) != "" {
		return store.Lead{}, missing(store.EntityLead, id)
	}
	l, err := d.Store.GetLead(ctx, id)
	if err != nil {
		return store.Lead{}, err
	}
	if u.Role == domain.RoleLeader && l.Leader != u.Username {
		return store.Lead{}, missing(store.EntityLead, id)
	}
	return l, nil
}

// Leads lists the register, newest first (a leader: their own).
func (s Visits) Leads(ctx context.Context, u domain.User, q LeadQuery) ([]LeadView, error) {
	if err := require(u, RolesVisitReaders...); err != nil {
		return nil, err
	}
	if q.Status != "" && domain.LeadStatuses[q.Status] == "" {
		return nil, newError(BadRequest, "invalid_query", "status: 应为 new、contacting、negotiating、signed、landed 或 dropped")
	}
	for _, v := range []string{q.Leader, q.EnterpriseID} {
		if domain.LineProblem(v, 100) != "" {
			return nil, newError(BadRequest, "invalid_query", "leader, enterprise_id: 不是编号 (not an id)")
		}
	}
	if u.Role == domain.RoleLeader {
		if q.Leader != "" && q.Leader != u.Username {
			return nil, forbidden("班子成员只能查看本人的招商线索 (a leader reads only their own leads)")
		}
		q.Leader = u.Username
	}
	list, err := s.Store.ListLeads(ctx, store.LeadFilter{Leader: q.Leader, Status: q.Status, EnterpriseID: q.EnterpriseID})
	if err != nil {
		return nil, err
	}
	out := make([]LeadView, 0, len(list))
	for _, l := range list {
		out = append(out, leadView(l))
	}
	return out, nil
}

// Lead is one lead with its follow-ups.
func (s Visits) Lead(ctx context.Context, u domain.User, id string) (LeadView, error) {
	l, err := s.visibleLead(ctx, u, id)
	if err != nil {
		return LeadView{}, err
	}
	v := leadView(l)
	if v.FollowUps, err = s.Store.FollowUps(ctx, id); err != nil {
		return LeadView{}, err
	}
	v.FollowUps = domain.NonNil(v.FollowUps)
	return v, nil
}

// CreateLead adds a lead (the member department, the administrator; a leader their own).
func (s Visits) CreateLead(ctx context.Context, u domain.User, req NewLead) (LeadView, error) {
	if err := require(u, RolesLeadEditors...); err != nil {
		return LeadView{}, err
	}
	if u.Role == domain.RoleLeader && req.Leader != u.Username {
		return LeadView{}, forbidden("班子成员只能登记本人的招商线索 (a leader adds their own leads)")
	}
	req.Title = strings.TrimSpace(req.Title)
	if req.Title == "" {
		return LeadView{}, invalid("title: 必填 (required)")
	}
	if err := workflows.CheckLine("title", req.Title, 200); err != nil {
		return LeadView{}, err
	}
	if err := workflows.CheckLine("industry_chain", req.IndustryChain, 100); err != nil {
		return LeadView{}, err
	}
	if err := workflows.CheckText("description", req.Description); err != nil {
		return LeadView{}, err
	}
	if err := workflows.CheckAmount("expected_amount_cny", req.ExpectedAmountCNY); err != nil {
		return LeadView{}, err
	}
	for _, id := range []struct{ field, v string }{{"enterprise_id", req.EnterpriseID}, {"leader", req.Leader}} {
		if id.v == "" {
			return LeadView{}, invalid(id.field + ": 必填 (required)")
		}
		if err := workflows.CheckLine(id.field, id.v, 100); err != nil {
			return LeadView{}, err
		}
	}
	e, err := s.Store.GetEnterprise(ctx, req.EnterpriseID)
	if err != nil {
		return LeadView{}, referenced(err, "enterprise_id")
	}
	leaders, err := s.Store.Leaders(ctx)
	if err != nil {
		return LeadView{}, err
	}
	if !slices.ContainsFunc(leaders, func(l store.Leader) bool { return l.Username == req.Leader }) {
		return LeadView{}, invalid(fmt.Sprintf("leader: %q 不是班子成员 (no such leader)", req.Leader))
	}
	if req.IndustryChain == "" {
		req.IndustryChain = e.IndustryChain
	}
	l, err := s.Store.CreateLead(ctx, store.Lead{EnterpriseID: e.ID, Leader: req.Leader, Title: req.Title, Description: req.Description,
		IndustryChain: req.IndustryChain, ExpectedAmountCNY: req.ExpectedAmountCNY, CreatedBy: u.Username})
	return leadView(l), err
}

// FollowUp records a follow-up of a lead (the member department, the administrator, the
// lead's leader): forward along new → contacting → negotiating → signed → landed, or
// dropped with a reason; a landed or dropped lead takes no more (409). The same follow-up
// posted again (a form sent twice) is recorded once.
func (s Visits) FollowUp(ctx context.Context, u domain.User, id string, req FollowUpRequest) (LeadView, error) {
	if err := require(u, RolesLeadEditors...); err != nil {
		return LeadView{}, err
	}
	l, err := s.visibleLead(ctx, u, id)
	if err != nil {
		return LeadView{}, err
	}
	req.Note, req.Reason = strings.TrimSpace(req.Note), strings.TrimSpace(req.Reason)
	if err := workflows.CheckText("note", req.Note); err != nil {
		return LeadView{}, err
	}
	if err := workflows.CheckText("reason", req.Reason); err != nil {
		return LeadView{}, err
	}
	to := req.Status
	if to == "" {
		to = l.Status
		if req.Note == "" {
			return LeadView{}, invalid("note: 仅记录跟进情况时必填 (required when the state does not change)")
		}
	} else if domain.LeadStatuses[to] == "" {
		return LeadView{}, invalid("status: 应为 contacting、negotiating、signed、landed 或 dropped")
	}
	if to == domain.LeadDropped && req.Reason == "" {
		return LeadView{}, invalid("reason: 放弃线索须说明原因 (required to drop a lead)")
	}
	// The same follow-up again: answered, not recorded twice.
	if ups, err := s.Store.FollowUps(ctx, id); err == nil && len(ups) > 0 {
		last := ups[len(ups)-1]
		if last.By == u.Username && last.StatusTo == to && last.Note == req.Note && l.Status == to && time.Since(last.At) < resendWindow {
			return s.Lead(ctx, u, id)
		}
	} else if err != nil {
		return LeadView{}, err
	}
	if l.Status == domain.LeadLanded || l.Status == domain.LeadDropped {
		return LeadView{}, newError(Conflict, "lead_closed", fmt.Sprintf("线索已%s，不再跟进 (the lead is %s)", domain.LeadStatuses[l.Status], l.Status))
	}
	if to != l.Status && to != domain.LeadDropped &&
		slices.Index(domain.LeadOrder, to) < slices.Index(domain.LeadOrder, l.Status) {
		return LeadView{}, newError(Conflict, "invalid_transition", fmt.Sprintf("线索已%s，不能退回%s (a lead moves forward only)",
			domain.LeadStatuses[l.Status], domain.LeadStatuses[to]))
	}
	if to == domain.LeadNew && l.Status != domain.LeadNew {
		return LeadView{}, newError(Conflict, "invalid_transition", "线索不能退回新线索 (a lead moves forward only)")
	}
	if _, err := s.Store.FollowUp(ctx, id, l.Status, to, req.Note, req.Reason, u.Username); err != nil {
		return LeadView{}, err
	}
	return s.Lead(ctx, u, id)
}

// quarterLeads are the leads registered in the quarter, newest first (a leader: their own).
func (s Reports) quarterLeads(ctx context.Context, u domain.User, q domain.Quarter) ([]store.Lead, error) {
	f := store.LeadFilter{From: q.Start().Format(domain.DateLayout), To: q.End().AddDate(0, 0, -1).Format(domain.DateLayout), Limit: 100_000}
	if u.Role == domain.RoleLeader {
		f.Leader = u.Username
	}
	return s.Store.ListLeads(ctx, f)
}

// leadsWorkbook is the quarter's leads sheet (招商线索清单), a report's attachment.
func (s Reports) leadsWorkbook(ctx context.Context, u domain.User, q domain.Quarter) (Workbook, error) {
	if _, _, err := s.load(ctx, u, q); err != nil {
		return Workbook{}, err
	}
	leads, err := s.quarterLeads(ctx, u, q)
	if err != nil {
		return Workbook{}, err
	}
	names, err := s.names(ctx, true)
	if err != nil {
		return Workbook{}, err
	}
	views := make([]LeadView, 0, len(leads))
	for _, l := range leads {
		views = append(views, leadView(l))
	}
	return Workbook{ASCIIName: fmt.Sprintf("report-%s-leads", q), Name: fmt.Sprintf("%s 招商线索清单", q),
		Sheets: []xlsx.Sheet{{Name: "招商线索", Rows: leadRows(views, names)}}}, nil
}
