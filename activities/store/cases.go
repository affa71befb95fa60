package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// Project writes a projection in one transaction. It is idempotent: an event already
// written (same case and sequence) is skipped, and the case row only moves forward. It says
// whether notifications of the projection's events wait in the outbox: the ones it queued,
// or, when it finds some of its events written already (a projection retried after it had
// committed), the ones that earlier write queued.
func (s *Store) Project(ctx context.Context, p domain.Projection) (pending bool, err error) {
	snapshot, err := json.Marshal(p.Case)
	if err != nil {
		return false, fmt.Errorf("store: project %s: %w", p.Case.ID, err)
	}
	c := p.Case
	coUnits := c.CoUnits
	if coUnits == nil {
		coUnits = []string{}
	}
	var due *string
	if c.DueDate != "" {
		due = &c.DueDate
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var createdAt time.Time
		err := tx.QueryRow(ctx, `
			INSERT INTO cases (id, status, title, description, category, list, scope, enterprise_id,
				visit_id, amount_cny, sensitive, office, lead_unit, co_units, due_date, outcome,
				created_by, last_seq, created_at, updated_at, overdue, card, referred_units, pending, instruction_id)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15::date,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25)
			ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, title = EXCLUDED.title,
				description = EXCLUDED.description, category = EXCLUDED.category, list = EXCLUDED.list,
				scope = EXCLUDED.scope, amount_cny = EXCLUDED.amount_cny, sensitive = EXCLUDED.sensitive,
				office = EXCLUDED.office, lead_unit = EXCLUDED.lead_unit, co_units = EXCLUDED.co_units,
				due_date = EXCLUDED.due_date, outcome = EXCLUDED.outcome, last_seq = EXCLUDED.last_seq,
				overdue = EXCLUDED.overdue, card = EXCLUDED.card, referred_units = EXCLUDED.referred_units,
				pending = EXCLUDED.pending, updated_at = EXCLUDED.updated_at
			WHERE cases.last_seq < EXCLUDED.last_seq
			RETURNING created_at`,
			c.ID, c.Status, c.Title, c.Description, c.Category, c.List, c.Scope, c.EnterpriseID,
			c.VisitID, c.AmountCNY, c.Sensitive, c.Office, c.LeadUnit, coUnits, due, c.Outcome,
			c.CreatedBy, c.LastSeq, c.CreatedAt, c.UpdatedAt, c.Overdue, cardOf(c), domain.NonNil(c.ReferredUnits),
			c.Pending(), c.InstructionID).Scan(&createdAt)
		moved := err == nil
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("store: project case %s: %w", c.ID, err)
		}
		if moved { // the case moved forward: so does its snapshot
			// The creation time is the one first written. A workflow task that wrote the
			// case and then was lost with its worker runs again at a later time; the read
			// model keeps the first, and the snapshot says the same as the column.
			if !createdAt.Equal(c.CreatedAt.Truncate(time.Microsecond)) {
				c.CreatedAt = createdAt
				if snapshot, err = json.Marshal(c); err != nil {
					return fmt.Errorf("store: project %s: %w", c.ID, err)
				}
			}
			// case_units follows referred_units, in one statement; the rows it keeps took
			// the case's status from the UPDATE above (migration 00027's trigger), as
			// case_leaders' rows did.
			if _, err := tx.Exec(ctx, `WITH gone AS (DELETE FROM case_units WHERE case_id = $1 AND unit <> ALL ($2))
				INSERT INTO case_units (unit, at, case_id, case_status) SELECT DISTINCT unnest($2::text[]), $3::timestamptz, $1, $4
				ON CONFLICT DO NOTHING`, c.ID, domain.NonNil(c.ReferredUnits), createdAt, c.Status); err != nil {
				return fmt.Errorf("store: project case %s: %w", c.ID, err)
			}
			// case_leaders gains the leaders who follow the case (migration 00016): its
			// raiser and its visit's leaders when it is written first, and those following
			// a case merged into it whenever it has children (only then can they change).
			created := len(p.Events) > 0 && p.Events[0].Seq == 1
			if created || len(c.Children) > 0 {
				if _, err := tx.Exec(ctx, `INSERT INTO case_leaders (leader, at, case_id, via, case_status)
				SELECT f.leader, $2, $1, f.via, $6 FROM (
					SELECT username AS leader, 'raised' AS via, 1 AS o FROM users WHERE username = $3 AND role = 'leader'
					UNION ALL SELECT leader, 'visit', 2 FROM visit_leaders WHERE visit_id = $4 AND $4 <> ''
					UNION ALL SELECT leader, 'merged', 3 FROM case_leaders WHERE case_id = ANY ($5::text[])
				) AS f ORDER BY f.o
				ON CONFLICT DO NOTHING`, c.ID, createdAt, c.CreatedBy, c.VisitID, domain.NonNil(c.Children), c.Status); err != nil {
					return fmt.Errorf("store: project case %s: leaders: %w", c.ID, err)
				}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO case_snapshots (id, snapshot) VALUES ($1, $2)
				ON CONFLICT (id) DO UPDATE SET snapshot = EXCLUDED.snapshot`, c.ID, snapshot); err != nil {
				return fmt.Errorf("store: project case %s: %w", c.ID, err)
			}
		}
		prev := ""        // the hash of the event before, once this projection has written one
		var written []int // the seqs of events written before, with notifications
		for _, ev := range p.Events {
			inserted, hash, err := insertEvent(ctx, tx, ev, prev)
			if err != nil {
				return err
			}
			prev = hash
			if inserted && ev.Type == domain.EventFileAdded {
				if err := attachCaseFile(ctx, tx, ev); err != nil {
					return err
				}
			}
			switch {
			case ev.Notify == nil:
			case inserted:
				queued, err := writeNotifications(ctx, tx, ev, ev.Notify, notificationPayload(c, ev))
				if err != nil {
					return err
				}
				pending = pending || queued > 0
			default:
				written = append(written, ev.Seq)
			}
		}
		if len(written) > 0 && !pending {
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM notifications
				WHERE case_id = $1 AND seq = ANY ($2) AND status = 'pending')`, c.ID, written).Scan(&pending); err != nil {
				return fmt.Errorf("store: project case %s: outbox: %w", c.ID, err)
			}
		}
		return nil
	})
	return pending, err
}

func cardOf(c domain.Case) string {
	if c.Card == "" {
		return domain.CardNone
	}
	return c.Card
}

// notificationPayload is what a notification says: the event, and the case's title unless
// the case is sensitive (enterprises' sensitive information must not be spread).
func notificationPayload(c domain.Case, ev domain.Event) []byte {
	title := c.Title
	if c.Sensitive {
		title = "（敏感案件）"
	}
	data := ev.Data
	if len(data) == 0 || c.Sensitive {
		data = json.RawMessage(`{}`)
	}
	b, _ := json.Marshal(map[string]any{"case_id": c.ID, "title": title, "seq": ev.Seq, "type": ev.Type,
		"at": ev.At, "actor": ev.Actor, "data": data, "status": c.Status, "card": cardOf(c)})
	return b
}

// insertEvent writes an event unless it is there already; it reports whether it wrote,
// and the event's hash when it did. prev is the hash of the event before when the caller
// has just written it ("": read it).
func insertEvent(ctx context.Context, tx pgx.Tx, ev domain.Event, prev string) (bool, string, error) {
	if prev == "" && ev.Seq > 1 {
		err := tx.QueryRow(ctx, `SELECT hash FROM case_events WHERE case_id = $1 AND seq = $2`,
			ev.CaseID, ev.Seq-1).Scan(&prev)
		if err != nil {
			return false, "", fmt.Errorf("store: event %s#%d: previous event: %w", ev.CaseID, ev.Seq, err)
		}
	}
	ev.At = ev.At.Truncate(time.Microsecond)
	hash, err := EventHash(prev, ev)
	if err != nil {
		return false, "", err
	}
	data := ev.Data
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	// A retried projection finds its events written already (events are keyed by case and
	// seq) and leaves them as they are.
	tag, err := tx.Exec(ctx, `
		INSERT INTO case_events (case_id, seq, type, at, actor_username, actor_role, actor_unit, data, prev_hash, hash)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (case_id, seq) DO NOTHING`,
		ev.CaseID, ev.Seq, ev.Type, ev.At, ev.Actor.Username, ev.Actor.Role, ev.Actor.Unit, data, prev, hash)
	if err != nil {
		return false, "", fmt.Errorf("store: event %s#%d: %w", ev.CaseID, ev.Seq, err)
	}
	if tag.RowsAffected() == 0 {
		return false, "", nil // written already: the next event reads this one's stored hash
	}
	return true, hash, nil
}

