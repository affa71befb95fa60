package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

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
		return s.Clock.Business(time.Now()).In(domain.Shanghai).Year(), nil
	}
	y, err := domain.ParseYear(v)
	if err != nil {
		return 0, badPeriod("year", err)
	}
	return y, nil
}

// yearOrQuarter is what ?year= and ?quarter= select: a quarter, or the whole year.
type yearOrQuarter struct {
	domain.Period
	Year    int
	Quarter any // 1–4, or nil for the whole year (null in JSON)
}

// queryYearOrQuarter reads ?year= (by default this year) and ?quarter= (by default none:
// the whole year).
func (s *Server) queryYearOrQuarter(c *gin.Context) (yearOrQuarter, error) {
	year, err := s.queryYear(c)
	if err != nil {
		return yearOrQuarter{}, err
	}
	p := yearOrQuarter{Period: domain.YearPeriod(year), Year: year}
	if n := c.Query("quarter"); n != "" {
		q, err := domain.ParseQuarterOf(year, n)
		if err != nil {
			return yearOrQuarter{}, badPeriod("quarter", err)
		}
		p.Period, p.Quarter = q.Period(), q.Q
	}
	return p, nil
}
