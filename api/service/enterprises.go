package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// The units and the enterprises: the enterprise file (一企一档) with its plan (一企一策),
// part of the visits' context. The import of a file of enterprises is in import.go.

// Units lists every unit.
func (s Visits) Units(ctx context.Context) ([]domain.Unit, error) { return s.Store.ListUnits(ctx) }

// seesContacts reports whether the role may read every enterprise's personal contacts: the
// member department and the administrator (a leader linked to an enterprise reads them in
// its file).
func seesContacts(role string) bool {
	return role == domain.RoleMemberDept || role == domain.RoleAdmin
}

// Enterprises lists the enterprises, their contacts blank for whoever may not read them.
func (s Visits) Enterprises(ctx context.Context, u domain.User) ([]domain.Enterprise, error) {
	list, err := s.Store.ListEnterprises(ctx)
	if err != nil {
		return nil, err
	}
	if !seesContacts(u.Role) {
		for i := range list {
			list[i].ContactName, list[i].ContactPhone = "", ""
		}
	}
	return list, nil
}

// NewEnterprise is an enterprise as entered by hand.
type NewEnterprise struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	County        string `json:"county"`
	IndustryChain string `json:"industry_chain"`
	MemberKind    string `json:"member_kind"`
	Size          string `json:"size"`
	IsKey         bool   `json:"is_key"`
	ContactName   string `json:"contact_name"`
	ContactPhone  string `json:"contact_phone"`
}

// CreateEnterprise enters an enterprise.
func (s Visits) CreateEnterprise(ctx context.Context, u domain.User, req NewEnterprise) (domain.Enterprise, error) {
	if err := require(u, RolesEnterpriseEditor...); err != nil {
		return domain.Enterprise{}, err
	}
	e, err := s.checkEnterprise(ctx, req)
	if err != nil {
		return domain.Enterprise{}, err
	}
	return s.Store.CreateEnterprise(ctx, e)
}

// checkEnterprise checks an enterprise as entered (new or edited) and answers it.
func (s Visits) checkEnterprise(ctx context.Context, req NewEnterprise) (domain.Enterprise, error) {
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" {
		return domain.Enterprise{}, invalid("name: 必填 (required)")
	}
	for _, f := range []struct{ name, v string }{{"id", req.ID}, {"name", req.Name}, {"county", req.County},
		{"industry_chain", req.IndustryChain}, {"member_kind", req.MemberKind}, {"size", req.Size},
		{"contact_name", req.ContactName}, {"contact_phone", req.ContactPhone}} {
		if err := workflows.CheckLine(f.name, f.v, 200); err != nil {
			return domain.Enterprise{}, err
		}
	}
	if req.MemberKind != "" {
		if err := workflows.CheckWord("member_kind", req.MemberKind, domain.MemberKinds); err != nil {
			return domain.Enterprise{}, err
		}
	}
	if req.Size != "" {
		if err := workflows.CheckWord("size", req.Size, domain.Sizes); err != nil {
			return domain.Enterprise{}, err
		}
	}
	county, err := s.Store.GetUnit(ctx, req.County)
	if err != nil {
		return domain.Enterprise{}, referenced(err, "county")
	}
	if county.Kind != domain.UnitCounty && county.Kind != domain.UnitAdminCommittee {
		return domain.Enterprise{}, invalid(fmt.Sprintf("county: %q 不是县区或管委会 (not a county, district or administrative committee)", req.County))
	}
	return domain.Enterprise{
		ID: strings.TrimSpace(req.ID), Name: req.Name, County: req.County, IndustryChain: req.IndustryChain,
		MemberKind: req.MemberKind, Size: req.Size, IsKey: req.IsKey, ContactName: req.ContactName, ContactPhone: req.ContactPhone,
	}, nil
}

// EnterpriseEdit is the whole enterprise as edited (PUT /enterprises/{id}), over the
// version it was read at.
type EnterpriseEdit struct {
	BaseVersion   *int               `json:"base_version"`
	Name          string             `json:"name"`
	County        string             `json:"county"`
	IndustryChain string             `json:"industry_chain"`
	MemberKind    string             `json:"member_kind"`
	Size          string             `json:"size"`
	IsKey         bool               `json:"is_key"`
	ContactName   string             `json:"contact_name"`
	ContactPhone  string             `json:"contact_phone"`
	Operations    []domain.Operation `json:"operations"`
	Projects      []domain.Project   `json:"projects"`
}

// Bounds of an enterprise's records.
const (
	maxOperations = 30
	maxProjects   = 50
	maxEmployees  = 10_000_000
)

