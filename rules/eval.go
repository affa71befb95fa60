package rules

import (
	"fmt"
	"math/bits"
	"slices"
	"sync"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/interpreter"
)

// Evaluate routes one input: rules are tried in order; for each field of the route the
// first matching rule that sets it wins; tags gather from every matching rule. A rule
// that fails to evaluate counts as not matched and is listed in Errors. It never panics.
func (rs *RuleSet) Evaluate(in Input) Result { return rs.evaluate(in, false) }

// evaluateWithCEL is Evaluate with every condition evaluated by CEL alone: the reference
// the Go compilation (native.go) and the index are held to.
func (rs *RuleSet) evaluateWithCEL(in Input) Result { return rs.evaluate(in, true) }

// scratch is one evaluation's working memory, reused: an input handed to the compiled
// conditions lives on the heap, and a pool keeps that from costing an allocation a case.
type scratch struct {
	in   Input
	act  *activation // made the first time CEL is needed
	bits [4]uint64   // a bit per rule: 256 rules without an allocation
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

func (s *scratch) activation() *activation {
	if s.act == nil {
		s.act = newActivation(&s.in)
	}
	return s.act
}

func (rs *RuleSet) evaluate(in Input, celOnly bool) Result {
	s := scratches.Get().(*scratch)
	s.in, s.act = in, nil
	defer func() {
		s.in, s.act = Input{}, nil // keep no case's data in the pool
		scratches.Put(s)
	}()
	res := Result{RuleSetVersion: rs.Version, Route: Route{CoUnits: []string{}}}
	matched := rs.matches(s, celOnly, &res)
	n, tags := 0, 0
	for w, word := range matched {
		for ; word != 0; word &= word - 1 {
			n, tags = n+1, tags+len(rs.rules[w*64+bits.TrailingZeros64(word)].tags)
		}
	}
	res.Matched, res.Route.Tags = make([]Match, 0, n), make([]string, 0, tags)
	coUnitsSet := false
	rt := &res.Route
	for w, word := range matched {
		for ; word != 0; word &= word - 1 {
			r := rs.rules[w*64+bits.TrailingZeros64(word)]
			res.Matched = append(res.Matched, Match{RuleID: r.id, Description: r.description, Set: r.set})
			first(&rt.Office, r.office)
			first(&rt.LeadUnit, r.lead)
			first(&rt.SLA, r.sla)
			first(&rt.Priority, r.priority)
			first(&rt.Scope, r.scope)
			if r.hasCoUnits && !coUnitsSet {
				coUnitsSet = true
				rs.coUnits(r, s, &res)
			}
			for _, t := range r.tags {
				if !slices.Contains(rt.Tags, t) {
					rt.Tags = append(rt.Tags, t)
				}
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

// coUnits sets the route's co-units from r: literals, and expressions evaluated by CEL.
func (rs *RuleSet) coUnits(r *rule, s *scratch, res *Result) {
	rt := &res.Route
	for _, cu := range r.coUnits {
		unit := cu.literal
		if cu.expr != nil {
			var err error
			if unit, err = evalString(cu.expr, s.activation()); err != nil {
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

// matches answers, a bit per rule, which rules' conditions hold. The index leaves out the
// rules whose guards the input fails; of the rest, each condition is decided in Go where
// it compiled, and by CEL (its own program, under the runtime cost limit) where Go cannot
// decide. With celOnly, or an input beyond the sizes the cost estimates assumed, every
// rule is evaluated by CEL.
func (rs *RuleSet) matches(s *scratch, celOnly bool, res *Result) []uint64 {
	in := &s.in
	allCEL := celOnly || !withinSizes(in)
	var out []uint64
	if allCEL {
		out = append(s.bits[:0], rs.index.all...)
	} else {
		out = rs.index.candidates(in, s.bits[:0])
	}
	for w, word := range out {
		for ; word != 0; word &= word - 1 {
			b := bits.TrailingZeros64(word)
			r := rs.rules[w*64+b]
			v := unknown
			if !allCEL && r.native != nil {
				v = r.native(in)
			}
			if v == unknown {
				ok, err := evalBool(r.when, s.activation())
				if err != nil {
					res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", r.id, err))
				}
				v = triOf(ok && err == nil)
			}
			if v == no {
				out[w] &^= 1 << b
			}
		}
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
