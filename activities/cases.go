package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// UpdateCase sends one Update to another case's workflow and waits for its outcome. The
// case refusing it (its validator or handler rejects it) or not existing is final: a
// non-retryable error of type domain.ErrCaseRefused. Anything else (Temporal unreachable, a
// timeout) is retried by the activity's policy.
func (a *Activities) UpdateCase(ctx context.Context, in domain.UpdateCaseInput) error {
	if a.Temporal == nil {
		return errors.New("this worker has no Temporal client to reach other cases")
	}
	h, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: in.WorkflowID, UpdateID: in.UpdateID, UpdateName: in.Update,
		Args: []any{in.Arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	var app *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return nil
	case errors.As(err, &app):
		return temporal.NewNonRetryableApplicationError(app.Message(), domain.ErrCaseRefused, nil, app.Type())
	case errors.As(err, &notFound):
		return temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("案件不存在 (no workflow %s)", in.WorkflowID), domain.ErrCaseRefused, nil, "not_found")
	}
	return err
}
