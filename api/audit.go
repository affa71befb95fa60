package api

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// The efficiency office's audit (市效能办): verifiable timelines and unit figures.

// auditPeriod is the period an audit request names: ?period=2026, 2026-Q4 or 2026-11, or
// ?from=&to= (dates, both included, Asia/Shanghai); neither is this month so far.
type auditPeriod struct {
	Label    string
	From, To time.Time // the first and the last day
}

var periodPattern = regexp.MustCompile(`^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$`)

// MaxAuditDays bounds a period given by from and to.
const MaxAuditDays = 400

func (s *Server) auditPeriod(c *gin.Context) (auditPeriod, error) {
	bad := func(msg string) error { return newError(http.StatusBadRequest, "invalid_query", msg) }
	p, from, to := c.Query("period"), c.Query("from"), c.Query("to")
	switch {
	case p != "" && (from != "" || to != ""):
		return auditPeriod{}, bad("period 与 from/to 只能给一种 (give period, or from and to)")
	case p != "":
		m := periodPattern.FindStringSubmatch(p)
		if m == nil {
			return auditPeriod{}, bad("period: 应为 2026、2026-Q4 或 2026-11 (a year, a quarter or a month)")
		}
		year, _ := strconv.Atoi(m[1])
		if year < 2000 || year > 2100 {
			return auditPeriod{}, bad("period: 年份应在 2000 到 2100 之间 (year 2000 to 2100)")
		}
		start, months := time.Date(year, 1, 1, 0, 0, 0, 0, domain.Shanghai), 12
		if m[2] != "" {
			q, _ := strconv.Atoi(m[2])
			start, months = start.AddDate(0, 3*(q-1), 0), 3
		} else if m[3] != "" {
			mo, _ := strconv.Atoi(m[3])
			start, months = start.AddDate(0, mo-1, 0), 1
		}
		return auditPeriod{Label: p, From: start, To: start.AddDate(0, months, -1)}, nil
	case from != "" || to != "":
		f, err1 := time.ParseInLocation(domain.DateLayout, from, domain.Shanghai)
		t, err2 := time.ParseInLocation(domain.DateLayout, to, domain.Shanghai)
		switch {
		case err1 != nil:
			return auditPeriod{}, bad("from: 应为 YYYY-MM-DD (a date)")
		case err2 != nil:
			return auditPeriod{}, bad("to: 应为 YYYY-MM-DD (a date)")
		case t.Before(f):
			return auditPeriod{}, bad("to 不能早于 from (to is before from)")
		case t.Sub(f) > MaxAuditDays*24*time.Hour:
			return auditPeriod{}, bad(fmt.Sprintf("一次最多 %d 天 (at most %d days)", MaxAuditDays, MaxAuditDays))
		}
		return auditPeriod{Label: from + "/" + to, From: f, To: t}, nil
	}
	now := s.Clock.Business(time.Now()).In(domain.Shanghai)
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, domain.Shanghai)
	return auditPeriod{Label: start.Format("2006-01"), From: start, To: start.AddDate(0, 1, -1)}, nil
}

// verifyCase: GET /audit/cases/{id}/verify.
func (s *Server) verifyCase(c *gin.Context) error {
	v, err := s.Store.VerifyCase(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// verifyRange: GET /audit/verify?from=&to= (or ?period=).
func (s *Server) verifyRange(c *gin.Context) error {
	p, err := s.auditPeriod(c)
	if err != nil {
		return err
	}
	v, err := s.Store.VerifyRange(c.Request.Context(), p.From, p.To, time.Now())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"from": p.From.Format(domain.DateLayout), "to": p.To.Format(domain.DateLayout),
		"checked_cases": v.CheckedCases, "checked_events": v.CheckedEvents, "ok": v.OK, "problems": v.Problems})
	return nil
}
