package api

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// The efficiency office's audit (市效能办) endpoints (service.Audit): verifiable timelines
// and unit figures.

// verifyCase: GET /audit/cases/{id}/verify.
func (s *Server) verifyCase(c *gin.Context) error {
	v, err := s.Service.Audit.VerifyCase(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, v)
	return nil
}

// verifyRange: GET /audit/verify?from=&to= (or ?period=).
func (s *Server) verifyRange(c *gin.Context) error {
	p, err := s.auditPeriod(c)
	if err != nil {
		return err
	}
	v, err := s.Service.Audit.VerifyRange(c.Request.Context(), currentUser(c), p)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, v)
	return nil
}

// auditUnits: GET /audit/units?period= — every unit's figures, score and rank (a unit: its
// own line only).
func (s *Server) auditUnits(c *gin.Context) error {
	p, err := s.auditPeriod(c)
	if err != nil {
		return err
	}
	r, err := s.Service.Audit.Units(c.Request.Context(), currentUser(c), p, false)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, r)
	return nil
}

// auditUnitsWorkbook: GET /audit/units.xlsx?period= — one row per unit (a unit: its own).
func (s *Server) auditUnitsWorkbook(c *gin.Context) error {
	p, err := s.auditPeriod(c)
	if err != nil {
		return err
	}
	wb, err := s.Service.Audit.UnitsWorkbook(c.Request.Context(), currentUser(c), p)
	if err != nil {
		return err
	}
	return writeWorkbook(c, wb)
}

// auditUnit: GET /audit/units/{id}?period= — one unit's figures with the cases behind each
// and the score's items; {id}.xlsx is the workbook, {id}.html the printable page.
func (s *Server) auditUnit(c *gin.Context) error {
	p, err := s.auditPeriod(c)
	if err != nil {
		return err
	}
	ctx, u, id := c.Request.Context(), currentUser(c), c.Param("id")
	if unit, ok := strings.CutSuffix(id, ".xlsx"); ok {
		wb, err := s.Service.Audit.UnitWorkbook(ctx, u, p, unit)
		if err != nil {
			return err
		}
		return writeWorkbook(c, wb)
	}
	if unit, ok := strings.CutSuffix(id, ".html"); ok {
		data, err := s.Service.Audit.UnitPage(ctx, u, p, unit)
		if err != nil {
			return err
		}
		return page(c, unitPage, data)
	}
	line, err := s.Service.Audit.Unit(ctx, u, p, id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, line)
	return nil
}

// freezePeriod: POST /audit/periods/{period}/freeze — store the period's figures, scores and
// scheme version; from then on the period answers them. Twice is 409.
func (s *Server) freezePeriod(c *gin.Context) error {
	p, err := pathPeriod(c, "period")
	if err != nil {
		return err
	}
	out, err := s.Service.Audit.Freeze(c.Request.Context(), currentUser(c), p)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, out)
	return nil
}

// getScheme: GET /audit/scoring — the scheme in force (YAML) and its version.
func (s *Server) getScheme(c *gin.Context) error {
	rec, err := s.Service.Audit.Scheme(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, rec)
	return nil
}

// putScheme: PUT /audit/scoring — a new version of the scheme (YAML body), checked first:
// 422 with each problem's item and position.
func (s *Server) putScheme(c *gin.Context) error {
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	rec, err := s.Service.Audit.SaveScheme(c.Request.Context(), currentUser(c), raw)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, rec)
	return nil
}

// auditFlags: GET /audit/flags?period= — the patterns worth a look (a unit: its own).
func (s *Server) auditFlags(c *gin.Context) error {
	p, err := s.auditPeriod(c)
	if err != nil {
		return err
	}
	flags, err := s.Service.Audit.Flags(c.Request.Context(), currentUser(c), p)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, flags)
	return nil
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
