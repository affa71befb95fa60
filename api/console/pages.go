package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// todoLink is a count of the to-do panel with the list it counts.
type todoLink struct {
	Label string
	Count int
	Href  string
}

// home: GET / — the role's home: the to-do panel, each count a link to its list.
func (k *Console) home(c *gin.Context) {
	u := currentUser(c)
	items, err := k.Service.Cases.Todo(c.Request.Context(), u)
	if err != nil {
		k.fail(c, err)
		return
	}
	var links []todoLink
	for _, it := range items {
		links = append(links, todoLink{Label: mustMsg("todo." + it.Key), Count: it.Count, Href: "/cases?" + query(it.Query).Encode()})
	}
	p := k.base(c, mustMsg("home"))
	p.Body = links
	k.render(c, http.StatusOK, "home.html", p)
}

// query is a list's query as the list page reads it.
func query(q service.CaseQuery) url.Values {
	v := url.Values{}
	for name, s := range map[string]string{"status": q.Status, "office": q.Office, "card": q.Card, "pending": q.Pending,
		"due_by": q.DueBy, "q": q.Query, "unit": q.Unit, "category": q.Category, "cursor": q.Cursor} {
		if s != "" {
			v.Set(name, s)
		}
	}
	if q.Overdue {
		v.Set("overdue", "true")
	}
	return v
}

// caseList is the list page's content.
type caseList struct {
	Query    service.CaseQuery
	Items    []service.CaseView
	Total    int
	Next     string // the next page's address, "" for none
	First    string // the first page's address when this is a later one
	Statuses []option
	Units    map[string]string // unit names by id
}

// cases: GET /cases — the cases the user may see, filtered and paged on the server (cursor
// pages, as the API's).
func (k *Console) cases(c *gin.Context) {
	q := service.CaseQuery{Status: c.Query("status"), Office: c.Query("office"), Card: c.Query("card"),
		Pending: c.Query("pending"), DueBy: c.Query("due_by"), Query: c.Query("q"), Unit: c.Query("unit"),
		Category: c.Query("category"), Cursor: c.Query("cursor"), Overdue: c.Query("overdue") == "true", PageSize: 20}
	buf := service.NewListBuffer()
	defer buf.Release()
	pg, err := k.Service.Cases.List(c.Request.Context(), currentUser(c), q, buf)
	if err != nil {
		k.fail(c, err)
		return
	}
	names, err := k.unitNames(c)
	if err != nil {
		k.fail(c, err)
		return
	}
	l := caseList{Query: q, Items: pg.Items, Total: pg.Total, Statuses: withUnset(domain.StatusLabels), Units: names}
	l.Statuses[0].Label = "全部"
	if pg.NextCursor != "" {
		next := q
		next.Cursor = pg.NextCursor
		l.Next = "/cases?" + query(next).Encode()
	}
	if q.Cursor != "" {
		first := q
		first.Cursor = ""
		l.First = "/cases?" + query(first).Encode()
	}
	p := k.base(c, mustMsg("cases"))
	p.Body = l
	k.render(c, http.StatusOK, "cases.html", p)
}

// unitNames are the units' names by id.
func (k *Console) unitNames(c *gin.Context) (map[string]string, error) {
	units, err := k.Service.Visits.Units(c.Request.Context())
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(units))
	for _, un := range units {
		out[un.ID] = un.Name
	}
	return out, nil
}

// mergeCandidates are the cases the merge form offers to tick: other enterprises' cases in
// triage of the same category (the likeliest common problem), newest first, as many as a
// page holds; any other case is named by its number.
func (k *Console) mergeCandidates(c *gin.Context, parent service.CaseView) ([]option, error) {
	buf := service.NewListBuffer()
	defer buf.Release()
	pg, err := k.Service.Cases.List(c.Request.Context(), currentUser(c),
		service.CaseQuery{Status: domain.StatusTriage, Category: parent.Category, PageSize: mergeCandidates}, buf)
	if err != nil {
		return nil, err
	}
	var out []option
	for _, cs := range pg.Items {
		if cs.ID != parent.ID && cs.EnterpriseID != parent.EnterpriseID {
			out = append(out, option{cs.ID, cs.ID + " " + cs.Title})
		}
	}
	return out, nil
}

// mergeCandidates is how many cases the merge form offers to tick.
const mergeCandidates = 30

// actionForm is an action's form on a case's page.
type actionForm struct {
	Name, Label string
	Appeal      int // the appeal a decision decides (its form posts it)
	Fields      []field
	Key         string // the form's idempotency key
	Confirm     bool
	Error       string
}

// casePageBody is a case's page content.
type casePageBody struct {
	service.CaseDetail
	Forms []actionForm
	// Units names the units by id.
	Units map[string]string
	// QuickKey is the key of the one-click form that refers the case as the rules propose
	// ("" when that is not offered: not triage, not the triager, or no full proposal).
	QuickKey string
	// Verified is the timeline's verification, for those who verify timelines.
	Verified *service.Verification
	// Notifications are the case's notifications the user may see, and their delivery.
	Notifications []service.Notification
	// Docs are the printable documents of the timeline's events (转办单, 督办单), by seq.
	Docs map[int]docLink
}

