package activities

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// CreateVisit writes a visit, not yet complete, with its case numbers, under the calling
// workflow's id: run again (a retry, or the workflow replayed after a crash), it answers
// the visit written the first time.
func (a *Activities) CreateVisit(ctx context.Context, in domain.CreateVisitInput) (domain.Visit, error) {
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
			"该 Idempotency-Key 已用于另一请求 (the Idempotency-Key was used for a different visit)", domain.ErrIdempotencyConflict, nil)
	case store.IsPermanent(err), errors.As(err, &pgErr) && pgErr.Code == "23503":
		// The user reads the message: PostgreSQL's own words stay in the cause, for the log.
		return domain.Visit{}, temporal.NewNonRetryableApplicationError(
			"走访无法保存：所列班子成员或企业已不存在，或内容无法保存 (the visit cannot be written: a leader or enterprise it names is gone, or a value cannot be stored)",
			domain.ErrVisitRefused, err)
	}
	return domain.Visit{}, err
}

// CompleteVisit marks a visit complete once all its cases are written: from then on it
// is shown in visits, the ledger, coverage and enterprises' files.
func (a *Activities) CompleteVisit(ctx context.Context, id string) error {
	return a.Store.CompleteVisit(ctx, id)
}
