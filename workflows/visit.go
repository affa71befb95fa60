package workflows

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// A visit (走访) is logged by its own short workflow, so that a visit and its cases are
// created all or nothing and a crash anywhere is finished by the server itself:
//
//  1. CreateVisit writes the visit, not yet shown, and numbers its cases, under this
//     workflow's id (a rerun answers the same visit and numbers);
//  2. each problem's case workflow is started as a child that outlives the visit
//     (ParentClosePolicy ABANDON) with its number as workflow id, so that a rerun never
//     starts a case twice;
//  3. each case is asked (Update sync) to answer once it is in the read model;
//  4. CompleteVisit shows the visit: in visits, the ledger, coverage and enterprises' files
//     it appears with every case written, never with a case still "pending".
//
// The API starts the workflow and waits for it within its action timeout; if the API,
// the worker or the whole process dies, Temporal runs the workflow on to its end once a
// worker is back, with or without a client retrying.

// visitStepOptions: the visit's writes and the case syncs are retried until they succeed;
// a refusal (a conflicting Idempotency-Key, a value PostgreSQL cannot take) is final. The
// timeout is short because after a crash it is what delays the step's retry.
var visitStepOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 15 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    500 * time.Millisecond,
		BackoffCoefficient: 2,
		MaximumInterval:    10 * time.Second,
	},
}

// VisitInput starts a visit's workflow: the visit as checked by the API, and what its
// cases' workflows start with.
type VisitInput struct {
	Visit domain.Visit `json:"visit"`
	// Year numbers the visit and its cases.
	Year int `json:"year"`
	// Key is the request's Idempotency-Key ("" for none).
	Key string `json:"key"`
	// Actor logged the visit: the cases are raised by them.
	Actor  domain.Actor `json:"actor"`
	Clock  Clock        `json:"clock"`
	Policy *SLAPolicy   `json:"policy,omitempty"`
}

// Errors a visit's workflow ends with when its visit is refused for good.
const (
	ErrIdempotencyConflict = domain.ErrIdempotencyConflict // the key was used for another visit (409)
	ErrVisitRefused        = domain.ErrVisitRefused        // PostgreSQL refuses the visit (422)
)

// VisitWorkflowID is the id of the workflow that logs a visit. With an Idempotency-Key,
// the same user's same request (its canonical JSON) gets the same id, so that a retry
// finds the workflow the first request started, running or done; without a key every
// request gets a new one.
func VisitWorkflowID(username, key string, canonical []byte) string {
	if key == "" {
		return "visit-" + rand.Text()
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte(username), []byte(key), canonical} {
		h.Write(part)
		h.Write([]byte{0})
	}
	return "visit-" + hex.EncodeToString(h.Sum(nil))[:40]
}

// VisitCase is problem i of a visit as the case it becomes.
func VisitCase(v domain.Visit, i int) domain.Case {
	p := v.Problems[i]
	return domain.Case{ID: v.CaseIDs[i], Title: p.Title, Description: p.Description, Category: p.Category, List: p.List,
		EnterpriseID: p.EnterpriseID, VisitID: v.ID, AmountCNY: p.AmountCNY, Sensitive: p.Sensitive}
}

// VisitWorkflow logs a visit and starts its cases (see above); it answers the visit's id.
func VisitWorkflow(ctx workflow.Context, in VisitInput) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, visitStepOptions)
	var v domain.Visit
	if err := workflow.ExecuteActivity(ctx, actCreateVisit,
		domain.CreateVisitInput{Visit: in.Visit, Year: in.Year, Key: in.Key}).Get(ctx, &v); err != nil {
		return "", err
	}
	started := make([]workflow.Future, len(v.CaseIDs))
	for i, id := range v.CaseIDs {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            CaseWorkflowID(id),
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		})
		started[i] = workflow.ExecuteChildWorkflow(cctx, CaseWorkflow,
			CaseInput{Case: VisitCase(v, i), Actor: in.Actor, Clock: in.Clock, Policy: in.Policy}).GetChildWorkflowExecution()
	}
	for _, f := range started {
		// Started already: by an earlier try of this visit (a retry whose request is spelt
		// differently finds the same visit): the case runs, which is all this step needs.
		if err := f.Get(ctx, nil); err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			return "", err
		}
	}
	synced := make([]workflow.Future, len(v.CaseIDs))
	for i, id := range v.CaseIDs {
		synced[i] = workflow.ExecuteActivity(ctx, actUpdateCase, domain.UpdateCaseInput{
			WorkflowID: CaseWorkflowID(id), Update: UpdateSync, UpdateID: "visit-" + v.ID, Arg: []byte(`{}`)})
	}
	for _, f := range synced {
		if err := f.Get(ctx, nil); err != nil {
			return "", err
		}
	}
	if err := workflow.ExecuteActivity(ctx, actCompleteVisit, v.ID).Get(ctx, nil); err != nil {
		return "", err
	}
	return v.ID, nil
}