// EventHash is the hash that chains ev to the event before it (prev is that event's hash,
// empty for the first). Data is hashed in canonical form (sorted keys), so the hash can be
// recomputed from what PostgreSQL returns.
func EventHash(prev string, ev domain.Event) (string, error) {
	data := []byte(`{}`)
	if len(ev.Data) > 0 {
		var v any
		if err := json.Unmarshal(ev.Data, &v); err != nil {
			return "", fmt.Errorf("store: event %s#%d data: %w", ev.CaseID, ev.Seq, err)
		}
		data, _ = json.Marshal(v)
	}
	h := sha256.New()
	for _, part := range []string{prev, ev.CaseID, strconv.Itoa(ev.Seq), ev.Type,
		ev.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano),
		ev.Actor.Username, ev.Actor.Role, ev.Actor.Unit, string(data)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// GetCase returns a case by id.
func (s *Store) GetCase(ctx context.Context, id string) (domain.Case, error) {
	var c domain.Case
	err := s.pool.QueryRow(ctx, `SELECT snapshot FROM case_snapshots WHERE id = $1`, id).Scan(&snapshotInto{c: &c})
	if err != nil {
		return domain.Case{}, notFound(err, EntityCase, id)
	}
	return c, nil
}

// Follows reports whether the leader follows the case (case_leaders): raised it, took part
// in the visit it came from, or follows a case merged into it.
func (s *Store) Follows(ctx context.Context, leader, caseID string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM case_leaders WHERE case_id = $1 AND leader = $2)`,
		caseID, leader).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("store: follows %s: %w", caseID, err)
	}
	return ok, nil
}

// Timeline returns a case's events in order.
func (s *Store) Timeline(ctx context.Context, caseID string) ([]domain.Event, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT case_id, seq, type, at, actor_username, actor_role, actor_unit, data, hash
		FROM case_events WHERE case_id = $1 ORDER BY seq`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: timeline %s: %w", caseID, err)
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Event, error) {
		var e domain.Event
		err := row.Scan(&e.CaseID, &e.Seq, &e.Type, &e.At, &e.Actor.Username, &e.Actor.Role, &e.Actor.Unit, &e.Data, &e.Hash)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: timeline %s: %w", caseID, err)
	}
	return events, nil
}

// CaseFilter selects cases for a list. Empty fields do not filter.
type CaseFilter struct {
	Status, Category, Unit, Office, EnterpriseID, Query string
	// Overdue, when true, keeps only cases past the deadline of the step now due.
	Overdue bool
	// Card keeps only cases whose most severe card is this one.
	Card string
	// Pending keeps only cases waiting for this (domain.Case.Pending: "sign:<unit>",
	// "extension", "callback", "close").
	Pending string
	// DueBy keeps only cases in handling whose handling deadline is on or before this date
	// (YYYY-MM-DD).
	DueBy string
	// VisibleToUnit limits the list to cases referred to that unit (lead or co-unit).
	VisibleToUnit string
	// CreatedBy limits the list to cases raised by that user.
	CreatedBy string
	// FollowedBy limits the list to the cases that leader follows (case_leaders: raised,
	// from a visit they took part in, or a common problem one of those was merged into).
	FollowedBy string
	// Search (Query) looks in the descriptions of sensitive cases only when SearchSensitive,
	// or for the cases led by SearchSensitiveOffice: a reader finds nothing by a text
	// hidden from them.
	SearchSensitive       bool
	SearchSensitiveOffice string
	// After, when set, lists the cases after that one in the list's order (keyset
	// pagination); Page is then ignored.
	After    *Cursor
	Page     int // from 1
	PageSize int
	// Into, when it has room for a page (PageSize+1), is where the page's cases are
	// written (from its start): a caller that lists often keeps one and spares the
	// garbage collector a page of cases per list.
	Into []domain.Case
	// Record, when set, records the page's read of sensitive fields in the page's own
	// statement (ListRecord); CasePage.Recorded answers what it recorded.
	Record *ListRecord
}

// ListRecord is a read of sensitive fields that a list's statement records as it reads
// its page, where RecordReads would take a round trip of its own after it: one row of
// sensitive_reads for Username with the cases the page shows that hold anything sensitive
// (sensitive, or an amount) — or, with Office set, those of them that office leads. The
// caller decides, by its own rule of who reads what, that these are the cases the page
// shows unredacted (service.Cases.List, which checks what was recorded against that rule).
// Such a list runs on the records' connections (RecordReads says why).
type ListRecord struct {
	Username, Office string
}

// Cursor is a position in a list of cases: the last case of a page.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// CasePage is one page of a list of cases.
type CasePage struct {
	Items []domain.Case
	// Total is how many cases match: exact up to ExactTotalUpTo, beyond that the
	// planner's estimate (TotalEstimated), so that a count never scans 100,000 rows.
	Total          int
	TotalEstimated bool
	// Next is where the following page starts, nil on the last page.
	Next *Cursor
	// Recorded are the cases whose read of sensitive fields the statement recorded
	// (CaseFilter.Record), in the page's order; nil when it recorded none.
	Recorded []string
}

// ExactTotalUpTo is how many matching cases a list counts exactly.
const ExactTotalUpTo = 500

// smallListUpTo: a list the planner believes to have at most this many cases is fetched by
// one query that collects the matches once, counts them and takes the page from them.
const smallListUpTo = 600

