package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// UpsertUnit adds a unit or renames it.
func (s *Store) UpsertUnit(ctx context.Context, u domain.Unit) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO units (id, name, kind) VALUES ($1,$2,$3)
		ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind`, u.ID, u.Name, u.Kind)
	if err != nil {
		return fmt.Errorf("store: upsert unit %s: %w", u.ID, err)
	}
	return nil
}

// ListUnits returns every unit, grouped by kind.
func (s *Store) ListUnits(ctx context.Context) ([]domain.Unit, error) {
	return queryAll[domain.Unit](ctx, s, "list units", `SELECT id, name, kind FROM units ORDER BY
		array_position(ARRAY['county','admin_committee','department','office','federation'], kind), id`)
}

// GetUnit returns one unit.
func (s *Store) GetUnit(ctx context.Context, id string) (domain.Unit, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, name, kind FROM units WHERE id = $1`, id)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Unit])
	if err != nil {
		return domain.Unit{}, notFound(err, EntityUnit, id)
	}
	return u, nil
}

const enterpriseColumns = `id, name, county, industry_chain, member_kind, size, is_key, contact_name, contact_phone, created_at,
	version, operations, projects`

// CreateEnterprise adds an enterprise; an empty ID gets a random one. An ID in use is
// ErrConflict; an unknown county is ErrNotFound.
func (s *Store) CreateEnterprise(ctx context.Context, e domain.Enterprise) (domain.Enterprise, error) {
	if e.ID == "" {
		e.ID = newEnterpriseID()
	}
	rows, _ := s.pool.Query(ctx, `
		INSERT INTO enterprises (id, name, county, industry_chain, member_kind, size, is_key, contact_name, contact_phone)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING `+enterpriseColumns,
		e.ID, e.Name, e.County, e.IndustryChain, e.MemberKind, e.Size, e.IsKey, e.ContactName, e.ContactPhone)
	created, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Enterprise])
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			switch pgErr.Code {
			case "23505":
				return domain.Enterprise{}, storeError(EntityEnterprise, e.ID, ErrConflict, "")
			case "23503":
				return domain.Enterprise{}, storeError(EntityUnit, e.County, ErrNotFound, "the county of enterprise "+e.ID)
			}
		}
		return domain.Enterprise{}, fmt.Errorf("store: create enterprise: %w", err)
	}
	return created, nil
}

// UpsertEnterprise adds an enterprise or leaves an existing one as it is (demo data).
func (s *Store) UpsertEnterprise(ctx context.Context, e domain.Enterprise) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO enterprises (id, name, county, industry_chain, member_kind, size, is_key, contact_name, contact_phone)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (id) DO NOTHING`,
		e.ID, e.Name, e.County, e.IndustryChain, e.MemberKind, e.Size, e.IsKey, e.ContactName, e.ContactPhone)
	if err != nil {
		return fmt.Errorf("store: upsert enterprise %s: %w", e.ID, err)
	}
	return nil
}

// GetEnterprise returns one enterprise.
func (s *Store) GetEnterprise(ctx context.Context, id string) (domain.Enterprise, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+enterpriseColumns+` FROM enterprises WHERE id = $1`, id)
	e, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Enterprise])
	if err != nil {
		return domain.Enterprise{}, notFound(err, EntityEnterprise, id)
	}
	return e, nil
}

// ListEnterprises returns every enterprise, by county then name.
func (s *Store) ListEnterprises(ctx context.Context) ([]domain.Enterprise, error) {
	return queryAll[domain.Enterprise](ctx, s, "list enterprises", `SELECT `+enterpriseColumns+` FROM enterprises ORDER BY county, id`)
}

// IsResponsibleUnit says whether id is a unit that cases are referred to (not a
// supervision office or the Federation).
func (s *Store) IsResponsibleUnit(ctx context.Context, id string) (bool, error) {
	if domain.LineProblem(id, 100) != "" {
		return false, nil // no unit's id holds a NUL or a newline: and PostgreSQL cannot compare one
	}
	u, err := s.GetUnit(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil && u.Responsible(), err
}
