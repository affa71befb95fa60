package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// ImportEnterprises writes checked rows in one transaction: a row whose name is an existing
// enterprise's updates it (its id stays), any other is added with a new id. With dryRun
// nothing is written; the counts say what would be. The caller has checked every row (an
// import with a bad row imports nothing, so it never gets here).
func (s *Store) ImportEnterprises(ctx context.Context, rows []domain.Enterprise, dryRun bool) (imported, updated int, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// One import at a time: two at once would both add an enterprise of the same name.
		if _, err := tx.Exec(ctx, `LOCK TABLE enterprises IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		existing := map[string]string{}
		list, err := tx.Query(ctx, `SELECT DISTINCT ON (name) name, id FROM enterprises ORDER BY name, created_at, id`)
		if err != nil {
			return err
		}
		var name, id string
		if _, err := pgx.ForEachRow(list, []any{&name, &id}, func() error { existing[name] = id; return nil }); err != nil {
			return err
		}
		var add [][]any
		batch := &pgx.Batch{}
		for _, e := range rows {
			values := []any{e.Name, e.County, e.IndustryChain, e.MemberKind, e.Size, e.IsKey, e.ContactName, e.ContactPhone}
			if id, ok := existing[e.Name]; ok {
				updated++
				batch.Queue(`UPDATE enterprises SET name = $2, county = $3, industry_chain = $4, member_kind = $5,
					size = $6, is_key = $7, contact_name = $8, contact_phone = $9 WHERE id = $1`, append([]any{id}, values...)...)
				continue
			}
			imported++
			id := newEnterpriseID()
			existing[e.Name] = id
			add = append(add, append([]any{id}, values...))
		}
		if dryRun {
			return errDryRun
		}
		if len(add) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"enterprises"}, []string{"id", "name", "county", "industry_chain",
				"member_kind", "size", "is_key", "contact_name", "contact_phone"}, pgx.CopyFromRows(add)); err != nil {
				return err
			}
		}
		if batch.Len() > 0 {
			if err := tx.SendBatch(ctx, batch).Close(); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: import enterprises: %w", err)
	}
	return imported, updated, nil
}

// newEnterpriseID is a fresh enterprise id (ent-1a2b3c4d5e).
func newEnterpriseID() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return "ent-" + hex.EncodeToString(b)
}
