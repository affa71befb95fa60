package rules

import (
	"slices"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// Most rules route on the category: `case.category == 'land' && ...`. At load, each rule's
// condition is searched for such a guard among its top-level conjuncts, and for every
// category one program is compiled that evaluates only the rules that can match it. A
// conjunct that is false makes the whole condition false (whatever errors the others
// raise), so skipping those rules never changes a result.

// plan evaluates the rules that can match one category, in one pass.
type plan struct {
	idx []int       // the rules, by position in the set
	all cel.Program // [cond_0, cond_1, ...] for those rules
}

// categoriesOf returns the categories a condition is limited to, or nil for any.
func categoriesOf(ast *cel.Ast) []string {
	var walk func(e celast.Expr) []string
	walk = func(e celast.Expr) []string {
		if e.Kind() != celast.CallKind {
			return nil
		}
		call := e.AsCall()
		args := call.Args()
		switch call.FunctionName() {
		case operators.LogicalAnd:
			for _, a := range args {
				if cats := walk(a); cats != nil {
					return cats
				}
			}
		case operators.Equals:
			if len(args) == 2 {
				for _, pair := range [][2]celast.Expr{{args[0], args[1]}, {args[1], args[0]}} {
					if isCaseCategory(pair[0]) {
						if s, ok := stringLiteral(pair[1]); ok {
							return []string{s}
						}
					}
				}
			}
		case operators.In:
			if len(args) == 2 && isCaseCategory(args[0]) && args[1].Kind() == celast.ListKind {
				var cats []string
				for _, el := range args[1].AsList().Elements() {
					s, ok := stringLiteral(el)
					if !ok {
						return nil
					}
					cats = append(cats, s)
				}
				return cats
			}
		}
		return nil
	}
	return walk(ast.NativeRep().Expr())
}

func isCaseCategory(e celast.Expr) bool {
	if e.Kind() != celast.SelectKind {
		return false
	}
	sel := e.AsSelect()
	op := sel.Operand()
	return sel.FieldName() == "category" && !sel.IsTestOnly() && op.Kind() == celast.IdentKind && op.AsIdent() == "case"
}

func stringLiteral(e celast.Expr) (string, bool) {
	if e.Kind() != celast.LiteralKind {
		return "", false
	}
	s, ok := e.AsLiteral().(types.String)
	return string(s), ok
}

// buildPlans compiles one plan per category named by a guard, and one for every other
// category (the unguarded rules only).
func (l *loader) buildPlans(rs *RuleSet) {
	var named []string
	for _, r := range rs.rules {
		for _, c := range r.categories {
			if !slices.Contains(named, c) {
				named = append(named, c)
			}
		}
	}
	rs.plans = map[string]*plan{}
	for _, c := range named {
		rs.plans[c] = l.plan(rs, c)
	}
	rs.otherPlan = l.plan(rs, "")
	rs.everyRule = &plan{}
	for i := range rs.rules {
		rs.everyRule.idx = append(rs.everyRule.idx, i)
	}
}

func (l *loader) plan(rs *RuleSet, category string) *plan {
	p := &plan{}
	text := "["
	for i, r := range rs.rules {
		if r.categories != nil && !slices.Contains(r.categories, category) {
			continue
		}
		p.idx = append(p.idx, i)
		if len(p.idx) > 1 {
			text += ",\n"
		}
		text += "(" + r.whenText + ")"
	}
	if len(p.idx) > 0 {
		p.all = l.compileText("", nil, text+"]", cel.ListType(cel.BoolType))
	}
	return p
}
