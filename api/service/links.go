package service

import (
	"context"
	"slices"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// A leader's links (挂钩联系) to enterprises, year by year, and how many of them a visit
// reached in a quarter or a year (coverage).

// LinksView is a leader's links of a year, counted against the minimums.
type LinksView struct {
	Leader    string                   `json:"leader"`
	Year      int                      `json:"year"`
	Links     []store.LinkedEnterprise `json:"links"`
	Counts    map[string]int           `json:"counts"`
	Minimums  map[string]int           `json:"minimums"`
	Shortfall map[string]int           `json:"shortfall"`
	Met       bool                     `json:"met"`
}

// countLinks counts links by member kind and what each kind lacks of its minimum.
func countLinks(leader string, year int, links []store.LinkedEnterprise) LinksView {
	v := LinksView{Leader: leader, Year: year, Links: domain.NonNil(links), Counts: map[string]int{},
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

// leader loads a leader and checks that the user may read their links: a leader only
// their own.
func (s Visits) leader(ctx context.Context, u domain.User, name string) (store.Leader, error) {
	if u.Role == domain.RoleLeader && u.Username != name {
		return store.Leader{}, forbidden("只能查看本人的挂钩联系 (a leader reads only their own links)")
	}
	return s.Store.Leader(ctx, name)
}

// LeaderLine is a leader with their links of a year counted.
type LeaderLine struct {
	Counts      map[string]int `json:"counts"`
	DisplayName string         `json:"display_name"`
	Met         bool           `json:"met"`
	Username    string         `json:"username"`
	Year        int            `json:"year"`
}

// Leaders lists the leaders (a leader: themselves) with their links of the year counted.
func (s Visits) Leaders(ctx context.Context, u domain.User, year int) ([]LeaderLine, error) {
	if err := require(u, RolesVisitReaders...); err != nil {
		return nil, err
	}
	leaders, err := s.Store.Leaders(ctx)
	if err != nil {
		return nil, err
	}
	links, err := s.Store.AllLeaderLinks(ctx, year)
	if err != nil {
		return nil, err
	}
	items := []LeaderLine{}
	for _, l := range leaders {
		if u.Role == domain.RoleLeader && l.Username != u.Username {
			continue
		}
		v := countLinks(l.Username, year, links[l.Username])
		items = append(items, LeaderLine{Username: l.Username, DisplayName: l.DisplayName, Year: year, Counts: v.Counts, Met: v.Met})
	}
	return items, nil
}

// Links is a leader's links of a year.
func (s Visits) Links(ctx context.Context, u domain.User, leader string, year int) (LinksView, error) {
	if err := require(u, RolesVisitReaders...); err != nil {
		return LinksView{}, err
	}
	l, err := s.leader(ctx, u, leader)
	if err != nil {
		return LinksView{}, err
	}
	links, err := s.Store.LeaderLinks(ctx, l.Username, year)
	if err != nil {
		return LinksView{}, err
	}
	return countLinks(l.Username, year, links), nil
}

// NewLinks are a leader's links of a year, all of them (PUT replaces).
type NewLinks struct {
	Year          int      `json:"year"`
	EnterpriseIDs []string `json:"enterprise_ids"`
}

// maxLinks bounds one leader's links of a year (the minimums add up to 85).
const maxLinks = 2000

// SetLinks replaces a leader's links of a year (the change is kept in the history).
func (s Visits) SetLinks(ctx context.Context, u domain.User, leader string, req NewLinks) (LinksView, error) {
	if err := require(u, RolesLinkEditor...); err != nil {
		return LinksView{}, err
	}
	l, err := s.leader(ctx, u, leader)
	if err != nil {
		return LinksView{}, err
	}
	if err := domain.CheckYear(req.Year); err != nil {
		return LinksView{}, invalid("year: " + err.Error())
	}
	if req.EnterpriseIDs == nil {
		return LinksView{}, invalid("enterprise_ids: 必填，可为空列表 (required; [] removes every link)")
	}
	if err := distinctIDs("enterprise_ids", req.EnterpriseIDs, 0, maxLinks); err != nil {
		return LinksView{}, err
	}
	if err := s.Store.SetLeaderLinks(ctx, l.Username, req.Year, req.EnterpriseIDs, u.Username); err != nil {
		return LinksView{}, referenced(err, "enterprise_ids")
	}
	links, err := s.Store.LeaderLinks(ctx, l.Username, req.Year)
	if err != nil {
		return LinksView{}, err
	}
	return countLinks(l.Username, req.Year, links), nil
}

// LinkHistory is every change of a leader's links.
type LinkHistory struct {
	Leader string             `json:"leader"`
	Items  []store.LinkChange `json:"items"`
}

// LinkHistory is every change of a leader's links, newest first.
func (s Visits) LinkHistory(ctx context.Context, u domain.User, leader string) (LinkHistory, error) {
	if err := require(u, RolesVisitReaders...); err != nil {
		return LinkHistory{}, err
	}
	l, err := s.leader(ctx, u, leader)
	if err != nil {
		return LinkHistory{}, err
	}
	changes, err := s.Store.LeaderLinkHistory(ctx, l.Username)
	if err != nil {
		return LinkHistory{}, err
	}
	return LinkHistory{Leader: l.Username, Items: domain.NonNil(changes)}, nil
}

// YearOrQuarter is a quarter, or a whole year.
type YearOrQuarter struct {
	domain.Period
	Year    int
	Quarter any // 1–4, or nil for the whole year (null in JSON)
}

// CoverageFigures are linked, visited and their share.
type CoverageFigures struct {
	Linked  int     `json:"linked"`
	Visited int     `json:"visited"`
	Share   float64 `json:"share"`
}

// LeaderCoverage is one leader's coverage.
type LeaderCoverage struct {
	Leader     string   `json:"leader"`
	Linked     int      `json:"linked"`
	NotVisited []string `json:"not_visited"`
	Share      float64  `json:"share"`
	Visited    int      `json:"visited"`
	// Leads are the investment leads the leader brought in the period, by state.
	Leads LeadCounts `json:"leads"`
}

// LeadCounts count leads: all of them, and by state.
type LeadCounts struct {
	Total    int            `json:"total"`
	ByStatus map[string]int `json:"by_status"`
}

// Coverage is every leader's coverage of a period, and the whole.
type Coverage struct {
	From    string           `json:"from"`
	Leaders []LeaderCoverage `json:"leaders"`
	Overall CoverageFigures  `json:"overall"`
	Quarter any              `json:"quarter"`
	To      string           `json:"to"`
	Year    int              `json:"year"`
}

func share(visited, linked int) float64 {
	if linked == 0 {
		return 0
	}
	return float64(visited) / float64(linked)
}

// Coverage is how many of their linked enterprises each leader (a leader: themselves)
// visited in a quarter or a year (the notice: every linked enterprise at least once a
// quarter; all of them every year). An enterprise counts as visited when a visit dated
// inside the period lists it and the leader.
func (s Visits) Coverage(ctx context.Context, u domain.User, p YearOrQuarter) (Coverage, error) {
	if err := require(u, RolesVisitReaders...); err != nil {
		return Coverage{}, err
	}
	from, to := p.FromDate(), p.ToDate()
	list, err := s.Store.Coverage(ctx, p.Year, from, to)
	if err != nil {
		return Coverage{}, err
	}
	leads, err := s.Store.ListLeads(ctx, store.LeadFilter{From: from, To: to, Limit: 100_000})
	if err != nil {
		return Coverage{}, err
	}
	out := Coverage{Year: p.Year, Quarter: p.Quarter, From: from, To: to, Leaders: []LeaderCoverage{}}
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
		counts := LeadCounts{ByStatus: map[string]int{}}
		for _, ld := range leads {
			if ld.Leader == l.Leader {
				counts.Total++
				counts.ByStatus[ld.Status]++
			}
		}
		out.Leaders = append(out.Leaders, LeaderCoverage{Leader: l.Leader, Linked: len(l.Linked), Visited: len(l.Visited),
			Share: share(len(l.Visited), len(l.Linked)), NotVisited: notVisited, Leads: counts})
		out.Overall.Linked += len(l.Linked)
		out.Overall.Visited += len(l.Visited)
	}
	out.Overall.Share = share(out.Overall.Visited, out.Overall.Linked)
	return out, nil
}
