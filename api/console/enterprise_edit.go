package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Editing an enterprise in the console (/enterprises/{id}/edit, the member department and
// the administrator): the whole record, its figures by year and its projects under
// construction, saved with service.Visits.UpdateEnterprise over the version the form was
// opened on, as PUT /api/v1/enterprises/{id} is.

// enterpriseForm is the edit form: every input's value by its name (a row's inputs are
// op<N>_<field> and pj<N>_<field>), the rows shown, and the choices.
type enterpriseForm struct {
	ID, Name                                      string
	BaseVersion                                   int
	Values                                        url.Values
	Ops, Projects                                 []int
	Counties, MemberKinds, Sizes, ProjectStatuses []option
}

// rowsBlank are the empty rows offered for new years and new projects; maxEditRows bounds
// the rows a posted form is read for (the service takes 30 years and 50 projects).
const (
	rowsBlank   = 2
	maxEditRows = 60
)

func money(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// editEnterprise: GET /enterprises/{id}/edit.
func (k *Console) editEnterprise(c *gin.Context) {
	k.showEnterpriseForm(c, http.StatusOK, noRefusal, nil)
}

func (k *Console) showEnterpriseForm(c *gin.Context, status int, r refusal, posted *enterpriseForm) {
	u := currentUser(c)
	if !may(u, service.RolesEnterpriseEditor) {
		k.NotFound(c)
		return
	}
	f, err := k.Service.Visits.File(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		k.fail(c, err)
		return
	}
	form := posted
	if form == nil {
		e := f.Enterprise
		v := url.Values{"name": {e.Name}, "county": {e.County}, "industry_chain": {e.IndustryChain}, "member_kind": {e.MemberKind},
			"size": {e.Size}, "contact_name": {deref(e.ContactName)}, "contact_phone": {deref(e.ContactPhone)}}
		if e.IsKey {
			v.Set("is_key", "true")
		}
		form = &enterpriseForm{BaseVersion: e.Version, Values: v}
		for i, op := range e.Operations {
			p := fmt.Sprintf("op%d_", i)
			v.Set(p+"year", strconv.Itoa(op.Year))
			v.Set(p+"output", money(op.OutputValueCNY))
			v.Set(p+"tax", money(op.TaxCNY))
			if op.Employees != nil {
				v.Set(p+"employees", strconv.Itoa(*op.Employees))
			}
			form.Ops = append(form.Ops, i)
		}
		for i, pj := range e.Projects {
			p := fmt.Sprintf("pj%d_", i)
			v.Set(p+"name", pj.Name)
			v.Set(p+"investment", money(pj.InvestmentCNY))
			v.Set(p+"started", pj.Started)
			v.Set(p+"due_by", pj.DueBy)
			v.Set(p+"status", pj.Status)
			v.Set(p+"note", pj.Note)
			form.Projects = append(form.Projects, i)
		}
		for i := range rowsBlank {
			form.Ops = append(form.Ops, len(e.Operations)+i)
			form.Projects = append(form.Projects, len(e.Projects)+i)
		}
	}
	form.ID, form.Name = f.Enterprise.ID, f.Enterprise.Name
	units, err := k.Service.Visits.Units(c.Request.Context())
	if err != nil {
		k.fail(c, err)
		return
	}
	for _, un := range units {
		if un.Kind == domain.UnitCounty || un.Kind == domain.UnitAdminCommittee {
			form.Counties = append(form.Counties, option{un.ID, un.Name})
		}
	}
	none := []option{{"", mustMsg("unset")}}
	form.MemberKinds = append(none, sortedOptions(domain.MemberKinds)...)
	form.Sizes = append(none, sortedOptions(domain.Sizes)...)
	form.ProjectStatuses = sortedOptions(domain.ProjectStatuses)
	p := k.base(c, "修改企业信息："+f.Enterprise.Name)
	r.show(&p)
	p.Body = form
	k.render(c, status, "enterprise_edit.html", p)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// updateEnterprise: POST /enterprises/{id} — the edit form. A refused field is shown
// beside its input; an edit over an older version shows the form as it now stands.
func (k *Console) updateEnterprise(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		k.fail(c, service.NewError(service.Invalid, "invalid_form", "表单格式错误 (malformed form)"))
		return
	}
	v := c.Request.PostForm
	base, err := strconv.Atoi(v.Get("base_version"))
	if err != nil {
		k.fail(c, service.NewError(service.Invalid, "invalid_form", "表单格式错误 (malformed form)"))
		return
	}
	posted := &enterpriseForm{BaseVersion: base, Values: v}
	req := service.EnterpriseEdit{BaseVersion: &base, Name: v.Get("name"), County: v.Get("county"), IndustryChain: v.Get("industry_chain"),
		MemberKind: v.Get("member_kind"), Size: v.Get("size"), IsKey: v.Get("is_key") == "true",
		ContactName: v.Get("contact_name"), ContactPhone: v.Get("contact_phone"),
		Operations: []domain.Operation{}, Projects: []domain.Project{}}
	var sentOps, sentProjects []int // the row of each year and project sent (blank rows are left out)
	bad := map[string]string{}
	number := func(input string) *float64 {
		s := strings.TrimSpace(v.Get(input))
		if s == "" {
			return nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			bad[input] = "应为数字 (a number)"
			return nil
		}
		return &f
	}
	for n := range maxEditRows {
		p := fmt.Sprintf("op%d_", n)
		if _, ok := v[p+"year"]; !ok {
			break
		}
		posted.Ops = append(posted.Ops, n)
		year := strings.TrimSpace(v.Get(p + "year"))
		if year == "" {
			continue
		}
		op := domain.Operation{OutputValueCNY: number(p + "output"), TaxCNY: number(p + "tax")}
		if op.Year, err = strconv.Atoi(year); err != nil {
			bad[p+"year"] = "应为年份 (a year)"
		}
		if e := strings.TrimSpace(v.Get(p + "employees")); e != "" {
			n, err := strconv.Atoi(e)
			if err != nil {
				bad[p+"employees"] = "应为整数 (a whole number)"
			}
			op.Employees = &n
		}
		sentOps = append(sentOps, n)
		req.Operations = append(req.Operations, op)
	}
	for n := range maxEditRows {
		p := fmt.Sprintf("pj%d_", n)
		if _, ok := v[p+"name"]; !ok {
			break
		}
		posted.Projects = append(posted.Projects, n)
		if strings.TrimSpace(v.Get(p+"name")) == "" {
			continue
		}
		sentProjects = append(sentProjects, n)
		req.Projects = append(req.Projects, domain.Project{Name: v.Get(p + "name"), InvestmentCNY: number(p + "investment"),
			Started: v.Get(p + "started"), DueBy: v.Get(p + "due_by"), Status: v.Get(p + "status"), Note: v.Get(p + "note")})
	}
	if len(bad) > 0 {
		k.showEnterpriseForm(c, http.StatusUnprocessableEntity, refusal{Text: mustMsg("form.fix"), Fields: bad}, posted)
		return
	}
	if _, err := k.Service.Visits.UpdateEnterprise(c.Request.Context(), currentUser(c), c.Param("id"), req); err != nil {
		switch e := service.Classify(err); e.Kind {
		case service.Invalid:
			k.showEnterpriseForm(c, http.StatusUnprocessableEntity, refused(e, enterpriseInput(sentOps, sentProjects)), posted)
		case service.Conflict: // changed since the form was opened: the form as it now stands, with why
			k.showEnterpriseForm(c, http.StatusConflict, said(e.Message), nil)
		default:
			k.fail(c, err)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, "/enterprises/"+url.PathEscape(c.Param("id"))+"?done=edited")
}

// enterpriseInput maps the service's field ("operations[1].tax_cny") to the form's input
// ("op3_tax", the row sent second).
func enterpriseInput(ops, projects []int) func(string) string {
	inputs := map[string]string{"year": "year", "output_value_cny": "output", "employees": "employees", "tax_cny": "tax",
		"name": "name", "investment_cny": "investment", "started": "started", "due_by": "due_by", "status": "status", "note": "note"}
	return func(field string) string {
		var i int
		var rest string
		switch {
		case strings.HasPrefix(field, "operations["):
			if _, err := fmt.Sscanf(field, "operations[%d]", &i); err != nil || i < 0 || i >= len(ops) {
				return ""
			}
			_, rest, _ = strings.Cut(field, ".")
			if in := inputs[rest]; in != "" {
				return fmt.Sprintf("op%d_%s", ops[i], in)
			}
		case strings.HasPrefix(field, "projects["):
			if _, err := fmt.Sscanf(field, "projects[%d]", &i); err != nil || i < 0 || i >= len(projects) {
				return ""
			}
			_, rest, _ = strings.Cut(field, ".")
			if in := inputs[rest]; in != "" {
				return fmt.Sprintf("pj%d_%s", projects[i], in)
			}
		default:
			switch field {
			case "name", "county", "industry_chain", "member_kind", "size", "contact_name", "contact_phone":
				return field
			}
		}
		return ""
	}
}
