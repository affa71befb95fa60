// Package rules routes cases with rule sets written in CEL: which supervision office leads,
// which unit handles, how urgent a case is and whether it is common to many enterprises.
// A rule set is YAML; every rule is compiled and type-checked when the set is loaded, and
// every example it carries must route as it says, or the set is refused.
package rules

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// Case is what a rule may read of the case being routed (`case` in CEL).
type Case struct {
	Category    string    `json:"category"`
	List        string    `json:"list"`
	Scope       string    `json:"scope"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	AmountCNY   float64   `json:"amount_cny"`
	Sensitive   bool      `json:"sensitive"`
	Tags        []string  `json:"tags"`
	CreatedAt   time.Time `json:"created_at"`
}

// Enterprise is what a rule may read of the enterprise that raised the case (`enterprise`).
type Enterprise struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	County        string `json:"county"`
	IndustryChain string `json:"industry_chain"`
	MemberKind    string `json:"member_kind"`
	Size          string `json:"size"`
	IsKey         bool   `json:"is_key"`
}

// History is what a rule may read of earlier cases (`history`).
type History struct {
	// OpenByCategory counts this enterprise's open cases, by category.
	OpenByCategory map[string]int64 `json:"open_by_category"`
	// PastByCategory counts this enterprise's closed cases, by category.
	PastByCategory map[string]int64 `json:"past_by_category"`
	// CountyOpenSameCategory counts the open cases of this case's category raised this
	// quarter by enterprises of the same county, this case not included.
	CountyOpenSameCategory int64 `json:"county_open_same_category"`
	// CountyEnterprisesSameCategory counts the enterprises of the same county that raised
	// a case of this category this quarter, this case's enterprise included.
	CountyEnterprisesSameCategory int64 `json:"county_enterprises_same_category"`
}

// Input is everything a rule set routes on.
type Input struct {
	Case       Case       `json:"case"`
	Enterprise Enterprise `json:"enterprise"`
	History    History    `json:"history"`
}

// Route is what a rule set proposes for a case (the domain's route).
type Route = domain.Route

// Match is one rule that matched, and what it set.
type Match struct {
	RuleID      string         `json:"rule_id"`
	Description string         `json:"description"`
	Set         map[string]any `json:"set"`
}

// Result is a rule set's answer for one input.
type Result struct {
	RuleSetVersion int64   `json:"rule_set_version"`
	Route          Route   `json:"route"`
	Matched        []Match `json:"matched"`
	// Reason is ReasonMatched when the route names an office and a lead unit; otherwise
	// the case goes to manual triage for the reason given.
	Reason string `json:"reason"`
	// Errors are rules that failed to evaluate (over the cost limit, say); they count as
	// not matched.
	Errors []string `json:"errors,omitempty"`
	// computed are the co-units that expressions (=expr) gave, not checked at load.
	computed []string
}

// CheckComputedUnits drops every co-unit that a rule's expression (=expr) gave and that
// isUnit says is not a responsible unit, listing each in Errors: a rule set is checked
// for the units it names when it is loaded, but what an expression gives is known only
// for the case at hand, and a case is never referred to a unit that does not exist.
func (r *Result) CheckComputedUnits(isUnit func(id string) (bool, error)) error {
	for _, id := range r.computed {
		ok, err := isUnit(id)
		if err != nil {
			return err
		}
		if !ok {
			r.Route.CoUnits = slices.DeleteFunc(r.Route.CoUnits, func(u string) bool { return u == id })
			r.Errors = append(r.Errors, fmt.Sprintf("co_units: %q 不是承办单位，已略去 (not a responsible unit: left out)", id))
		}
	}
	r.computed = nil
	return nil
}

// RuleIDs lists the ids of the rules that matched, in order.
func (r Result) RuleIDs() []string {
	ids := make([]string, 0, len(r.Matched))
	for _, m := range r.Matched {
		ids = append(ids, m.RuleID)
	}
	return ids
}

// Reasons a route has.
const (
	ReasonMatched       = "matched"
	ReasonNoRuleMatched = "no_rule_matched"
	// ReasonIncomplete: rules matched but none named the office or the lead unit.
	ReasonIncomplete = "incomplete_route"
)

// The values a rule may set.
var (
	Offices    = slices.Sorted(maps.Keys(domain.Offices))
	SLAs       = slices.Sorted(maps.Keys(domain.SLAs))
	Priorities = slices.Sorted(maps.Keys(domain.Priorities))
	Scopes     = slices.Sorted(maps.Keys(domain.Scopes))
)
