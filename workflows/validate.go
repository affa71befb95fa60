package workflows

import (
	"fmt"
	"math"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// This file is the one validation of what people type, used by the API before it starts a
// workflow and by every action's Update validator: it refuses, before anything is
// recorded, what the read model cannot store or a reader could be fooled by.

// MaxAmountCNY is the largest amount accepted: the read model's numeric(16,2) holds just
// under 10^14 yuan.
const MaxAmountCNY = 99_999_999_999_999

// CheckText refuses a free text (note, report, reason, comment…) the read model cannot
// store, or one over MaxTextLength characters. An empty text passes.
func CheckText(field, v string) error {
	if p := domain.TextProblem(v, false); p != "" {
		return invalidInput(field, p)
	}
	return limitText(field, v)
}

// CheckLine refuses a one-line text (a title, a name) as CheckText does, and also bidi
// overrides and newlines.
func CheckLine(field, v string, maxRunes int) error {
	if p := domain.LineProblem(v, maxRunes); p != "" {
		return invalidInput(field, p)
	}
	return nil
}

// CheckAmount refuses an amount the read model cannot hold: negative, not a number, or
// above MaxAmountCNY.
func CheckAmount(field string, v *float64) error {
	if v == nil {
		return nil
	}
	switch {
	case math.IsNaN(*v) || math.IsInf(*v, 0):
		return invalidInput(field, "不是有效数字 (not a number)")
	case *v < 0:
		return invalidInput(field, "不能为负数 (must not be negative)")
	case *v > float64(MaxAmountCNY):
		return invalidInput(field, fmt.Sprintf("不能超过 %d 元 (at most %d)", MaxAmountCNY, MaxAmountCNY))
	}
	return nil
}

// checkTexts runs CheckText over named fields, stopping at the first problem.
func checkTexts(fields ...[2]string) error {
	for _, f := range fields {
		if err := CheckText(f[0], f[1]); err != nil {
			return err
		}
	}
	return nil
}

// MaxIDLength bounds identifiers people pass (unit ids, enterprise ids, visit ids).
const MaxIDLength = 100

func checkIDs(field string, ids ...string) error {
	for _, id := range ids {
		if err := CheckLine(field, id, MaxIDLength); err != nil {
			return err
		}
	}
	return nil
}

func unitsOf(lead string, co *[]string) []string {
	ids := []string{lead}
	if co != nil {
		ids = append(ids, *co...)
	}
	return ids
}

// Validate checks the body's own fields, whatever the case's state (so does every
// action's Validate): the API calls it before it sends the action, and the Update's
// validator again before the workflow accepts it.
func (b TriageBody) Validate() error {
	if err := checkIDs("units", unitsOf(b.LeadUnit, b.CoUnits)...); err != nil {
		return err
	}
	// The words are checked against the vocabulary with the case (check); here, that
	// they are words at all.
	for _, w := range [][2]string{{"decision", b.Decision}, {"category", b.Category}, {"scope", b.Scope},
		{"list", b.List}, {"office", b.Office}, {"sla", b.SLA}, {"priority", b.Priority}} {
		if err := CheckLine(w[0], w[1], 100); err != nil {
			return err
		}
	}
	return checkTexts([2]string{"note", b.Note}, [2]string{"override_reason", b.OverrideReason},
		[2]string{"answer", b.Answer}, [2]string{"reason", b.Reason})
}

// Validate checks the referral's own fields.
func (b ReferBody) Validate() error {
	if err := checkIDs("units", unitsOf(b.LeadUnit, b.CoUnits)...); err != nil {
		return err
	}
	if err := CheckLine("due_date", b.DueDate, 10); err != nil {
		return err
	}
	return CheckText("instructions", b.Instructions)
}

// Validate has nothing to check: signing for a case has no body.
func (SignBody) Validate() error { return nil }

// Validate checks the progress note.
func (b ProgressBody) Validate() error { return CheckText("note", b.Note) }

// Validate checks the grounds of a return.
func (b ReturnBody) Validate() error { return CheckText("grounds", b.Grounds) }

// Validate checks the completion report.
func (b CompleteBody) Validate() error {
	if err := oneOf("outcome", b.Outcome, domain.Outcomes); err != nil {
		return err
	}
	return CheckText("report", b.Report)
}

// Validate checks the callback's note.
func (b CallbackBody) Validate() error { return CheckText("note", b.Note) }

// Validate checks the closing note.
func (b CloseBody) Validate() error { return CheckText("note", b.Note) }

// Validate checks the reason for reopening.
func (b ReopenBody) Validate() error { return CheckText("reason", b.Reason) }

// Validate checks the comment.
func (b CommentBody) Validate() error { return CheckText("text", b.Text) }

// Validate checks the reason for an extension.
func (b ExtendBody) Validate() error { return CheckText("reason", b.Reason) }

// Validate checks the decision's note.
func (b DecideExtensionBody) Validate() error { return CheckText("note", b.Note) }

// Validator is a message body that can check its own fields.
type Validator interface{ Validate() error }
