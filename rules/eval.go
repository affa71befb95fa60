package rules

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
)

// Evaluate routes one input: rules are tried in order; for each field of the route the
// first matching rule that sets it wins; tags gather from every matching rule. A rule
// that fails to evaluate counts as not matched and is listed in Errors. It never panics.
func (rs *RuleSet) Evaluate(in Input) Result {
	res := Result{RuleSetVersion: rs.Version, Route: Route{CoUnits: []string{}, Tags: []string{}}, Matched: []Match{}}
	act := newActivation(&in)
	matches := rs.matches(in.Case.Category, act, &res)
	coUnitsSet := false
	for i, r := range rs.rules {
		if !matches[i] {
			continue
		}
		res.Matched = append(res.Matched, Match{RuleID: r.id, Description: r.description, Set: r.set})
		rt := &res.Route
		first(&rt.Office, r.office)
		first(&rt.LeadUnit, r.lead)
		first(&rt.SLA, r.sla)
		first(&rt.Priority, r.priority)
		first(&rt.Scope, r.scope)
		if r.hasCoUnits && !coUnitsSet {
			coUnitsSet = true
			for _, cu := range r.coUnits {
				unit := cu.literal
				if cu.expr != nil {
					var err error
					if unit, err = evalString(cu.expr, act); err != nil {
						res.Errors = append(res.Errors, fmt.Sprintf("%s: co_units: %v", r.id, err))
						continue
					}
				}
				if unit != "" && !slices.Contains(rt.CoUnits, unit) {
					rt.CoUnits = append(rt.CoUnits, unit)
					if cu.expr != nil {
						res.computed = append(res.computed, unit)
					}
				}
			}
		}
		for _, t := range r.tags {
			if !slices.Contains(rt.Tags, t) {
				rt.Tags = append(rt.Tags, t)
			}
		}
	}
	// A lead unit is never its own co-unit.
	res.Route.CoUnits = slices.DeleteFunc(res.Route.CoUnits, func(u string) bool { return u == res.Route.LeadUnit })
	switch {
	case len(res.Matched) == 0:
		res.Reason = ReasonNoRuleMatched
	case res.Route.Office == "" || res.Route.LeadUnit == "":
		res.Reason = ReasonIncomplete
	default:
		res.Reason = ReasonMatched
	}
	return res
}

// matches says which rules' conditions hold: all at once, or one by one when that fails.
func (rs *RuleSet) matches(category string, act *activation, res *Result) []bool {
	out := make([]bool, len(rs.rules))
	p, ok := rs.plans[category]
	if !ok {
		p = rs.otherPlan
	}
	if len(p.idx) == 0 {
		return out
	}
	if !withinSizes(&act.in) {
		p = rs.everyRule // beyond what the estimates assumed: every rule, with the cost limit
	} else if v, err := eval(p.all, act); err == nil {
		if bools, ok := v.([]ref.Val); ok && len(bools) == len(p.idx) {
			for i, b := range bools {
				out[p.idx[i]] = b == types.True
			}
			return out
		}
	}
	for _, i := range p.idx {
		r := rs.rules[i]
		ok, err := evalBool(r.when, act)
		if err != nil {
			res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", r.id, err))
			continue
		}
		out[i] = ok
	}
	return out
}

// withinSizes reports whether every text, list and map of the input is within the sizes
// the rules' cost estimates assumed (MaxTextSize).
func withinSizes(in *Input) bool {
	for _, s := range []string{in.Case.Category, in.Case.List, in.Case.Scope, in.Case.Title, in.Case.Description,
		in.Enterprise.ID, in.Enterprise.Name, in.Enterprise.County, in.Enterprise.IndustryChain,
		in.Enterprise.MemberKind, in.Enterprise.Size} {
		if len(s) > MaxTextSize && utf8.RuneCountInString(s) > MaxTextSize {
			return false
		}
	}
	for _, t := range in.Case.Tags {
		if len(t) > MaxTextSize && utf8.RuneCountInString(t) > MaxTextSize {
			return false
		}
	}
	return len(in.Case.Tags) <= MaxTextSize && len(in.History.OpenByCategory) <= MaxTextSize &&
		len(in.History.PastByCategory) <= MaxTextSize
}

func first(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

func eval(p cel.Program, act interpreter.Activation) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("evaluation failed: %v", r)
		}
	}()
	out, _, err := p.Eval(act)
	if err != nil {
		return nil, err
	}
	return out.Value(), nil
}

func evalBool(p cel.Program, act interpreter.Activation) (bool, error) {
	v, err := eval(p, act)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("condition gave %T, not bool", v)
	}
	return b, nil
}

func evalString(p cel.Program, act interpreter.Activation) (string, error) {
	v, err := eval(p, act)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("expression gave %T, not string", v)
	}
	return s, nil
}
