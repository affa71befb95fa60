package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// EntityInstruction is a city leader's instruction on a quarterly report (批示).
const EntityInstruction = "instruction"

// Sending is one sending of a quarter's report to the city's leaders (报送).
type Sending struct {
	N          int       `json:"n" db:"n"`
	To         []string  `json:"to" db:"recipients"`
	SentAt     time.Time `json:"sent_at" db:"sent_at"`
	RecordedBy string    `json:"recorded_by" db:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at" db:"recorded_at"`
}

// Instruction is a city leader's instruction on a quarter's report (批示), numbered within
// the quarter (its id: 2026-Q4-1).
type Instruction struct {
	ID         string    `json:"id" db:"id"`
	Period     string    `json:"period" db:"period"`
	N          int       `json:"n" db:"n"`
	By         string    `json:"by" db:"given_by"`
	Date       string    `json:"date" db:"date"`
	Text       string    `json:"text" db:"text"`
	RecordedBy string    `json:"recorded_by" db:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at" db:"recorded_at"`
}

// InstructionCase is a case raised from an instruction, as the report shows it.
type InstructionCase struct {
	InstructionID string `json:"-" db:"instruction_id"`
	ID            string `json:"id" db:"id"`
	Status        string `json:"status" db:"status"`
}

const sendingColumns = `n, recipients, sent_at, recorded_by, recorded_at`
const instructionColumns = `id, period, n, given_by, to_char(date, 'YYYY-MM-DD') AS date, text, recorded_by, recorded_at`

// RecordSending records a sending of the quarter's report; the same sending again (the
// same time and recipients) is the one recorded first (created false).
func (s *Store) RecordSending(ctx context.Context, period string, to []string, sentAt time.Time, by string) (Sending, bool, error) {
	var out []Sending
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('sending:' || $1))`, period); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `INSERT INTO report_sendings (period, n, recipients, sent_at, recorded_by)
			SELECT $1, coalesce(max(n), 0) + 1, $2, $3, $4 FROM report_sendings WHERE period = $1
			ON CONFLICT (period, sent_at, recipients) DO NOTHING RETURNING `+sendingColumns, period, to, sentAt, by)
		var err error
		out, err = pgx.CollectRows(rows, pgx.RowToStructByName[Sending])
		return err
	})
	if err != nil {
		return Sending{}, false, fmt.Errorf("store: record sending of %s: %w", period, err)
	}
	if len(out) == 1 {
		return out[0], true, nil
	}
	same, err := queryAll[Sending](ctx, s, "sending", `SELECT `+sendingColumns+` FROM report_sendings
		WHERE period = $1 AND sent_at = $2 AND recipients = $3`, period, sentAt, to)
	if err != nil || len(same) == 0 {
		return Sending{}, false, fmt.Errorf("store: record sending of %s: %w", period, errors.Join(err, ErrNotFound))
	}
	return same[0], false, nil
}

// Sendings lists the quarter's sendings, in order.
func (s *Store) Sendings(ctx context.Context, period string) ([]Sending, error) {
	return queryAll[Sending](ctx, s, "sendings", `SELECT `+sendingColumns+` FROM report_sendings WHERE period = $1 ORDER BY n`, period)
}

// RecordInstruction records an instruction on the quarter's report; the same one again
// (by, date and text) is the one recorded first (created false).
func (s *Store) RecordInstruction(ctx context.Context, in Instruction) (Instruction, bool, error) {
	var out []Instruction
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('instruction:' || $1))`, in.Period); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `WITH next AS (SELECT coalesce(max(n), 0) + 1 AS n FROM report_instructions WHERE period = $1)
			INSERT INTO report_instructions (id, period, n, given_by, date, text, recorded_by)
			SELECT $1 || '-' || next.n, $1, next.n, $2, $3::date, $4, $5 FROM next
			ON CONFLICT (period, given_by, date, text) DO NOTHING RETURNING `+instructionColumns,
			in.Period, in.By, in.Date, in.Text, in.RecordedBy)
		var err error
		out, err = pgx.CollectRows(rows, pgx.RowToStructByName[Instruction])
		return err
	})
	if err != nil {
		return Instruction{}, false, fmt.Errorf("store: record instruction on %s: %w", in.Period, err)
	}
	if len(out) == 1 {
		return out[0], true, nil
	}
	same, err := queryAll[Instruction](ctx, s, "instruction", `SELECT `+instructionColumns+` FROM report_instructions
		WHERE period = $1 AND given_by = $2 AND date = $3::date AND text = $4`, in.Period, in.By, in.Date, in.Text)
	if err != nil || len(same) == 0 {
		return Instruction{}, false, fmt.Errorf("store: record instruction on %s: %w", in.Period, errors.Join(err, ErrNotFound))
	}
	return same[0], false, nil
}

// Instructions lists the quarter's instructions, in order.
func (s *Store) Instructions(ctx context.Context, period string) ([]Instruction, error) {
	return queryAll[Instruction](ctx, s, "instructions", `SELECT `+instructionColumns+` FROM report_instructions
		WHERE period = $1 ORDER BY n`, period)
}

// GetInstruction is one instruction.
func (s *Store) GetInstruction(ctx context.Context, id string) (Instruction, error) {
	list, err := queryAll[Instruction](ctx, s, "instruction", `SELECT `+instructionColumns+` FROM report_instructions WHERE id = $1`, id)
	if err != nil {
		return Instruction{}, err
	}
	if len(list) == 0 {
		return Instruction{}, &Error{Entity: EntityInstruction, ID: id, Kind: ErrNotFound}
	}
	return list[0], nil
}

// InstructionCases are the cases raised from the instructions, oldest first.
func (s *Store) InstructionCases(ctx context.Context, ids []string) ([]InstructionCase, error) {
	return queryAll[InstructionCase](ctx, s, "instruction cases", `SELECT instruction_id, id, status FROM cases
		WHERE instruction_id = ANY ($1) ORDER BY created_at, id`, ids)
}
