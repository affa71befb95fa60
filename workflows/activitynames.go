package workflows

// The activities the workflows call, by the names the worker registers them under: the
// methods of activities.Activities (Register). The workflows name them rather than import
// the package, so that the activities, their store and their rules stay below the workflows;
// their inputs and outputs are domain types. TestEveryActivityNameIsAnActivity checks that
// each name is a method the worker registers.
const (
	actCompileQuarterlyReport = "CompileQuarterlyReport"
	actCompleteVisit          = "CompleteVisit"
	actCreateVisit            = "CreateVisit"
	actDeliverNotifications   = "DeliverNotifications"
	actIssueNotice            = "IssueNotice"
	actPlanLadder             = "PlanLadder"
	actPlannedDeadline        = "PlannedDeadline"
	actProjectCase            = "ProjectCase"
	actRemindLeaders          = "RemindLeaders"
	actRouteCase              = "RouteCase"
	actSaveSubmission         = "SaveSubmission"
	actSealAuditDays          = "SealAuditDays"
	actSetReportStatus        = "SetReportStatus"
	actStartQuarterlyReport   = "StartQuarterlyReport"
	actUpdateCase             = "UpdateCase"
	actWorkdayDeadline        = "WorkdayDeadline"
)

// activityNames lists them, for that test.
var activityNames = []string{
	actCompileQuarterlyReport,
	actCompleteVisit,
	actCreateVisit,
	actDeliverNotifications,
	actIssueNotice,
	actPlanLadder,
	actPlannedDeadline,
	actProjectCase,
	actRemindLeaders,
	actRouteCase,
	actSaveSubmission,
	actSealAuditDays,
	actSetReportStatus,
	actStartQuarterlyReport,
	actUpdateCase,
	actWorkdayDeadline,
}
