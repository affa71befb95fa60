package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pressly/goose/v3"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// ExecForTest runs a statement directly, for tests that tamper with the database.
func (s *Store) ExecForTest(ctx context.Context, sql string, args ...any) error {
	_, err := s.pool.Exec(ctx, sql, args...)
	return err
}

// CountForTest answers a count(*) run directly, for tests that hold the store's counts to it.
func (s *Store) CountForTest(ctx context.Context, sql string, args ...any) (n int, err error) {
	err = s.pool.QueryRow(ctx, sql, args...).Scan(&n)
	return n, err
}

// RowsForTest answers the rows of a query run directly, each as its values.
func (s *Store) RowsForTest(ctx context.Context, sql string, args ...any) ([][]any, error) {
	rows, _ := s.pool.Query(ctx, sql, args...)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
}

// MigrateToForTest applies the migrations up to version, for tests of a migration.
func (s *Store) MigrateToForTest(ctx context.Context, version int64) error {
	return s.migrateTo(ctx, version)
}

// MigrateDownToForTest undoes the migrations after version, for tests of a migration's Down.
func (s *Store) MigrateDownToForTest(ctx context.Context, version int64) error {
	return s.migrating(func(p *goose.Provider) error {
		_, err := p.DownTo(ctx, version)
		return err
	})
}

// SetReportChunkForTest makes CompileQuarter gather its rows in chunks of n, until the test ends.
func SetReportChunkForTest(t interface{ Cleanup(func()) }, n int) {
	old := reportChunk
	reportChunk = n
	t.Cleanup(func() { reportChunk = old })
}

// SnapshotAsStoredForTest hands data to PostgreSQL as a snapshot is stored (jsonb) and
// answers the text PostgreSQL gives back for it and the case the store reads from that.
func (s *Store) SnapshotAsStoredForTest(ctx context.Context, data []byte) ([]byte, domain.Case, error) {
	var text []byte
	var c domain.Case
	err := s.pool.QueryRow(ctx, `SELECT $1::jsonb::text, $1::jsonb`, data).Scan(&text, &snapshotInto{c: &c})
	return text, c, err
}

// CommitModesForTest answers synchronous_commit as the store's writes of cases and its
// records of reads see it.
func (s *Store) CommitModesForTest(ctx context.Context) (cases, records string, err error) {
	if err = s.pool.QueryRow(ctx, `SHOW synchronous_commit`).Scan(&cases); err != nil {
		return
	}
	err = s.records.QueryRow(ctx, `SHOW synchronous_commit`).Scan(&records)
	return
}

// ContactReadsForTest answers how many reads of the enterprise's contacts are recorded.
func (s *Store) ContactReadsForTest(ctx context.Context, enterpriseID string) (n int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT count(*) FROM enterprise_contact_reads WHERE enterprise_id = $1`, enterpriseID).Scan(&n)
	return
}

// SetSyntheticChunkForTest makes SeedSynthetic make and write its cases n at a time, until
// the test ends.
func SetSyntheticChunkForTest(t interface{ Cleanup(func()) }, n int) {
	old := syntheticChunk
	syntheticChunk = n
	t.Cleanup(func() { syntheticChunk = old })
}

// DigestForTest answers an md5 of every row of table in order, as text, and how many rows.
func (s *Store) DigestForTest(ctx context.Context, table, order string) (digest string, n int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT coalesce(md5(string_agg(t::text, E'\n' ORDER BY `+order+`)), ''), count(*) FROM `+table+` AS t`).Scan(&digest, &n)
	return digest, n, err
}

// EstimatesAt sets the clock the cache of lists' estimates reads (estimates.go).
func (s *Store) EstimatesAt(now func() time.Time) { s.estimates.Now = now }

