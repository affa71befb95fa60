package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// linksView is a leader's links of a year, counted against the minimums.
type linksView struct {
	Leader    string                   `json:"leader"`
	Year      int                      `json:"year"`
	Links     []store.LinkedEnterprise `json:"links"`
	Counts    map[string]int           `json:"counts"`
	Minimums  map[string]int           `json:"minimums"`
	Shortfall map[string]int           `json:"shortfall"`
	Met       bool                     `json:"met"`
}

// countLinks counts links by member kind and what each kind lacks of its minimum.
func countLinks(leader string, year int, links []store.LinkedEnterprise) linksView {
	v := linksView{Leader: leader, Year: year, Links: domain.NonNil(links), Counts: map[string]int{},
		Minimums: domain.LinkMinimums, Shortfall: map[string]int{}, Met: true}
	for kind := range domain.LinkMinimums {
		v.Counts[kind] = 0
	}
	for _, l := range links {
		if _, ok := v.Counts[l.MemberKind]; ok {
			v.Counts[l.MemberKind]++
		}
	}
	for kind, least := range domain.LinkMinimums {
		if v.Counts[kind] < least {
			v.Shortfall[kind] = least - v.Counts[kind]
			v.Met = false
		}
	}
	return v
}

// leaderFor loads the leader of the path and checks that the user may read their links:
// a leader only their own.
func (s *Server) leaderFor(c *gin.Context) (store.Leader, error) {
	name := c.Param("username")
	u := currentUser(c)
	if u.Role == domain.RoleLeader && u.Username != name {
		return store.Leader{}, newError(http.StatusForbidden, "forbidden", "只能查看本人的挂钩联系 (a leader reads only their own links)")
	}
	return s.Store.Leader(c.Request.Context(), name)
}

func (s *Server) listLeaders(c *gin.Context) error {
	year, err := s.queryYear(c)
	if err != nil {
		return err
	}
	leaders, err := s.Store.Leaders(c.Request.Context())
	if err != nil {
		return err
	}
	links, err := s.Store.AllLeaderLinks(c.Request.Context(), year)
	if err != nil {
		return err
	}
	u := currentUser(c)
	items := []gin.H{}
	for _, l := range leaders {
		if u.Role == domain.RoleLeader && l.Username != u.Username {
			continue
		}
		v := countLinks(l.Username, year, links[l.Username])
		items = append(items, gin.H{"username": l.Username, "display_name": l.DisplayName, "year": year,
			"counts": v.Counts, "met": v.Met})
	}
	respond(c, http.StatusOK, gin.H{"items": items})
	return nil
}

func (s *Server) leaderLinks(c *gin.Context) error {
	l, err := s.leaderFor(c)
	if err != nil {
		return err
	}
	year, err := s.queryYear(c)
	if err != nil {
		return err
	}
	links, err := s.Store.LeaderLinks(c.Request.Context(), l.Username, year)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, countLinks(l.Username, year, links))
	return nil
}

type setLinksRequest struct {
	Year          int      `json:"year"`
	EnterpriseIDs []string `json:"enterprise_ids"`
}

// maxLinks bounds one leader's links of a year (the minimums add up to 85).
const maxLinks = 2000

func (s *Server) setLeaderLinks(c *gin.Context) error {
	l, err := s.leaderFor(c)
	if err != nil {
		return err
	}
	var req setLinksRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	if err := domain.CheckYear(req.Year); err != nil {
		return invalid("year: " + err.Error())
	}
	if req.EnterpriseIDs == nil {
		return invalid("enterprise_ids: 必填，可为空列表 (required; [] removes every link)")
	}
	if err := distinctIDs("enterprise_ids", req.EnterpriseIDs, 0, maxLinks); err != nil {
		return err
	}
	u := currentUser(c)
	if err := s.Store.SetLeaderLinks(c.Request.Context(), l.Username, req.Year, req.EnterpriseIDs, u.Username); err != nil {
		return referenced(err, "enterprise_ids")
	}
	links, err := s.Store.LeaderLinks(c.Request.Context(), l.Username, req.Year)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, countLinks(l.Username, req.Year, links))
	return nil
}

func (s *Server) leaderLinkHistory(c *gin.Context) error {
	l, err := s.leaderFor(c)
	if err != nil {
		return err
	}
	changes, err := s.Store.LeaderLinkHistory(c.Request.Context(), l.Username)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"leader": l.Username, "items": domain.NonNil(changes)})
	return nil
}