// ListCases returns one page of the cases that match f, newest first, and how many match.
// Every condition is one an index answers (docs/api.md, "Lists at 100,000 cases"). The
// estimate and a small list are planned with their own values (pgx.QueryExecModeExec: no
// generic plan from the statement cache), since how selective a unit or a word is decides
// which index serves. The first page of a large list, or one after a cursor, is a prepared
// statement (pages.go): whatever its values, an index walked newest first serves it (and,
// past its first nearWindow rows, the index of a condition no ordered index answers:
// sparsePage; the member department's list of a unit's cases, the unit's own index and the
// cases not referred yet: unitPage), so
// PostgreSQL plans it for its first five runs on a connection and then keeps the generic
// plan when that costs no more — planning was 0.3–0.4 ms of a page's 0.5–0.6 ms in
// PostgreSQL (docs/performance.md). A numbered page beyond the first is planned each time:
// each offset would be a statement of its own.
func (s *Store) ListCases(ctx context.Context, f CaseFilter) (CasePage, error) {
	q := listQuery(f)
	estimate, err := s.estimateCases(ctx, q)
	if err != nil {
		return CasePage{}, err
	}
	if estimate <= smallListUpTo {
		page, complete, err := s.smallList(ctx, q)
		if err != nil || complete {
			return page, err
		}
		estimate = s.counted(q, estimate)
	}
	page := CasePage{Total: estimate, TotalEstimated: true}
	conn, err := s.listPool(q).Acquire(ctx)
	if err != nil {
		return CasePage{}, fmt.Errorf("store: list cases: %w", err)
	}
	defer conn.Release()
	sql, args := q.page, append([]any{pgx.QueryExecModeExec}, q.pageArgs...)
	if q.prepared {
		if sql, err = s.pages.prepare(ctx, conn.Conn(), q.page); err != nil {
			return CasePage{}, fmt.Errorf("store: list cases: %w", err)
		}
		args = q.pageArgs
	}
	var rows pgx.Rows
	if q.generic {
		// A setting local to the transaction (SET LOCAL, which outside a block PostgreSQL
		// warns of) lasts until the batch's end, one implicit transaction: one round trip.
		b := &pgx.Batch{}
		b.Queue("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
		b.Queue(sql, args...)
		br := conn.SendBatch(ctx, b)
		defer br.Close() // after rows.Close
		if _, err = br.Exec(); err == nil {
			rows, err = br.Query()
		}
	} else {
		rows, err = conn.Query(ctx, sql, args...)
	}
	if err != nil {
		return CasePage{}, fmt.Errorf("store: list cases: %w", err)
	}
	defer rows.Close()
	items := q.listed()
	for rows.Next() {
		c, at := items.add()
		dest := []any{at, &snapshotInto{c: c}}
		if q.record {
			dest = append(dest, &page.Recorded)
		}
		if err := rows.Scan(dest...); err != nil {
			return CasePage{}, fmt.Errorf("store: list cases: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return CasePage{}, fmt.Errorf("store: list cases: %w", err)
	}
	page.Items, page.Next = q.cut(items)
	return page, nil
}

// counted is the estimate of a list that the planner believed small and that counting found
// larger than ExactTotalUpTo: more than a small list holds, kept in the estimate's place until
// the list is planned again (estimateTTL), so that its next reads go straight to its page
// instead of counting 501 cases first to learn it again. The planner misjudges, for one, a
// range of case numbers that falls between two bounds of its histogram of numbers whose
// letters or years differ: a search for SY-2026-00 at a million cases, planned as 1 case by
// one ANALYZE and 9,906 by another, took 8.1 ms where its page alone takes 4.9.
func (s *Store) counted(q caseListQuery, estimate int) int {
	n := max(estimate, smallListUpTo+1)
	_, key := q.estimateFrom()
	s.estimates.put(key, n, s.estimates.Now())
	return n
}

// CountCases is how many cases match f, as a page of their list gives its total (exact up
// to ExactTotalUpTo, beyond that the planner's estimate, estimated true), without reading a
// case: the counts of a to-do panel. A large list is its estimate alone, where ListCases
// also reads its first page; a small one is counted, where ListCases also takes its page's
// snapshots from the matches.
func (s *Store) CountCases(ctx context.Context, f CaseFilter) (total int, estimated bool, err error) {
	q := listQuery(f)
	estimate, err := s.estimateCases(ctx, q)
	if err != nil || estimate > smallListUpTo {
		return estimate, true, err
	}
	var n int
	if err := s.pool.QueryRow(ctx, q.count, append([]any{pgx.QueryExecModeExec}, q.args...)...).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("store: count cases: %w", err)
	}
	if n > ExactTotalUpTo {
		return s.counted(q, estimate), true, nil
	}
	return n, false, nil
}

// listed are the cases a list query answers, and the position each is listed at (the
// column the order and the cursor use), scanned in place into room for one page.
type listed struct {
	cases []domain.Case
	at    []time.Time
}

func (q caseListQuery) listed() listed {
	l := listed{cases: q.into[:0], at: make([]time.Time, 0, q.size+1)}
	if cap(l.cases) < q.size+1 {
		l.cases = make([]domain.Case, 0, q.size+1)
	}
	return l
}

// add makes room for one more case and answers where to scan it.
func (l *listed) add() (*domain.Case, *time.Time) {
	l.cases, l.at = append(l.cases, domain.Case{}), append(l.at, time.Time{})
	return &l.cases[len(l.cases)-1], &l.at[len(l.at)-1]
}

func (l *listed) drop() { l.cases, l.at = l.cases[:len(l.cases)-1], l.at[:len(l.at)-1] }

// smallList fetches the matches (at most ExactTotalUpTo+1), counts them and takes the page
// from them, in one query; complete is false when there were more (the page is then not
// known to be the newest).
func (s *Store) smallList(ctx context.Context, q caseListQuery) (CasePage, bool, error) {
	rows, err := s.listPool(q).Query(ctx, q.small, append([]any{pgx.QueryExecModeExec}, q.smallArgs...)...)
	if err != nil {
		return CasePage{}, false, fmt.Errorf("store: list cases: %w", err)
	}
	defer rows.Close()
	var n int
	var recorded []string
	items := q.listed()
	for rows.Next() {
		c, at := items.add()
		var ts pgtype.Timestamptz
		snapshot := snapshotInto{c: c}
		dest := []any{&n, &ts, &snapshot}
		if q.record {
			dest = append(dest, &recorded)
		}
		if err := rows.Scan(dest...); err != nil {
			return CasePage{}, false, fmt.Errorf("store: list cases: %w", err)
		}
		if *at = ts.Time; !snapshot.found { // an empty page: one row, no case
			items.drop()
		}
	}
	if err := rows.Err(); err != nil {
		return CasePage{}, false, fmt.Errorf("store: list cases: %w", err)
	}
	if n > ExactTotalUpTo {
		return CasePage{}, false, nil
	}
	page := CasePage{Total: n, Recorded: recorded}
	page.Items, page.Next = q.cut(items)
	return page, true, nil
}

// listPool is where a list's statement runs: one that records a read (CaseFilter.Record)
// writes, on the records' connections, whose commits do not wait for the disk.
func (s *Store) listPool(q caseListQuery) *pgxpool.Pool {
	if q.record {
		return s.records
	}
	return s.pool
}

// snapshotInto scans a case's snapshot into c, and whether there was one: an empty page of
// a small list is one row whose snapshot is NULL. Every case the store reads, listed or
// looked up, is a snapshot decoded here, with goccy/go-json: it reads a snapshot as
// encoding/json reads it (TestACaseSnapshotIsReadAsTheStandardLibraryReadsIt) in a quarter
// of the time — 11 µs → 2.7 µs a case here, where encoding/json's decoding was a third of
// the CPU an API list takes. (The bytes are pgx's buffer; the decoder copies them first.)
type snapshotInto struct {
	c     *domain.Case
	found bool
}

func (s *snapshotInto) ScanBytes(b []byte) error {
	if s.found = b != nil; !s.found {
		return nil
	}
	return gojson.Unmarshal(b, s.c)
}

// cut trims the extra row a page query fetches and makes the cursor of the next page.
func (q caseListQuery) cut(items listed) ([]domain.Case, *Cursor) {
	if len(items.cases) <= q.size {
		return items.cases, nil
	}
	last := q.size - 1
	return items.cases[:q.size], &Cursor{CreatedAt: items.at[last], ID: items.cases[last].ID}
}

// ExplainListCases answers PostgreSQL's plans of the queries behind a list of f, as run
// (EXPLAIN ANALYZE): the one a small list runs, planned for its values, then the page of a
// large list as ListCases runs it — prepared, run five times, and explained at its sixth
// run, when PostgreSQL has chosen between its generic plan and one for its values (a
// numbered page after the first: planned for its values); the line before the page's plan
// says which. The estimate decides which of the two queries serves; BENCHMARKS.md shows
// both, and which.
func (s *Store) ExplainListCases(ctx context.Context, f CaseFilter) (string, error) {
	q := listQuery(f)
	estimate, err := s.estimateCases(ctx, q)
	if err != nil {
		return "", err
	}
	out := []string{fmt.Sprintf("-- estimate: %d cases; served by the %s", estimate,
		map[bool]string{true: "small-list query (the first)", false: "large-list page (the second)"}[estimate <= smallListUpTo])}
	plans, err := s.explainList(ctx, q)
	if err != nil {
		return "", fmt.Errorf("store: explain list: %w", err)
	}
	return strings.Join(append(out, plans...), "\n"), nil
}

// explainList answers the plans of q's two queries, run in a transaction it rolls back: a
// list's record of a read runs with them, and explaining a list records nothing. A
// prepared statement outlives its transaction: the page's is deallocated after it, or its
// connection closed.
func (s *Store) explainList(ctx context.Context, q caseListQuery) ([]string, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	const name = "caseflow_explain_page"
	prepared := false
	defer func() { // after the rollback below
		if !prepared {
			return
		}
		if _, err := conn.Exec(context.WithoutCancel(ctx), "DEALLOCATE "+name); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx)) // the pool drops it
		}
	}()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx) // nothing of it is kept
	out, err := explain(ctx, tx, q.small, pgx.QueryExecModeExec, q.smallArgs...)
	if err != nil {
		return nil, err
	}
	if !q.prepared {
		plan, err := explain(ctx, tx, q.page, pgx.QueryExecModeExec, q.pageArgs...)
		return append(append(out, "-- the page planned for its values on every run (a numbered page after the first is not prepared)"), plan...), err
	}
	if _, err := tx.Exec(ctx, "PREPARE "+name+" AS "+q.page); err != nil {
		return nil, err
	}
	prepared = true
	if q.generic {
		if _, err := tx.Exec(ctx, "SET LOCAL plan_cache_mode = force_generic_plan"); err != nil {
			return nil, err
		}
	}
	execute := "EXECUTE " + name
	if len(q.pageArgs) > 0 {
		placeholders := make([]string, len(q.pageArgs))
		for i := range placeholders {
			placeholders[i] = "$" + strconv.Itoa(i+1)
		}
		execute += "(" + strings.Join(placeholders, ", ") + ")"
	}
	// EXECUTE takes no parameters of the protocol's: pgx writes the arguments in, as
	// literals, in its simple protocol.
	for range 5 {
		if _, err := tx.Exec(ctx, execute, append([]any{pgx.QueryExecModeSimpleProtocol}, q.pageArgs...)...); err != nil {
			return nil, err
		}
	}
	plan, err := explain(ctx, tx, execute, pgx.QueryExecModeSimpleProtocol, q.pageArgs...)
	if err != nil {
		return nil, err
	}
	var generic bool
	if err := tx.QueryRow(ctx, `SELECT generic_plans > 0 FROM pg_prepared_statements WHERE name = $1`, name).Scan(&generic); err != nil {
		return nil, err
	}
	note := map[bool]string{true: "-- the page by its generic plan, as it runs prepared after its first runs on a connection",
		false: "-- the page planned for its values on every run (PostgreSQL keeps no generic plan for it)"}[generic]
	if q.generic {
		note = "-- the page by its generic plan, which ListCases asks for from its first run (a search shaped like the start of a case number, a unit's cases)"
	}
	return append(append(out, note), plan...), nil
}

