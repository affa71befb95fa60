package domain

import "time"

// The records activities hand back to workflows and the API, besides Case and Event.

// Projection is what a case workflow writes after an accepted action: the case as it now
// stands and the timeline events the action produced.
type Projection struct {
	Case   Case    `json:"case"`
	Events []Event `json:"events"`
}

// Projected is what writing a projection left to do: Pending says whether notifications of
// its events wait in the outbox (the case's workflow starts a delivery only then).
type Projected struct {
	Pending bool `json:"pending"`
}

// Notice is a numbered supervision notice (督办单).
type Notice struct {
	No           string    `json:"no" db:"no"`
	CaseID       string    `json:"case_id" db:"case_id"`
	DeadlineKind string    `json:"deadline_kind" db:"deadline_kind"`
	Deadline     string    `json:"deadline" db:"deadline"`
	Card         string    `json:"card" db:"card"`
	Unit         string    `json:"unit" db:"unit"`
	Office       string    `json:"office" db:"office"`
	IssuedAt     time.Time `json:"issued_at" db:"issued_at"`
	// Note is the office's note or reasons, for a notice issued by hand ("" for the ladder's).
	Note string `json:"note,omitempty" db:"note"`
	// Key, for a notice by hand, names the action that issues it (never read back).
	Key string `json:"key,omitempty" db:"-"`
}

// Submission is a leader's quarterly submission (调研报告).
type Submission struct {
	Period      string    `json:"period" db:"period"`
	Leader      string    `json:"leader" db:"leader"`
	Narrative   string    `json:"narrative" db:"narrative"`
	SubmittedAt time.Time `json:"submitted_at" db:"submitted_at"`
	UpdatedAt   time.Time `json:"updated_at" db:"updated_at"`
	Late        bool      `json:"late" db:"late"`
}
