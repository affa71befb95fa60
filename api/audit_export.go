package api

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/activities/audit"
	"github.com/putian-fic/caseflow/activities/xlsx"
)

// figureColumns are the figures as the workbooks show them: a Chinese header, the figure's
// name (for the sheets of cases) and its value.
var figureColumns = []struct {
	header, fig string
	value       func(f audit.Figures) any
}{
	{"受理（主办）", audit.FigReceived, func(f audit.Figures) any { return f.Received }},
	{"签收", audit.FigSigned, func(f audit.Figures) any { return f.Signed }},
	{"及时签收", audit.FigSignedOnTime, func(f audit.Figures) any { return f.SignedOnTime }},
	{"及时签收率", "", func(f audit.Figures) any { return f.SignOnTimeRate }},
	{"办结", audit.FigCompleted, func(f audit.Figures) any { return f.Completed }},
	{"按时办结", audit.FigCompletedOnTime, func(f audit.Figures) any { return f.CompletedOnTime }},
	{"按时办结率", "", func(f audit.Figures) any { return f.OnTimeRate }},
	{"超期件数", audit.FigOverdue, func(f audit.Figures) any { return f.Overdue }},
	{"超期工作日", "", func(f audit.Figures) any { return f.OverdueWorkdays }},
	{"申请延期", audit.FigExtensionsRequested, func(f audit.Figures) any { return f.ExtensionsRequested }},
	{"批准延期", audit.FigExtensionsGranted, func(f audit.Figures) any { return f.ExtensionsGranted }},
	{"退回", audit.FigReturned, func(f audit.Figures) any { return f.Returned }},
	{"回退率", "", func(f audit.Figures) any { return f.ReturnRate }},
	{"重办", audit.FigRedone, func(f audit.Figures) any { return f.Redone }},
	{"重办率", "", func(f audit.Figures) any { return f.RedoRate }},
	{"回访", audit.FigCalledBack, func(f audit.Figures) any { return f.CalledBack }},
	{"解决", audit.FigSolved, func(f audit.Figures) any { return f.Solved }},
	{"解决率", "", func(f audit.Figures) any { return f.SolvedRate }},
	{"满意", audit.FigSatisfied, func(f audit.Figures) any { return f.Satisfied }},
	{"满意率", "", func(f audit.Figures) any { return f.SatisfiedRate }},
	{"平均办理工作日", "", func(f audit.Figures) any { return f.AvgHandlingWorkdays }},
	{"蓝牌（催办）", audit.FigBlue, func(f audit.Figures) any { return f.Cards.Blue }},
	{"黄牌", audit.FigYellow, func(f audit.Figures) any { return f.Cards.Yellow }},
	{"红牌", audit.FigRed, func(f audit.Figures) any { return f.Cards.Red }},
}

// auditUnitsWorkbook: GET /audit/units.xlsx?period= — one row per unit (a unit: its own).
func (s *Server) auditUnitsWorkbook(c *gin.Context) error {
	r, err := s.visibleUnits(c)
	if err != nil {
		return err
	}
	header := []any{"排名", "单位", "得分"}
	for _, col := range figureColumns {
		header = append(header, col.header)
	}
	rows := [][]any{header}
	for _, line := range r.Units {
		row := []any{line.rankCell(), line.Name, line.scoreCell()}
		for _, col := range figureColumns {
			row = append(row, col.value(line.Figures))
		}
		rows = append(rows, row)
	}
	return writeWorkbook(c, "audit-units-"+r.Period, "单位考评-"+r.Period, []sheet{{Name: "单位考评 " + r.Period, Rows: rows}})
}

// auditUnitWorkbook: GET /audit/units/{id}.xlsx?period= — the unit's figures, then one
// sheet per figure with the cases behind it.
func (s *Server) auditUnitWorkbook(c *gin.Context, id string) error {
	r, line, err := s.unitLine(c, id)
	if err != nil {
		return err
	}
	summary := [][]any{{"项目", "数值", "案件数"}, {"得分", line.scoreCell(), ""}, {"排名", line.rankCell(), ""}}
	sheets := []sheet{{Name: "考评汇总"}}
	for _, col := range figureColumns {
		summary = append(summary, []any{col.header, col.value(line.Figures), len(line.Cases[col.fig])})
		if col.fig == "" {
			continue
		}
		rows := [][]any{{"序号", "案件编号"}}
		for i, caseID := range line.Cases[col.fig] {
			rows = append(rows, []any{i + 1, caseID})
		}
		sheets = append(sheets, sheet{Name: col.header, Rows: rows})
	}
	for _, it := range line.ScoreItems {
		summary = append(summary, []any{"考评项：" + it.Name, it.Points, len(it.Cases)})
	}
	sheets[0].Rows = summary
	return writeWorkbook(c, "audit-"+id+"-"+r.Period, line.Name+"考评-"+r.Period, sheets)
}