// explain answers the lines of EXPLAIN ANALYZE of sql, run in mode.
func explain(ctx context.Context, tx pgx.Tx, sql string, mode pgx.QueryExecMode, args ...any) ([]string, error) {
	rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, COSTS OFF) "+sql, append([]any{mode}, args...)...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// caseListQuery is the SQL of a list: the condition and its arguments (for the estimate),
// the query of a page of a large list, and the query of a small one. Pages have one more
// row than asked, to know whether another page follows.
type caseListQuery struct {
	cond         string
	from         string // the table expression: cases, or a unit's case_units joined to cases
	keyAt, keyID string // the columns of the list's order (and of its cursor)
	estimateCond string // cond without what the planner cannot estimate
	estimateArgs []any
	args         []any
	page, small  string
	count        string // the count of a small list (CountCases), with args
	pageArgs     []any
	smallArgs    []any
	size         int
	into         []domain.Case // CaseFilter.Into
	record       bool          // page and small record a read and answer it (CaseFilter.Record)
	prepared     bool          // page runs prepared (ListCases): it has no OFFSET
	generic      bool          // page runs prepared by its generic plan, whatever PostgreSQL's guess (listQuery)
}

func listQuery(f CaseFilter) caseListQuery {
	q := caseListQuery{size: f.PageSize, into: f.Into}
	// A unit's lists walk its own cases newest first (case_units), the others every case.
	q.from, q.keyAt, q.keyID = "cases", "created_at", "id"
	if f.VisibleToUnit != "" {
		q.from, q.keyAt, q.keyID = "case_units cu JOIN cases ON cases.id = cu.case_id", "cu.at", "cu.case_id"
	} else if f.FollowedBy != "" { // a leader's, theirs (case_leaders)
		q.from, q.keyAt, q.keyID = "case_leaders cl JOIN cases ON cases.id = cl.case_id", "cl.at", "cl.case_id"
	}
	w, estimate, sp := listConds(f)
	// The page of a large list walks its cases newest first — every case, a unit's own
	// (case_units) or a leader's (case_leaders) — through the index its ordered conditions
	// give. With a condition no ordered index answers (a search's LIKE, the member
	// department's unit filter), it stops its walk after nearWindow rows and finds the
	// older matches by their own indexes (sparsePage).
	loose := len(sp.filter) > 0
	if q.size <= 0 {
		q.size = 20
	}
	q.cond, q.args = w.sql(), slices.Clone(w.args)
	q.estimateCond, q.estimateArgs = estimate.sql(), estimate.args
	offset := 0
	if f.Page > 1 {
		offset = (f.Page - 1) * q.size
	}
	// cursor answers the cursor's condition on keys, if any ("" if not), with its
	// arguments numbered after those in a.
	cursor := func(a *[]any, keys [2]string) string {
		if f.After == nil {
			return ""
		}
		*a = append(*a, f.After.CreatedAt, f.After.ID)
		return fmt.Sprintf("(%s, %s) < ($%d, $%d)", keys[0], keys[1], len(*a)-1, len(*a))
	}
	if f.After != nil {
		offset = 0
	}
	q.prepared = offset == 0
	// A search shaped like the start of a case number has a page whose plan its structure
	// fixes (sparsePage: the walk, the numbers' range, the text's grams), whatever the
	// search; PostgreSQL would plan it anew at each run (1.2–2.6 ms, half the page's time
	// at 100,000 cases), its generic plan costed far above the others for a guess of how
	// many cases hold the search's grams (500 where there are none), and runs it no faster.
	// So has the member department's list of a unit's cases, of one status or of all
	// (unitPage), whose custom plan took 0.9 ms to make for a page that runs in 0.26.
	ordered := slices.DeleteFunc(slices.Clone(w.where), sp.loose) // the conditions an index walks
	byUnit := q.from == "cases" && sp.unit != "" && slices.Equal(sp.filter, []string{sp.unit}) && sp.finder == "" &&
		(len(ordered) == 0 || len(ordered) == 1 && f.Status != "")
	q.generic = q.prepared && (sp.numbers != "" || byUnit)
	// The page of a large list: an index yields the cases newest first. Its LIMIT and
	// OFFSET are written into the statement, so that PostgreSQL, which plans a LIMIT it is
	// not told as one that reads a tenth of the rows, costs the statement's generic plan as
	// the page it is, and runs it prepared without planning it again (ListCases).
	q.pageArgs = slices.Clone(w.args)
	walked := conds{where: slices.Clone(ordered)}
	after := [2]int{} // the cursor's arguments in pageArgs, if any
	if c := cursor(&q.pageArgs, [2]string{q.keyAt, q.keyID}); c != "" {
		walked.where = append(walked.where, c)
		after = [2]int{len(q.pageArgs) - 1, len(q.pageArgs)}
	}
	// ids is the page's cases (id, created_at and the column rec, when not ""), newest first.
	ids := func(rec string) string {
		switch {
		case !loose:
			return fmt.Sprintf(`SELECT id, created_at%s FROM %s %s ORDER BY %s DESC, %s DESC LIMIT %d OFFSET %d`,
				rec, q.from, walked.sql(), q.keyAt, q.keyID, q.size+1, offset)
		case byUnit:
			return unitPage(q, ordered, f, sp.unit, rec, offset, after, &q.pageArgs)
		}
		return sparsePage(q, walked, sp, rec, offset, &q.pageArgs)
	}
	// A small list: its matches once, their count, and the page taken from them (one row
	// with a NULL snapshot when the page is empty).
	q.smallArgs = slices.Clone(w.args)
	within := ""
	if c := cursor(&q.smallArgs, [2]string{"created_at", "id"}); c != "" {
		within = "WHERE " + c
	}
	q.smallArgs = append(q.smallArgs, q.size+1, offset)
	if f.Record == nil {
		q.page = fmt.Sprintf(`SELECT p.created_at, s.snapshot FROM (%s) AS p JOIN case_snapshots AS s USING (id)
			ORDER BY p.created_at DESC, p.id DESC`, ids(""))
		q.small = fmt.Sprintf(`WITH m AS MATERIALIZED (SELECT id, created_at FROM `+q.from+` %s LIMIT %d)
			SELECT (SELECT count(*) FROM m), p.created_at, s.snapshot
			FROM (SELECT 1) AS one LEFT JOIN (
				(SELECT id, created_at FROM m %s ORDER BY created_at DESC, id DESC LIMIT $%d OFFSET $%d) AS p
				JOIN case_snapshots AS s USING (id)) ON true
			ORDER BY p.created_at DESC, p.id DESC`, q.cond, ExactTotalUpTo+1, within, len(q.smallArgs)-1, len(q.smallArgs))
	} else {
		// The same pages, kept (p) with whether the reader's read of each case is recorded
		// (rec: it holds anything sensitive — and, for an office, the office leads it, as
		// service.needsSensitive gives an office), and the read of the shown cases (the
		// first size, as cut keeps) recorded in the same statement: one round trip where a
		// list took two. A small list records only when it is complete (smallList answers
		// it only then; otherwise the large list's page does).
		q.record = true
		rec := func(args *[]any) string {
			*args = append(*args, f.Record.Username, f.Record.Office)
			return fmt.Sprintf(`(sensitive OR amount_cny IS NOT NULL) AND ($%[1]d::text = '' OR (office <> '' AND office = $%[1]d::text)) AS rec`, len(*args))
		}
		pageRec := rec(&q.pageArgs)
		username := len(q.pageArgs) - 1 // before ids, which may add arguments of its own
		q.page = fmt.Sprintf(`WITH p AS MATERIALIZED (SELECT p.id, p.created_at, p.rec, s.snapshot FROM (%s) AS p
				JOIN case_snapshots AS s USING (id)),
			r AS (%s)
			SELECT p.created_at, p.snapshot, (SELECT case_ids FROM r) FROM p ORDER BY p.created_at DESC, p.id DESC`,
			ids(", "+pageRec), recordShown(q.size, username, ""))
		smallRec := rec(&q.smallArgs)
		q.small = fmt.Sprintf(`WITH m AS MATERIALIZED (SELECT id, created_at, %s FROM %s %s LIMIT %d),
			p AS MATERIALIZED (SELECT p.id, p.created_at, p.rec, s.snapshot FROM (
				SELECT id, created_at, rec FROM m %s ORDER BY created_at DESC, id DESC LIMIT $%d OFFSET $%d) AS p
				JOIN case_snapshots AS s USING (id)),
			r AS (%s)
			SELECT (SELECT count(*) FROM m), p.created_at, p.snapshot, (SELECT case_ids FROM r)
			FROM (SELECT 1) AS one LEFT JOIN p ON true ORDER BY p.created_at DESC, p.id DESC`,
			smallRec, q.from, q.cond, ExactTotalUpTo+1, within, len(q.smallArgs)-3, len(q.smallArgs)-2,
			recordShown(q.size, len(q.smallArgs)-1, fmt.Sprintf("(SELECT count(*) FROM m) <= %d", ExactTotalUpTo)))
	}
	q.count = fmt.Sprintf(`SELECT count(*) FROM (SELECT 1 FROM %s %s LIMIT %d) AS m`, q.from, q.cond, ExactTotalUpTo+1)
	return q
}

