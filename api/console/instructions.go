package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// The report's sending and the city leaders' instructions in the console (/reports, for
// the member department and the administrator): the forms call service.Reports'
// RecordSending and RecordInstruction, and service.Cases.Create with the instruction, as
// the API's POST /reports/quarterly/{period}/sent, …/instructions and POST /cases do.

// reportFollowUp is the chosen quarter's (?period=, else the newest compiled) sendings and
// instructions, with what the forms offer.
func (k *Console) reportFollowUp(c *gin.Context, u domain.User, items []service.ReportItem) (*reportFollowUp, error) {
	if len(items) == 0 {
		return nil, nil
	}
	f := &reportFollowUp{Period: items[0].Period, Raise: may(u, service.RolesRaisers),
		Now: k.Service.Now().Format("2006-01-02T15:04"), Today: domain.Today(k.Service.Now())}
	for _, it := range items {
		f.Periods = append(f.Periods, it.Period)
	}
	if p := c.Query("period"); slices.Contains(f.Periods, p) {
		f.Period = p
	}
	q, err := domain.ParseQuarter(f.Period)
	if err != nil {
		return nil, err
	}
	rep, err := k.Service.Reports.Get(c.Request.Context(), u, q)
	if err != nil {
		return nil, err
	}
	f.Sent, f.Instructions = rep.Sent, rep.Instructions
	if f.Raise {
		ents, err := k.Service.Visits.Enterprises(c.Request.Context(), u)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			f.Enterprises = append(f.Enterprises, option{e.ID, e.Name})
		}
		f.Categories, f.Lists = sortedOptions(domain.Categories), sortedOptions(domain.Lists)
	}
	return f, nil
}

// recordSending: POST /reports/sent — the report went to the city's leaders.
func (k *Console) recordSending(c *gin.Context) {
	q, err := domain.ParseQuarter(c.PostForm("period"))
	if err != nil {
		k.showReports(c, http.StatusUnprocessableEntity, refusal{Text: "period: 季度格式错误"}, "")
		return
	}
	var to []string
	for _, line := range strings.Split(c.PostForm("to"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			to = append(to, line)
		}
	}
	req := service.SendingRequest{To: to}
	if at, err := time.ParseInLocation("2006-01-02T15:04", c.PostForm("sent_at"), domain.Shanghai); err == nil {
		req.SentAt = &at
	}
	if _, _, err := k.Service.Reports.RecordSending(c.Request.Context(), currentUser(c), q, req); err != nil {
		k.refuseReports(c, err, inputs("to", "sent_at"))
		return
	}
	c.Redirect(http.StatusSeeOther, "/reports?period="+url.QueryEscape(q.String())+"&recorded=sent")
}

// recordInstruction: POST /reports/instructions — an instruction that came back.
func (k *Console) recordInstruction(c *gin.Context) {
	q, err := domain.ParseQuarter(c.PostForm("period"))
	if err != nil {
		k.showReports(c, http.StatusUnprocessableEntity, refusal{Text: "period: 季度格式错误"}, "")
		return
	}
	req := service.InstructionRequest{By: c.PostForm("by"), Date: c.PostForm("date"), Text: c.PostForm("text")}
	if _, _, err := k.Service.Reports.RecordInstruction(c.Request.Context(), currentUser(c), q, req); err != nil {
		k.refuseReports(c, err, inputs("by", "date", "text"))
		return
	}
	c.Redirect(http.StatusSeeOther, "/reports?period="+url.QueryEscape(q.String())+"&recorded=instruction")
}

// raiseFromInstruction: POST /reports/instructions/{id}/cases — a case raised from an
// instruction (the member department); the case's page follows.
func (k *Console) raiseFromInstruction(c *gin.Context) {
	req := service.NewCase{EnterpriseID: c.PostForm("enterprise_id"), Title: c.PostForm("title"), Description: c.PostForm("description"),
		Category: c.PostForm("category"), List: c.PostForm("list"), InstructionID: c.Param("id"),
		Key: c.PostForm("_key"), Request: []byte(c.Request.PostForm.Encode())}
	if v := c.PostForm("amount_cny"); v != "" {
		amount, err := strconv.ParseFloat(v, 64)
		if err != nil {
			k.showReports(c, http.StatusUnprocessableEntity, refusal{Text: "amount_cny: 金额应为数字（元）"}, "")
			return
		}
		req.AmountCNY = &amount
	}
	cs, err := k.Service.Cases.Create(c.Request.Context(), currentUser(c), req)
	if err != nil {
		k.refuseReports(c, err, func(string) string { return "" })
		return
	}
	c.Redirect(http.StatusSeeOther, "/cases/"+url.PathEscape(cs.ID))
}

// refuseReports shows the reports page again with why a form was refused.
func (k *Console) refuseReports(c *gin.Context, err error, input func(string) string) {
	switch e := service.Classify(err); e.Kind {
	case service.Invalid, service.Conflict, service.Forbidden:
		k.showReports(c, statusOf(e), refused(e, input), "")
	default:
		k.fail(c, err)
	}
}
