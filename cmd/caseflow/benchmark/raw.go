package benchmark

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The raw references run on their own task queue of the same Temporal server, against the
// same PostgreSQL: what the server and the database cost without caseflow.
const rawQueue = "caseflow-bench-raw"

var rawActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 500 * time.Millisecond},
}

// rawInsertWorkflow is the intake reference: one activity that does one INSERT.
func rawInsertWorkflow(ctx workflow.Context, id string) error {
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, rawActivityOptions), "RawInsert", id).Get(ctx, nil)
}

// rawUpdateWorkflow is the action reference: it waits, and each "touch" Update runs one
// activity (one INSERT) before it answers.
func rawUpdateWorkflow(ctx workflow.Context, id string) error {
	n := 0
	if err := workflow.SetUpdateHandler(ctx, "touch", func(ctx workflow.Context) (int, error) {
		n++
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, rawActivityOptions), "RawInsert", id).Get(ctx, nil)
		return n, err
	}); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return n < 0 || workflow.GetInfo(ctx).GetContinueAsNewSuggested() })
}

// rawLifecycleWorkflow is the lifecycles' reference, built as a case's workflow is: started
// by its first "step" Update (as intake starts a case, update-with-start), it answers each
// step after one local activity (one INSERT, as an action writes the read model in the same
// workflow task), and waits for the next.
func (a *rawActivities) rawLifecycleWorkflow(ctx workflow.Context, id string) error {
	n := 0
	if err := workflow.SetUpdateHandler(ctx, "step", func(ctx workflow.Context) (int, error) {
		n++
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
		err := workflow.ExecuteLocalActivity(lctx, a.RawInsert, id).Get(ctx, nil)
		return n, err
	}); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return n < 0 || workflow.GetInfo(ctx).GetContinueAsNewSuggested() })
}

type rawActivities struct{ db *pgxpool.Pool }

// RawInsert writes one row.
func (a *rawActivities) RawInsert(ctx context.Context, id string) error {
	_, err := a.db.Exec(ctx, `INSERT INTO bench_raw (id, attempt) VALUES ($1, $2)`, id, activity.GetInfo(ctx).Attempt)
	return err
}

// startRawWorker creates the reference table and runs the reference worker.
func startRawWorker(ctx context.Context, tc client.Client, db *pgxpool.Pool) (worker.Worker, error) {
	if _, err := db.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_raw (id text NOT NULL, attempt int NOT NULL,
		at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, err
	}
	w := worker.New(tc, rawQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(rawInsertWorkflow, workflow.RegisterOptions{Name: "RawInsertWorkflow"})
	w.RegisterWorkflowWithOptions(rawUpdateWorkflow, workflow.RegisterOptions{Name: "RawUpdateWorkflow"})
	acts := &rawActivities{db: db}
	w.RegisterWorkflowWithOptions(acts.rawLifecycleWorkflow, workflow.RegisterOptions{Name: "RawLifecycleWorkflow"})
	w.RegisterActivityWithOptions(acts.RawInsert, activity.RegisterOptions{Name: "RawInsert"})
	return w, w.Start()
}
