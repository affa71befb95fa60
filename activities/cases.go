package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// UpdateCaseInput asks another case's workflow to take an action: a parent case merging
// a child into it, or telling its children that it closed. UpdateID makes a retry the
// same Update, which Temporal answers with the first outcome.
type UpdateCaseInput struct {
	WorkflowID string          `json:"workflow_id"`
	Update     string          `json:"update"`
	UpdateID   string          `json:"update_id"`
	Arg        json.RawMessage `json:"arg"`
}

// ErrCaseRefused is the type of the non-retryable error UpdateCase returns when the other
// case refuses the action or does not exist; its message says why, in the case's words.
const ErrCaseRefused = "case_refused"

// UpdateCase sends one Update to another case's workflow and waits for its outcome. The
// case refusing it (its validator or handler rejects it) or not existing is final: a
// non-retryable error of type ErrCaseRefused. Anything else (Temporal unreachable, a
// timeout) is retried by the activity's policy.
func (a *Activities) UpdateCase(ctx context.Context, in UpdateCaseInput) error {
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
		return temporal.NewNonRetryableApplicationError(app.Message(), ErrCaseRefused, nil, app.Type())
	case errors.As(err, &notFound):
		return temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("案件不存在 (no workflow %s)", in.WorkflowID), ErrCaseRefused, nil, "not_found")
	}
	return err
}