// nearWindow is how many of a list's newest cases (by its ordered conditions) a large
// list's page checks row by row for the conditions no ordered index answers (sparse.filter)
// before it asks their index for the older matches instead: 2,000 rows are 1–2 ms of
// PostgreSQL, and a page whose matches are one case in a hundred fills within them.
var nearWindow = 2000

// headedNearWindow is nearWindow for a search whose numbers are read by their heads
// (headedNumbers): its older numbers cost a few index entries wherever they are, so the walk
// only spares that when the newest cases match, and needs few rows to show it. SY-2026-00 at
// 100,000 cases, whose matches are all old, in half the time: p50 1.5 → 0.75 ms in one run,
// 2.6 → 1.25–1.33 in a slower one (docs/performance.md, "A case number's head").
const headedNearWindow = 200

// sparsePage is the page of a large list with conditions no ordered index answers — the
// member department's unit filter (the units' array), what a case waits for, a search's
// LIKE — as ids answers it in listQuery. Walking the list's cases newest first and checking
// each fills a page within a few hundred rows when the matches are spread over time, but
// passes every newer case when they are old (the year's first case numbers, a word of a
// policy long past, a unit that has had no case for months): a search for SY-2026-00…
// walked 90,000 rows at 100,000 cases (217 ms) and 990,000 at a million (1.0 s); a unit's
// own search walked its 67,000 cases at a million (0.44–0.78 s). So the walk stops after
// nearWindow rows past the page's offset (near); if they held fewer matches than the page
// needs, the older matches are found by their own indexes (the grams index, the units'
// GIN index) and sorted — as many as match, never every newer case: 32 ms and 40–60 ms
// for the search, 60–67 ms for the unit's (whose 5,600 cases at 100,000 were walked in
// 17 ms, where this takes 41–67: the walk grows with the years, this with the matches).
// The sort is by an expression, which no index yields, so that the planner cannot choose
// to walk the older cases instead on its guess that the matches are spread evenly.
func sparsePage(q caseListQuery, walked conds, sp sparse, rec string, offset int, args *[]any) string {
	n, window := q.size+1+offset, nearWindow+offset
	headed := sp.heads != nil && q.from == "cases"
	if headed {
		window = min(nearWindow, headedNearWindow) + offset
	}
	recCol := ""
	if rec != "" {
		recCol = ", rec"
	}
	// The older matches: those after the window's last case (bound), only when near fell
	// short. Most of the list is after it, so no index is asked for them (the expression):
	// a bitmap of 98,000 rows at 100,000 cases, to be and-ed with the 10,000 matches, took
	// 3.5 ms.
	bound := fmt.Sprintf("(SELECT %[1]s, %[2]s FROM %[3]s %[4]s ORDER BY %[1]s DESC, %[2]s DESC OFFSET %[5]d LIMIT 1)",
		q.keyAt, q.keyID, q.from, walked.sql(), window-1)
	nearShort := fmt.Sprintf("(SELECT count(*) FROM near) < %d", n)
	older := []string{nearShort, fmt.Sprintf("(%s + interval '0 s', %s) < %s", q.keyAt, q.keyID, bound)}
	// far answers the n newest of the list's cases that meet conds and are older than the
	// window, and the column rec when it is not "".
	far := func(rec string, conds ...string) string {
		conds = slices.DeleteFunc(slices.Concat(walked.where, conds, older), func(c string) bool { return c == "" })
		return fmt.Sprintf(`(SELECT %[1]s, %[2]s%[3]s FROM %[4]s WHERE %[5]s ORDER BY %[2]s + interval '0 s' DESC, %[1]s DESC LIMIT %[6]d)`,
			q.keyID, q.keyAt, rec, q.from, strings.Join(conds, " AND "), n)
	}
	farther := far(rec, append(slices.Clone(sp.filter), sp.finder)...)
	if sp.numbers != "" {
		// A search shaped like the start of a case number: the numbers in its range hold it,
		// and their creation times are in the range's index (migration 00030), so their
		// newest are taken from the index alone, and only the page's cases are read for rec
		// (the 9,999 numbers of SY-2026-00 at 100,000 cases: 1.8 ms of index, 3.4 ms when
		// each case's row was read); the other matches (in the text, numbers of another
		// shape) are found as before.
		rest := slices.DeleteFunc(slices.Clone(sp.filter), func(c string) bool { return c == sp.search })
		numbers, elsewhere := far("", append(rest, sp.numbers)...), "NOT ("+sp.numbers+")"
		if headed {
			numbers, elsewhere = headedNumbers(walked, rest, nearShort, bound, n, sp, args), "NOT ("+sp.numbers+" AND "+shapedNumber+")"
		}
		if rec != "" {
			numbers = fmt.Sprintf(`(SELECT r.id, r.at%s FROM %s AS r (id, at) JOIN cases ON cases.id = r.id)`, rec, numbers)
		}
		farther = numbers + " UNION ALL " + far(rec, append(slices.Clone(sp.filter), sp.others, elsewhere)...)
	}
	return fmt.Sprintf(`WITH near AS MATERIALIZED (SELECT id, created_at%[1]s FROM (
			SELECT %[3]s AS id, %[4]s AS created_at%[2]s, %[5]s AS hit FROM %[6]s %[7]s
			ORDER BY %[4]s DESC, %[3]s DESC LIMIT %[8]d) AS walk
		WHERE hit ORDER BY created_at DESC, id DESC LIMIT %[9]d)
		SELECT id, created_at%[1]s FROM near
		UNION ALL
		%[10]s
		ORDER BY created_at DESC, id DESC LIMIT %[11]d OFFSET %[12]d`,
		recCol, rec, q.keyID, q.keyAt, strings.Join(sp.filter, " AND "), q.from, walked.sql(), window, n,
		farther, q.size+1, offset)
}

