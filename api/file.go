package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// fileCase is a case as the enterprise file lists it.
type fileCase struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	LeadUnit string `json:"lead_unit"`
	DueDate  string `json:"due_date"`
	Card     string `json:"card"`
}

// enterpriseFile is the enterprise file (一企一档): the enterprise, the leaders linked to it
// this year, the visits, the cases and the plan (一企一策). Contacts are shown to the member
// department, the administrator and the leaders linked to it (each read recorded); a unit
// sees the file only through cases referred to it, and only those cases.
func (s *Server) enterpriseFile(c *gin.Context) error {
	ctx := c.Request.Context()
	u := currentUser(c)
	e, err := s.Store.GetEnterprise(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	year := s.Clock.Business(time.Now()).In(domain.Shanghai).Year()
	leaders, err := s.Store.EnterpriseLeaders(ctx, e.ID, year)
	if err != nil {
		return err
	}
	linked := u.Role == domain.RoleLeader && slices.ContainsFunc(leaders, func(l store.Leader) bool { return l.Username == u.Username })
	f := store.CaseFilter{EnterpriseID: e.ID, PageSize: 100, SearchSensitive: true}
	visits := []domain.Visit{}
	switch u.Role {
	case domain.RoleUnit:
		f.VisibleToUnit = u.Unit
	case domain.RoleLeader:
		if !linked {
			f.CreatedBy = u.Username
		}
	}
	page, err := s.Store.ListCases(ctx, f)
	if err != nil {
		return err
	}
	if u.Role == domain.RoleUnit && len(page.Items) == 0 {
		return &store.Error{Entity: store.EntityEnterprise, ID: e.ID, Kind: store.ErrNotFound}
	}
	if u.Role != domain.RoleUnit {
		vf := store.VisitFilter{EnterpriseID: e.ID, PageSize: maxLedgerVisits}
		if u.Role == domain.RoleLeader && !linked {
			vf.Leader = u.Username
		}
		if visits, _, err = s.Store.ListVisits(ctx, vf); err != nil {
			return err
		}
	}
	cases := []fileCase{}
	for _, cs := range page.Items {
		cases = append(cases, fileCase{ID: cs.ID, Title: cs.Title, Status: cs.Status, LeadUnit: cs.LeadUnit, DueDate: cs.DueDate, Card: cs.Card})
	}
	views, err := s.visitViews(c, visits)
	if err != nil {
		return err
	}
	plan, err := s.Store.Plan(ctx, e.ID)
	if err != nil {
		return err
	}
	enterprise := gin.H{"id": e.ID, "name": e.Name, "county": e.County, "industry_chain": e.IndustryChain,
		"member_kind": e.MemberKind, "size": e.Size, "is_key": e.IsKey, "created_at": e.CreatedAt,
		"contact_name": e.ContactName, "contact_phone": e.ContactPhone}
	redacted := []string{}
	if u.Role == domain.RoleMemberDept || u.Role == domain.RoleAdmin || linked {
		if e.ContactName != "" || e.ContactPhone != "" {
			if err := s.Store.RecordContactReads(ctx, u.Username, e.ID); err != nil {
				return err
			}
		}
	} else {
		enterprise["contact_name"], enterprise["contact_phone"] = nil, nil
		redacted = []string{"contact_name", "contact_phone"}
	}
	respond(c, http.StatusOK, gin.H{"enterprise": enterprise, "redacted": redacted, "leaders": domain.NonNil(leaders), "year": year,
		"visits": views, "cases": cases, "cases_total": page.Total, "plan": plan})
	return nil
}

type planRequest struct {
	Measures []domain.PlanMeasure `json:"measures"`
}

const maxPlanMeasures = 100

// savePlan stores a new version of an enterprise's plan (一企一策): the member department,
// or a leader linked to the enterprise this year.
func (s *Server) savePlan(c *gin.Context) error {
	ctx := c.Request.Context()
	u := currentUser(c)
	e, err := s.Store.GetEnterprise(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if u.Role == domain.RoleLeader {
		year := s.Clock.Business(time.Now()).In(domain.Shanghai).Year()
		leaders, err := s.Store.EnterpriseLeaders(ctx, e.ID, year)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(leaders, func(l store.Leader) bool { return l.Username == u.Username }) {
			return newError(http.StatusForbidden, "forbidden", "只有挂钩联系该企业的班子成员可以修改一企一策 (only a leader linked to the enterprise)")
		}
	}
	var req planRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	if req.Measures == nil || len(req.Measures) > maxPlanMeasures {
		return invalid(fmt.Sprintf("measures: 必填，最多 %d 项 (required, at most %d)", maxPlanMeasures, maxPlanMeasures))
	}
	for i := range req.Measures {
		m := &req.Measures[i]
		field := fmt.Sprintf("measures[%d]", i)
		m.Title = strings.TrimSpace(m.Title)
		if m.Title == "" {
			return invalid(field + ".title: 必填 (required)")
		}
		if err := workflows.CheckLine(field+".title", m.Title, 200); err != nil {
			return err
		}
		if err := workflows.CheckText(field+".note", m.Note); err != nil {
			return err
		}
		if m.Status == "" {
			m.Status = "planned"
		}
		if err := workflows.CheckWord(field+".status", m.Status, domain.PlanStatuses); err != nil {
			return err
		}
		if m.DueDate != "" {
			if _, err := time.Parse(domain.DateLayout, m.DueDate); err != nil {
				return invalid(field + ".due_date: 应为 YYYY-MM-DD (a date)")
			}
		}
		if m.OwnerUnit != "" {
			if _, err := s.Store.GetUnit(ctx, m.OwnerUnit); err != nil {
				return referenced(err, field+".owner_unit")
			}
		}
	}
	plan, err := s.Store.SavePlan(ctx, e.ID, req.Measures, u.Username)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, plan)
	return nil
}
