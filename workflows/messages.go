// Package workflows holds caseflow's Temporal workflows, their message types and the
// vocabulary of the case lifecycle. Everything here is deterministic.
package workflows

import (
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// TaskQueue is the task queue caseflow's workers poll.
const TaskQueue = "caseflow"

// Update names: one per user action on a case (docs/lifecycle.md).
const (
	UpdateTriage   = "triage"
	UpdateRefer    = "refer"
	UpdateSign     = "sign"
	UpdateProgress = "progress"
	UpdateReturn   = "return"
	UpdateComplete = "complete"
	UpdateCallback = "callback"
	UpdateClose    = "close"
	UpdateReopen   = "reopen"
	UpdateComment  = "comment"
	// UpdateExtend is the lead unit asking for more time (延期申请); UpdateDecideExtension is
	// the lead office's answer.
	UpdateExtend          = "extend"
	UpdateDecideExtension = "decide_extension"
	// UpdateMerge is the member department merging cases of other enterprises into this
	// one as a common problem (共性问题并案).
	UpdateMerge = "merge"
	// UpdateMergeInto and UpdateFollowParent are sent by a parent case's workflow to its
	// children, never by the API: a child is merged into the parent, and closes with it.
	UpdateMergeInto    = "merge_into"
	UpdateFollowParent = "follow_parent"
	// UpdateAppeal is a unit's appeal against items of its audit figures for the case;
	// UpdateDecideAppeal the efficiency office's decision (POST /cases/{id}/appeals…).
	UpdateAppeal       = "appeal"
	UpdateDecideAppeal = "decide_appeal"
	// UpdateSync waits until everything the case has recorded is in the read model, and
	// returns the case: the API calls it after starting a case.
	UpdateSync = "sync"
)

// QueryCase returns the live state of a case (domain.Case).
const QueryCase = "case"

// Application error types a rejected action carries; the API maps them to HTTP codes.
const (
	ErrInvalidTransition = "invalid_transition" // the action is not allowed in the case's status (409)
	ErrForbidden         = "forbidden"          // this user's role or unit may not act (403)
	ErrInvalidInput      = "invalid_input"      // the request body is wrong (422)
	ErrNotFoundAppeal    = "appeal_not_found"   // no such appeal on the case (404)
)

// CaseWorkflowID is the workflow ID of a case's workflow: there is exactly one per case.
func CaseWorkflowID(caseID string) string { return "case-" + caseID }

// CaseInput starts a case workflow.
type CaseInput struct {
	// Case is the case as raised (ID, title, description, category, list, enterprise...),
	// or, when Continued, the case as it stood when the previous run continued as new.
	Case domain.Case `json:"case"`
	// Actor raised the case.
	Actor domain.Actor `json:"actor"`
	// Continued is true for a run that continues an earlier one: nothing is recorded at start.
	Continued bool `json:"continued"`
	// Clock maps real time to business time (zero: real time).
	Clock Clock `json:"clock"`
	// Policy is the SLA policy; nil means DefaultPolicy.
	Policy *SLAPolicy `json:"policy,omitempty"`
	// Ladders carries the supervision ladders (and what fired) into a continued run.
	Ladders []Ladder `json:"ladders,omitempty"`
	// Supervised carries into a continued run that the case runs the supervision ladder.
	Supervised bool `json:"supervised,omitempty"`
	// Strict carries into a continued run that the case applies the stricter checks.
	Strict bool `json:"strict,omitempty"`
}

// Ladder is the supervision ladder of one deadline: when each rung fires and which did.
type Ladder struct {
	Deadline string `json:"deadline"` // triage, referral, sign, handling, callback
	Due      string `json:"due"`
	// At holds the business times of the rungs: reminder, blue, yellow, red.
	At    [4]time.Time `json:"at"`
	Fired [4]bool      `json:"fired"`
}

// ActionInput is the argument of every action Update: who acts, and the action's body.
type ActionInput[T any] struct {
	Actor domain.Actor `json:"actor"`
	Body  T            `json:"body"`
}

// SyncInput is the argument of UpdateSync.
type SyncInput struct{}

// TriageBody is the member department's triage (会员部梳理). For decision refer, a field
// left out takes the routing rules' proposal (category and list: the case's own); a field
// that differs from the proposal is an override and needs OverrideReason.
type TriageBody struct {
	Decision       string    `json:"decision"`
	Category       string    `json:"category,omitempty"`
	Scope          string    `json:"scope,omitempty"`
	List           string    `json:"list,omitempty"`
	Office         string    `json:"office,omitempty"`
	LeadUnit       string    `json:"lead_unit,omitempty"`
	CoUnits        *[]string `json:"co_units,omitempty"`
	SLA            string    `json:"sla,omitempty"`
	Priority       string    `json:"priority,omitempty"`
	Note           string    `json:"note,omitempty"`
	OverrideReason string    `json:"override_reason,omitempty"`
	Answer         string    `json:"answer,omitempty"`
	Reason         string    `json:"reason,omitempty"`
}

// Override is one field of the route where triage chose other than the rules proposed.
type Override struct {
	Field    string `json:"field"`
	Proposed any    `json:"proposed"`
	Chosen   any    `json:"chosen"`
}

// ReferBody is the lead supervision office's referral to the units (转办). Units left out
// default to triage's choice; the due date defaults to 15 working days.
type ReferBody struct {
	LeadUnit     string    `json:"lead_unit,omitempty"`
	CoUnits      *[]string `json:"co_units,omitempty"`
	DueDate      string    `json:"due_date,omitempty"`
	Instructions string    `json:"instructions,omitempty"`
}

// SignBody is a unit signing for a referred case (签收).
type SignBody struct{}

// ProgressBody is a unit's progress report.
type ProgressBody struct {
	Note string `json:"note"`
}

// ReturnBody is the lead unit sending a misrouted case back (退回).
type ReturnBody struct {
	Grounds string `json:"grounds"`
}

// CompleteBody is the lead unit's completion report (办结报告).
type CompleteBody struct {
	Outcome string `json:"outcome"`
	Report  string `json:"report"`
}

// CallbackBody is the enterprise's answer when called back (回访).
type CallbackBody struct {
	Solved    *bool  `json:"solved"`
	Satisfied *bool  `json:"satisfied"`
	Note      string `json:"note"`
}

// CloseBody closes the case out (销号).
type CloseBody struct {
	Note string `json:"note"`
}

// ReopenBody reopens a closed case.
type ReopenBody struct {
	Reason string `json:"reason"`
}

// ExtendBody is the lead unit's extension request: how many working days, and why.
type ExtendBody struct {
	Days   int    `json:"days"`
	Reason string `json:"reason"`
}

// DecideExtensionBody is the lead office's decision on an extension request.
type DecideExtensionBody struct {
	Approve *bool  `json:"approve"`
	Note    string `json:"note"`
	// AllowAnother lets the unit ask once more (one extension per case otherwise).
	AllowAnother bool `json:"allow_another"`
}

// CommentBody adds a remark to the timeline.
type CommentBody struct {
	Text string `json:"text"`
}

// MergeBody merges other enterprises' cases, each in triage, into this one (the parent)
// as one common problem. MaxMergeChildren bounds one merge.
type MergeBody struct {
	ChildIDs []string `json:"child_ids"`
	Note     string   `json:"note"`
}

// MaxMergeChildren is the most cases one merge takes in.
const MaxMergeChildren = 50

// MergeIntoBody tells a child it is merged into ParentID (sent by the parent's workflow).
type MergeIntoBody struct {
	ParentID         string `json:"parent_id"`
	ParentEnterprise string `json:"parent_enterprise"`
	Note             string `json:"note"`
}

// FollowParentBody tells a child that its parent closed, and how (sent by the parent's
// workflow, as caseflow itself).
type FollowParentBody struct {
	ParentID   string `json:"parent_id"`
	Resolution string `json:"resolution"`
	Outcome    string `json:"outcome"`
}

// AppealBody is a unit's appeal (申诉): why, and which items (domain.AppealItems).
type AppealBody struct {
	Reason string   `json:"reason"`
	Items  []string `json:"items"`
}

// DecideAppealBody is the efficiency office's decision on appeal N.
type DecideAppealBody struct {
	N      int    `json:"n"` // set from the path by the API
	Accept *bool  `json:"accept"`
	Note   string `json:"note"`
}

// MaxAppeals bounds the appeals on one case.
const MaxAppeals = 20
