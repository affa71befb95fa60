package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// EntityVisit names a visit in store errors.
const EntityVisit = "visit"

// VisitDateByKey is the date of the visit a user logged with an idempotency key (found is
// false when they never used the key).
func (s *Store) VisitDateByKey(ctx context.Context, username, key string) (date string, found bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT v.date::text FROM visit_idempotency k JOIN visits v ON v.id = k.visit_id
		WHERE k.username = $1 AND k.key = $2`, username, key).Scan(&date)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: visit by key: %w", err)
	}
	return date, true, nil
}

// CreateVisit writes a visit and allocates its problems' case numbers, in one
// transaction, so that whoever retries it starts the same cases. The visit is not complete
// (not shown anywhere) until CompleteVisit: its workflow writes it, starts its cases and
// then completes it (workflows/visit.go). requestID is that workflow's id: a second call
// with it answers the visit the first one wrote (created false), whatever else changed. With
// an idempotency key, a repeated request of the same user answers the visit the first one
// wrote; the same key with another request is a conflict.
func (s *Store) CreateVisit(ctx context.Context, year int, v domain.Visit, key string, request []byte, requestID string) (visit domain.Visit, created bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if requestID != "" {
			var id string
			err := tx.QueryRow(ctx, `SELECT id FROM visits WHERE request_id = $1`, requestID).Scan(&id)
			if err == nil {
				visit, err = getVisit(ctx, tx, id, false)
				return err
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		if key != "" {
			var id string
			var prev []byte
			err := tx.QueryRow(ctx, `SELECT visit_id, request FROM visit_idempotency WHERE username = $1 AND key = $2`,
				v.CreatedBy, key).Scan(&id, &prev)
			if err == nil {
				if !jsonEqual(prev, request) {
					return storeError(EntityIdempotencyKey, key, ErrConflict, "used for another visit")
				}
				visit, err = getVisit(ctx, tx, id, false)
				return err
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		var n int
		if err := tx.QueryRow(ctx, `INSERT INTO visit_counters (year, last) VALUES ($1, 1)
			ON CONFLICT (year) DO UPDATE SET last = visit_counters.last + 1 RETURNING last`, year).Scan(&n); err != nil {
			return err
		}
		v.ID = fmt.Sprintf("VS-%d-%06d", year, n)
		v.CaseIDs = []string{}
		if k := len(v.Problems); k > 0 {
			var last int
			if err := tx.QueryRow(ctx, `INSERT INTO case_counters (year, last) VALUES ($1, $2)
				ON CONFLICT (year) DO UPDATE SET last = case_counters.last + $2 RETURNING last`, year, k).Scan(&last); err != nil {
				return err
			}
			for i := range k {
				v.CaseIDs = append(v.CaseIDs, fmt.Sprintf("PT-%d-%06d", year, last-k+1+i))
			}
		}
		leads, _ := json.Marshal(domain.NonNil(v.InvestmentLeads))
		problems, _ := json.Marshal(domain.NonNil(v.Problems))
		if err := tx.QueryRow(ctx, `INSERT INTO visits (id, date, method, topics, notes, investment_leads, problems, case_ids, created_by,
				request_id, complete)
			VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9, nullif($10, ''), false) RETURNING created_at`,
			v.ID, v.Date, v.Method, domain.NonNil(v.Topics), v.Notes, leads, problems, v.CaseIDs, v.CreatedBy,
			requestID).Scan(&v.CreatedAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO visit_leaders (visit_id, leader) SELECT $1, unnest($2::text[])`, v.ID, v.Leaders); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO visit_enterprises (visit_id, enterprise_id) SELECT $1, unnest($2::text[])`,
			v.ID, v.EnterpriseIDs); err != nil {
			return err
		}
		if key != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO visit_idempotency (username, key, visit_id, request) VALUES ($1, $2, $3, $4)`,
				v.CreatedBy, key, v.ID, request); err != nil {
				var pgErr *pgconn.PgError
				if errors.As(err, &pgErr) && pgErr.Code == "23505" {
					return storeError(EntityIdempotencyKey, key, ErrConflict, "in use by a request still running")
				}
				return err
			}
		}
		visit, created = v, true
		return nil
	})
	if err != nil {
		return domain.Visit{}, false, fmt.Errorf("store: create visit: %w", err)
	}
	return visit, created, nil
}

const visitColumns = `v.id, v.date::text, v.method, v.topics, v.notes, v.investment_leads, v.problems, v.case_ids,
	v.created_by, v.created_at,
	ARRAY(SELECT leader FROM visit_leaders WHERE visit_id = v.id ORDER BY leader),
	ARRAY(SELECT enterprise_id FROM visit_enterprises WHERE visit_id = v.id ORDER BY enterprise_id)`

func scanVisit(row pgx.CollectableRow) (domain.Visit, error) {
	var v domain.Visit
	err := row.Scan(&v.ID, &v.Date, &v.Method, &v.Topics, &v.Notes, &v.InvestmentLeads, &v.Problems, &v.CaseIDs,
		&v.CreatedBy, &v.CreatedAt, &v.Leaders, &v.EnterpriseIDs)
	return v, err
}

// getVisit reads one visit; onlyComplete: a visit still being logged is not found.
func getVisit(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, id string, onlyComplete bool) (domain.Visit, error) {
	rows, _ := q.Query(ctx, `SELECT `+visitColumns+` FROM visits v WHERE v.id = $1 AND (v.complete OR NOT $2)`, id, onlyComplete)
	v, err := pgx.CollectExactlyOneRow(rows, scanVisit)
	if err != nil {
		return domain.Visit{}, notFound(err, EntityVisit, id)
	}
	return v, nil
}

