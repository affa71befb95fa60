package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/putian-fic/caseflow/activities/audit"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Verification is the outcome of checking one case's timeline: every event's hash
// recomputed from its content and chained to the one before, seqs 1…n without a gap, and n
// the case's own last_seq.
type Verification struct {
	CaseID      string `json:"case_id"`
	OK          bool   `json:"ok"`
	Events      int    `json:"events"`
	FirstBadSeq int    `json:"first_bad_seq,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// chainEvent is an event as stored, with the hash it says came before.
type chainEvent struct {
	domain.Event
	PrevHash string
}

// checkChain checks one case's stored events (in seq order) against its last_seq.
func checkChain(caseID string, lastSeq int, events []chainEvent) Verification {
	v := Verification{CaseID: caseID, OK: true, Events: len(events)}
	bad := func(seq int, reason string) Verification {
		v.OK, v.FirstBadSeq, v.Reason = false, seq, reason
		return v
	}
	prev := ""
	for i, ev := range events {
		want := i + 1
		switch {
		case ev.Seq > want:
			return bad(want, fmt.Sprintf("第 %d 条事件缺失（被删除）(event %d is missing: deleted)", want, want))
		case ev.PrevHash != prev:
			return bad(ev.Seq, fmt.Sprintf("第 %d 条事件与前一条的链接不符（前面的事件被改动、删除或插入）(event %d does not chain to the event before it)", ev.Seq, ev.Seq))
		}
		hash, err := EventHash(prev, ev.Event)
		if err != nil || hash != ev.Hash {
			return bad(ev.Seq, fmt.Sprintf("第 %d 条事件的内容与其哈希不符（被改动）(event %d does not match its hash: edited)", ev.Seq, ev.Seq))
		}
		prev = ev.Hash
	}
	switch {
	case len(events) < lastSeq:
		return bad(len(events)+1, fmt.Sprintf("案件记录了 %d 条事件，时间线只有 %d 条（末尾被删除）(the case records %d events; the timeline has %d: truncated)",
			lastSeq, len(events), lastSeq, len(events)))
	case len(events) > lastSeq:
		return bad(lastSeq+1, fmt.Sprintf("时间线比案件记录多出 %d 条事件（被插入）(%d events after the case's last one: inserted)",
			len(events)-lastSeq, len(events)-lastSeq))
	}
	return v
}

// scanChainEvent reads the columns chainEventColumns names.
func scanChainEvent(row pgx.CollectableRow) (chainEvent, error) {
	var e chainEvent
	err := row.Scan(&e.CaseID, &e.Seq, &e.Type, &e.At, &e.Actor.Username, &e.Actor.Role, &e.Actor.Unit, &e.Data, &e.PrevHash, &e.Hash)
	return e, err
}

const chainEventColumns = `case_id, seq, type, at, actor_username, actor_role, actor_unit, data, prev_hash, hash`

// VerifyCase checks one case's timeline (ErrNotFound for no such case), and the bytes of
// the files it records.
func (s *Store) VerifyCase(ctx context.Context, caseID string) (Verification, error) {
	var lastSeq int
	if err := s.pool.QueryRow(ctx, `SELECT last_seq FROM cases WHERE id = $1`, caseID).Scan(&lastSeq); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Verification{}, &Error{Kind: ErrNotFound, Entity: "case", ID: caseID}
		}
		return Verification{}, fmt.Errorf("store: verify %s: %w", caseID, err)
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+chainEventColumns+` FROM case_events WHERE case_id = $1 ORDER BY seq`, caseID)
	events, err := pgx.CollectRows(rows, scanChainEvent)
	if err != nil {
		return Verification{}, fmt.Errorf("store: verify %s: %w", caseID, err)
	}
	v := checkChain(caseID, lastSeq, events)
	if !v.OK {
		return v, nil
	}
	problems, err := s.checkFiles(ctx, []string{caseID})
	if err != nil || len(problems) == 0 {
		return v, err
	}
	v.OK, v.FirstBadSeq, v.Reason = false, problems[0].Seq, problems[0].Reason
	return v, nil
}

// VerifyTimeline is VerifyCase as an error: nil when the timeline is intact.
func (s *Store) VerifyTimeline(ctx context.Context, caseID string) error {
	v, err := s.VerifyCase(ctx, caseID)
	if err != nil {
		return err
	}
	if !v.OK {
		return fmt.Errorf("timeline %s: %s", caseID, v.Reason)
	}
	return nil
}

// dayCase is one case's events of one day, as sealed or as they stand.
type dayCase struct {
	Day     time.Time
	CaseID  string
	Events  int
	LastSeq int
	Digest  string
}

// dayCasesSQL digests each case's events of each day in [$1, $2) (Asia/Shanghai days): the
// count, the last seq and sha256 over their hashes in seq order.
const dayCasesSQL = `
	SELECT (at AT TIME ZONE 'Asia/Shanghai')::date AS day, case_id, count(*)::int, max(seq),
		encode(sha256(convert_to(string_agg(hash, '' ORDER BY seq), 'UTF8')), 'hex')
	FROM case_events
	WHERE at >= $1 AND at < $2
	GROUP BY 1, 2 ORDER BY 1, 2`

// dayCases answers the digests of dayCasesSQL, on the pool or in a transaction.
func dayCases(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, from, to time.Time) ([]dayCase, error) {
	rows, _ := q.Query(ctx, dayCasesSQL, from, to)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (dayCase, error) {
		var d dayCase
		err := row.Scan(&d.Day, &d.CaseID, &d.Events, &d.LastSeq, &d.Digest)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: day digests: %w", err)
	}
	return list, nil
}

// dayDigest chains one day's case digests (in case id order) to the day before.
func dayDigest(prev string, cases []dayCase) string {
	h := sha256.New()
	h.Write([]byte(prev))
	for _, c := range cases {
		fmt.Fprintf(h, "\x00%s\x00%d\x00%d\x00%s", c.CaseID, c.Events, c.LastSeq, c.Digest)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// startOfDay is the start of t's day in Asia/Shanghai.
func startOfDay(t time.Time) time.Time {
	t = t.In(domain.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, domain.Shanghai)
}

// SealDays seals every day before until's day (Asia/Shanghai) not sealed yet, from the
// first day with events: each case's digest of the day, and the day's digest chained to the
// day before. Sealing is idempotent, and two callers at once seal each day once.
func (s *Store) SealDays(ctx context.Context, until time.Time) error {
	end := startOfDay(until)
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// One sealer at a time.
		if _, err := tx.Exec(ctx, `LOCK TABLE audit_days IN EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("store: seal: %w", err)
		}
		var last *time.Time
		var prev string
		err := tx.QueryRow(ctx, `SELECT day, digest FROM audit_days ORDER BY day DESC LIMIT 1`).Scan(&last, &prev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("store: seal: %w", err)
		}
		var start time.Time
		if last != nil {
			start = time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, domain.Shanghai)
		} else {
			var first *time.Time
			if err := tx.QueryRow(ctx, `SELECT min(at) FROM case_events`).Scan(&first); err != nil {
				return fmt.Errorf("store: seal: %w", err)
			}
			if first == nil {
				return nil // nothing recorded yet
			}
			start = startOfDay(*first)
		}
		if !start.Before(end) {
			return nil
		}
		// A day at a time: what a seal holds is one day's cases, however many days wait (a
		// year of a million cases, sealed at once, held 2.8 GB).
		for day := start; day.Before(end); day = day.AddDate(0, 0, 1) {
			cases, err := dayCases(ctx, tx, day, day.AddDate(0, 0, 1))
			if err != nil {
				return err
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_day_cases"}, []string{"day", "case_id", "events", "last_seq", "digest"},
				pgx.CopyFromSlice(len(cases), func(i int) ([]any, error) {
					d := cases[i]
					return []any{d.Day, d.CaseID, d.Events, d.LastSeq, d.Digest}, nil
				})); err != nil {
				return fmt.Errorf("store: seal: %w", err)
			}
			events := 0
			for _, c := range cases {
				events += c.Events
			}
			digest := dayDigest(prev, cases)
			if _, err := tx.Exec(ctx, `INSERT INTO audit_days (day, cases, events, prev, digest) VALUES ($1,$2,$3,$4,$5)`,
				day.Format(domain.DateLayout), len(cases), events, prev, digest); err != nil {
				return fmt.Errorf("store: seal: %w", err)
			}
			prev = digest
		}
		return nil
	})
}

