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

// Validator is a message body that can check its own fields.
type Validator interface{ Validate() error }
