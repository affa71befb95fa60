package api

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/activities/reportbook"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// The three attachments (附件1–3) of the quarterly report and its printable summary.

// reportAttachment: GET /reports/quarterly/{period}/attachments/{n}.xlsx — the cases of
// list n raised in the quarter, and a second sheet of earlier cases still open at its end.
func (s *Server) reportAttachment(c *gin.Context) error {
	q, err := s.reportPeriod(c)
	if err != nil {
		return err
	}
	n, isXLSX := strings.CutSuffix(c.Param("file"), ".xlsx")
	if _, ok := reportbook.Lists[n]; !ok || !isXLSX {
		return newError(http.StatusNotFound, "not_found", "附件只有 1.xlsx、2.xlsx、3.xlsx (attachments are 1.xlsx, 2.xlsx and 3.xlsx)")
	}
	_, content, err := s.loadReport(c, q, true)
	if err != nil {
		return err
	}
	names, err := s.reportNames(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	sees := func(row store.ReportRow) bool { return needsSensitive(reportCase(row), u) }
	sheets, read, err := reportbook.Attachment(content, n, reportbook.Reader{Role: u.Role, Username: u.Username, Sees: sees}, names)
	if err != nil {
		return err
	}
	if err := s.Store.RecordSensitiveReads(c.Request.Context(), u.Username, read...); err != nil {
		return err
	}
	return writeWorkbook(c, fmt.Sprintf("report-%s-attachment-%s", q, n),
		fmt.Sprintf("%s 附件%s %s", q, n, domain.Lists[reportbook.Lists[n]]), sheets)
}

// reportCase is a report row as the case it shows, with what needsSensitive asks of a case
// read by the report's readers (no units read reports).
func reportCase(row store.ReportRow) *domain.Case {
	return &domain.Case{ID: row.CaseID, CreatedBy: row.RaisedBy, Office: row.Office, LeadUnit: row.LeadUnit,
		CoUnits: row.CoUnits, Status: row.Status, Sensitive: row.Sensitive, AmountCNY: row.AmountCNY}
}

func (s *Server) reportNames(c *gin.Context) (reportbook.Names, error) {
	n := reportbook.Names{Units: map[string]string{}, Users: map[string]string{}}
	units, err := s.Store.ListUnits(c.Request.Context())
	if err != nil {
		return n, err
	}
	for _, u := range units {
		n.Units[u.ID] = u.Name
	}
	leaders, err := s.Store.Leaders(c.Request.Context())
	if err != nil {
		return n, err
	}
	for _, l := range leaders {
		n.Users[l.Username] = l.DisplayName
	}
	return n, nil
}

// bar is one bar of a chart drawn by the server.
type bar struct {
	Label         string
	Value, Second int
	Y, W, W2      int
}

// chart lays out horizontal bars for groups: raised (and closed inside it).
func chart(groups []store.ReportGroup, names reportbook.Names, label func(store.ReportGroup) string) ([]bar, int) {
	most := 1
	for _, g := range groups {
		most = max(most, g.Raised)
	}
	bars := make([]bar, 0, len(groups))
	for i, g := range groups {
		bars = append(bars, bar{Label: label(g), Value: g.Raised, Second: g.Closed, Y: i * 26,
			W: g.Raised * 400 / most, W2: g.Closed * 400 / most})
	}
	return bars, len(groups)*26 + 4
}

var summaryPage = template.Must(template.New("summary").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2em;color:#111}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}.meta{color:#555}
table{border-collapse:collapse;margin:.6em 0 1em}th,td{border:1px solid #999;padding:.25em .6em}th{background:#eee}
td.n{text-align:right;font-variant-numeric:tabular-nums}svg text{font-size:12px}
@media print{body{margin:1cm}h2{break-after:avoid}}
</style></head><body>
<h1>{{.Title}}</h1>
<p class="meta">统计期 {{.From}} 至 {{.To}} · 第 {{.Version}} 版，汇总于 {{.CompiledAt}} · {{.StatusLabel}}{{if .Final}}（截止时定稿）{{end}} · 报送截止 {{.Deadline}}</p>
<h2>总体情况</h2>
<table><tr><th>收集问题</th><th>已销号</th><th>超期</th><th>满意率</th></tr>
<tr><td class="n">{{.Totals.Raised}}</td><td class="n">{{.Totals.Closed}}</td><td class="n">{{.Totals.Overdue}}</td><td class="n">{{printf "%.1f%%" .Satisfaction}}</td></tr></table>
{{if .Leaders}}<h2>班子成员挂钩走访</h2>
<table><tr><th>班子成员</th><th>挂钩企业</th><th>本季走访</th><th>覆盖率</th><th>未走访</th><th>提出问题</th><th>已销号</th><th>超期</th><th>调研报告</th></tr>
{{range .Leaders}}<tr><td>{{.Name}}</td><td class="n">{{.Linked}}</td><td class="n">{{.Visited}}</td><td class="n">{{printf "%.0f%%" .Share}}</td><td class="n">{{.NotVisited}}</td><td class="n">{{.Raised}}</td><td class="n">{{.Closed}}</td><td class="n">{{.Overdue}}</td><td>{{.Submission}}</td></tr>
{{end}}</table>{{end}}
{{range .Charts}}<h2>{{.Title}}</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{{.Height}}" role="img" aria-label="{{.Title}}">
{{range .Bars}}<text x="0" y="{{.Y}}" dy="16">{{.Label}}</text><rect x="160" y="{{.Y}}" width="{{.W}}" height="20" fill="#9bb7d4"/><rect x="160" y="{{.Y}}" width="{{.W2}}" height="20" fill="#2f6fad"/><text x="570" y="{{.Y}}" dy="16">{{.Second}} / {{.Value}}</text>
{{end}}</svg>
<p class="meta">深色：已销号；浅色：收集问题总数。</p>
<table><tr><th>{{.Key}}</th><th>收集问题</th><th>已销号</th><th>超期</th><th>满意率</th></tr>
{{range .Rows}}<tr><td>{{.Name}}</td><td class="n">{{.Raised}}</td><td class="n">{{.Closed}}</td><td class="n">{{.Overdue}}</td><td class="n">{{printf "%.1f%%" .Rate}}</td></tr>
{{end}}</table>{{end}}
</body></html>
`))

// reportSummary: GET /reports/quarterly/{period}/summary.html — a printable summary in
// Chinese, with bar charts drawn as SVG by the server.
func (s *Server) reportSummary(c *gin.Context) error {
	q, err := s.reportPeriod(c)
	if err != nil {
		return err
	}
	v, content, err := s.loadReport(c, q, false)
	if err != nil {
		return err
	}
	names, err := s.reportNames(c)
	if err != nil {
		return err
	}
	type leaderRow struct {
		Name                                                 string
		Linked, Visited, NotVisited, Raised, Closed, Overdue int
		Share                                                float64
		Submission                                           string
	}
	type groupRow struct {
		Name                    string
		Raised, Closed, Overdue int
		Rate                    float64
	}
	type chartData struct {
		Title, Key string
		Bars       []bar
		Height     int
		Rows       []groupRow
	}
	subLabel := map[string]string{domain.SubmissionOnTime: "按时提交", domain.SubmissionLate: "逾期提交", domain.SubmissionMissing: "未提交"}
	data := struct {
		Title, From, To, CompiledAt, StatusLabel, Deadline string
		Version                                            int
		Final                                              bool
		Totals                                             reportTotals
		Satisfaction                                       float64
		Leaders                                            []leaderRow
		Charts                                             []chartData
	}{Title: fmt.Sprintf("%d年第%d季度企业家意见建议收集办理情况", q.Year, q.Q), From: content.From, To: content.To,
		StatusLabel: v.StatusLabel, Deadline: q.Deadline().In(domain.Shanghai).Format("2006-01-02 15:04"), Version: v.Version,
		Final: v.Final, Totals: v.Totals, Satisfaction: v.Totals.SatisfactionRate * 100}
	if v.CompiledAt != nil {
		data.CompiledAt = v.CompiledAt.In(domain.Shanghai).Format("2006-01-02 15:04")
	}
	for _, l := range v.ByLeader {
		sub := domain.SubmissionMissing
		for _, sv := range v.Submissions {
			if sv.Leader == l.Leader {
				sub = sv.Status
			}
		}
		data.Leaders = append(data.Leaders, leaderRow{Name: names.User(l.Leader), Linked: l.Linked, Visited: l.Visited,
			NotVisited: len(l.NotVisited), Raised: l.Raised, Closed: l.Closed, Overdue: l.Overdue, Share: l.Share * 100, Submission: subLabel[sub]})
	}
	for _, g := range []struct {
		title, key string
		groups     []store.ReportGroup
		label      func(store.ReportGroup) string
	}{
		{"分县区", "县区", v.ByCounty, func(g store.ReportGroup) string { return names.Unit(g.Key) }},
		{"分问题类别", "类别", v.ByCategory, func(g store.ReportGroup) string { return domain.Categories[g.Key] }},
		{"分承办单位", "承办单位", v.ByUnit, func(g store.ReportGroup) string { return names.Unit(g.Key) }},
	} {
		if len(g.groups) == 0 {
			continue
		}
		bars, height := chart(g.groups, names, g.label)
		cd := chartData{Title: g.title, Key: g.key, Bars: bars, Height: height}
		for _, gr := range g.groups {
			cd.Rows = append(cd.Rows, groupRow{Name: g.label(gr), Raised: gr.Raised, Closed: gr.Closed, Overdue: gr.Overdue, Rate: gr.SatisfactionRate * 100})
		}
		data.Charts = append(data.Charts, cd)
	}
	var buf bytes.Buffer
	if err := summaryPage.Execute(&buf, data); err != nil {
		return err
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	return nil
}
