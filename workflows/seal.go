package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/putian-fic/caseflow/activities"
)

// SealAuditDaysWorkflow is the nightly schedule's action: it seals every day before today
// for the audit's verification (store.SealDays).
func SealAuditDaysWorkflow(ctx workflow.Context) error {
	var a *activities.Activities
	ctx = workflow.WithActivityOptions(ctx, reportOptions)
	return workflow.ExecuteActivity(ctx, a.SealAuditDays, workflow.Now(ctx)).Get(ctx, nil)
}