// Problem is one thing wrong found by VerifyRange.
type Problem struct {
	CaseID string `json:"case_id"`
	Seq    int    `json:"seq"`
	Reason string `json:"reason"`
}

// RangeVerification is the outcome of VerifyRange.
type RangeVerification struct {
	CheckedCases  int       `json:"checked_cases"`
	CheckedEvents int       `json:"checked_events"`
	OK            bool      `json:"ok"`
	Problems      []Problem `json:"problems"`
}

// VerifyRange checks every case with events in [from, to] (dates, Asia/Shanghai): each
// one's whole timeline (VerifyCase), and each sealed day against its seal — so that a case
// deleted outright, a timeline cut short or an event slipped into a sealed day is named too
// — and the chain of the days' digests. Days before now's day are sealed first.
func (s *Store) VerifyRange(ctx context.Context, from, to, now time.Time) (RangeVerification, error) {
	out := RangeVerification{Problems: []Problem{}}
	if err := s.SealDays(ctx, now); err != nil {
		return out, err
	}
	start, end := startOfDay(from), startOfDay(to).AddDate(0, 0, 1)
	current, err := dayCases(ctx, s.pool, start, end)
	if err != nil {
		return out, err
	}
	rows, _ := s.pool.Query(ctx, `SELECT day, case_id, events, last_seq, digest FROM audit_day_cases
		WHERE day >= $1 AND day < $2 ORDER BY day, case_id`, start.Format(domain.DateLayout), end.Format(domain.DateLayout))
	sealed, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (dayCase, error) {
		var d dayCase
		err := row.Scan(&d.Day, &d.CaseID, &d.Events, &d.LastSeq, &d.Digest)
		return d, err
	})
	if err != nil {
		return out, fmt.Errorf("store: verify: %w", err)
	}
	key := func(d dayCase) string { return d.Day.Format(domain.DateLayout) + "/" + d.CaseID }
	now2 := map[string]dayCase{}
	ids := map[string]bool{}
	for _, d := range current {
		now2[key(d)] = d
		ids[d.CaseID] = true
	}
	sealedDays := map[string]bool{}
	seen := map[string]bool{}
	for _, d := range sealed {
		sealedDays[d.Day.Format(domain.DateLayout)] = true
		seen[key(d)] = true
		ids[d.CaseID] = true
		c, ok := now2[key(d)]
		switch {
		case !ok:
			out.Problems = append(out.Problems, Problem{CaseID: d.CaseID, Seq: d.LastSeq - d.Events + 1, Reason: fmt.Sprintf(
				"%s 封存的 %d 条事件已不存在（案件或事件被删除）(the %d events sealed on that day are gone: deleted)", d.Day.Format(domain.DateLayout), d.Events, d.Events)})
		case c.Digest != d.Digest || c.Events != d.Events:
			out.Problems = append(out.Problems, Problem{CaseID: d.CaseID, Seq: d.LastSeq - d.Events + 1, Reason: fmt.Sprintf(
				"%s 的事件与封存时不符（%d 条封存，现有 %d 条）(that day's events differ from their seal)", d.Day.Format(domain.DateLayout), d.Events, c.Events)})
		}
	}
	// Events in a sealed day that the seal does not know were slipped in later.
	for _, c := range current {
		if day := c.Day.Format(domain.DateLayout); sealedDays[day] && !seen[key(c)] {
			out.Problems = append(out.Problems, Problem{CaseID: c.CaseID, Seq: c.LastSeq, Reason: fmt.Sprintf(
				"%s 封存后又出现了 %d 条事件（被插入）(%d events appeared in a sealed day: inserted)", day, c.Events, c.Events)})
		}
	}
	// The chain of the days' digests: each range day's recomputed from its sealed case
	// digests, and every day's link to the day before.
	if err := s.checkDayChain(ctx, start, end, sealed, &out); err != nil {
		return out, err
	}
	// Each case's whole timeline.
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	rows, _ = s.pool.Query(ctx, `SELECT `+chainEventColumns+` FROM case_events WHERE case_id = ANY($1) ORDER BY case_id, seq`, list)
	events, err := pgx.CollectRows(rows, scanChainEvent)
	if err != nil {
		return out, fmt.Errorf("store: verify: %w", err)
	}
	lastSeqs := map[string]int{}
	rows, _ = s.pool.Query(ctx, `SELECT id, last_seq FROM cases WHERE id = ANY($1)`, list)
	var id string
	var last int
	if _, err := pgx.ForEachRow(rows, []any{&id, &last}, func() error { lastSeqs[id] = last; return nil }); err != nil {
		return out, fmt.Errorf("store: verify: %w", err)
	}
	byCase := map[string][]chainEvent{}
	for _, e := range events {
		byCase[e.CaseID] = append(byCase[e.CaseID], e)
	}
	slices.Sort(list)
	for _, caseID := range list {
		evs := byCase[caseID]
		out.CheckedCases++
		out.CheckedEvents += len(evs)
		last, ok := lastSeqs[caseID]
		if !ok {
			if len(evs) > 0 {
				out.Problems = append(out.Problems, Problem{CaseID: caseID, Seq: 0, Reason: "案件记录已被删除，时间线还在 (the case row is gone; its timeline is not)"})
			}
			continue
		}
		if v := checkChain(caseID, last, evs); !v.OK {
			out.Problems = append(out.Problems, Problem{CaseID: caseID, Seq: v.FirstBadSeq, Reason: v.Reason})
		}
	}
	// And the bytes of every file their timelines record.
	files, err := s.checkFiles(ctx, list)
	if err != nil {
		return out, err
	}
	out.Problems = append(out.Problems, files...)
	slices.SortStableFunc(out.Problems, func(a, b Problem) int { return strings.Compare(a.CaseID, b.CaseID) })
	out.OK = len(out.Problems) == 0
	return out, nil
}