// UpdateEnterprise saves an edit of the enterprise (the member department, the
// administrator) over the version it was read at (409 version_conflict otherwise), and
// keeps what it changed; an edit that changes nothing saves nothing.
func (s Visits) UpdateEnterprise(ctx context.Context, u domain.User, id string, req EnterpriseEdit) (domain.Enterprise, error) {
	if err := require(u, RolesEnterpriseEditor...); err != nil {
		return domain.Enterprise{}, err
	}
	if _, err := s.Store.GetEnterprise(ctx, id); err != nil {
		return domain.Enterprise{}, err
	}
	if req.BaseVersion == nil {
		return domain.Enterprise{}, invalid("base_version: 必填：所修改的版本号 (required: the version the edit was made on)")
	}
	e, err := s.checkEnterprise(ctx, NewEnterprise{ID: id, Name: req.Name, County: req.County, IndustryChain: req.IndustryChain,
		MemberKind: req.MemberKind, Size: req.Size, IsKey: req.IsKey, ContactName: req.ContactName, ContactPhone: req.ContactPhone})
	if err != nil {
		return domain.Enterprise{}, err
	}
	if e.Operations, err = checkOperations(req.Operations, s.Year()); err != nil {
		return domain.Enterprise{}, err
	}
	if e.Projects, err = checkProjects(req.Projects); err != nil {
		return domain.Enterprise{}, err
	}
	return s.Store.UpdateEnterprise(ctx, e, *req.BaseVersion, u.Username)
}

// checkOperations: one row a year, from 2000 to this year, figures not negative; oldest
// first.
func checkOperations(ops []domain.Operation, thisYear int) ([]domain.Operation, error) {
	if len(ops) > maxOperations {
		return nil, invalid(fmt.Sprintf("operations: 最多 %d 年 (at most %d years)", maxOperations, maxOperations))
	}
	out := slices.Clone(domain.NonNil(ops))
	seen := map[int]bool{}
	for i, op := range out {
		field := fmt.Sprintf("operations[%d]", i)
		switch {
		case op.Year < 2000 || op.Year > thisYear:
			return nil, invalid(fmt.Sprintf("%s.year: 应为 2000 至 %d 年 (from 2000 to %d)", field, thisYear, thisYear))
		case seen[op.Year]:
			return nil, invalid(fmt.Sprintf("%s.year: %d 年重复 (a year twice)", field, op.Year))
		case op.Employees != nil && (*op.Employees < 0 || *op.Employees > maxEmployees):
			return nil, invalid(fmt.Sprintf("%s.employees: 应为 0 至 %d 人 (0 to %d)", field, maxEmployees, maxEmployees))
		}
		seen[op.Year] = true
		if err := workflows.CheckAmount(field+".output_value_cny", op.OutputValueCNY); err != nil {
			return nil, err
		}
		if err := workflows.CheckAmount(field+".tax_cny", op.TaxCNY); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b domain.Operation) int { return a.Year - b.Year })
	return out, nil
}

