// Package store keeps caseflow's read model in PostgreSQL: units, enterprises, users and
// sessions, and every case with its timeline as the case workflows project them.
package store

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the read model. It is safe for concurrent use; one per process.
type Store struct {
	pool *pgxpool.Pool
	// records writes the records of reads (who read a case's sensitive fields, an
	// enterprise's contacts) on connections whose commits do not wait for the WAL to reach
	// the disk (RecordReads says why).
	records *pgxpool.Pool
	cal     calendarCache
	// estimates keeps the planner's estimates of the lists asked lately (estimates.go).
	estimates estimateCache
	// pages are the large lists' pages each connection keeps prepared (pages.go).
	pages *pageStatements
}

// DefaultMaxConns is how many connections a process opens at most, unless the URL's
// pool_max_conns says otherwise.
const DefaultMaxConns = 16

// Open connects to PostgreSQL at url.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse database url: %w", err)
	}
	// pgx's default (the number of CPUs, at least 4) starves an API and a worker that share
	// one pool on a small machine; pool_max_conns in the URL still decides.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	// PostgreSQL's JIT compiles a query whose estimated cost is high (a quarter's report over
	// a year of cases, the audit's figures) for a third of a second or more before running
	// it; caseflow's queries are short or read what an index finds, so the compilation costs
	// more than it saves (a quarter's compile at 20,000 cases: 0.50 s with it, 0.15 s
	// without). An explicit jit in the URL's options still decides.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set && !strings.Contains(cfg.ConnConfig.RuntimeParams["options"], "jit") {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	pages := &pageStatements{}
	cfg.BeforeClose = pages.forget
	rcfg := cfg.Copy()
	rcfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	rcfg.MaxConns = max(min(cfg.MaxConns, recordConns), cfg.MaxConns/2)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	records, err := pgxpool.NewWithConfig(ctx, rcfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	return &Store{pool: pool, records: records, estimates: newEstimateCache(), pages: pages}, nil
}

// recordConns is how many connections the records of reads take (beside the main pool's,
// and never more than it), or half the main pool's when that is more: the lists that record
// a read run there too (ListRecord). Like the others they are opened when first needed.
const recordConns = 4

// Connect opens the store at url and makes sure PostgreSQL answers: an error names the
// database (without its password) and says what to do.
func Connect(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL is not a PostgreSQL URL (%v); it looks like postgres://user:password@host:5432/caseflow", err)
	}
	s, err := Open(ctx, url)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Ping(pctx); err != nil {
		s.Close()
		c := cfg.ConnConfig
		// The innermost cause says it best ("connection refused", "password authentication failed").
		cause := err
		for u := errors.Unwrap(cause); u != nil; u = errors.Unwrap(cause) {
			cause = u
		}
		msg, _, _ := strings.Cut(cause.Error(), "\n")
		return nil, fmt.Errorf("the database %s@%s:%d/%s does not answer (%s); start PostgreSQL, or fix DATABASE_URL",
			c.User, c.Host, c.Port, c.Database, msg)
	}
	return s, nil
}

// Close releases the connections.
func (s *Store) Close() { s.pool.Close(); s.records.Close() }

// Ping checks that PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Migrate applies every embedded migration not yet applied. Several processes may call it
// at once: a PostgreSQL advisory lock lets one of them do the work.
func (s *Store) Migrate(ctx context.Context) error { return s.migrateTo(ctx, 0) }

// migrateTo applies the migrations up to version (0: all).
func (s *Store) migrateTo(ctx context.Context, version int64) error {
	return s.migrating(func(p *goose.Provider) (err error) {
		if version > 0 {
			_, err = p.UpTo(ctx, version)
		} else {
			_, err = p.Up(ctx)
		}
		return err
	})
}

// migrating runs f with the embedded migrations' provider over the store's database, under
// the advisory lock that lets one process at a time migrate.
func (s *Store) migrating(f func(*goose.Provider) error) error {
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, mustSub(migrations, "migrations"), goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if err := f(p); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// queryAll runs a query and collects its rows into T by column name.
func queryAll[T any](ctx context.Context, s *Store, what, sql string, args ...any) ([]T, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return list, nil
}

// IsPermanent reports whether err is one PostgreSQL will answer the same way however often
// it is retried: a data exception (class 22: a value out of range, a NUL character, bad
// encoding…), a NOT NULL or CHECK violation, a program limit (class 54), or a value that
// cannot be encoded at all.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		code := pgErr.Code
		return strings.HasPrefix(code, "22") || strings.HasPrefix(code, "54") || code == "23502" || code == "23514"
	}
	var encErr *json.UnsupportedValueError
	return errors.As(err, &encErr)
}

// IsUnavailable reports whether err means PostgreSQL cannot be reached or is not
// accepting work (down, restarting, out of connections): the request may be tried again.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P") || pgErr.Code == "53300"
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.Timeout(err)
}

// conds builds a WHERE clause: conditions with ? for their one argument, numbered $1, $2…
// in the order they are added.
type conds struct {
	where []string
	args  []any
}

// arg adds an argument and answers its placeholder.
func (c *conds) arg(v any) string {
	c.args = append(c.args, v)
	return "$" + strconv.Itoa(len(c.args))
}

// add adds a condition whose ? stands for v.
func (c *conds) add(cond string, v any) {
	c.where = append(c.where, strings.ReplaceAll(cond, "?", c.arg(v)))
}

// word adds a condition whose ? stands for v, written into the statement as a literal when
// v is one of the words of a closed vocabulary (a status, a card, an office, a category:
// names of a few letters, never a user's text), as an argument otherwise. A cached
// statement's generic plan is made without its arguments' values: with the word in it,
// the plan is of that word (its share of the cases, the partial indexes it matches), and
// each word has a statement of its own.
func (c *conds) word(cond, v string, vocabulary map[string]string) {
	if _, known := vocabulary[v]; !known {
		c.add(cond, v)
		return
	}
	c.where = append(c.where, strings.ReplaceAll(cond, "?", "'"+strings.ReplaceAll(v, "'", "''")+"'"))
}

// sql is the WHERE clause, or nothing when there is no condition.
func (c *conds) sql() string {
	if len(c.where) == 0 {
		return ""
	}
	return "WHERE " + strings.Join(c.where, " AND ")
}