// checkDayChain checks the chain of the days' digests up to end: every sealed day must name
// the digest of the day before as its prev, and each day in [start, end) must have the
// digest its sealed case digests (sealed, read for the range) and that prev give. A day
// whose seal differs is named (the seals themselves were changed). The sealed case digests
// of days before start are not read: the day's own verification recomputes them, so a range
// costs what its own days hold, not the whole history.
func (s *Store) checkDayChain(ctx context.Context, start, end time.Time, sealed []dayCase, out *RangeVerification) error {
	byDay := map[string][]dayCase{}
	for _, d := range sealed {
		byDay[d.Day.Format(domain.DateLayout)] = append(byDay[d.Day.Format(domain.DateLayout)], d)
	}
	type day struct {
		Day          time.Time
		Prev, Digest string
	}
	rows, _ := s.pool.Query(ctx, `SELECT day, prev, digest FROM audit_days WHERE day < $1 ORDER BY day`, end.Format(domain.DateLayout))
	days, err := pgx.CollectRows(rows, pgx.RowToStructByPos[day])
	if err != nil {
		return fmt.Errorf("store: verify: %w", err)
	}
	from := start.Format(domain.DateLayout)
	prev := ""
	for _, d := range days {
		date := d.Day.Format(domain.DateLayout)
		if d.Prev != prev || date >= from && dayDigest(prev, byDay[date]) != d.Digest {
			out.Problems = append(out.Problems, Problem{Reason: fmt.Sprintf(
				"%s 的封存摘要与前后不符（封存记录被改动）(the seal of that day does not chain: the seals were changed)", date)})
			return nil
		}
		prev = d.Digest
	}
	return nil
}