// PlansForTest answers how often PostgreSQL ran the statements prepared on the store's
// connections whose text contains every one of parts with a generic plan and with a
// custom one, over every idle connection of both pools (pg_prepared_statements is each
// connection's own).
func (s *Store) PlansForTest(ctx context.Context, parts ...string) (generic, custom int64, err error) {
	for _, pool := range []*pgxpool.Pool{s.pool, s.records} {
		conns := pool.AcquireAllIdle(ctx)
		defer func() {
			for _, c := range conns {
				c.Release()
			}
		}()
		for _, c := range conns {
			var g, cu int64
			if err == nil {
				err = c.QueryRow(ctx, `SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0)
					FROM pg_prepared_statements WHERE (SELECT bool_and(strpos(statement, part) > 0) FROM unnest($1::text[]) AS part)`,
					parts).Scan(&g, &cu)
			}
			generic, custom = generic+g, custom+cu
		}
	}
	return generic, custom, err
}

// PagesPerConn is how many large lists' pages a connection keeps prepared.
const PagesPerConn = pagesPerConn

// PreparedPagesForTest answers the most large lists' pages any idle connection of either
// pool holds prepared, as PostgreSQL counts them, and whether every connection's count is
// what the store believes it prepared there.
func (s *Store) PreparedPagesForTest(ctx context.Context) (most int, agree bool, err error) {
	agree = true
	for _, pool := range []*pgxpool.Pool{s.pool, s.records} {
		for _, c := range pool.AcquireAllIdle(ctx) {
			var n int
			if err == nil {
				err = c.QueryRow(ctx, `SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'caseflow\_page\_%'`).Scan(&n)
			}
			s.pages.mu.Lock()
			agree = agree && n == len(s.pages.conns[c.Conn()])
			s.pages.mu.Unlock()
			most = max(most, n)
			c.Release()
		}
	}
	return most, agree, err
}

// SetNearWindowForTest makes a large list's page check its n newest cases row by row before
// it asks an index for the older matches (sparsePage), until the test ends.
func SetNearWindowForTest(t interface{ Cleanup(func()) }, n int) {
	old := nearWindow
	nearWindow = n
	t.Cleanup(func() { nearWindow = old })
}

// CaseNumberPrefix is caseNumberPrefix: whether a search is shaped like the start of a case
// number, and the range of the numbers that start with it.
var CaseNumberPrefix = caseNumberPrefix

// CaseNumberHeads is caseNumberHeads: the heads of the numbers a search's range holds.
var CaseNumberHeads = caseNumberHeads

// CaselessRun is caselessRun: the part of a search that LIKE looks for before ILIKE.
var CaselessRun = caselessRun

// PagePlan is a prepared page on one of the store's idle connections (or, with no page
// prepared, the connection alone): that connection's plan_cache_mode, whether the page finds
// the numbers of a range (a search shaped like the start of a case number) or walks a unit's
// cases for the member department (unitPage), and how many times it ran by its generic plan
// and by one for its values.
type PagePlan struct {
	Mode             string
	Ranged, UnitWalk bool
	Generic, Custom  int
}

// PagePlansForTest answers the pages prepared on every idle connection of the store's pools.
func (s *Store) PagePlansForTest(ctx context.Context) ([]PagePlan, error) {
	var out []PagePlan
	for _, pool := range []*pgxpool.Pool{s.pool, s.records} {
		conns := pool.AcquireAllIdle(ctx)
		defer func() {
			for _, c := range conns {
				c.Release()
			}
		}()
		for _, c := range conns {
			var mode string
			if err := c.QueryRow(ctx, `SHOW plan_cache_mode`).Scan(&mode); err != nil {
				return nil, err
			}
			rows, _ := c.Query(ctx, `SELECT statement ~ '~>=~', statement ~ 'true AS still', generic_plans, custom_plans FROM pg_prepared_statements
				WHERE name LIKE 'caseflow_page_%'`)
			plans, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PagePlan, error) {
				p := PagePlan{Mode: mode}
				return p, r.Scan(&p.Ranged, &p.UnitWalk, &p.Generic, &p.Custom)
			})
			if err != nil {
				return nil, err
			}
			out = append(append(out, PagePlan{Mode: mode}), plans...)
		}
	}
	return out, nil
}
