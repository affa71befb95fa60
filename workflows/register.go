package workflows

import (
	"go.temporal.io/sdk/worker"

	"github.com/putian-fic/caseflow/activities"
)

// Register puts caseflow's workflows and activities on a worker.
func Register(w worker.Registry, a *activities.Activities) {
	w.RegisterWorkflow(CaseWorkflow)
	w.RegisterWorkflow(QuarterlyReportWorkflow)
	w.RegisterWorkflow(ScheduledQuarterlyReport)
	w.RegisterWorkflow(SealAuditDaysWorkflow)
	w.RegisterWorkflow(VisitWorkflow)
	w.RegisterActivity(a)
}
