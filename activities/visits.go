package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Types of the non-retryable errors of the visit activities.
const (
	// ErrIdempotencyConflict: the Idempotency-Key was used for another request (409).
	ErrIdempotencyConflict = "idempotency_conflict"
	// ErrVisitRefused: PostgreSQL refuses the visit for good (a leader or enterprise it names
	// is gone, a value it cannot take): retrying cannot help (422).
	ErrVisitRefused = "visit_refused"
)

// CreateVisitInput is a visit as its request logged it, checked by the API.
type CreateVisitInput struct {
	Visit domain.Visit `json:"visit"`
	// Year numbers the visit and its cases.
	Year int `json:"year"`
	// Key is the request's Idempotency-Key ("" for none): a repeated key must come with the
	// same visit.
	Key string `json:"key"`
}

// CreateVisit writes a visit, not yet complete, with its case numbers, under the calling
// workflow's id: run again (a retry, or the workflow replayed after a crash), it answers
// the visit written the first time.
func (a *Activities) CreateVisit(ctx context.Context, in CreateVisitInput) (domain.Visit, error) {
	requestID := activity.GetInfo(ctx).WorkflowExecution.ID
	// The visit as checked stands for its request (so the workflow's history does not carry
	// the body twice): the same key with another visit is a conflict.
	request, err := json.Marshal(in.Visit)
	if err != nil {
		return domain.Visit{}, err
	}
	v, _, err := a.Store.CreateVisit(ctx, in.Year, in.Visit, in.Key, request, requestID)
	var se *store.Error
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return v, nil
	case errors.As(err, &se) && se.Entity == store.EntityIdempotencyKey:
		return domain.Visit{}, temporal.NewNonRetryableApplicationError(
			"该 Idempotency-Key 已用于另一请求 (the Idempotency-Key was used for a different visit)", ErrIdempotencyConflict, nil)
	case store.IsPermanent(err), errors.As(err, &pgErr) && pgErr.Code == "23503":
		return domain.Visit{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("走访无法保存 (the visit cannot be written: %v)", err), ErrVisitRefused, nil)
	}
	return domain.Visit{}, err
}

// CompleteVisit marks a visit complete once all its cases are written: from then on it
// is shown in visits, the ledger, coverage and enterprises' files.
func (a *Activities) CompleteVisit(ctx context.Context, id string) error {
	return a.Store.CompleteVisit(ctx, id)
}