// unitPage is the page of the member department's list of a unit's cases (f.Unit: those it
// leads or co-handles, cond), of one status (own) or of all, after the cursor whose arguments
// are after (if any), as ids answers it in listQuery.
// A case referred to the unit is in the unit's own index (case_units, which follows
// referred_units, by status in case_units_status_idx): the unit's cases are walked newest
// first, as the unit's own list walks them, and each is checked to be the unit's still (a
// case referred again elsewhere is not) — in a subquery the planner cannot pull up (its
// LIMIT), so that it runs for the walk's rows alone: a join left to the generic plan read
// every closed case to hash it (37 ms at 100,000 cases). A case proposed to the unit at
// triage and not referred to it yet is in cases_unreferred_units_idx (migration 00032),
// which holds only the cases that name a unit not referred to — those waiting for their
// referral — so its few for the unit are found in any order and sorted; the status and the
// cursor are checked on those few (OFFSET 0 keeps them out of the index scan: the generic
// plan and-ed the 13,000 cases in handling's bitmap with them, 0.5 ms). Every case whose
// units hold the unit is in exactly one of the two. Checking the newest cases row by row for
// the unit (sparsePage) walked a thousand of them for a page of a unit with one case in
// twenty, and for a unit whose cases are old read every case it ever had: 668 at 100,000
// cases, p50 1.6–2.7 ms a page.
func unitPage(q caseListQuery, own []string, f CaseFilter, cond, rec string, offset int, after [2]int, args *[]any) string {
	n := q.size + 1 + offset
	*args = append(*args, f.Unit)
	unit := len(*args)
	walk, checked := conds{where: []string{fmt.Sprintf("cu.unit = $%d", unit)}, args: *args}, conds{where: own}
	if f.Status != "" {
		walk.word("cu.case_status = ?", f.Status, domain.StatusLabels)
	}
	if after[0] > 0 {
		walk.where = append(walk.where, fmt.Sprintf("(cu.at, cu.case_id) < ($%d, $%d)", after[0], after[1]))
		checked.where = append(slices.Clone(own), fmt.Sprintf("(created_at, id) < ($%d, $%d)", after[0], after[1]))
	}
	*args = walk.args
	still := slices.Concat([]string{"cases.id = cu.case_id", "(ARRAY[lead_unit] || co_units) @> ARRAY[cu.unit]"}, own)
	proposed := []string{cond, fmt.Sprintf("NOT (referred_units @> ARRAY[$%d::text])", unit), unreferredUnits}
	recCol := ""
	if rec != "" {
		recCol = ", rec"
	}
	return fmt.Sprintf(`SELECT id, created_at%[1]s FROM (
			(SELECT cu.case_id AS id, cu.at AS created_at%[1]s FROM case_units AS cu
				CROSS JOIN LATERAL (SELECT true AS still%[2]s FROM cases WHERE %[3]s LIMIT 1) AS c
				%[4]s ORDER BY cu.at DESC, cu.case_id DESC LIMIT %[5]d)
			UNION ALL
			(SELECT id, created_at%[2]s FROM (SELECT * FROM cases WHERE %[6]s OFFSET 0) AS cases %[7]s
				ORDER BY created_at + interval '0 s' DESC, id DESC LIMIT %[5]d)) AS u
		ORDER BY created_at DESC, id DESC LIMIT %[8]d OFFSET %[9]d`,
		recCol, rec, strings.Join(still, " AND "), walk.sql(), n, strings.Join(proposed, " AND "), checked.sql(), q.size+1, offset)
}

// unreferredUnits holds for a case that names a unit (lead or co-handling) it has not been
// referred to: the predicate of cases_unreferred_units_idx (migration 00032), written as
// there, so that the planner sees that the index holds what a statement asks for.
const unreferredUnits = `NOT ((ARRAY[lead_unit] || co_units) <@ (referred_units || ''::text))`

// headedNumbers answers the n newest numbers of caseNumberShape in a search's range (the
// start of a case number two characters or fewer short of its head: caseNumberHeads) among
// every case that meets walked's and rest's conditions and is older than bound, when near
// is short: each head's newest from the heads index (migration 00031), which holds them in
// the order of their creation, and the numbers shorter than a head by their own. A range
// read whole and sorted reads every number in it — SY-2026-00 at 100,000 cases: 9,999
// numbers, 3.3 ms; by its head, 21 of them, 0.09 ms. Numbers of another shape in the range
// are left to the search's other candidates (sparsePage). The heads and the short numbers
// are arguments added to args, so that one statement serves every such search.
func headedNumbers(walked conds, rest []string, nearShort, bound string, n int, sp sparse, args *[]any) string {
	// A head holds numbers of another shape too (shapedNumber).
	conds := slices.DeleteFunc(slices.Concat(walked.where, rest, []string{shapedNumber, nearShort, "(created_at, id) < " + bound}),
		func(c string) bool { return c == "" })
	*args = append(*args, sp.heads, sp.short)
	return fmt.Sprintf(`(SELECT id, created_at FROM (
			SELECT h.id, h.created_at FROM unnest($%[1]d::text[]) AS heads (head) CROSS JOIN LATERAL (
				SELECT id, created_at FROM cases WHERE left(id, %[3]d) = heads.head AND %[4]s
				ORDER BY created_at DESC, id DESC LIMIT %[5]d) AS h
			UNION ALL
			SELECT id, created_at FROM cases WHERE id = ANY ($%[2]d::text[]) AND %[4]s) AS numbers
		ORDER BY created_at DESC, id DESC LIMIT %[5]d)`,
		len(*args)-1, len(*args), caseNumberHeadLen, strings.Join(conds, " AND "), n)
}

// recordShown is the INSERT that records, for the username argument ($username), a read of
// the sensitive fields of those of the first size cases of p (in the page's order) whose
// read is recorded (p.rec), if when holds; it returns the cases it recorded.
func recordShown(size, username int, when string) string {
	if when != "" {
		when = " AND " + when
	}
	return fmt.Sprintf(`INSERT INTO sensitive_reads (case_ids, username)
		SELECT ids, $%[2]d::text FROM (SELECT array_agg(id ORDER BY created_at DESC, id DESC) FILTER (WHERE rec) AS ids
			FROM (SELECT id, created_at, rec FROM p ORDER BY created_at DESC, id DESC LIMIT %[1]d) AS shown) AS x
		WHERE cardinality(ids) > 0%[3]s
		RETURNING case_ids`, size, username, when)
}

