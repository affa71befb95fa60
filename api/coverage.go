package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// coverageFigures are linked, visited and their share.
type coverageFigures struct {
	Linked  int     `json:"linked"`
	Visited int     `json:"visited"`
	Share   float64 `json:"share"`
}

func share(visited, linked int) float64 {
	if linked == 0 {
		return 0
	}
	return float64(visited) / float64(linked)
}

// coverage answers how many of their linked enterprises each leader visited in a quarter
// or a year (the notice: every linked enterprise at least once a quarter; all of them every
// year). An enterprise counts as visited when a visit dated inside the period lists it and
// the leader.
func (s *Server) coverage(c *gin.Context) error {
	p, err := s.periodParams(c)
	if err != nil {
		return err
	}
	year, from, to, quarter := p.year, p.from, p.to, p.quarter
	list, err := s.Store.Coverage(c.Request.Context(), year, from, to)
	if err != nil {
		return err
	}
	u := currentUser(c)
	leaders := []gin.H{}
	var overall coverageFigures
	for _, l := range list {
		if u.Role == domain.RoleLeader && l.Leader != u.Username {
			continue
		}
		notVisited := []string{}
		for _, id := range l.Linked {
			if !slices.Contains(l.Visited, id) {
				notVisited = append(notVisited, id)
			}
		}
		leaders = append(leaders, gin.H{"leader": l.Leader, "linked": len(l.Linked), "visited": len(l.Visited),
			"share": share(len(l.Visited), len(l.Linked)), "not_visited": notVisited})
		overall.Linked += len(l.Linked)
		overall.Visited += len(l.Visited)
	}
	overall.Share = share(overall.Visited, overall.Linked)
	respond(c, http.StatusOK, gin.H{"year": year, "quarter": quarter, "from": from, "to": to, "leaders": leaders, "overall": overall})
	return nil
}

// period is what ?year= and ?quarter= select: a quarter, or the whole year.
type period struct {
	year     int
	from, to string // dates, both included
	quarter  any    // 1–4, or nil for the whole year (null in JSON)
	label    string // 2026, 2026-Q4
}

func (s *Server) periodParams(c *gin.Context) (period, error) {
	year, err := s.yearParam(c)
	if err != nil {
		return period{}, err
	}
	p := period{year: year, from: fmt.Sprintf("%d-01-01", year), to: fmt.Sprintf("%d-12-31", year), label: strconv.Itoa(year)}
	if q := c.Query("quarter"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > 4 {
			return period{}, newError(http.StatusBadRequest, "invalid_query", "quarter: 应为 1 到 4 (1 to 4)")
		}
		start := time.Date(year, time.Month(3*n-2), 1, 0, 0, 0, 0, domain.Shanghai)
		p.from, p.to = start.Format(domain.DateLayout), start.AddDate(0, 3, -1).Format(domain.DateLayout)
		p.quarter, p.label = n, fmt.Sprintf("%d-Q%d", year, n)
	}
	return p, nil
}
