package domain

import (
	"encoding/json"
	"time"
)

// The contracts between the workflows and their activities: what each activity takes and
// answers, and the error types and reasons they share. They live here, not beside the
// activities, so that workflows call activities by name without importing them.

// DeliverInput names the event whose notifications (and any earlier undelivered ones of
// the case) to deliver.
type DeliverInput struct {
	CaseID string `json:"case_id"`
	Seq    int    `json:"seq"`
	// Period, instead of a case: a quarterly report's pending reminders.
	Period string `json:"period,omitempty"`
}

// MaxDeliveryAttempts is how often a notification is tried before it is marked failed.
const MaxDeliveryAttempts = 8

// CreateVisitInput is a visit as its request logged it, checked by the API.
type CreateVisitInput struct {
	Visit Visit `json:"visit"`
	// Year numbers the visit and its cases.
	Year int `json:"year"`
	// Key is the request's Idempotency-Key ("" for none): a repeated key must come with the
	// same visit.
	Key string `json:"key"`
}

// Types of the non-retryable errors of the visit activities.
const (
	// ErrIdempotencyConflict: the Idempotency-Key was used for another request (409).
	ErrIdempotencyConflict = "idempotency_conflict"
	// ErrVisitRefused: PostgreSQL refuses the visit for good (a leader or enterprise it names
	// is gone, a value it cannot take): retrying cannot help (422).
	ErrVisitRefused = "visit_refused"
)

// ReportCompiled says which version was written, and who the leaders are.
type ReportCompiled struct {
	Version    int       `json:"version"`
	CompiledAt time.Time `json:"compiled_at"`
	Final      bool      `json:"final"`
	Leaders    []string  `json:"leaders"`
}

// ReportCompileInput asks for a new version of a quarter's report, as things stand at AsOf;
// Final makes it the last (at the deadline).
type ReportCompileInput struct {
	Period string    `json:"period"`
	AsOf   time.Time `json:"as_of"`
	Final  bool      `json:"final"`
}

// SubmissionInput is a leader's submission as the report's workflow accepted it.
type SubmissionInput struct {
	Period    string    `json:"period"`
	Leader    string    `json:"leader"`
	Narrative string    `json:"narrative"`
	At        time.Time `json:"at"`
}

// ReportStatusInput records a report's status.
type ReportStatusInput struct {
	Period string `json:"period"`
	Status string `json:"status"`
}

// ReminderInput reminds the leaders who have not submitted, DaysBefore days before the deadline.
type ReminderInput struct {
	Period     string    `json:"period"`
	DaysBefore int       `json:"days_before"`
	At         time.Time `json:"at"` // when the workflow sent it
}

// StartReportInput starts (or finds) a quarter's report workflow.
type StartReportInput struct {
	WorkflowID string `json:"workflow_id"`
	Workflow   string `json:"workflow"`
	TaskQueue  string `json:"task_queue"`
	Period     string `json:"period"`
}

// DeadlineInput asks for the date Days working days after From (or after the date
// FromDate, when set).
type DeadlineInput struct {
	From     time.Time `json:"from"`
	FromDate string    `json:"from_date"`
	Days     int       `json:"days"`
}

// LadderInput asks when the supervision ladder of a deadline fires.
type LadderInput struct {
	Due            string `json:"due"`
	ReminderBefore int    `json:"reminder_before"`
	UrgeAfter      int    `json:"urge_after"`
	YellowAfter    int    `json:"yellow_after"`
	RedAfter       int    `json:"red_after"`
	Hour           int    `json:"hour"`
}

// LadderPlan is when each rung fires, in business time.
type LadderPlan struct {
	Reminder time.Time `json:"reminder"`
	Blue     time.Time `json:"blue"`
	Yellow   time.Time `json:"yellow"`
	Red      time.Time `json:"red"`
}

// PlannedDeadlineInput asks for a deadline (as DeadlineInput does) and the supervision
// ladder of the date it falls on (Ladder.Due is that date, left empty here).
type PlannedDeadlineInput struct {
	Deadline DeadlineInput `json:"deadline"`
	Ladder   LadderInput   `json:"ladder"`
}

// PlannedDeadline is a deadline's date with its ladder, computed on one calendar.
type PlannedDeadline struct {
	Date   string     `json:"date"`
	Ladder LadderPlan `json:"ladder"`
}

// UpdateCaseInput asks another case's workflow to take an action: a parent case merging
// a child into it, or telling its children that it closed. UpdateID makes a retry the
// same Update, which Temporal answers with the first outcome.
type UpdateCaseInput struct {
	WorkflowID string          `json:"workflow_id"`
	Update     string          `json:"update"`
	UpdateID   string          `json:"update_id"`
	Arg        json.RawMessage `json:"arg"`
}

// ErrCaseRefused is the type of the non-retryable error UpdateCase returns when the other
// case refuses the action or does not exist; its message says why, in the case's words.
const ErrCaseRefused = "case_refused"

// RouteInput is what routing a case needs.
type RouteInput struct {
	Case Case `json:"case"`
}

// Reasons for a proposal without a route, besides the rules' own.
const (
	ReasonNoRuleSet     = "no_rule_set"
	ReasonRoutingFailed = "routing_failed"
)