// checkProjects: a name each, known states, dates as dates, amounts the read model holds.
func checkProjects(ps []domain.Project) ([]domain.Project, error) {
	if len(ps) > maxProjects {
		return nil, invalid(fmt.Sprintf("projects: 最多 %d 个 (at most %d)", maxProjects, maxProjects))
	}
	out := slices.Clone(domain.NonNil(ps))
	for i := range out {
		p, field := &out[i], fmt.Sprintf("projects[%d]", i)
		p.Name = strings.TrimSpace(p.Name)
		if p.Name == "" {
			return nil, invalid(field + ".name: 必填 (required)")
		}
		if err := workflows.CheckLine(field+".name", p.Name, 200); err != nil {
			return nil, err
		}
		if err := workflows.CheckWord(field+".status", p.Status, domain.ProjectStatuses); err != nil {
			return nil, err
		}
		for _, d := range []struct{ name, v string }{{"started", p.Started}, {"due_by", p.DueBy}} {
			if _, err := time.Parse(domain.DateLayout, d.v); d.v != "" && err != nil {
				return nil, invalid(fmt.Sprintf("%s.%s: 应为 YYYY-MM-DD (a date)", field, d.name))
			}
		}
		if err := workflows.CheckAmount(field+".investment_cny", p.InvestmentCNY); err != nil {
			return nil, err
		}
		if err := workflows.CheckText(field+".note", p.Note); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// EnterpriseHistory is every edit of an enterprise, newest first (the member department,
// the administrator: the changes name contacts).
func (s Visits) EnterpriseHistory(ctx context.Context, u domain.User, id string) ([]domain.EnterpriseVersion, error) {
	if err := require(u, RolesEnterpriseEditor...); err != nil {
		return nil, err
	}
	if _, err := s.Store.GetEnterprise(ctx, id); err != nil {
		return nil, err
	}
	list, err := s.Store.EnterpriseVersions(ctx, id)
	return domain.NonNil(list), err
}

// FileCase is a case as the enterprise file lists it.
type FileCase struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	LeadUnit string `json:"lead_unit"`
	DueDate  string `json:"due_date"`
	Card     string `json:"card"`
}

// FileEnterprise is the enterprise as its file shows it: its contacts null for whoever may
// not read them.
type FileEnterprise struct {
	ContactName   *string   `json:"contact_name"`
	ContactPhone  *string   `json:"contact_phone"`
	County        string    `json:"county"`
	CreatedAt     time.Time `json:"created_at"`
	ID            string    `json:"id"`
	IndustryChain string    `json:"industry_chain"`
	IsKey         bool      `json:"is_key"`
	MemberKind    string    `json:"member_kind"`
	Name          string    `json:"name"`
	Size          string    `json:"size"`
	// Version is the enterprise's (an edit is saved over it: PUT /enterprises/{id}).
	Version    int                `json:"version"`
	Operations []domain.Operation `json:"operations"`
	Projects   []domain.Project   `json:"projects"`
}

// EnterpriseFile is the enterprise file (一企一档).
type EnterpriseFile struct {
	Cases      []FileCase     `json:"cases"`
	CasesTotal int            `json:"cases_total"`
	Enterprise FileEnterprise `json:"enterprise"`
	Leaders    []store.Leader `json:"leaders"`
	// MayEditPlan: the reader may save a new version of the plan (SavePlan's own check).
	MayEditPlan bool        `json:"may_edit_plan"`
	Plan        domain.Plan `json:"plan"`
	Redacted    []string    `json:"redacted"`
	Visits      []VisitView `json:"visits"`
	Year        int         `json:"year"`
}

// File is the enterprise file (一企一档): the enterprise, the leaders linked to it this
// year, the visits, the cases and the plan (一企一策). Contacts are shown to the member
// department, the administrator and the leaders linked to it (each read recorded); a unit
// sees the file only through cases referred to it, and only those cases.
func (s Visits) File(ctx context.Context, u domain.User, id string) (EnterpriseFile, error) {
	e, err := s.Store.GetEnterprise(ctx, id)
	if err != nil {
		return EnterpriseFile{}, err
	}
	year := s.Year()
	leaders, err := s.Store.EnterpriseLeaders(ctx, e.ID, year)
	if err != nil {
		return EnterpriseFile{}, err
	}
	linked := u.Role == domain.RoleLeader && slices.ContainsFunc(leaders, func(l store.Leader) bool { return l.Username == u.Username })
	f := store.CaseFilter{EnterpriseID: e.ID, PageSize: 100, SearchSensitive: true}
	visits := []domain.Visit{}
	switch u.Role {
	case domain.RoleUnit:
		f.VisibleToUnit = u.Unit
	case domain.RoleLeader:
		if !linked {
			f.FollowedBy = u.Username
		}
	}
	page, err := s.Store.ListCases(ctx, f)
	if err != nil {
		return EnterpriseFile{}, err
	}
	if u.Role == domain.RoleUnit && len(page.Items) == 0 {
		return EnterpriseFile{}, missing(store.EntityEnterprise, e.ID)
	}
	if u.Role != domain.RoleUnit {
		vf := store.VisitFilter{EnterpriseID: e.ID, PageSize: maxLedgerVisits}
		if u.Role == domain.RoleLeader && !linked {
			vf.Leader = u.Username
		}
		if visits, _, err = s.Store.ListVisits(ctx, vf); err != nil {
			return EnterpriseFile{}, err
		}
	}
	cases := []FileCase{}
	for _, cs := range page.Items {
		cases = append(cases, FileCase{ID: cs.ID, Title: cs.Title, Status: cs.Status, LeadUnit: cs.LeadUnit, DueDate: cs.DueDate, Card: cs.Card})
	}
	views, err := s.views(ctx, u, visits)
	if err != nil {
		return EnterpriseFile{}, err
	}
	plan, err := s.Store.Plan(ctx, e.ID)
	if err != nil {
		return EnterpriseFile{}, err
	}
	out := EnterpriseFile{Enterprise: FileEnterprise{ID: e.ID, Name: e.Name, County: e.County, IndustryChain: e.IndustryChain,
		MemberKind: e.MemberKind, Size: e.Size, IsKey: e.IsKey, CreatedAt: e.CreatedAt,
		ContactName: &e.ContactName, ContactPhone: &e.ContactPhone,
		Version: e.Version, Operations: domain.NonNil(e.Operations), Projects: domain.NonNil(e.Projects)},
		Redacted: []string{}, Leaders: domain.NonNil(leaders), Year: year, Visits: views, Cases: cases, CasesTotal: page.Total, Plan: plan,
		MayEditPlan: mayEditPlan(u, leaders) == nil}
	if seesContacts(u.Role) || linked {
		if e.ContactName != "" || e.ContactPhone != "" {
			if err := s.Store.RecordReads(ctx, u.Username, store.Reads{Enterprises: []string{e.ID}}); err != nil {
				return EnterpriseFile{}, err
			}
		}
	} else {
		out.Enterprise.ContactName, out.Enterprise.ContactPhone = nil, nil
		out.Redacted = []string{"contact_name", "contact_phone"}
	}
	return out, nil
}

// mayEditPlan is who may write an enterprise's plan: the member department, the
// administrator, or a leader linked to it this year (leaders).
func mayEditPlan(u domain.User, leaders []store.Leader) error {
	if err := require(u, RolesPlanEditor...); err != nil {
		return err
	}
	if u.Role == domain.RoleLeader && !slices.ContainsFunc(leaders, func(l store.Leader) bool { return l.Username == u.Username }) {
		return forbidden("只有挂钩联系该企业的班子成员可以修改一企一策 (only a leader linked to the enterprise)")
	}
	return nil
}

// NewPlan is a new version of an enterprise's plan.
type NewPlan struct {
	Measures []domain.PlanMeasure `json:"measures"`
	// BaseVersion, when given, is the version the writer read: the plan is saved only over
	// it (409 version_conflict when it changed since, or the same form came twice).
	BaseVersion *int `json:"base_version"`
}

const maxPlanMeasures = 100

// SavePlan stores a new version of an enterprise's plan (一企一策): the member department,
// or a leader linked to the enterprise this year.
func (s Visits) SavePlan(ctx context.Context, u domain.User, enterpriseID string, req NewPlan) (domain.Plan, error) {
	if err := require(u, RolesPlanEditor...); err != nil {
		return domain.Plan{}, err
	}
	e, err := s.Store.GetEnterprise(ctx, enterpriseID)
	if err != nil {
		return domain.Plan{}, err
	}
	leaders, err := s.Store.EnterpriseLeaders(ctx, e.ID, s.Year())
	if err != nil {
		return domain.Plan{}, err
	}
	if err := mayEditPlan(u, leaders); err != nil {
		return domain.Plan{}, err
	}
	if req.Measures == nil || len(req.Measures) > maxPlanMeasures {
		return domain.Plan{}, invalid(fmt.Sprintf("measures: 必填，最多 %d 项 (required, at most %d)", maxPlanMeasures, maxPlanMeasures))
	}
	for i := range req.Measures {
		m := &req.Measures[i]
		field := fmt.Sprintf("measures[%d]", i)
		m.Title = strings.TrimSpace(m.Title)
		if m.Title == "" {
			return domain.Plan{}, invalid(field + ".title: 必填 (required)")
		}
		if err := workflows.CheckLine(field+".title", m.Title, 200); err != nil {
			return domain.Plan{}, err
		}
		if err := workflows.CheckText(field+".note", m.Note); err != nil {
			return domain.Plan{}, err
		}
		if m.Status == "" {
			m.Status = "planned"
		}
		if err := workflows.CheckWord(field+".status", m.Status, domain.PlanStatuses); err != nil {
			return domain.Plan{}, err
		}
		if m.DueDate != "" {
			if _, err := time.Parse(domain.DateLayout, m.DueDate); err != nil {
				return domain.Plan{}, invalid(field + ".due_date: 应为 YYYY-MM-DD (a date)")
			}
		}
		if m.OwnerUnit != "" {
			if _, err := s.Store.GetUnit(ctx, m.OwnerUnit); err != nil {
				return domain.Plan{}, referenced(err, field+".owner_unit")
			}
		}
	}
	base := -1
	if req.BaseVersion != nil {
		if *req.BaseVersion < 0 {
			return domain.Plan{}, invalid("base_version: 不能为负数 (must not be negative)")
		}
		base = *req.BaseVersion
	}
	return s.Store.SavePlan(ctx, e.ID, req.Measures, u.Username, base)
}
