package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// The one reading of every period=, year= and quarter= parameter, in the query or the path
// (domain.ParsePeriod and its kin): a malformed one is 422 invalid_period, naming it.

func badPeriod(param string, err error) error {
	return newError(http.StatusUnprocessableEntity, "invalid_period", param+": "+err.Error())
}

// pathPeriod reads a named period (2026, 2026-Q4, 2026-11) from the path parameter name.
func pathPeriod(c *gin.Context, name string) (domain.Period, error) {
	p, err := domain.ParsePeriod(c.Param(name))
	if err != nil {
		return p, badPeriod(name, err)
	}
	return p, nil
}

// pathQuarter reads a quarter (2026-Q4) from the path parameter name.
func pathQuarter(c *gin.Context, name string) (domain.Quarter, error) {
	q, err := domain.ParseQuarter(c.Param(name))
	if err != nil {
		return q, badPeriod(name, err)
	}
	return q, nil
}

// pathYear reads a year from the path parameter name.
func pathYear(c *gin.Context, name string) (int, error) {
	y, err := domain.ParseYear(c.Param(name))
	if err != nil {
		return 0, badPeriod(name, err)
	}
	return y, nil
}

// queryYear reads ?year=, by default this (business) year.
func (s *Server) queryYear(c *gin.Context) (int, error) {
	v := c.Query("year")
	if v == "" {
		return s.Service.Year(), nil
	}
	y, err := domain.ParseYear(v)
	if err != nil {
		return 0, badPeriod("year", err)
	}
	return y, nil
}

// queryYearOrQuarter reads ?year= (by default this year) and ?quarter= (by default none:
// the whole year).
func (s *Server) queryYearOrQuarter(c *gin.Context) (service.YearOrQuarter, error) {
	year, err := s.queryYear(c)
	if err != nil {
		return service.YearOrQuarter{}, err
	}
	p := service.YearOrQuarter{Period: domain.YearPeriod(year), Year: year}
	if n := c.Query("quarter"); n != "" {
		q, err := domain.ParseQuarterOf(year, n)
		if err != nil {
			return service.YearOrQuarter{}, badPeriod("quarter", err)
		}
		p.Period, p.Quarter = q.Period(), q.Q
	}
	return p, nil
}

// auditPeriod is the period an audit request names: ?period=2026, 2026-Q4 or 2026-11, or
// ?from=&to= (dates, both included, Asia/Shanghai); neither is this month so far.
func (s *Server) auditPeriod(c *gin.Context) (domain.Period, error) {
	bad := func(param, msg string) error { return badPeriod(param, errors.New(msg)) }
	p, from, to := c.Query("period"), c.Query("from"), c.Query("to")
	switch {
	case p != "" && (from != "" || to != ""):
		return domain.Period{}, bad("period", "period 与 from/to 只能给一种 (give period, or from and to)")
	case p != "":
		period, err := domain.ParsePeriod(p)
		if err != nil {
			return domain.Period{}, badPeriod("period", err)
		}
		return period, nil
	case from != "" || to != "":
		f, err1 := time.ParseInLocation(domain.DateLayout, from, domain.Shanghai)
		t, err2 := time.ParseInLocation(domain.DateLayout, to, domain.Shanghai)
		switch {
		case err1 != nil:
			return domain.Period{}, bad("from", "应为 YYYY-MM-DD (a date)")
		case err2 != nil:
			return domain.Period{}, bad("to", "应为 YYYY-MM-DD (a date)")
		case t.Before(f):
			return domain.Period{}, bad("to", "to 不能早于 from (to is before from)")
		case t.Sub(f) > service.MaxAuditDays*24*time.Hour:
			return domain.Period{}, bad("to", fmt.Sprintf("一次最多 %d 天 (at most %d days)", service.MaxAuditDays, service.MaxAuditDays))
		}
		return domain.Period{Label: from + "/" + to, From: f, To: t}, nil
	}
	now := s.Service.Now()
	return domain.MonthPeriod(now.Year(), now.Month()), nil
}