// GetVisit answers one complete visit: a visit whose cases are still being started is not
// found.
func (s *Store) GetVisit(ctx context.Context, id string) (domain.Visit, error) {
	return getVisit(ctx, s.pool, id, true)
}

// CompleteVisit marks a visit complete: its cases are all in the read model, and from now
// on it is shown. Completing it again changes nothing.
func (s *Store) CompleteVisit(ctx context.Context, id string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE visits SET complete = true WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("store: complete visit %s: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return storeError(EntityVisit, id, ErrNotFound, "no such visit")
		}
		// Its investment leads join the register (once: a retry finds them there).
		if _, err := tx.Exec(ctx, visitLeadsSQL, id); err != nil {
			return fmt.Errorf("store: complete visit %s: leads: %w", id, err)
		}
		return nil
	})
}

// visitLeadsSQL adds a visit's investment leads to the register (migration 00020 does the
// same for the visits logged before it): the visit's first enterprise and leader, the
// enterprise's industry chain.
const visitLeadsSQL = `
	INSERT INTO leads (enterprise_id, leader, visit_id, visit_item, title, description, industry_chain, created_by, created_at, updated_at)
	SELECT e.id, (SELECT vl.leader FROM visit_leaders vl WHERE vl.visit_id = v.id ORDER BY vl.leader LIMIT 1),
		v.id, l.ord, l.item ->> 'title', coalesce(l.item ->> 'description', ''), e.industry_chain, v.created_by, v.created_at, v.created_at
	FROM visits v
		CROSS JOIN jsonb_array_elements(v.investment_leads) WITH ORDINALITY AS l (item, ord)
		JOIN LATERAL (SELECT en.id, en.industry_chain FROM visit_enterprises ve JOIN enterprises en ON en.id = ve.enterprise_id
			WHERE ve.visit_id = v.id ORDER BY ve.enterprise_id LIMIT 1) AS e ON true
	WHERE v.id = $1 AND coalesce(l.item ->> 'title', '') <> ''
		AND EXISTS (SELECT 1 FROM visit_leaders vl WHERE vl.visit_id = v.id)
	ORDER BY l.ord
	ON CONFLICT (visit_id, visit_item) WHERE visit_id <> '' DO NOTHING`

// VisitFilter selects visits; empty fields do not filter. From and To are dates
// (YYYY-MM-DD), both included.
type VisitFilter struct {
	Leader, EnterpriseID, From, To string
	Page, PageSize                 int
}

// ListVisits answers a page of the complete visits that match f, newest first, and how
// many match.
func (s *Store) ListVisits(ctx context.Context, f VisitFilter) ([]domain.Visit, int, error) {
	w := f.conds()
	cond, args := w.sql(), w.args
	var total int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM visits v "+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: list visits: %w", err)
	}
	size := max(f.PageSize, 1)
	args = append(args, size, (max(f.Page, 1)-1)*size)
	rows, _ := s.pool.Query(ctx, fmt.Sprintf(`SELECT %s FROM visits v %s ORDER BY v.date DESC, v.id DESC LIMIT $%d OFFSET $%d`,
		visitColumns, cond, len(args)-1, len(args)), args...)
	visits, err := pgx.CollectRows(rows, scanVisit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list visits: %w", err)
	}
	return visits, total, nil
}

// conds are the filter's conditions on visits v (complete ones only).
func (f VisitFilter) conds() *conds {
	w := &conds{}
	w.add("v.complete = ?", true)
	if f.Leader != "" {
		w.add("EXISTS (SELECT 1 FROM visit_leaders l WHERE l.visit_id = v.id AND l.leader = ?)", f.Leader)
	}
	if f.EnterpriseID != "" {
		w.add("EXISTS (SELECT 1 FROM visit_enterprises e WHERE e.visit_id = v.id AND e.enterprise_id = ?)", f.EnterpriseID)
	}
	if f.From != "" {
		w.add("v.date >= ?::date", f.From)
	}
	if f.To != "" {
		w.add("v.date <= ?::date", f.To)
	}
	return w
}

// EachVisitPage hands every complete visit that matches f (its Page aside) to fn, newest
// first, in pages of f.PageSize: each page is found from the last one's date and id
// (visits_date_idx), never counted or offset, so a year of visits costs what its pages
// cost and only one page is in memory.
func (s *Store) EachVisitPage(ctx context.Context, f VisitFilter, fn func([]domain.Visit) error) error {
	size := max(f.PageSize, 1)
	var last *domain.Visit
	for {
		w := f.conds()
		if last != nil {
			w.where = append(w.where, fmt.Sprintf("(v.date, v.id) < (%s::date, %s)", w.arg(last.Date), w.arg(last.ID)))
		}
		rows, _ := s.pool.Query(ctx, fmt.Sprintf(`SELECT %s FROM visits v %s ORDER BY v.date DESC, v.id DESC LIMIT %d`,
			visitColumns, w.sql(), size), w.args...)
		page, err := pgx.CollectRows(rows, scanVisit)
		if err != nil {
			return fmt.Errorf("store: visits: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		if err := fn(page); err != nil {
			return err
		}
		if len(page) < size {
			return nil
		}
		last = &page[len(page)-1]
	}
}
