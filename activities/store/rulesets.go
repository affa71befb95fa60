package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// RuleSetRecord is a stored routing rule set.
type RuleSetRecord struct {
	Version     int64     `json:"version" db:"version"`
	Description string    `json:"description" db:"description"`
	Source      string    `json:"source,omitempty" db:"source"`
	RuleCount   int       `json:"rule_count" db:"rule_count"`
	UploadedBy  string    `json:"uploaded_by" db:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at" db:"uploaded_at"`
}

// SaveRuleSet stores a rule set, which becomes the active one. Its version must be greater
// than every stored version, or it is ErrConflict.
func (s *Store) SaveRuleSet(ctx context.Context, r RuleSetRecord) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// One upload at a time: the version check and the insert must not interleave.
		if _, err := tx.Exec(ctx, `LOCK TABLE rule_sets IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("store: save rule set: %w", err)
		}
		var current int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM rule_sets`).Scan(&current); err != nil {
			return fmt.Errorf("store: save rule set: %w", err)
		}
		if r.Version <= current {
			return storeError(EntityRuleSet, strconv.FormatInt(r.Version, 10), ErrConflict, fmt.Sprintf("not above the active version %d", current))
		}
		_, err := tx.Exec(ctx, `INSERT INTO rule_sets (version, description, source, rule_count, uploaded_by) VALUES ($1,$2,$3,$4,$5)`,
			r.Version, r.Description, r.Source, r.RuleCount, r.UploadedBy)
		if err != nil {
			return fmt.Errorf("store: save rule set: %w", err)
		}
		return nil
	})
}

// ActiveRuleSet returns the rule set with the highest version, or ErrNotFound.
func (s *Store) ActiveRuleSet(ctx context.Context) (RuleSetRecord, error) {
	rows, _ := s.pool.Query(ctx, `SELECT version, description, source, rule_count, uploaded_by, uploaded_at
		FROM rule_sets ORDER BY version DESC LIMIT 1`)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[RuleSetRecord])
	if err != nil {
		return RuleSetRecord{}, notFound(err, EntityRuleSet, "active")
	}
	return r, nil
}

// RuleSetHistory lists every stored rule set, newest first, without their sources.
func (s *Store) RuleSetHistory(ctx context.Context) ([]RuleSetRecord, error) {
	return queryAll[RuleSetRecord](ctx, s, "rule set history", `SELECT version, description, '' AS source, rule_count, uploaded_by, uploaded_at
		FROM rule_sets ORDER BY version DESC`)
}

// CaseHistory is what earlier cases say about a new one, for routing.
type CaseHistory struct {
	OpenByCategory                map[string]int64
	PastByCategory                map[string]int64
	CountyOpenSameCategory        int64
	CountyEnterprisesSameCategory int64
}

// CaseHistoryFor counts an enterprise's other cases by category, and the cases of one
// category raised since the start of quarter (domain.QuarterStart) by enterprises of the
// enterprise's county. caseID (may be empty) is left out of every count; the enterprise
// itself is counted once among the county's enterprises.
func (s *Store) CaseHistoryFor(ctx context.Context, enterpriseID, caseID, category string, quarter time.Time) (CaseHistory, error) {
	h := CaseHistory{OpenByCategory: map[string]int64{}, PastByCategory: map[string]int64{}}
	// Both are read from case_counts (migration 00025: the counts by enterprise, category
	// and quarter, kept by triggers on cases), a few rows whatever the number of cases: the
	// case itself is counted with the rest and taken off again by a row of its own.
	rows, err := s.pool.Query(ctx, `
		SELECT category, sum(open)::bigint, sum(past)::bigint FROM (
			SELECT category, open, closed AS past FROM case_counts WHERE enterprise_id = $1
			UNION ALL
			SELECT category, -(status <> $3)::int, -(status = $3)::int FROM cases WHERE id = $2 AND enterprise_id = $1
		) counts GROUP BY category`, enterpriseID, caseID, domain.StatusClosed)
	if err != nil {
		return h, fmt.Errorf("store: case history: %w", err)
	}
	for rows.Next() {
		var cat string
		var open, past int64
		if err := rows.Scan(&cat, &open, &past); err != nil {
			return h, fmt.Errorf("store: case history: %w", err)
		}
		if open > 0 {
			h.OpenByCategory[cat] = open
		}
		if past > 0 {
			h.PastByCategory[cat] = past
		}
	}
	if err := rows.Err(); err != nil {
		return h, fmt.Errorf("store: case history: %w", err)
	}
	err = s.pool.QueryRow(ctx, `
		SELECT county.open - (SELECT count(*) FROM cases
		                      WHERE id = $2 AND enterprise_id = $1 AND category = $3 AND created_at >= $4 AND status <> $5),
		       county.enterprises
		FROM (SELECT coalesce(sum(k.open), 0)::bigint AS open,
		             count(DISTINCT k.enterprise_id) FILTER (WHERE k.enterprise_id <> $1 AND k.open + k.closed > 0) AS enterprises
		      FROM case_counts k JOIN enterprises e ON e.id = k.enterprise_id
		      WHERE e.county = (SELECT county FROM enterprises WHERE id = $1)
		        AND k.category = $3 AND k.quarter >= $4) county`,
		enterpriseID, caseID, category, quarter, domain.StatusClosed).Scan(&h.CountyOpenSameCategory, &h.CountyEnterprisesSameCategory)
	if err != nil {
		return h, fmt.Errorf("store: case history: %w", err)
	}
	h.CountyEnterprisesSameCategory++ // this enterprise
	return h, nil
}
