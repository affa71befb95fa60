package console

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// The investment leads register in the console: /leads lists it (a leader their own) with
// the form that adds one; /leads/{id} shows a lead, its follow-ups and the follow-up form.
// Both call service.Visits' Leads, CreateLead, Lead and FollowUp, as the API does.

type leadsBody struct {
	Leads    []service.LeadView
	Status   string
	Statuses []option
	// Add is the form that adds a lead (nil for who may not): the enterprises and leaders
	// to choose from.
	Add *leadForm
}

type leadForm struct {
	Enterprises, Leaders []option
	Values               url.Values
}

type leadBody struct {
	Lead   service.LeadView
	MayAct bool
	Next   []option // the states the lead may move to
}

func (k *Console) leads(c *gin.Context) { k.showLeads(c, http.StatusOK, noRefusal, nil) }

func (k *Console) showLeads(c *gin.Context, status int, r refusal, values url.Values) {
	ctx, u := c.Request.Context(), currentUser(c)
	list, err := k.Service.Visits.Leads(ctx, u, service.LeadQuery{Status: c.Query("status")})
	if err != nil {
		k.fail(c, err)
		return
	}
	b := leadsBody{Leads: list, Status: c.Query("status")}
	for _, st := range append(domain.LeadOrder[:len(domain.LeadOrder):len(domain.LeadOrder)], domain.LeadDropped) {
		b.Statuses = append(b.Statuses, option{Value: st, Label: domain.LeadStatuses[st]})
	}
	if may(u, service.RolesLeadEditors) {
		f := &leadForm{Values: values}
		ents, err := k.Service.Visits.Enterprises(ctx, u)
		if err != nil {
			k.fail(c, err)
			return
		}
		for _, e := range ents {
			f.Enterprises = append(f.Enterprises, option{Value: e.ID, Label: e.Name})
		}
		leaders, err := k.Service.Visits.Leaders(ctx, u, k.Service.Year())
		if err != nil {
			k.fail(c, err)
			return
		}
		for _, l := range leaders {
			if u.Role != domain.RoleLeader || l.Username == u.Username {
				f.Leaders = append(f.Leaders, option{l.Username, l.DisplayName})
			}
		}
		b.Add = f
	}
	p := k.base(c, mustMsg("leads"))
	r.show(&p)
	if c.Query("done") != "" {
		p.Flash = mustMsg("lead.added")
	}
	p.Body = b
	k.render(c, status, "leads.html", p)
}

// createLead: POST /leads — the register's form (the API's POST /leads).
func (k *Console) createLead(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		k.fail(c, service.NewError(service.Invalid, "invalid_form", "表单格式错误 (malformed form)"))
		return
	}
	f := c.Request.PostForm
	req := service.NewLead{EnterpriseID: f.Get("enterprise_id"), Leader: f.Get("leader"), Title: f.Get("title"),
		Description: f.Get("description"), IndustryChain: f.Get("industry_chain")}
	if v := f.Get("expected_amount_cny"); v != "" {
		amount, err := strconv.ParseFloat(v, 64)
		if err != nil {
			k.showLeads(c, http.StatusUnprocessableEntity, refusal{Fields: map[string]string{"expected_amount_cny": "应为数字（元）"}}, f)
			return
		}
		req.ExpectedAmountCNY = &amount
	}
	if _, err := k.Service.Visits.CreateLead(c.Request.Context(), currentUser(c), req); err != nil {
		switch e := service.Classify(err); e.Kind {
		case service.Invalid, service.Forbidden:
			k.showLeads(c, statusOf(e), refused(e, inputs("enterprise_id", "leader", "title", "description", "industry_chain", "expected_amount_cny")), f)
		default:
			k.fail(c, err)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, "/leads?done=1")
}

func (k *Console) lead(c *gin.Context) { k.showLead(c, http.StatusOK, noRefusal) }

func (k *Console) showLead(c *gin.Context, status int, r refusal) {
	u := currentUser(c)
	l, err := k.Service.Visits.Lead(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		k.fail(c, err)
		return
	}
	b := leadBody{Lead: l}
	if may(u, service.RolesLeadEditors) && l.Status != domain.LeadLanded && l.Status != domain.LeadDropped {
		b.MayAct = true
		b.Next = []option{{Value: "", Label: "（仅记录跟进情况）"}}
		after := false
		for _, st := range domain.LeadOrder {
			if after {
				b.Next = append(b.Next, option{Value: st, Label: domain.LeadStatuses[st]})
			}
			after = after || st == l.Status
		}
		b.Next = append(b.Next, option{Value: domain.LeadDropped, Label: domain.LeadStatuses[domain.LeadDropped]})
	}
	p := k.base(c, l.ID+" "+l.Title)
	r.show(&p)
	if c.Query("done") != "" {
		p.Flash = mustMsg("lead.followed")
	}
	p.Body = b
	k.render(c, status, "lead.html", p)
}

// followUpLead: POST /leads/{id}/follow-ups — the lead page's form.
func (k *Console) followUpLead(c *gin.Context) {
	req := service.FollowUpRequest{Status: c.PostForm("status"), Note: c.PostForm("note"), Reason: c.PostForm("reason")}
	if _, err := k.Service.Visits.FollowUp(c.Request.Context(), currentUser(c), c.Param("id"), req); err != nil {
		switch e := service.Classify(err); e.Kind {
		case service.Invalid, service.Conflict:
			k.showLead(c, statusOf(e), refused(e, inputs("status", "note", "reason")))
		default:
			k.fail(c, err)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, "/leads/"+url.PathEscape(c.Param("id"))+"?done=1")
}