// listConds are the conditions of a list of f, those its estimate counts, and the same
// parted by what answers them (sparse). A text search is its grams condition (the grams
// index finds the candidates) and LIKE (which decides).
func listConds(f CaseFilter) (w, estimate conds, sp sparse) {
	arg, add := w.arg, w.add
	// loose marks the condition just added as one no ordered index answers (sparse).
	loose := func() { sp.filter = append(sp.filter, w.where[len(w.where)-1]) }
	// A unit's or a leader's cases in one status are the first entries of an index of
	// their own (case_units.case_status and case_leaders.case_status, migrations 00026 and
	// 00027); the due-date filter below keeps the cases' own status, whose index of cases
	// in handling holds their due dates.
	status := "status = ?"
	switch {
	case f.VisibleToUnit != "":
		status = "cu.case_status = ?"
	case f.FollowedBy != "":
		status = "cl.case_status = ?"
	}
	// A status, a category, an office and a card are words written into the statement
	// (conds.word): the page of a large list runs prepared, by its generic
	// plan (ListCases), which must know them — a card's or a status's share of the cases
	// decides its plan, and a partial index (cases in handling, overdue cases) serves only
	// a statement that names what it holds.
	for _, c := range []struct {
		cond, v    string
		vocabulary map[string]string
		loose      bool // the units' array: a GIN index finds it, in no order
	}{
		{status, f.Status, domain.StatusLabels, false}, {"category = ?", f.Category, domain.Categories, false},
		{"(ARRAY[lead_unit] || co_units) @> ARRAY[?::text]", f.Unit, nil, true}, {"cu.unit = ?", f.VisibleToUnit, nil, false},
		{"cl.leader = ?", f.FollowedBy, nil, false},
		{"office = ?", f.Office, domain.Offices, false}, {"enterprise_id = ?", f.EnterpriseID, nil, false},
		{"created_by = ?", f.CreatedBy, nil, false}, {"card = ?", f.Card, domain.CardLabels, false},
	} {
		if c.v != "" {
			w.word(c.cond, c.v, c.vocabulary)
			if c.loose {
				loose()
				sp.unit = w.where[len(w.where)-1]
			}
		}
	}
	if f.Overdue {
		w.where = append(w.where, "overdue")
	}
	if f.Pending != "" {
		add("pending @> ARRAY[?::text]", f.Pending)
		loose()
	}
	if f.DueBy != "" {
		w.word("status = ?", domain.StatusHandling, domain.StatusLabels)
		add("due_date <= ?::date", f.DueBy)
	}
	if f.Query == "" {
		return w, w, sp
	}
	// The candidates: the cases whose text, or whose number, holds every gram of the query
	// (migration 00029); for the start of a case number, the numbers in its range instead.
	lo, hi, prefix := caseNumberPrefix(f.Query)
	if prefix {
		sp.numbers = fmt.Sprintf("id ~>=~ %s AND id ~<~ %s", arg(lo), arg(hi))
		sp.heads, sp.short = caseNumberHeads(lo)
	}
	grams := "case_query_grams(" + arg(f.Query) + ")"
	text, number, inRange := "case_grams(title || ' ' || description) @> "+grams, "case_grams(id) @> "+grams, ""
	if prefix {
		number = fmt.Sprintf("id !~ '%s' AND %s", caseNumberShape, number)
		// A number in the range holds the query: comparing it spares lower-casing it for
		// ILIKE (1.5 of the 2.2 ms that ILIKE took on 10,000 such cases).
		inRange = sp.numbers + " OR "
	}
	sp.finder = "(" + text + " OR " + inRange + number + ")"
	w.where = append(w.where, sp.finder)
	if prefix {
		sp.others = "(" + text + " OR " + number + ")"
	}
	// The planner would guess the selectivity of LIKE (it cannot know it), so the estimate
	// leaves it out: the grams condition alone is close to the truth.
	estimate = conds{where: slices.Clone(w.where), args: slices.Clone(w.args)}
	escape := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace
	pattern := arg("%" + escape(f.Query) + "%")
	// ILIKE folds ASCII letters only (the C locale); without any in the query, LIKE
	// finds the same and spares lower-casing every candidate (Chinese, digits).
	holds := func(col string) string { return col + " LIKE " + pattern }
	if strings.IndexFunc(f.Query, func(r rune) bool { return r < utf8.RuneSelf && unicode.IsLetter(r) }) >= 0 {
		holds = func(col string) string { return col + " ILIKE " + pattern }
		// ILIKE lower-cases each text it reads; the part of the query that lower-casing
		// neither changes nor makes is in every text ILIKE finds, as it is, and LIKE looks
		// for it without lower-casing anything: most texts are answered by it alone (the
		// walk of a search for SY-2026-00 over the newest 2,000 cases: 2.7 → 1.2 ms).
		if run := caselessRun(f.Query); run != "" {
			r := arg("%" + escape(run) + "%")
			holds = func(col string) string {
				return fmt.Sprintf("(%[1]s LIKE %[2]s AND %[1]s ILIKE %[3]s)", col, r, pattern)
			}
		}
	}
	switch {
	case f.SearchSensitive:
		w.where = append(w.where, fmt.Sprintf("(%s OR %s OR %s)", inRange+holds("id"), holds("title"), holds("description")))
	default:
		w.where = append(w.where, fmt.Sprintf(`(%s OR %s OR
			(%s AND (NOT sensitive OR (office <> '' AND office = %s))))`,
			inRange+holds("id"), holds("title"), holds("description"), arg(f.SearchSensitiveOffice)))
	}
	loose()
	if sp.numbers != "" {
		sp.search = w.where[len(w.where)-1]
	}
	return w, estimate, sp
}

// caselessRun is the longest run of q's characters that no lower-casing changes or yields
// in any locale — ASCII characters other than letters, and Han characters — when it is at
// least two bytes long ("" if none is): "-2026-00" of SY-2026-00, "基站" of 5G基站. A text
// that holds q, whatever the case of its letters, holds the run as it is.
func caselessRun(q string) string {
	best, start := "", -1
	for i, r := range q + "A" { // a letter at the end closes the last run
		caseless := r < utf8.RuneSelf && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') || unicode.Is(unicode.Han, r)
		switch {
		case caseless && start < 0:
			start = i
		case !caseless && start >= 0:
			if i-start > len(best) {
				best = q[start:i]
			}
			start = -1
		}
	}
	if len(best) < 2 {
		return ""
	}
	return best
}

// caseNumberShape is the shape of every case number caseflow writes (PT-2026-000001): two
// capital letters, a dash, then digits and dashes. The odd numbers' grams index (migration
// 00029) holds the cases whose number has another.
const caseNumberShape = `^[A-Z]{2}-[0-9-]*$`

// shapedNumber is the condition that a case's number has caseNumberShape.
const shapedNumber = "id ~ '" + caseNumberShape + "'"

