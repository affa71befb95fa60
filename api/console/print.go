package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// The printable documents of a case, opened from its timeline: each supervision notice
// (督办单) and each referral (转办单), on A4 with the Federation's heading. Who may open one
// is who may read the case (and, for a notice, who may see the notice).

// paper is a printable document.
type paper struct {
	Kind, Number        string // 督办单 / 转办单, and its number
	CaseID, Title       string
	Unit, CoUnits       string
	Office              string
	DeadlineKind, Due   string
	Card                string
	Instructions, Label string // the text, and what it is (督办意见, 转办意见…)
	Date                string
}

// docLink is a document of a timeline's event.
type docLink struct{ Label, Href string }

// documents are the printable documents of a case's events, by seq.
func documents(caseID string, events []service.TimelineEvent) map[int]docLink {
	out := map[int]docLink{}
	for _, e := range events {
		switch e.Type {
		case domain.EventReferred:
			out[e.Seq] = docLink{"转办单", "/cases/" + url.PathEscape(caseID) + "/referrals/" + strconv.Itoa(e.Seq)}
		case domain.EventUrged, domain.EventYellowCard, domain.EventRedCard:
			var d domain.Supervised
			if json.Unmarshal(e.Data, &d) == nil && d.NoticeNo != "" {
				out[e.Seq] = docLink{"督办单 " + d.NoticeNo, "/cases/" + url.PathEscape(caseID) + "/notices/" + url.PathEscape(d.NoticeNo)}
			}
		}
	}
	return out
}

// noticePaper: GET /cases/{id}/notices/{no} — a supervision notice, printable.
func (k *Console) noticePaper(c *gin.Context) {
	ctx, u := c.Request.Context(), currentUser(c)
	cs, err := k.Service.Cases.Head(ctx, u, c.Param("id"))
	if err != nil {
		k.fail(c, err)
		return
	}
	list, err := k.Service.Cases.Notices(ctx, u, service.NoticeQuery{CaseID: cs.ID})
	if err != nil {
		k.fail(c, err)
		return
	}
	names, err := k.unitNames(c)
	if err != nil {
		k.fail(c, err)
		return
	}
	for _, n := range list {
		if n.No != c.Param("no") {
			continue
		}
		text := n.Note
		if text == "" {
			text = mustMsg("paper.ladder." + n.Card)
		}
		p := k.base(c, "督办单 "+n.No)
		p.Body = paper{Kind: "督办单", Number: n.No, CaseID: cs.ID, Title: cs.Title, Unit: or(names[n.Unit], n.Unit),
			Office: domain.Offices[n.Office], DeadlineKind: mustMsg("step." + n.DeadlineKind), Due: n.Deadline,
			Card: domain.CardLabels[n.Card], Instructions: text, Label: "督办意见",
			Date: n.IssuedAt.In(domain.Shanghai).Format("2006年1月2日")}
		k.render(c, http.StatusOK, "paper.html", p)
		return
	}
	k.NotFound(c)
}

// referralPaper: GET /cases/{id}/referrals/{seq} — a referral, printable: the units, the
// deadline and the instructions as the referral recorded them (the instructions withheld
// from a reader who may not read them, as on the timeline).
func (k *Console) referralPaper(c *gin.Context) {
	ctx, u := c.Request.Context(), currentUser(c)
	seq, err := strconv.Atoi(c.Param("seq"))
	if err != nil {
		k.NotFound(c)
		return
	}
	cs, err := k.Service.Cases.Head(ctx, u, c.Param("id"))
	if err != nil {
		k.fail(c, err)
		return
	}
	t, err := k.Service.Cases.Timeline(ctx, u, cs.ID)
	if err != nil {
		k.fail(c, err)
		return
	}
	names, err := k.unitNames(c)
	if err != nil {
		k.fail(c, err)
		return
	}
	for _, e := range t.Events {
		if e.Seq != seq || e.Type != domain.EventReferred {
			continue
		}
		var d domain.Referred
		if err := json.Unmarshal(e.Data, &d); err != nil {
			k.fail(c, err)
			return
		}
		co := ""
		for i, id := range d.CoUnits {
			if i > 0 {
				co += "、"
			}
			co += or(names[id], id)
		}
		instructions := d.Instructions
		if instructions == domain.RedactedText {
			instructions = mustMsg("case.redacted")
		}
		p := k.base(c, "转办单 "+cs.ID)
		p.Body = paper{Kind: "转办单", Number: cs.ID + "-" + strconv.Itoa(e.Seq), CaseID: cs.ID, Title: cs.Title,
			Unit: or(names[d.LeadUnit], d.LeadUnit), CoUnits: co, Office: cs.OfficeLabel, DeadlineKind: "办理", Due: d.DueDate,
			Instructions: instructions, Label: "转办意见", Date: e.At.In(domain.Shanghai).Format("2006年1月2日")}
		k.render(c, http.StatusOK, "paper.html", p)
		return
	}
	k.NotFound(c)
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
