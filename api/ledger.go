package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// maxLedgerVisits bounds one ledger (a year of a Federation's visits is a few thousand).
const maxLedgerVisits = 20_000

// ledger is the work ledger (工作台账): the visits of a period, each with its problems'
// cases as they stand; JSON, or an XLSX workbook with Chinese headers.
func (s *Server) ledger(c *gin.Context) error {
	u := currentUser(c)
	p, err := s.queryYearOrQuarter(c)
	if err != nil {
		return err
	}
	year, from, to, quarter, period := p.Year, p.FromDate(), p.ToDate(), p.Quarter, p.Label
	leader := c.Query("leader")
	if u.Role == domain.RoleLeader {
		if leader != "" && leader != u.Username {
			return newError(http.StatusForbidden, "forbidden", "只能查看本人的工作台账 (a leader reads only their own ledger)")
		}
		leader = u.Username
	}
	xlsx := c.Query("format") == "xlsx" || strings.Contains(c.GetHeader("Accept"), xlsxType)
	if f := c.Query("format"); f != "" && f != "xlsx" && f != "json" {
		return newError(http.StatusBadRequest, "invalid_query", "format: 应为 json 或 xlsx (json or xlsx)")
	}
	ctx := c.Request.Context()
	visits, total, err := s.Store.ListVisits(ctx, store.VisitFilter{Leader: leader, From: from, To: to, PageSize: maxLedgerVisits})
	if err != nil {
		return err
	}
	if total > len(visits) {
		return newError(http.StatusUnprocessableEntity, "too_large", fmt.Sprintf("台账超过 %d 次走访，请按季度或班子成员查询 (more than %d visits: ask by quarter or leader)", maxLedgerVisits, maxLedgerVisits))
	}
	out, err := s.visitViews(c, visits)
	if err != nil {
		return err
	}
	if !xlsx {
		respond(c, http.StatusOK, gin.H{"leader": leader, "year": year, "quarter": quarter, "from": from, "to": to, "visits": out})
		return nil
	}
	return s.ledgerWorkbook(c, period, leader, out)
}

// ledgerColumns are the workbook's headers.
var ledgerColumns = []any{"序号", "走访日期", "班子成员", "走访企业", "走访方式", "走访内容", "情况记录", "招商线索",
	"案件编号", "问题", "状态", "牵头单位", "办理时限", "办理结果"}

// ledgerWorkbook writes the ledger as XLSX, one row per case (a visit without problems has
// one row), streamed.
func (s *Server) ledgerWorkbook(c *gin.Context, period, leader string, visits []visitView) error {
	ctx := c.Request.Context()
	units, err := s.Store.ListUnits(ctx)
	if err != nil {
		return err
	}
	unitName := map[string]string{}
	for _, u := range units {
		unitName[u.ID] = u.Name
	}
	enterprises, err := s.Store.ListEnterprises(ctx)
	if err != nil {
		return err
	}
	entName := map[string]string{}
	for _, e := range enterprises {
		entName[e.ID] = e.Name
	}
	names := func(ids []string, m map[string]string) string {
		out := make([]string, len(ids))
		for i, id := range ids {
			if out[i] = m[id]; out[i] == "" {
				out[i] = id
			}
		}
		return strings.Join(out, "、")
	}
	leaderNames := map[string]string{}
	if leaders, err := s.Store.Leaders(ctx); err == nil {
		for _, l := range leaders {
			leaderNames[l.Username] = l.DisplayName
		}
	}
	rows := [][]any{ledgerColumns}
	for _, v := range visits {
		topics := make([]string, len(v.Topics))
		for i, t := range v.Topics {
			topics[i] = domain.VisitTopics[t]
		}
		leads := make([]string, len(v.InvestmentLeads))
		for i, l := range v.InvestmentLeads {
			leads[i] = l.Title
		}
		visitCells := []any{v.Date, names(v.Leaders, leaderNames), names(v.EnterpriseIDs, entName), domain.VisitMethods[v.Method],
			strings.Join(topics, "、"), v.Notes, strings.Join(leads, "；")}
		cases := v.Cases
		if len(cases) == 0 {
			cases = []visitCase{{}}
		}
		for _, lc := range cases {
			cells := append([]any{len(rows)}, visitCells...)
			rows = append(rows, append(cells, lc.ID, lc.Title, lc.StatusLabel, unitName[lc.LeadUnit], lc.DueDate, domain.Outcomes[lc.Outcome]))
		}
	}
	name := "工作台账-" + period
	if leader != "" {
		name += "-" + leader
	}
	return writeWorkbook(c, "ledger-"+period, name, []sheet{{Name: "工作台账", Rows: rows}})
}
