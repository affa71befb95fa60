package api

import (
	"net/http"
	"slices"

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
	p, err := s.queryYearOrQuarter(c)
	if err != nil {
		return err
	}
	year, from, to, quarter := p.Year, p.FromDate(), p.ToDate(), p.Quarter
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
