package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// EntityLead is an investment lead (招商线索).
const EntityLead = "lead"

// Lead is an investment lead of the register (migration 00020).
type Lead struct {
	ID                string    `json:"id" db:"id"`
	EnterpriseID      string    `json:"enterprise_id" db:"enterprise_id"`
	Leader            string    `json:"leader" db:"leader"`
	VisitID           string    `json:"visit_id" db:"visit_id"`
	Title             string    `json:"title" db:"title"`
	Description       string    `json:"description" db:"description"`
	IndustryChain     string    `json:"industry_chain" db:"industry_chain"`
	ExpectedAmountCNY *float64  `json:"expected_amount_cny" db:"expected_amount_cny"`
	Status            string    `json:"status" db:"status"`
	DropReason        string    `json:"drop_reason" db:"drop_reason"`
	CreatedBy         string    `json:"created_by" db:"created_by"`
	CreatedAt         time.Time `json:"created_at" db:"created_at"`
	UpdatedAt         time.Time `json:"updated_at" db:"updated_at"`
}

// LeadFollowUp is one follow-up of a lead: a note, and the change of state it made (the
// same state when none).
type LeadFollowUp struct {
	Seq        int       `json:"seq" db:"seq"`
	At         time.Time `json:"at" db:"at"`
	By         string    `json:"by" db:"by_user"`
	StatusFrom string    `json:"status_from" db:"status_from"`
	StatusTo   string    `json:"status_to" db:"status_to"`
	Note       string    `json:"note" db:"note"`
}

const leadColumns = `id, enterprise_id, leader, visit_id, title, description, industry_chain,
	expected_amount_cny::float8 AS expected_amount_cny, status, drop_reason, created_by, created_at, updated_at`

// CreateLead adds a lead to the register (status new).
func (s *Store) CreateLead(ctx context.Context, l Lead) (Lead, error) {
	list, err := queryAll[Lead](ctx, s, "create lead", `INSERT INTO leads (enterprise_id, leader, title, description,
			industry_chain, expected_amount_cny, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+leadColumns,
		l.EnterpriseID, l.Leader, l.Title, l.Description, l.IndustryChain, l.ExpectedAmountCNY, l.CreatedBy)
	if err != nil {
		return Lead{}, err
	}
	return list[0], nil
}

// GetLead is one lead.
func (s *Store) GetLead(ctx context.Context, id string) (Lead, error) {
	list, err := queryAll[Lead](ctx, s, "lead", `SELECT `+leadColumns+` FROM leads WHERE id = $1`, id)
	if err != nil {
		return Lead{}, err
	}
	if len(list) == 0 {
		return Lead{}, &Error{Entity: EntityLead, ID: id, Kind: ErrNotFound}
	}
	return list[0], nil
}

// LeadFilter selects leads; empty fields do not filter. From and To bound the day each
// lead was registered (YYYY-MM-DD, both included, Asia/Shanghai).
type LeadFilter struct {
	Leader, Status, EnterpriseID, From, To string
	Limit                                  int
}

// ListLeads lists leads, newest first (at most f.Limit, default 500).
func (s *Store) ListLeads(ctx context.Context, f LeadFilter) ([]Lead, error) {
	if f.Limit <= 0 {
		f.Limit = 500
	}
	return queryAll[Lead](ctx, s, "leads", `SELECT `+leadColumns+` FROM leads
		WHERE ($1 = '' OR leader = $1) AND ($2 = '' OR status = $2) AND ($3 = '' OR enterprise_id = $3)
		  AND ($4 = '' OR (created_at AT TIME ZONE 'Asia/Shanghai')::date >= $4::date)
		  AND ($5 = '' OR (created_at AT TIME ZONE 'Asia/Shanghai')::date <= $5::date)
		ORDER BY created_at DESC, id DESC LIMIT $6`, f.Leader, f.Status, f.EnterpriseID, f.From, f.To, f.Limit)
}

// FollowUps lists a lead's follow-ups in order.
func (s *Store) FollowUps(ctx context.Context, id string) ([]LeadFollowUp, error) {
	return queryAll[LeadFollowUp](ctx, s, "lead follow-ups", `SELECT seq, at, by_user, status_from, status_to, note
		FROM lead_follow_ups WHERE lead_id = $1 ORDER BY seq`, id)
}

// FollowUp records a follow-up of a lead, moving it from the state the caller read (from)
// to to; a lead no longer in from is ErrConflict (someone else moved it meanwhile).
func (s *Store) FollowUp(ctx context.Context, id, from, to, note, reason, by string) (Lead, error) {
	var out Lead
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `UPDATE leads SET status = $3, updated_at = now(),
				drop_reason = CASE WHEN $3 = 'dropped' THEN $4 ELSE drop_reason END
			WHERE id = $1 AND status = $2 RETURNING `+leadColumns, id, from, to, reason)
		list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Lead])
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return storeError(EntityLead, id, ErrConflict, "moved from "+from+" meanwhile")
		}
		out = list[0]
		_, err = tx.Exec(ctx, `INSERT INTO lead_follow_ups (lead_id, seq, by_user, status_from, status_to, note)
			SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5 FROM lead_follow_ups WHERE lead_id = $1`, id, by, from, to, note)
		return err
	})
	if err != nil {
		if _, ok := err.(*Error); ok {
			return Lead{}, err
		}
		return Lead{}, fmt.Errorf("store: follow up lead %s: %w", id, err)
	}
	return out, nil
}
