package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/jackc/pgx/v5"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// EntityEnterpriseVersion names an enterprise saved over a version that is no longer
// its latest (the error's ID is the latest).
const EntityEnterpriseVersion = "enterprise version"

// enterpriseFields are the fields an edit may change, by their JSON names.
var enterpriseFields = []struct {
	name string
	get  func(e *domain.Enterprise) any
}{
	{"name", func(e *domain.Enterprise) any { return e.Name }},
	{"county", func(e *domain.Enterprise) any { return e.County }},
	{"industry_chain", func(e *domain.Enterprise) any { return e.IndustryChain }},
	{"member_kind", func(e *domain.Enterprise) any { return e.MemberKind }},
	{"size", func(e *domain.Enterprise) any { return e.Size }},
	{"is_key", func(e *domain.Enterprise) any { return e.IsKey }},
	{"contact_name", func(e *domain.Enterprise) any { return e.ContactName }},
	{"contact_phone", func(e *domain.Enterprise) any { return e.ContactPhone }},
	{"operations", func(e *domain.Enterprise) any { return domain.NonNil(e.Operations) }},
	{"projects", func(e *domain.Enterprise) any { return domain.NonNil(e.Projects) }},
}

// EnterpriseChanges are the fields that differ from old to new.
func EnterpriseChanges(old, new domain.Enterprise) []domain.EnterpriseChange {
	var out []domain.EnterpriseChange
	for _, f := range enterpriseFields {
		if from, to := f.get(&old), f.get(&new); !reflect.DeepEqual(from, to) {
			out = append(out, domain.EnterpriseChange{Field: f.name, From: from, To: to})
		}
	}
	return out
}

// UpdateEnterprise saves an edit of an enterprise made over version base, and keeps its
// changes as the next version; an edit that changes nothing saves nothing. Saved over a
// version that is not the latest, it is an ErrConflict of EntityEnterpriseVersion.
func (s *Store) UpdateEnterprise(ctx context.Context, e domain.Enterprise, base int, by string) (domain.Enterprise, error) {
	var out domain.Enterprise
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+enterpriseColumns+` FROM enterprises WHERE id = $1 FOR UPDATE`, e.ID)
		old, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Enterprise])
		if err != nil {
			return notFound(err, EntityEnterprise, e.ID)
		}
		if old.Version != base {
			return storeError(EntityEnterpriseVersion, fmt.Sprint(old.Version), ErrConflict, fmt.Sprintf("saved over version %d", base))
		}
		changes := EnterpriseChanges(old, e)
		if len(changes) == 0 {
			out = old
			return nil
		}
		rows, _ = tx.Query(ctx, `UPDATE enterprises SET name = $2, county = $3, industry_chain = $4, member_kind = $5, size = $6,
				is_key = $7, contact_name = $8, contact_phone = $9, operations = $10, projects = $11, version = version + 1
			WHERE id = $1 RETURNING `+enterpriseColumns,
			e.ID, e.Name, e.County, e.IndustryChain, e.MemberKind, e.Size, e.IsKey, e.ContactName, e.ContactPhone,
			domain.NonNil(e.Operations), domain.NonNil(e.Projects))
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Enterprise]); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO enterprise_versions (enterprise_id, version, changed_by, changes) VALUES ($1, $2, $3, $4)`,
			e.ID, out.Version, by, changes)
		return err
	})
	var known *Error
	if errors.As(err, &known) {
		return domain.Enterprise{}, err
	}
	if err != nil {
		return domain.Enterprise{}, fmt.Errorf("store: update enterprise %s: %w", e.ID, err)
	}
	return out, nil
}

// EnterpriseVersions lists an enterprise's edits, newest first.
func (s *Store) EnterpriseVersions(ctx context.Context, id string) ([]domain.EnterpriseVersion, error) {
	return queryAll[domain.EnterpriseVersion](ctx, s, "enterprise versions", `SELECT version, changed_by, changed_at, changes
		FROM enterprise_versions WHERE enterprise_id = $1 ORDER BY version DESC`, id)
}
