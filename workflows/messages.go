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
	// UpdateAttach records a file attached to the case (POST /cases/{id}/files), once its
	// bytes are stored: never sent by POST /cases/{id}/actions/{action}.
	UpdateAttach = "attach"
	// UpdateExtend is the lead unit asking for more time (延期申请); UpdateDecideExtension is
	// the lead office's answer.
	UpdateExtend          = "extend"
	UpdateDecideExtension = "decide_extension"
	// UpdateUrge is the lead office urging the unit by hand (催办); UpdateCard its yellow
	// or red card by hand, with its reasons. Each issues a numbered notice (督办单).
	UpdateUrge = "urge"
	UpdateCard = "card"
	// UpdateMerge is the member department merging cases of other enterprises into this
	// one as a common problem (共性问题并案).
	UpdateMerge = "merge"
	// UpdateMergeInto and UpdateFollowParent are sent by a parent case's workflow to its
	// children, never by the API: a child is merged into the parent, and closes with it.
	UpdateMergeInto    = "merge_into"
	UpdateFollowParent = "follow_parent"
	// UpdateReopenWithParent is sent by a reopened parent to each child that closed with it.
	UpdateReopenWithParent = "reopen_with_parent"
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
