package workflows

import (
	"go.temporal.io/sdk/worker"
)

// Register puts caseflow's workflows on a worker, and acts — the activities, an
// *activities.Activities — registered under its methods' names, which the workflows call
// (activitynames.go). The workflows do not import the activities: they stay below them.
func Register(w worker.Registry, acts any) {
	w.RegisterWorkflow(CaseWorkflow)
	w.RegisterWorkflow(QuarterlyReportWorkflow)
	w.RegisterWorkflow(ScheduledQuarterlyReport)
	w.RegisterWorkflow(SealAuditDaysWorkflow)
	w.RegisterWorkflow(VisitWorkflow)
	w.RegisterActivity(acts)
}