// EachAuditCase streams what the figures need of every timeline event before end to fn, one
// case's events (in seq order) at a time, cases in the order of their ids (bytewise): the
// events are never all in memory (a million cases' timelines are millions of events).
// PostgreSQL sorts them on its cores and sends only the data the figures read
// (audit.DataTypes); here one goroutine reads the rows into batches of whole cases, one
// decoder per core decodes the batches' JSON (most of the work), and fn is called on one
// goroutine, batch after batch in the order read. The slice fn gets is reused after it
// returns.
func (s *Store) EachAuditCase(ctx context.Context, end time.Time, fn func([]audit.Event) error) error {
	const batchEvents = 512
	decoders := max(1, min(runtime.NumCPU(), 4))
	// A batch goes to the decoders and, in the same order, to fn's goroutine, which waits
	// for it to be decoded; fn's goroutine hands it back to the reader when done with it.
	type batch struct {
		evs   []audit.Event
		spans [][2]int32 // each event's data in arena (off, len); len -1 for none
		arena []byte
		err   error
		done  chan struct{}
	}
	work, inOrder := make(chan *batch, 2*decoders), make(chan *batch, 4*decoders)
	free := make(chan *batch, 6*decoders+2)
	g, gctx := errgroup.WithContext(ctx)
	for range decoders {
		g.Go(func() error {
			for b := range work {
				for i := range b.evs {
					e := &b.evs[i]
					var data []byte
					if sp := b.spans[i]; sp[1] >= 0 {
						data = b.arena[sp[0] : sp[0]+sp[1]]
					}
					if err := e.Read(data); err != nil {
						b.err = fmt.Errorf("store: audit events: case %s, event %d: %w", e.CaseID, e.Seq, err)
						break
					}
				}
				close(b.done)
			}
			return nil
		})
	}
	g.Go(func() error {
		for b := range inOrder {
			select {
			case <-b.done:
			case <-gctx.Done():
				return gctx.Err()
			}
			if b.err != nil {
				return b.err
			}
			for i := 0; i < len(b.evs); {
				j := i + 1
				for j < len(b.evs) && b.evs[j].CaseID == b.evs[i].CaseID {
					j++
				}
				if err := fn(b.evs[i:j]); err != nil {
					return err
				}
				i = j
			}
			select {
			case free <- b:
			default:
			}
		}
		return nil
	})
	g.Go(func() error {
		defer close(work)
		defer close(inOrder)
		rows, err := s.pool.Query(gctx, `SELECT case_id, seq, type, at, CASE WHEN type = ANY($3) THEN data END
			FROM case_events WHERE type = ANY($1) AND at < $2 ORDER BY case_id COLLATE "C", seq`,
			audit.Types, end, audit.DataTypes)
		if err != nil {
			return fmt.Errorf("store: audit events: %w", err)
		}
		defer rows.Close()
		// jsonb comes as its text, or in binary as a version byte (1) and the text. (No
		// columns: the query failed, and rows.Err says why.)
		fields := rows.FieldDescriptions()
		jsonbVersion := len(fields) == 5 && fields[4].Format == pgx.BinaryFormatCode
		types := make(map[string]string, len(audit.Types))
		for _, t := range audit.Types {
			types[t] = t
		}
		next := func() *batch {
			select {
			case b := <-free:
				b.evs, b.spans, b.arena, b.err, b.done = b.evs[:0], b.spans[:0], b.arena[:0], nil, make(chan struct{})
				return b
			default:
				return &batch{evs: make([]audit.Event, 0, batchEvents+64), spans: make([][2]int32, 0, batchEvents+64), done: make(chan struct{})}
			}
		}
		send := func(b *batch) error {
			for _, ch := range []chan *batch{inOrder, work} {
				select {
				case ch <- b:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		}
		b, caseID := next(), ""
		for rows.Next() {
			// The row's own bytes: a case's id is made a string once, the type is one of
			// audit.Types, the data is copied into the batch's arena.
			raw := rows.RawValues()
			if string(raw[0]) != caseID {
				// A batch ends between two cases.
				if len(b.evs) >= batchEvents {
					if err := send(b); err != nil {
						return err
					}
					b = next()
				}
				caseID = string(raw[0])
			}
			e := audit.Event{CaseID: caseID, Type: types[string(raw[2])]}
			if e.Type == "" {
				e.Type = string(raw[2])
			}
			if err := rows.Scan(nil, &e.Seq, nil, &e.At, nil); err != nil {
				return fmt.Errorf("store: audit events: %w", err)
			}
			span := [2]int32{int32(len(b.arena)), -1}
			if data := raw[4]; data != nil {
				if jsonbVersion && len(data) > 0 {
					data = data[1:]
				}
				b.arena = append(b.arena, data...)
				span[1] = int32(len(data))
			}
			b.evs, b.spans = append(b.evs, e), append(b.spans, span)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: audit events: %w", err)
		}
		if len(b.evs) > 0 {
			return send(b)
		}
		return nil
	})
	return g.Wait()
}

// Scheme is a stored version of the scoring scheme.
type Scheme struct {
	Version   int64     `json:"version" db:"version"`
	Source    string    `json:"source" db:"source"`
	CreatedBy string    `json:"created_by" db:"created_by"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
}

// CurrentScheme is the latest scoring scheme; the default is stored as version 1 the first
// time it is asked for.
func (s *Store) CurrentScheme(ctx context.Context) (Scheme, error) {
	if _, err := s.pool.Exec(ctx, `INSERT INTO audit_schemes (version, source, created_by)
		SELECT 1, $1, 'system' WHERE NOT EXISTS (SELECT 1 FROM audit_schemes)
		ON CONFLICT DO NOTHING`, audit.DefaultScheme); err != nil {
		return Scheme{}, fmt.Errorf("store: scheme: %w", err)
	}
	list, err := queryAll[Scheme](ctx, s, "scheme", `SELECT version, source, created_by, created_at FROM audit_schemes ORDER BY version DESC LIMIT 1`)
	if err != nil {
		return Scheme{}, err
	}
	return list[0], nil
}

// SchemeVersion is one stored version of the scheme (ErrNotFound for none).
func (s *Store) SchemeVersion(ctx context.Context, version int64) (Scheme, error) {
	list, err := queryAll[Scheme](ctx, s, "scheme", `SELECT version, source, created_by, created_at FROM audit_schemes WHERE version = $1`, version)
	if err != nil {
		return Scheme{}, err
	}
	if len(list) == 0 {
		return Scheme{}, &Error{Kind: ErrNotFound, Entity: "scheme", ID: fmt.Sprint(version)}
	}
	return list[0], nil
}

// SaveScheme stores a new version of the scheme (already checked by the caller).
func (s *Store) SaveScheme(ctx context.Context, source, by string) (Scheme, error) {
	if _, err := s.CurrentScheme(ctx); err != nil { // version 1 is the default
		return Scheme{}, err
	}
	list, err := queryAll[Scheme](ctx, s, "scheme", `INSERT INTO audit_schemes (version, source, created_by)
		SELECT max(version) + 1, $1, $2 FROM audit_schemes RETURNING version, source, created_by, created_at`, source, by)
	if err != nil {
		return Scheme{}, err
	}
	return list[0], nil
}

// FrozenPeriod is a period's figures as they stood when the efficiency office froze it.
type FrozenPeriod struct {
	Period        string          `json:"period" db:"period"`
	From          time.Time       `json:"from" db:"from_date"`
	To            time.Time       `json:"to" db:"to_date"`
	SchemeVersion int64           `json:"scheme_version" db:"scheme_version"`
	Figures       json.RawMessage `json:"figures" db:"figures"`
	FrozenBy      string          `json:"frozen_by" db:"frozen_by"`
	FrozenAt      time.Time       `json:"frozen_at" db:"frozen_at"`
}

// FrozenPeriodOf is the frozen period (ErrNotFound if it is not frozen).
func (s *Store) FrozenPeriodOf(ctx context.Context, period string) (FrozenPeriod, error) {
	list, err := queryAll[FrozenPeriod](ctx, s, "frozen period", `SELECT period, from_date, to_date, scheme_version, figures,
		frozen_by, frozen_at FROM audit_periods WHERE period = $1`, period)
	if err != nil {
		return FrozenPeriod{}, err
	}
	if len(list) == 0 {
		return FrozenPeriod{}, &Error{Kind: ErrNotFound, Entity: "period", ID: period}
	}
	return list[0], nil
}

// FreezePeriod stores a period's figures once: ErrConflict if it is frozen already.
func (s *Store) FreezePeriod(ctx context.Context, p FrozenPeriod) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO audit_periods (period, from_date, to_date, scheme_version, figures, frozen_by)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (period) DO NOTHING`,
		p.Period, p.From.Format(domain.DateLayout), p.To.Format(domain.DateLayout), p.SchemeVersion, p.Figures, p.FrozenBy)
	if err != nil {
		return fmt.Errorf("store: freeze %s: %w", p.Period, err)
	}
	if tag.RowsAffected() == 0 {
		return &Error{Kind: ErrConflict, Entity: "period", ID: p.Period}
	}
	return nil
}
