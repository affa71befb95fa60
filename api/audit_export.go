package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/putian-fic/caseflow/activities/audit"
	"github.com/putian-fic/caseflow/workflows/domain"
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
	p, err := s.auditPeriod(c)
	if err != nil {
		return err
	}
	r, err := s.unitsReport(c, p)
	if err != nil {
		return err
	}
	u := currentUser(c)
	header := []any{"排名", "单位", "得分"}
	for _, col := range figureColumns {
		header = append(header, col.header)
	}
	rows := [][]any{header}
	for _, line := range r.Units {
		if u.Role == domain.RoleUnit && line.Unit != u.Unit {
			continue
		}
		row := []any{line.Rank, line.Name, line.Score}
		for _, col := range figureColumns {
			row = append(row, col.value(line.Figures))
		}
		rows = append(rows, row)
	}
	return writeWorkbook(c, "audit-units-"+r.Period, "单位考评-"+r.Period, []sheet{{"单位考评 " + r.Period, rows}})
}

// auditUnitWorkbook: GET /audit/units/{id}.xlsx?period= — the unit's figures, then one
// sheet per figure with the cases behind it.
func (s *Server) auditUnitWorkbook(c *gin.Context, id string) error {
	if u := currentUser(c); u.Role == domain.RoleUnit && u.Unit != id {
		return newError(http.StatusForbidden, "forbidden", "只能查看本单位的考评数据 (a unit reads only its own figures)")
	}
	p, err := s.auditPeriod(c)
	if err != nil {
		return err
	}
	r, err := s.unitsReport(c, p)
	if err != nil {
		return err
	}
	for _, line := range r.Units {
		if line.Unit != id {
			continue
		}
		summary := [][]any{{"项目", "数值", "案件数"}, {"得分", line.Score, ""}, {"排名", line.Rank, ""}}
		sheets := []sheet{{"考评汇总", summary}}
		for _, col := range figureColumns {
			summary = append(summary, []any{col.header, col.value(line.Figures), len(line.Cases[col.fig])})
			if col.fig == "" {
				continue
			}
			rows := [][]any{{"序号", "案件编号"}}
			for i, caseID := range line.Cases[col.fig] {
				rows = append(rows, []any{i + 1, caseID})
			}
			sheets = append(sheets, sheet{col.header, rows})
		}
		for _, it := range line.ScoreItems {
			summary = append(summary, []any{"考评项：" + it.Name, it.Points, len(it.Cases)})
		}
		sheets[0].rows = summary
		return writeWorkbook(c, "audit-"+id+"-"+r.Period, line.Name+"考评-"+r.Period, sheets)
	}
	return newError(http.StatusNotFound, "not_found", fmt.Sprintf("没有承办单位 %s (no such responsible unit)", id))
}

type sheet struct {
	name string // at most 31 characters
	rows [][]any
}

// writeWorkbook answers sheets as an XLSX workbook, each written with excelize's stream writer.
func writeWorkbook(c *gin.Context, asciiName, name string, sheets []sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range sheets {
		title := []rune(strings.NewReplacer("/", "-", ":", "-").Replace(sh.name))
		if len(title) > 31 {
			title = title[:31]
		}
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), string(title)); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(string(title)); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(string(title))
		if err != nil {
			return err
		}
		for r, row := range sh.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := sw.SetRow(cell, row); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	c.Header("Content-Disposition", "attachment; filename=\""+asciiName+".xlsx\"; filename*=UTF-8''"+url.PathEscape(name+".xlsx"))
	c.Status(http.StatusOK)
	c.Header("Content-Type", xlsxType)
	return f.Write(c.Writer)
}
