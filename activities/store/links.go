package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// EntityLeader names a leader in store errors.
const EntityLeader = "leader"

// LinkedEnterprise is one of a leader's linked enterprises.
type LinkedEnterprise struct {
	EnterpriseID string `json:"enterprise_id" db:"enterprise_id"`
	Name         string `json:"name" db:"name"`
	MemberKind   string `json:"member_kind" db:"member_kind"`
}

// LinkChange is one change of a leader's links.
type LinkChange struct {
	Year      int       `json:"year" db:"year"`
	ChangedBy string    `json:"changed_by" db:"changed_by"`
	ChangedAt time.Time `json:"changed_at" db:"changed_at"`
	Added     []string  `json:"added" db:"added"`
	Removed   []string  `json:"removed" db:"removed"`
}

// Leader is a user with the leader role.
type Leader struct {
	Username    string `json:"username" db:"username"`
	DisplayName string `json:"display_name" db:"display_name"`
}

// Leaders lists the users with the leader role, by username.
func (s *Store) Leaders(ctx context.Context) ([]Leader, error) {
	return queryAll[Leader](ctx, s, "leaders", `SELECT username, display_name FROM users WHERE role = $1 ORDER BY username`,
		domain.RoleLeader)
}

// Leader answers the leader of that username; another user is ErrNotFound too.
func (s *Store) Leader(ctx context.Context, username string) (Leader, error) {
	list, err := queryAll[Leader](ctx, s, "leader", `SELECT username, display_name FROM users WHERE username = $1 AND role = $2`,
		username, domain.RoleLeader)
	if err != nil {
		return Leader{}, err
	}
	if len(list) == 0 {
		return Leader{}, storeError(EntityLeader, username, ErrNotFound, "")
	}
	return list[0], nil
}

// LeaderLinks lists a leader's linked enterprises of a year, by member kind and name.
func (s *Store) LeaderLinks(ctx context.Context, leader string, year int) ([]LinkedEnterprise, error) {
	return queryAll[LinkedEnterprise](ctx, s, "leader links", `
		SELECT e.id AS enterprise_id, e.name, e.member_kind FROM leader_links l JOIN enterprises e ON e.id = l.enterprise_id
		WHERE l.leader = $1 AND l.year = $2 ORDER BY e.member_kind, e.name, e.id`, leader, year)
}

// AllLeaderLinks lists every leader's linked enterprises of a year, by leader.
func (s *Store) AllLeaderLinks(ctx context.Context, year int) (map[string][]LinkedEnterprise, error) {
	type row struct {
		Leader string `db:"leader"`
		LinkedEnterprise
	}
	rows, err := queryAll[row](ctx, s, "leader links", `
		SELECT l.leader, e.id AS enterprise_id, e.name, e.member_kind FROM leader_links l JOIN enterprises e ON e.id = l.enterprise_id
		WHERE l.year = $1 ORDER BY l.leader, e.member_kind, e.name`, year)
	if err != nil {
		return nil, err
	}
	out := map[string][]LinkedEnterprise{}
	for _, r := range rows {
		out[r.Leader] = append(out[r.Leader], r.LinkedEnterprise)
	}
	return out, nil
}