// casePage: GET /cases/{id} — the case, its deadlines in working days, its timeline, and a
// form for each action the user may take now.
func (k *Console) casePage(c *gin.Context) { k.showCase(c, http.StatusOK, "", nil) }

// showCase renders a case's page; failed names the action whose form was refused (shown
// again with what was typed and why).
func (k *Console) showCase(c *gin.Context, status int, failedErr string, failed *actionForm) {
	ctx, u := c.Request.Context(), currentUser(c)
	d, err := k.Service.Cases.Detail(ctx, u, c.Param("id"))
	if err != nil {
		k.fail(c, err)
		return
	}
	units, err := k.Service.Visits.Units(ctx)
	if err != nil {
		k.fail(c, err)
		return
	}
	b := casePageBody{CaseDetail: d, Units: map[string]string{}, Docs: documents(d.Case.ID, d.Events)}
	for _, un := range units {
		b.Units[un.ID] = un.Name
	}
	shown := false
	for _, a := range d.Actions {
		f := actionForm{Name: a.Name, Label: a.Label, Appeal: a.Appeal, Fields: actionFields(a.Name, units), Key: formKey(), Confirm: confirming[a.Name]}
		if a.Name == "merge" {
			if f.Fields[0].Options, err = k.mergeCandidates(c, d.Case); err != nil {
				k.fail(c, err)
				return
			}
		}
		if failed != nil && failed.Name == a.Name && failed.Appeal == a.Appeal {
			for i := range failed.Fields {
				failed.Fields[i].Options = f.Fields[i].Options
			}
			f.Fields, f.Key, f.Error = failed.Fields, failed.Key, failedErr
			shown = true
		}
		b.Forms = append(b.Forms, f)
	}
	for _, a := range d.Actions {
		if a.Name == "triage" && d.Case.RouteProposal != nil && d.Case.RouteProposal.Reason == "matched" {
			b.QuickKey = formKey()
		}
	}
	if b.Notifications, err = k.Service.Cases.Notifications(ctx, u, d.Case.ID); err != nil {
		k.fail(c, err)
		return
	}
	if may(u, service.RolesVerifiers) {
		v, err := k.Service.Audit.VerifyCase(ctx, u, d.Case.ID)
		if err != nil {
			k.fail(c, err)
			return
		}
		b.Verified = &v
	}
	p := k.base(c, d.Case.ID+" "+d.Case.Title)
	if failedErr != "" && (failed == nil || !shown) {
		p.Error = failedErr // no form to show it beside (the action is no longer offered, an upload): above the case
	}
	if name := c.Query("attached"); name != "" {
		p.Flash, _ = msg("file.attached", name)
	}
	if done := c.Query("done"); done != "" {
		for _, a := range append(workflows.Actions[:len(workflows.Actions):len(workflows.Actions)], workflows.AppealAction, workflows.DecideAppealAction) {
			if a.Name == done {
				p.Flash, _ = msg("case.done", a.Label)
			}
		}
	}
	p.Body = b
	k.render(c, status, "case.html", p)
}

