package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/errgroup"

	"github.com/putian-fic/caseflow/activities/audit"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// The pages that read: the quarterly reports, the units' figures, the leaders' coverage and
// the enterprise file. Each calls the service operation the API's endpoint calls, which
// checks the role.

// reports: GET /reports — every quarter's report, with its printable summary and the three
// attachments (opened through the API with the session).
func (k *Console) reports(c *gin.Context) { k.showReports(c, http.StatusOK, noRefusal, "") }

// reportsBody is the reports page: the quarters, and for a leader the form of their
// quarterly submission (调研报告) for a quarter still collecting.
type reportsBody struct {
	Items     []service.ReportItem
	Submit    []string // the quarters a leader may submit for
	Narrative string
	// FollowUp is, for the office that sends the report (RolesInstructionEditors), the
	// chosen quarter's sendings and instructions with the forms that record them.
	FollowUp *reportFollowUp
}

// reportFollowUp is a compiled quarter's sending and instructions (报送与批示) and the
// forms: record a sending, record an instruction, raise a case from one.
type reportFollowUp struct {
	Period       string
	Periods      []string
	Sent         []service.Sending
	Instructions []service.InstructionView
	// Raise: the member department raises cases from an instruction (the options).
	Raise                          bool
	Enterprises, Categories, Lists []option
	Now, Today                     string
}

func (k *Console) showReports(c *gin.Context, status int, r refusal, narrative string) {
	u := currentUser(c)
	items, err := k.Service.Reports.List(c.Request.Context(), u)
	if err != nil {
		k.fail(c, err)
		return
	}
	b := reportsBody{Items: items, Narrative: narrative}
	if may(u, service.RolesSubmitter) {
		for _, it := range items {
			if !it.Final {
				b.Submit = append(b.Submit, it.Period)
			}
		}
		if cur := domain.QuarterOf(k.Service.Now()).String(); !slices.Contains(b.Submit, cur) {
			b.Submit = append([]string{cur}, b.Submit...)
		}
	}
	if may(u, service.RolesInstructionEditors) {
		if b.FollowUp, err = k.reportFollowUp(c, u, items); err != nil {
			k.fail(c, err)
			return
		}
	}
	p := k.base(c, mustMsg("report.summary"))
	r.show(&p)
	p.Body = b
	if c.Query("done") != "" {
		p.Flash = mustMsg("report.submitted")
	}
	if name := c.Query("attached"); name != "" {
		p.Flash, _ = msg("file.attached", name)
	}
	switch c.Query("recorded") {
	case "sent":
		p.Flash = "已记录报送。"
	case "instruction":
		p.Flash = "已登记批示。"
	}
	k.render(c, status, "reports.html", p)
}