// SetLeaderLinks makes ids the leader's linked enterprises of the year, and records the
// change (who, when, added, removed) unless nothing changed. An unknown enterprise is
// ErrNotFound naming it, and changes nothing.
func (s *Store) SetLeaderLinks(ctx context.Context, leader string, year int, ids []string, by string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// One change of a leader's links at a time: the recorded differences then add up.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('leader_links:' || $1))`, leader); err != nil {
			return err
		}
		if err := requireEnterprises(ctx, tx, ids); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT enterprise_id FROM leader_links WHERE leader = $1 AND year = $2`, leader, year)
		current, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("store: leader links: %w", err)
		}
		added, removed := []string{}, []string{}
		for _, id := range ids {
			if !slices.Contains(current, id) {
				added = append(added, id)
			}
		}
		for _, id := range current {
			if !slices.Contains(ids, id) {
				removed = append(removed, id)
			}
		}
		if len(added) == 0 && len(removed) == 0 {
			return nil
		}
		slices.Sort(added)
		slices.Sort(removed)
		if _, err := tx.Exec(ctx, `DELETE FROM leader_links WHERE leader = $1 AND year = $2 AND enterprise_id = ANY($3)`,
			leader, year, removed); err != nil {
			return fmt.Errorf("store: leader links: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO leader_links (leader, year, enterprise_id) SELECT $1, $2, unnest($3::text[])`,
			leader, year, added); err != nil {
			return fmt.Errorf("store: leader links: %w", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO leader_link_changes (leader, year, changed_by, added, removed) VALUES ($1, $2, $3, $4, $5)`,
			leader, year, by, added, removed)
		return err
	})
}

// RequireEnterprises answers ErrNotFound naming the first of ids that is no enterprise.
func (s *Store) RequireEnterprises(ctx context.Context, ids []string) error {
	return requireEnterprises(ctx, s.pool, ids)
}

func requireEnterprises(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, ids []string) error {
	rows, _ := q.Query(ctx, `SELECT id FROM enterprises WHERE id = ANY($1)`, ids)
	known, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("store: enterprises: %w", err)
	}
	for _, id := range ids {
		if !slices.Contains(known, id) {
			return storeError(EntityEnterprise, id, ErrNotFound, "")
		}
	}
	return nil
}

// LeaderLinkHistory lists the changes of a leader's links, newest first.
func (s *Store) LeaderLinkHistory(ctx context.Context, leader string) ([]LinkChange, error) {
	return queryAll[LinkChange](ctx, s, "leader link history", `
		SELECT year, changed_by, changed_at, added, removed FROM leader_link_changes
		WHERE leader = $1 ORDER BY changed_at DESC, id DESC`, leader)
}

// LinkCoverage is one leader's linked enterprises of a year and which of them they visited
// in a period.
type LinkCoverage struct {
	Leader  string
	Linked  []string
	Visited []string
}

// Coverage answers, for every leader, their linked enterprises of the year and those they
// visited between from and to (dates, both included): a visit counts for a leader when it
// lists them and the enterprise, once it is complete (its cases all started).
func (s *Store) Coverage(ctx context.Context, year int, from, to string) ([]LinkCoverage, error) {
	leaders, err := s.Leaders(ctx)
	if err != nil {
		return nil, err
	}
	type row struct {
		Leader       string `db:"leader"`
		EnterpriseID string `db:"enterprise_id"`
		Visited      bool   `db:"visited"`
	}
	rows, err := queryAll[row](ctx, s, "coverage", `
		SELECT l.leader, l.enterprise_id, EXISTS (
			SELECT 1 FROM visit_leaders vl
			JOIN visit_enterprises ve ON ve.visit_id = vl.visit_id AND ve.enterprise_id = l.enterprise_id
			JOIN visits v ON v.id = vl.visit_id AND v.complete AND v.date BETWEEN $2::date AND $3::date
			WHERE vl.leader = l.leader) AS visited
		FROM leader_links l WHERE l.year = $1 ORDER BY l.leader, l.enterprise_id`, year, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]LinkCoverage, len(leaders))
	index := map[string]int{}
	for i, l := range leaders {
		out[i] = LinkCoverage{Leader: l.Username, Linked: []string{}, Visited: []string{}}
		index[l.Username] = i
	}
	for _, r := range rows {
		i, ok := index[r.Leader]
		if !ok {
			continue
		}
		out[i].Linked = append(out[i].Linked, r.EnterpriseID)
		if r.Visited {
			out[i].Visited = append(out[i].Visited, r.EnterpriseID)
		}
	}
	return out, nil
}
