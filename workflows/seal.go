package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// SealAuditDaysWorkflow is the nightly schedule's action: it seals every day before today
// for the audit's verification (store.SealDays).
func SealAuditDaysWorkflow(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, reportOptions)
	return workflow.ExecuteActivity(ctx, actSealAuditDays, workflow.Now(ctx)).Get(ctx, nil)
}