// submitReport: POST /reports/submissions — a leader's quarterly submission (the API's
// POST /reports/quarterly/{period}/submissions).
func (k *Console) submitReport(c *gin.Context) {
	q, err := domain.ParseQuarter(c.PostForm("period"))
	if err != nil {
		k.showReports(c, http.StatusUnprocessableEntity, refused(service.NewError(service.Invalid, "invalid_period", "period: "+err.Error()),
			reportInputs), c.PostForm("narrative"))
		return
	}
	_, err = k.Service.Reports.Submit(c.Request.Context(), currentUser(c), q, workflows.SubmitReportBody{Narrative: c.PostForm("narrative")})
	if err != nil {
		if e := service.Classify(err); e.Kind == service.Invalid || e.Kind == service.Conflict {
			k.showReports(c, http.StatusUnprocessableEntity, refused(e, reportInputs), c.PostForm("narrative"))
			return
		}
		k.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/reports?done=submitted")
}

// reportInputs are the inputs of a leader's submission form.
var reportInputs = inputs("period", "narrative")

// bar is one bar of a chart the server draws (SVG).
type bar struct {
	Label, Value string
	Y, W         int
	Muted        bool
}

// auditBody is the units' figures page.
type auditBody struct {
	service.UnitsReport
	Bars    []bar
	Height  int
	Freezer bool // the user may freeze the period
	// Flags are the patterns worth a look (anti-gaming: cases returned back and forth,
	// completions in a deadline's last hour then found unsolved, redo rates far above the
	// others'), each with its cases.
	Flags []audit.Flag
	Names map[string]string // unit names by id
}

// audit: GET /audit?period=2026 — every unit's figures, score and rank (a unit: its own),
// with the scores drawn as bars; each unit links to its page of the cases behind each
// figure and its workbook; then the flags (线索) with their cases.
func (k *Console) audit(c *gin.Context) {
	label := c.DefaultQuery("period", fmt.Sprint(k.Service.Year()))
	period, err := domain.ParsePeriod(label)
	if err != nil {
		k.fail(c, service.NewError(service.Invalid, "invalid_period", "period: "+err.Error()))
		return
	}
	var r service.UnitsReport
	var flags []audit.Flag
	g, ctx := errgroup.WithContext(c.Request.Context())
	g.Go(func() (err error) { r, err = k.Service.Audit.Units(ctx, currentUser(c), period, false); return err })
	g.Go(func() (err error) { flags, err = k.Service.Audit.Flags(ctx, currentUser(c), period); return err })
	if err := g.Wait(); err != nil {
		k.fail(c, err)
		return
	}
	b := auditBody{UnitsReport: r, Flags: flags, Freezer: may(currentUser(c), service.RolesFreezer), Names: map[string]string{}}
	for _, u := range r.Units {
		b.Names[u.Unit] = u.Name
	}
	most := 1.0
	for _, u := range r.Units {
		most = max(most, u.Score)
	}
	for i, u := range r.Units {
		b.Bars = append(b.Bars, bar{Label: u.Name, Value: fmt.Sprintf("%.2f", u.Score), Y: i * 26, W: int(u.Score / most * 360),
			Muted: u.ScoreError != nil})
	}
	b.Height = len(r.Units)*26 + 4
	p := k.base(c, mustMsg("audit.units"))
	p.Body = b
	k.render(c, http.StatusOK, "audit.html", p)
}

// freeze: POST /audit/freeze — the efficiency office freezes a period's figures (it cannot
// be undone: confirmed).
func (k *Console) freeze(c *gin.Context) {
	label := c.PostForm("period")
	period, err := domain.ParsePeriod(label)
	if err != nil {
		k.fail(c, service.NewError(service.Invalid, "invalid_period", "period: "+err.Error()))
		return
	}
	if c.PostForm("confirm") != "yes" {
		k.fail(c, service.NewError(service.Invalid, "confirm", mustMsg("form.confirm")))
		return
	}
	if _, err := k.Service.Audit.Freeze(c.Request.Context(), currentUser(c), period); err != nil {
		k.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/audit?period="+url.QueryEscape(period.Label))
}

// coverage: GET /coverage — how many of their linked enterprises each leader (a leader:
// themselves) visited this quarter, and which not yet.
func (k *Console) coverage(c *gin.Context) {
	now := k.Service.Now()
	q := domain.QuarterOf(now)
	cov, err := k.Service.Visits.Coverage(c.Request.Context(), currentUser(c),
		service.YearOrQuarter{Period: q.Period(), Year: q.Year, Quarter: q.Q})
	if err != nil {
		k.fail(c, err)
		return
	}
	p := k.base(c, mustMsg("coverage"))
	p.Body = struct {
		service.Coverage
		Quarter string
	}{cov, q.String()}
	k.render(c, http.StatusOK, "coverage.html", p)
}

// enterpriseBody is the enterprise file's page.
type enterpriseBody struct {
	service.EnterpriseFile
	Units map[string]string // unit names by id
	// MayEdit: the reader may edit the enterprise (/enterprises/{id}/edit).
	MayEdit bool
	// PlanForm is the plan's form, for who may write it (nil for others): the measures in
	// force, then blank rows for new ones.
	PlanForm *planForm
}

// planForm is the form of an enterprise's plan (一企一策).
type planForm struct {
	BaseVersion int
	Rows        []planRow
	Units       []option
	Statuses    []option
}

// planRow is one measure's row: its inputs are named m<N>_<field>.
type planRow struct {
	N                                       int
	Title, OwnerUnit, DueDate, Status, Note string
}

// planBlankRows are the empty rows the plan's form offers for new measures.
const planBlankRows = 3

// enterprise: GET /enterprises/{id} — the enterprise file (一企一档) with its plan (一企一策).
func (k *Console) enterprise(c *gin.Context) { k.showEnterprise(c, http.StatusOK, noRefusal, nil) }

// showEnterprise renders the enterprise file; posted is the plan's form as it was sent,
// shown again after a refusal.
func (k *Console) showEnterprise(c *gin.Context, status int, r refusal, posted *planForm) {
	u := currentUser(c)
	f, err := k.Service.Visits.File(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		k.fail(c, err)
		return
	}
	units, err := k.Service.Visits.Units(c.Request.Context())
	if err != nil {
		k.fail(c, err)
		return
	}
	b := enterpriseBody{EnterpriseFile: f, Units: map[string]string{}, MayEdit: may(u, service.RolesEnterpriseEditor)}
	for _, un := range units {
		b.Units[un.ID] = un.Name
	}
	if f.MayEditPlan {
		form := posted
		if form == nil {
			form = &planForm{BaseVersion: f.Plan.Version}
			for i, m := range f.Plan.Measures {
				form.Rows = append(form.Rows, planRow{N: i, Title: m.Title, OwnerUnit: m.OwnerUnit, DueDate: m.DueDate, Status: m.Status, Note: m.Note})
			}
			for i := range planBlankRows {
				form.Rows = append(form.Rows, planRow{N: len(f.Plan.Measures) + i})
			}
		}
		form.Units, form.Statuses = []option{{"", mustMsg("unset")}}, sortedOptions(domain.PlanStatuses)
		for _, un := range units {
			form.Units = append(form.Units, option{un.ID, un.Name})
		}
		b.PlanForm = form
	}
	p := k.base(c, f.Enterprise.Name)
	r.show(&p)
	p.Body = b
	switch c.Query("done") {
	case "plan":
		p.Flash = mustMsg("plan.saved")
	case "edited":
		p.Flash = "已保存企业信息。"
	}
	k.render(c, status, "enterprise.html", p)
}

// savePlan: POST /enterprises/{id}/plan — a new version of the plan, saved only over the
// version the form was opened on (a form sent twice, or over a plan changed meanwhile, is
// refused and shows the plan in force).
func (k *Console) savePlan(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		k.fail(c, service.NewError(service.Invalid, "invalid_form", "表单格式错误 (malformed form)"))
		return
	}
	form := c.Request.PostForm
	base, err := strconv.Atoi(form.Get("base_version"))
	if err != nil {
		k.fail(c, service.NewError(service.Invalid, "invalid_form", "表单格式错误 (malformed form)"))
		return
	}
	posted := &planForm{BaseVersion: base}
	req := service.NewPlan{Measures: []domain.PlanMeasure{}, BaseVersion: &base}
	var sent []int // the row of each measure sent (rows without a title are left out)
	for n := range maxPlanRows {
		pre := "m" + strconv.Itoa(n) + "_"
		if _, ok := form[pre+"title"]; !ok {
			break
		}
		row := planRow{N: n, Title: strings.TrimSpace(form.Get(pre + "title")), OwnerUnit: form.Get(pre + "owner_unit"),
			DueDate: form.Get(pre + "due_date"), Status: form.Get(pre + "status"), Note: form.Get(pre + "note")}
		posted.Rows = append(posted.Rows, row)
		if row.Title == "" {
			continue
		}
		sent = append(sent, n)
		req.Measures = append(req.Measures, domain.PlanMeasure{Title: row.Title, OwnerUnit: row.OwnerUnit, DueDate: row.DueDate,
			Status: row.Status, Note: row.Note})
	}
	if _, err := k.Service.Visits.SavePlan(c.Request.Context(), currentUser(c), c.Param("id"), req); err != nil {
		switch e := service.Classify(err); e.Kind {
		case service.Invalid:
			k.showEnterprise(c, http.StatusUnprocessableEntity, refused(e, planInput(sent)), posted)
		case service.Conflict: // the plan changed: show the one in force, with why
			k.showEnterprise(c, http.StatusConflict, said(e.Message), nil)
		default:
			k.fail(c, err)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, "/enterprises/"+url.PathEscape(c.Param("id"))+"?done=plan")
}

// maxPlanRows bounds the rows a plan's form is read for (the service takes 100 measures).
const maxPlanRows = 110

// planInput maps "measures[i].title" to the input of the row sent i-th.
func planInput(sent []int) func(string) string {
	return func(field string) string {
		var i int
		if _, err := fmt.Sscanf(field, "measures[%d]", &i); err != nil || i < 0 || i >= len(sent) {
			return ""
		}
		_, rest, _ := strings.Cut(field, ".")
		switch rest {
		case "title", "owner_unit", "due_date", "status", "note":
			return "m" + strconv.Itoa(sent[i]) + "_" + rest
		}
		return ""
	}
}

// may reports whether the role is one of roles (a menu shows what the service allows).
func may(u domain.User, roles []string) bool { return slices.Contains(roles, u.Role) }

// notices: GET /notices — the supervision notices (督办单) the user may see: the offices,
// the member department, the efficiency office and the administrator all; a unit its own;
// a leader those on the cases they raised.
func (k *Console) notices(c *gin.Context) {
	list, err := k.Service.Cases.Notices(c.Request.Context(), currentUser(c), service.NoticeQuery{Card: c.Query("card")})
	if err != nil {
		k.fail(c, err)
		return
	}
	names, err := k.unitNames(c)
	if err != nil {
		k.fail(c, err)
		return
	}
	p := k.base(c, mustMsg("notices"))
	p.Body = struct {
		Notices []domain.Notice
		Units   map[string]string
	}{list, names}
	k.render(c, http.StatusOK, "notices.html", p)
}
