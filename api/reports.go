package api

import (
	"bytes"
	"github.com/putian-fic/caseflow/api/service"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/workflows"
)

// The quarterly report's endpoints (service.Reports): its schedule, its quarters, the
// three attachments, the printable summary and the leaders' submissions.

// reportSchedule: GET /reports/schedule.
func (s *Server) reportSchedule(c *gin.Context) error {
	out, err := s.Service.Reports.Schedule(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, out)
	return nil
}

// listReports: GET /reports/quarterly.
func (s *Server) listReports(c *gin.Context) error {
	items, err := s.Service.Reports.List(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"items": items})
	return nil
}

// runReport: POST /reports/quarterly/{period}/run — starts the quarter's report if it is not
// running, else compiles it again → 202 with the report.
func (s *Server) runReport(c *gin.Context) error {
	q, err := pathQuarter(c, "period")
	if err != nil {
		return err
	}
	v, err := s.Service.Reports.Run(c.Request.Context(), currentUser(c), q)
	if err != nil {
		return err
	}
	respond(c, http.StatusAccepted, v)
	return nil
}

// getReport: GET /reports/quarterly/{period}.
func (s *Server) getReport(c *gin.Context) error {
	q, err := pathQuarter(c, "period")
	if err != nil {
		return err
	}
	v, err := s.Service.Reports.Get(c.Request.Context(), currentUser(c), q)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, v)
	return nil
}

// submitReport: POST /reports/quarterly/{period}/submissions — a leader's submission.
// recordSending: POST /reports/quarterly/{period}/sent — the report went to the city's leaders.
func (s *Server) recordSending(c *gin.Context) error {
	q, err := pathQuarter(c, "period")
	if err != nil {
		return err
	}
	var req service.SendingRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	sd, created, err := s.Service.Reports.RecordSending(c.Request.Context(), currentUser(c), q, req)
	if err != nil {
		return err
	}
	respond(c, createdOr(created), sd)
	return nil
}

// recordInstruction: POST /reports/quarterly/{period}/instructions — a city leader's instruction.
func (s *Server) recordInstruction(c *gin.Context) error {
	q, err := pathQuarter(c, "period")
	if err != nil {
		return err
	}
	var req service.InstructionRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	in, created, err := s.Service.Reports.RecordInstruction(c.Request.Context(), currentUser(c), q, req)
	if err != nil {
		return err
	}
	respond(c, createdOr(created), in)
	return nil
}

// createdOr is 201 for what a request created, 200 for what it found recorded already.
func createdOr(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

func (s *Server) submitReport(c *gin.Context) error {
	q, err := pathQuarter(c, "period")
	if err != nil {
		return err
	}
	var body workflows.SubmitReportBody
	if err := bindStrict(c, &body); err != nil {
		return err
	}
	receipt, err := s.Service.Reports.Submit(c.Request.Context(), currentUser(c), q, body)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, receipt)
	return nil
}

// reportAttachment: GET /reports/quarterly/{period}/attachments/{n}.xlsx — the cases of
// list n raised in the quarter, and a second sheet of earlier cases still open at its end.
func (s *Server) reportAttachment(c *gin.Context) error {
	q, err := pathQuarter(c, "period")
	if err != nil {
		return err
	}
	n, isXLSX := strings.CutSuffix(c.Param("file"), ".xlsx")
	if !isXLSX {
		n = "" // not an attachment
	}
	wb, err := s.Service.Reports.Attachment(c.Request.Context(), currentUser(c), q, n)
	if err != nil {
		return err
	}
	return writeWorkbook(c, wb)
}

// reportSummary: GET /reports/quarterly/{period}/summary.html — a printable summary in
// Chinese, with bar charts drawn as SVG by the server.
func (s *Server) reportSummary(c *gin.Context) error {
	q, err := pathQuarter(c, "period")
	if err != nil {
		return err
	}
	data, err := s.Service.Reports.Summary(c.Request.Context(), currentUser(c), q)
	if err != nil {
		return err
	}
	return page(c, summaryPage, data)
}

// page answers an HTML page: the template executed whole first, so that a failure answers
// an error rather than half a page.
func page(c *gin.Context, t *template.Template, data any) error {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return err
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	return nil
}

var summaryPage = template.Must(template.New("summary").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2em;color:#111}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}.meta{color:#555}
table{border-collapse:collapse;margin:.6em 0 1em}th,td{border:1px solid #999;padding:.25em .6em}th{background:#eee}
td.n{text-align:right;font-variant-numeric:tabular-nums}svg text{font-size:12px}
h3{font-size:1.05em;margin-top:1.2em}.narrative{white-space:pre-wrap;border-left:3px solid #999;padding-left:.8em}
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
{{end}}</table>
{{range .Leaders}}{{if or .Narrative .Files}}<h3>{{.Name}}的调研报告（{{.Submission}}）</h3>
{{with .Narrative}}<div class="narrative">{{.}}</div>{{end}}
{{with .Files}}<p>附件：{{range $i, $f := .}}{{if $i}}、{{end}}<a href="/files/{{$f.ID}}">{{$f.Name}}</a>{{end}}</p>{{end}}
{{end}}{{end}}{{end}}
{{if or .Sent .Instructions}}<h2>报送与领导批示</h2>
{{range .Sent}}<p>已报送：{{.To}}（{{.At}}）</p>{{end}}
{{range .Instructions}}<h3>{{.By}}批示（{{.Date}}）</h3>
<div class="narrative">{{.Text}}</div>
{{if .Cases}}<p>落实情况：{{range $i, $c := .Cases}}{{if $i}}；{{end}}{{$c.ID}} {{$c.StatusLabel}}{{end}}</p>{{else}}<p>落实情况：尚未立案。</p>{{end}}
{{end}}{{end}}
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