type sheet = xlsx.Sheet

// writeWorkbook answers sheets as an XLSX workbook.
func writeWorkbook(c *gin.Context, asciiName, name string, sheets []sheet) error {
	c.Header("Content-Disposition", "attachment; filename=\""+asciiName+".xlsx\"; filename*=UTF-8''"+url.PathEscape(name+".xlsx"))
	c.Status(http.StatusOK)
	c.Header("Content-Type", xlsxType)
	return xlsx.Write(c.Writer, sheets)
}

// unitPage is the printable page of one unit's figures and score (GET /audit/units/{id}.html).
var unitPage = template.Must(template.New("unit").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Name}} 绩效考评 {{.Period}}</title>
<style>
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2em;color:#111}
h1{font-size:1.5em;margin-bottom:.2em}.meta{color:#555;margin-bottom:1.5em}
table{border-collapse:collapse;margin-bottom:1.5em;min-width:60%}th,td{border:1px solid #999;padding:.3em .7em;text-align:left}
th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums}.score{font-size:1.3em;font-weight:bold}
@media print{body{margin:1cm}}
</style></head><body>
<h1>{{.Name}}（{{.Unit}}）绩效考评</h1>
<div class="meta">考评期 {{.Period}}（{{.From}} 至 {{.To}}）· 考评方案第 {{.SchemeVersion}} 版 · {{if .Frozen}}已冻结{{else}}未冻结，数据随办理情况变化{{end}}</div>
{{with .ScoreError}}<p class="score">得分无法计算：考评项「{{.Item}}」{{.Reason}}</p>{{else}}<p class="score">得分 {{printf "%.2f" .Score}}　排名第 {{.Rank}} 名</p>{{end}}
<h2>考评项</h2>
<table><tr><th>考评项</th><th>得分</th><th>涉及案件</th></tr>
{{range .Items}}<tr><td>{{.Name}}</td><td class="n">{{printf "%.2f" .Points}}</td><td>{{.Cases}}</td></tr>
{{end}}</table>
<h2>考评数据</h2>
<table><tr><th>项目</th><th>数值</th><th>案件</th></tr>
{{range .Figures}}<tr><td>{{.Label}}</td><td class="n">{{.Value}}</td><td>{{.Cases}}</td></tr>
{{end}}</table>
<p class="meta">由 caseflow 根据案件时间线按工作日计算；每个数值背后的案件见上表。</p>
</body></html>
`))

// auditUnitPage answers the unit's printable page.
func (s *Server) auditUnitPage(c *gin.Context, id string) error {
	r, line, err := s.unitLine(c, id)
	if err != nil {
		return err
	}
	type row struct {
		Label string
		Value any
		Cases string
	}
	type item struct {
		Name   string
		Points float64
		Cases  string
	}
	data := struct {
		Unit, Name, Period, From, To string
		SchemeVersion                int64
		Frozen                       bool
		Score                        float64
		ScoreError                   *audit.ItemError
		Rank                         int
		Items                        []item
		Figures                      []row
	}{line.Unit, line.Name, r.Period, r.From, r.To, r.SchemeVersion, r.Frozen, line.Score, line.ScoreError, line.Rank, nil, nil}
	for _, it := range line.ScoreItems {
		data.Items = append(data.Items, item{it.Name, it.Points, strings.Join(it.Cases, "、")})
	}
	for _, col := range figureColumns {
		v := col.value(line.Figures)
		if f, ok := v.(float64); ok {
			v = fmt.Sprintf("%.2f", f)
		}
		data.Figures = append(data.Figures, row{col.header, v, strings.Join(line.Cases[col.fig], "、")})
	}
	var buf bytes.Buffer
	if err := unitPage.Execute(&buf, data); err != nil {
		return err
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	return nil
}

// scoreCell is the unit's score in a workbook: the number, or why it could not be computed.
func (l unitReport) scoreCell() any {
	if l.ScoreError != nil {
		return fmt.Sprintf("无法计算（%s：%s）", l.ScoreError.Item, l.ScoreError.Reason)
	}
	return l.Score
}

// rankCell is the unit's rank in a workbook; a unit that could not be scored has none.
func (l unitReport) rankCell() any {
	if l.ScoreError != nil {
		return "—"
	}
	return l.Rank
}