// caseNumberPrefix reports whether a search for q is shaped like the start of a case number
// (two letters, a dash, then letters, digits and dashes: pt-2026-00, PT-2026-000123) and
// answers the range of the numbers that start with it, [lo, hi) byte by byte. A number of
// caseNumberShape holds such a q only from its start, its only letters, whatever their case
// (ILIKE), being its first two.
func caseNumberPrefix(q string) (lo, hi string, ok bool) {
	for i := 0; i < len(q); i++ {
		c := q[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if i < 2 && !letter || i == 2 && c != '-' || i > 2 && !letter && c != '-' && !('0' <= c && c <= '9') {
			return "", "", false
		}
	}
	if len(q) < 3 {
		return "", "", false
	}
	lo = strings.ToUpper(q)
	return lo, lo[:len(lo)-1] + string(lo[len(lo)-1]+1), true
}

// caseNumberHeadLen is how many of a case number's characters its heads index holds
// (migration 00031): PT-2026-00, the year's first ten thousand numbers.
const caseNumberHeadLen = 10

// caseNumberHeads answers, for lo, the start of a case number of caseNumberShape
// (caseNumberPrefix) with two characters or fewer to its head (PT-2026-, PT-2026-0,
// PT-2026-00), every head a number of that shape that starts with lo can have — 121, 11 or
// lo itself — and every such number shorter than a head (short); nil for any other lo.
// Together they are every number of caseNumberShape in lo's range, each found by its head
// newest first (sparsePage).
func caseNumberHeads(lo string) (heads, short []string) {
	if len(lo) < caseNumberHeadLen-2 || len(lo) > caseNumberHeadLen || !caseNumberShapeRE.MatchString(lo) {
		return nil, nil
	}
	heads = []string{lo}
	for len(heads[0]) < caseNumberHeadLen {
		short = append(short, heads...)
		longer := make([]string, 0, len(heads)*11)
		for _, h := range heads {
			for _, c := range "-0123456789" {
				longer = append(longer, h+string(c))
			}
		}
		heads = longer
	}
	return heads, short
}

var caseNumberShapeRE = regexp.MustCompile(caseNumberShape)

// sparse are those of a list's conditions no index walked newest first answers: filter,
// each checked on the rows the walk reads (the units' array, what a case waits for, a
// search's LIKE), and finder, a search's grams condition, which finds its candidates by the
// grams index. The others (a status, an office, a unit's or a leader's own cases…) are
// ordered: an index walks them newest first.
type sparse struct {
	filter []string
	finder string
	// For a search shaped like the start of a case number (caseNumberPrefix): numbers, the
	// range of the numbers it matches; others, what finds its other candidates (text, numbers
	// of another shape); search, its LIKE (in filter). The finder is the two together.
	numbers, others, search string
	// heads and short: the numbers of caseNumberShape in the range, by their heads and in
	// full (caseNumberHeads); nil when the range is not read by its heads.
	heads, short []string
	// unit: the member department's unit filter, when it is one of filter.
	unit string
}

// loose reports whether cond is checked row by row rather than walked (filter or finder).
func (sp sparse) loose(cond string) bool {
	return cond == sp.finder || slices.Contains(sp.filter, cond)
}

// estimateFrom is what q's estimate plans ("cases WHERE …"), and its key in the store's
// estimates.
func (q caseListQuery) estimateFrom() (fromWhere, key string) {
	fromWhere = q.from + " " + q.estimateCond
	return fromWhere, estimateKey(fromWhere, q.estimateArgs)
}

// estimateCases answers the planner's estimate of how many cases q's list holds (planning
// costs a fraction of a millisecond; counting 100,000 rows does not), as planned within the
// last estimateTTL if it was, or as counted then (counted).
func (s *Store) estimateCases(ctx context.Context, q caseListQuery) (int, error) {
	fromWhere, key := q.estimateFrom()
	if rows, ok := s.estimates.Get(key); ok {
		return rows, nil
	}
	at := s.estimates.Now()
	var plan []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	err := s.pool.QueryRow(ctx, "EXPLAIN (FORMAT JSON) SELECT 1 FROM "+fromWhere,
		append([]any{pgx.QueryExecModeExec}, q.estimateArgs...)...).Scan(&plan)
	if err != nil || len(plan) != 1 {
		return 0, fmt.Errorf("store: list cases: estimate: %w", err)
	}
	rows := int(plan[0].Plan.Rows)
	s.estimates.put(key, rows, at)
	return rows, nil
}

// AllocateCaseID hands out the next case number of the year (PT-2026-000001). With an
// idempotency key, a repeated request by the same user gets the id the first one got;
// the same key with a different request is a conflict.
func (s *Store) AllocateCaseID(ctx context.Context, year int, username, key string, request []byte) (id string, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if key != "" {
			var prevReq []byte
			err := tx.QueryRow(ctx, `SELECT case_id, request FROM idempotency_keys WHERE username = $1 AND key = $2`,
				username, key).Scan(&id, &prevReq)
			if err == nil {
				if !jsonEqual(prevReq, request) {
					return storeError(EntityIdempotencyKey, key, ErrConflict, "used for another request")
				}
				return nil
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		var n int
		if err := tx.QueryRow(ctx, `
			INSERT INTO case_counters (year, last) VALUES ($1, 1)
			ON CONFLICT (year) DO UPDATE SET last = case_counters.last + 1
			RETURNING last`, year).Scan(&n); err != nil {
			return err
		}
		id = fmt.Sprintf("PT-%d-%06d", year, n)
		if key != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (username, key, case_id, request) VALUES ($1,$2,$3,$4)`,
				username, key, id, request); err != nil {
				var pgErr *pgconn.PgError
				if errors.As(err, &pgErr) && pgErr.Code == "23505" {
					return storeError(EntityIdempotencyKey, key, ErrConflict, "in use by a request still running")
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store: allocate case id: %w", err)
	}
	return id, nil
}

func jsonEqual(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return string(ja) == string(jb)
}

// RecordSensitiveReads notes that username saw the sensitive fields of these cases.
func (s *Store) RecordSensitiveReads(ctx context.Context, username string, caseIDs ...string) error {
	return s.RecordReads(ctx, username, Reads{Cases: caseIDs})
}

// Reads are what one answer showed that is recorded (docs/security.md): the cases whose
// sensitive fields it showed and the enterprises whose contacts, each once.
type Reads struct {
	Cases, Enterprises []string
}

// Case adds a read of the case's sensitive fields, once however many parts of an answer
// show them (the case, its timeline, the contact it is read with).
func (r *Reads) Case(id string) {
	if !slices.Contains(r.Cases, id) {
		r.Cases = append(r.Cases, id)
	}
}

// Enterprise adds a read of the enterprise's contacts, once.
func (r *Reads) Enterprise(id string) {
	if !slices.Contains(r.Enterprises, id) {
		r.Enterprises = append(r.Enterprises, id)
	}
}

// RecordReads records what username read, in one statement; nothing to record costs
// nothing. One answer is one row of sensitive_reads, with the cases whose sensitive fields
// it showed, which a GIN index finds by case (migration 00028): a list's page of 20 cases
// wrote 20 rows and 40 index entries before, 0.33–0.41 ms a record alone here, 0.22 ms
// now. A read's record is written without waiting for the WAL to reach the disk (the
// records pool's synchronous_commit is off): a read must not wait on an fsync — those waits
// were the reads' worst latencies at 100,000 cases. It is still written ahead and never
// half-written; what PostgreSQL itself could lose in a crash of its machine is the last
// fraction of a second of read records, never a case or an event. A prepared statement on
// connections of their own: a list's record of twenty cases took 0.8 ms at p50 with the
// connections idle between reads as an office's are (SET LOCAL and the INSERT parsed and
// planned every time), 0.6 ms then; a unit's read of a case with its enterprise's contact
// 2.1–2.2 ms before (the contact's record waited for the disk, and the case's sensitive
// read was recorded twice), 1.4–1.5 ms then.
func (s *Store) RecordReads(ctx context.Context, username string, r Reads) error {
	var err error
	switch {
	case len(r.Enterprises) == 0 && len(r.Cases) == 0:
		return nil
	case len(r.Enterprises) == 0:
		_, err = s.records.Exec(ctx, `INSERT INTO sensitive_reads (case_ids, username) VALUES ($1, $2)`,
			r.Cases, username)
	default:
		_, err = s.records.Exec(ctx, `
			WITH c AS (INSERT INTO sensitive_reads (case_ids, username)
				SELECT $1::text[], $3 WHERE cardinality($1::text[]) > 0)
			INSERT INTO enterprise_contact_reads (enterprise_id, username) SELECT unnest($2::text[]), $3`,
			r.Cases, r.Enterprises, username)
	}
	if err != nil {
		return fmt.Errorf("store: record reads: %w", err)
	}
	return nil
}

// SensitiveRead is one read of a case's sensitive fields.
type SensitiveRead struct {
	Username string    `json:"username" db:"username"`
	At       time.Time `json:"at" db:"at"`
}

// SensitiveReads lists who read a case's sensitive fields, and when.
func (s *Store) SensitiveReads(ctx context.Context, caseID string) ([]SensitiveRead, error) {
	return queryAll[SensitiveRead](ctx, s, "sensitive reads",
		`SELECT username, at FROM sensitive_reads WHERE case_ids @> ARRAY[$1::text] ORDER BY at, username`, caseID)
}

// CasesByID answers the cases of those ids that exist, by id.
func (s *Store) CasesByID(ctx context.Context, ids []string) (map[string]domain.Case, error) {
	rows, _ := s.pool.Query(ctx, `SELECT snapshot FROM case_snapshots WHERE id = ANY($1)`, ids)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Case, error) {
		var c domain.Case
		return c, row.Scan(&snapshotInto{c: &c})
	})
	if err != nil {
		return nil, fmt.Errorf("store: cases by id: %w", err)
	}
	out := make(map[string]domain.Case, len(list))
	for _, c := range list {
		out[c.ID] = c
	}
	return out, nil
}
