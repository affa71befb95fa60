package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// Plan answers an enterprise's current plan; one never written has version 0 and no
// measures.
func (s *Store) Plan(ctx context.Context, enterpriseID string) (domain.Plan, error) {
	p := domain.Plan{Measures: []domain.PlanMeasure{}}
	err := s.pool.QueryRow(ctx, `SELECT version, measures, updated_at, updated_by FROM enterprise_plans
		WHERE enterprise_id = $1 ORDER BY version DESC LIMIT 1`, enterpriseID).Scan(&p.Version, &p.Measures, &p.UpdatedAt, &p.UpdatedBy)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return p, fmt.Errorf("store: plan of %s: %w", enterpriseID, err)
	}
	return p, nil
}

// EntityPlan names an enterprise's plan in errors: a plan saved over a version that is no
// longer the current one.
const EntityPlan = "plan"

// SavePlan stores a new version of an enterprise's plan; earlier versions stay. With base
// ≥ 0 it is saved only over that version (the one its writer read): a plan changed since,
// or a form sent twice, is a conflict naming the current version.
func (s *Store) SavePlan(ctx context.Context, enterpriseID string, measures []domain.PlanMeasure, by string, base int) (domain.Plan, error) {
	raw, _ := json.Marshal(domain.NonNil(measures))
	p := domain.Plan{Measures: domain.NonNil(measures), UpdatedBy: by}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('plan:' || $1))`, enterpriseID); err != nil {
			return err
		}
		if base >= 0 {
			var current int
			if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM enterprise_plans WHERE enterprise_id = $1`,
				enterpriseID).Scan(&current); err != nil {
				return err
			}
			if current != base {
				return storeError(EntityPlan, fmt.Sprint(current), ErrConflict, fmt.Sprintf("saved over version %d", base))
			}
		}
		return tx.QueryRow(ctx, `INSERT INTO enterprise_plans (enterprise_id, version, measures, updated_by)
			SELECT $1, coalesce(max(version), 0) + 1, $2, $3 FROM enterprise_plans WHERE enterprise_id = $1
			RETURNING version, updated_at`, enterpriseID, raw, by).Scan(&p.Version, &p.UpdatedAt)
	})
	var conflict *Error
	if errors.As(err, &conflict) {
		return domain.Plan{}, err
	}
	if err != nil {
		return domain.Plan{}, fmt.Errorf("store: save plan of %s: %w", enterpriseID, err)
	}
	return p, nil
}

// EnterpriseLeaders answers the leaders linked to an enterprise in a year.
func (s *Store) EnterpriseLeaders(ctx context.Context, enterpriseID string, year int) ([]Leader, error) {
	return queryAll[Leader](ctx, s, "enterprise leaders", `SELECT u.username, u.display_name FROM leader_links l
		JOIN users u ON u.username = l.leader WHERE l.enterprise_id = $1 AND l.year = $2 ORDER BY u.username`, enterpriseID, year)
}
