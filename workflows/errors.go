package workflows

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"

	"github.com/putian-fic/caseflow/workflows/domain"
)

func rejection(kind, msg string) error {
	return temporal.NewApplicationErrorWithOptions(msg, kind, temporal.ApplicationErrorOptions{NonRetryable: true})
}

func invalidTransition(c *domain.Case, action string) error {
	return rejection(ErrInvalidTransition, fmt.Sprintf("案件 %s 当前状态为「%s」，不能%s (action %q is not allowed in status %q)",
		c.ID, domain.StatusLabels[c.Status], actionLabel(action), action, c.Status))
}

func actionLabel(name string) string {
	for _, a := range registered {
		if a.Name == name {
			return a.Label
		}
	}
	return name
}

func forbidden(msg string) error { return rejection(ErrForbidden, msg) }

func invalidInput(field, msg string) error {
	return rejection(ErrInvalidInput, fmt.Sprintf("%s: %s", field, msg))
}

// MaxTextLength bounds every free-text field, in characters.
const MaxTextLength = 5000

func requireText(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return invalidInput(field, "必填 (required)")
	}
	return limitText(field, v)
}

func limitText(field, v string) error {
	if utf8.RuneCountInString(v) > MaxTextLength {
		return invalidInput(field, fmt.Sprintf("不能超过 %d 字 (too long)", MaxTextLength))
	}
	return nil
}

// CheckWord refuses a value that is not one of allowed's keys (a 422 naming them): the
// one check of a vocabulary word, for the API as for the actions.
func CheckWord(field, v string, allowed map[string]string) error { return oneOf(field, v, allowed) }

func oneOf(field, v string, allowed map[string]string) error {
	if _, ok := allowed[v]; ok {
		return nil
	}
	keys := make([]string, 0, len(allowed))
	for k := range allowed {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return invalidInput(field, fmt.Sprintf("%q 无效，应为 %s (must be one of them)", v, strings.Join(keys, ", ")))
}

// ValidateNewCase checks the fields of a case being raised; the API calls it before it
// allocates a case number and starts the workflow.
func ValidateNewCase(c domain.Case) error {
	if err := requireText("title", c.Title); err != nil {
		return err
	}
	if err := CheckLine("title", c.Title, 200); err != nil {
		return err
	}
	if err := requireText("description", c.Description); err != nil {
		return err
	}
	if err := CheckText("description", c.Description); err != nil {
		return err
	}
	if err := checkIDs("enterprise_id", c.EnterpriseID); err != nil {
		return err
	}
	if err := checkIDs("visit_id", c.VisitID); err != nil {
		return err
	}
	if err := checkIDs("instruction_id", c.InstructionID); err != nil {
		return err
	}
	if err := oneOf("category", c.Category, domain.Categories); err != nil {
		return err
	}
	if err := oneOf("list", c.List, domain.Lists); err != nil {
		return err
	}
	if err := CheckAmount("amount_cny", c.AmountCNY); err != nil {
		return err
	}
	if c.List == domain.ListFunding && c.AmountCNY == nil {
		return invalidInput("amount_cny", "资金需求清单的案件必须填写金额 (required for the funding list)")
	}
	return nil
}

func checkUnits(lead string, co []string) error {
	if strings.TrimSpace(lead) == "" {
		return invalidInput("lead_unit", "必填 (required)")
	}
	seen := map[string]bool{lead: true}
	for _, u := range co {
		if u == "" {
			return invalidInput("co_units", "不能包含空值 (empty unit)")
		}
		if seen[u] {
			return invalidInput("co_units", fmt.Sprintf("%q 重复或与主办单位相同 (duplicate, or the lead unit)", u))
		}
		seen[u] = true
	}
	return nil
}
