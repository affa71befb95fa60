package service

import "github.com/putian-fic/caseflow/workflows/domain"

// Who may call an operation, where the role alone decides it: declared once here, checked
// by the operation itself (so both front doors hold it) and by the API's routes before they
// read a request. What a role may see beyond that — a unit's own cases, a leader's own
// visits — each operation decides with the record at hand. A case's actions are the
// workflow's to allow (workflows.Action.Allowed).
var (
	RolesAdmin            = []string{domain.RoleAdmin}
	RolesEnterpriseEditor = []string{domain.RoleMemberDept, domain.RoleAdmin}
	// RolesVisitReaders read visits, leaders and their links, coverage and the ledger.
	RolesVisitReaders = []string{domain.RoleLeader, domain.RoleMemberDept, domain.RoleSupervision, domain.RoleEfficiency, domain.RoleAdmin}
	RolesLinkEditor   = []string{domain.RoleMemberDept, domain.RoleAdmin}
	// RolesRaisers log visits and raise cases.
	RolesRaisers          = []string{domain.RoleLeader, domain.RoleMemberDept}
	RolesPlanEditor       = []string{domain.RoleLeader, domain.RoleMemberDept, domain.RoleAdmin}
	RolesAppellant        = []string{domain.RoleUnit}
	RolesAppealJudge      = []string{domain.RoleEfficiency}
	RolesSensitiveAuditor = []string{domain.RoleEfficiency, domain.RoleAdmin}
	RolesRuleTester       = []string{domain.RoleMemberDept, domain.RoleAdmin, domain.RoleSupervision}
	// RolesReportReaders read the quarterly reports; RolesReportRunners compile them.
	RolesReportReaders = []string{domain.RoleAdmin, domain.RoleMemberDept, domain.RoleSupervision, domain.RoleEfficiency, domain.RoleLeader}
	RolesReportRunners = []string{domain.RoleAdmin, domain.RoleMemberDept}
	RolesSubmitter     = []string{domain.RoleLeader}
	// RolesNarrativeReaders read every leader's quarterly text: the office that compiles
	// the leaders' reports for the city's principal leaders (a leader reads their own).
	RolesNarrativeReaders = []string{domain.RoleMemberDept, domain.RoleAdmin}
	// RolesInstructionEditors record that a quarterly report was sent to the city's
	// leaders and the instructions that came back (the Federation's office), and raise
	// cases from an instruction (the member department).
	RolesInstructionEditors = []string{domain.RoleMemberDept, domain.RoleAdmin}
	// RolesLeadEditors add investment leads and follow them up (a leader: their own).
	RolesLeadEditors = []string{domain.RoleMemberDept, domain.RoleAdmin, domain.RoleLeader}
	// RolesVerifiers verify timelines; RolesFigureReaders read units' figures (a unit its
	// own); RolesSchemeEditor change the scoring scheme; RolesFreezer freeze a period.
	RolesVerifiers     = []string{domain.RoleEfficiency, domain.RoleAdmin, domain.RoleSupervision}
	RolesFigureReaders = []string{domain.RoleEfficiency, domain.RoleAdmin, domain.RoleSupervision, domain.RoleUnit}
	RolesSchemeEditor  = []string{domain.RoleEfficiency, domain.RoleAdmin}
	RolesFreezer       = []string{domain.RoleEfficiency}
)