// act: POST /cases/{id}/act/{action} — the action's form, sent as the API sends it
// (service.Cases.Act, or Appeal); refused, the page shows the form again with the reason.
func (k *Console) act(c *gin.Context) {
	ctx, u := c.Request.Context(), currentUser(c)
	name := c.Param("action")
	units, err := k.Service.Visits.Units(ctx)
	if err != nil {
		k.fail(c, err)
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		k.fail(c, service.NewError(service.Invalid, "invalid_form", "表单格式错误 (malformed form)"))
		return
	}
	fields := actionFields(name, units)
	appeal, _ := strconv.Atoi(c.PostForm("appeal"))
	form := &actionForm{Name: name, Appeal: appeal, Fields: refill(fields, c.Request.PostForm), Key: c.PostForm("_key")}
	if needsConfirmation(name, c.Request.PostForm) && c.PostForm("confirm") != "yes" {
		k.showCase(c, http.StatusUnprocessableEntity, mustMsg("form.confirm"), form)
		return
	}
	raw, err := body(fields, c.Request.PostForm)
	if err != nil {
		k.fail(c, err)
		return
	}
	req := service.Action{CaseID: c.Param("id"), Name: name, Body: raw, Key: c.PostForm("_key")}
	switch name {
	case workflows.AppealAction.Name:
		_, err = k.Service.Cases.Appeal(ctx, u, req)
	case workflows.DecideAppealAction.Name:
		_, err = k.Service.Cases.DecideAppeal(ctx, u, req, appeal)
	default:
		_, err = k.Service.Cases.Act(ctx, u, req)
	}
	if err != nil {
		e := service.Classify(err)
		switch e.Kind {
		case service.Invalid, service.Conflict, service.BadRequest:
			r := refused(e, inputs(names(form.Fields)...))
			for i := range form.Fields {
				form.Fields[i].Error = r.Fields[form.Fields[i].Name]
			}
			k.showCase(c, http.StatusUnprocessableEntity, r.Text, form)
		default:
			k.fail(c, err)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, "/cases/"+url.PathEscape(c.Param("id"))+"?done="+url.QueryEscape(name))
}

// visitFormBody is the visit form's content.
type visitFormBody struct {
	Key         string
	Values      url.Values
	Leaders     []option
	Enterprises []option
	Methods     []option
	Categories  []option
	Lists       []option
	Problems    []int
	Today       string
}

// visitProblems is how many problems the form offers (a visit takes up to 50 through the API).
const visitProblems = 5

// visitForm: GET /visits/new — log a visit with the problems heard (one form).
func (k *Console) visitForm(c *gin.Context) {
	k.showVisitForm(c, http.StatusOK, noRefusal, url.Values{}, formKey())
}

func (k *Console) showVisitForm(c *gin.Context, status int, r refusal, values url.Values, key string) {
	ctx, u := c.Request.Context(), currentUser(c)
	if !may(u, service.RolesRaisers) {
		k.NotFound(c)
		return
	}
	leaders, err := k.Service.Visits.Leaders(ctx, u, k.Service.Year())
	if err != nil {
		k.fail(c, err)
		return
	}
	ents, err := k.Service.Visits.Enterprises(ctx, u)
	if err != nil {
		k.fail(c, err)
		return
	}
	b := visitFormBody{Key: key, Values: values, Methods: sortedOptions(domain.VisitMethods), Categories: sortedOptions(domain.Categories),
		Lists: sortedOptions(domain.Lists), Today: domain.Today(k.Service.Now())}
	for _, l := range leaders {
		b.Leaders = append(b.Leaders, option{l.Username, l.DisplayName})
	}
	for _, e := range ents {
		b.Enterprises = append(b.Enterprises, option{e.ID, e.Name})
	}
	for i := range visitProblems {
		b.Problems = append(b.Problems, i)
	}
	if values.Get("date") == "" {
		values.Set("date", b.Today)
	}
	if u.Role == domain.RoleLeader && len(values["leaders"]) == 0 {
		values["leaders"] = []string{u.Username}
	}
	p := k.base(c, mustMsg("visit.new"))
	r.show(&p)
	p.Body = b
	k.render(c, status, "visit.html", p)
}

// createVisit: POST /visits — the visit as the API logs it (service.Visits.Create): its
// problems become cases; the same form posted twice logs one visit.
func (k *Console) createVisit(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		k.fail(c, service.NewError(service.Invalid, "invalid_form", "表单格式错误 (malformed form)"))
		return
	}
	f := c.Request.PostForm
	v := service.NewVisit{Date: f.Get("date"), Leaders: f["leaders"], EnterpriseIDs: f["enterprise_ids"], Method: f.Get("method"),
		Notes: f.Get("notes"), Key: f.Get("_key")}
	var asked []int // the form's problem of each problem sent (empty ones are left out)
	for i := range visitProblems {
		n := strconv.Itoa(i)
		title := strings.TrimSpace(f.Get("p" + n + "_title"))
		if title == "" {
			continue
		}
		asked = append(asked, i)
		p := domain.VisitProblem{Title: title, Description: f.Get("p" + n + "_description"), Category: f.Get("p" + n + "_category"),
			List: f.Get("p" + n + "_list"), EnterpriseID: f.Get("p" + n + "_enterprise"), Sensitive: f.Get("p"+n+"_sensitive") == "true"}
		v.Problems = append(v.Problems, p)
	}
	view, err := k.Service.Visits.Create(c.Request.Context(), currentUser(c), v)
	if err != nil {
		e := service.Classify(err)
		switch e.Kind {
		case service.Invalid, service.Conflict, service.BadRequest, service.Forbidden:
			k.showVisitForm(c, http.StatusUnprocessableEntity, refused(e, visitInput(asked)), f, f.Get("_key"))
		default:
			k.fail(c, err)
		}
		return
	}
	target := "/cases"
	if len(view.Cases) > 0 {
		target = "/cases/" + url.PathEscape(view.Cases[0].ID)
	}
	c.Redirect(http.StatusSeeOther, target+"?"+url.Values{"visit": {view.ID}}.Encode())
}

// visitInput maps a field of the visit the service refused to the form's input: the
// visit's own fields by name, "problems[i].title" to the title of the form's problem that
// was sent i-th.
func visitInput(asked []int) func(string) string {
	top := inputs("date", "leaders", "enterprise_ids", "method", "notes")
	return func(field string) string {
		var i int
		var rest string
		if _, err := fmt.Sscanf(field, "problems[%d]", &i); err != nil {
			return top(field)
		}
		_, rest, _ = strings.Cut(field, ".")
		if i < 0 || i >= len(asked) {
			return ""
		}
		n := "p" + strconv.Itoa(asked[i]) + "_"
		switch rest {
		case "title", "description", "category", "list":
			return n + rest
		case "enterprise_id":
			return n + "enterprise"
		}
		return ""
	}
}
