package rules

import (
	"cmp"
	"strings"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/overloads"
	"cel.dev/cel-go/common/types"
)

// Most conditions are simple: a field compared with a literal, a text that contains a
// word, a count above a threshold, joined by &&, || and !. When a set is loaded, each
// condition is also compiled into Go closures over the input, where its shape allows; a
// part that does not compile (a macro, a timestamp, arithmetic) is "unknown", and so is a
// map lookup of a missing key (CEL raises an error there). Evaluation then needs CEL only
// for a rule whose Go value is unknown, and evaluates that rule's whole condition, so the
// result — a match, no match, or the rule's error — is always CEL's own. && and || follow
// CEL: false && anything is false, true || anything is true, whatever the other side's
// error. TestTheGoCompilationAgreesWithCEL and FuzzLoad hold the two to the same answers.

// tri is a condition's value as Go decides it.
type tri uint8

const (
	unknown tri = iota // CEL decides
	no
	yes
)

func triOf(b bool) tri {
	if b {
		return yes
	}
	return no
}

// test decides a condition, or part of one, in Go.
type test func(*Input) tri

// fieldOf is the field e reads (`case.title`), or nil.
func fieldOf(e celast.Expr) *fieldDef {
	if e.Kind() != celast.SelectKind {
		return nil
	}
	sel := e.AsSelect()
	if sel.IsTestOnly() || sel.Operand().Kind() != celast.IdentKind {
		return nil
	}
	t, ok := variables[sel.Operand().AsIdent()]
	if !ok {
		return nil
	}
	i, ok := t.index[sel.FieldName()]
	if !ok {
		return nil
	}
	return &t.fields[i]
}

// fieldPath names the field e reads ("case.category"), or "".
func fieldPath(e celast.Expr) string {
	if fieldOf(e) == nil {
		return ""
	}
	return e.AsSelect().Operand().AsIdent() + "." + e.AsSelect().FieldName()
}

// compileNative compiles a bool expression to Go, or answers nil when no part of it can
// be decided in Go.
func compileNative(e celast.Expr) test {
	switch e.Kind() {
	case celast.LiteralKind:
		if b, ok := e.AsLiteral().(types.Bool); ok {
			v := triOf(bool(b))
			return func(*Input) tri { return v }
		}
		return nil
	case celast.SelectKind:
		if f := fieldOf(e); f != nil && f.b != nil {
			get := f.b
			return func(in *Input) tri { return triOf(get(in)) }
		}
		return nil
	case celast.CallKind:
	default:
		return nil
	}
	call := e.AsCall()
	args := call.Args()
	switch fn := call.FunctionName(); fn {
	case operators.LogicalAnd, operators.LogicalOr:
		return junction(fn == operators.LogicalAnd, args)
	case operators.LogicalNot:
		if len(args) != 1 {
			return nil
		}
		t := compileNative(args[0])
		if t == nil {
			return nil
		}
		return func(in *Input) tri {
			switch t(in) {
			case yes:
				return no
			case no:
				return yes
			}
			return unknown
		}
	case operators.Equals, operators.NotEquals, operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		if len(args) != 2 {
			return nil
		}
		return comparison(fn, args[0], args[1])
	case operators.In:
		if len(args) != 2 {
			return nil
		}
		return membership(args[0], args[1])
	case overloads.Contains, overloads.StartsWith, overloads.EndsWith:
		if !call.IsMemberFunction() || len(args) != 1 {
			return nil
		}
		text, word := stringExpr(call.Target()), stringExpr(args[0])
		if text == nil || word == nil {
			return nil
		}
		match := map[string]func(string, string) bool{overloads.Contains: strings.Contains,
			overloads.StartsWith: strings.HasPrefix, overloads.EndsWith: strings.HasSuffix}[fn]
		return func(in *Input) tri { return triOf(match(text(in), word(in))) }
	}
	return nil
}

// junction is && (and) or || over parts: the deciding value of one part decides the
// whole; otherwise an unknown part leaves the whole unknown.
func junction(and bool, args []celast.Expr) test {
	parts := make([]test, 0, len(args))
	any := false
	for _, a := range args {
		t := compileNative(a)
		if t == nil {
			t = func(*Input) tri { return unknown }
		} else {
			any = true
		}
		parts = append(parts, t)
	}
	if !any {
		return nil
	}
	decides, otherwise := no, yes
	if !and {
		decides, otherwise = yes, no
	}
	return func(in *Input) tri {
		r := otherwise
		for _, p := range parts {
			switch p(in) {
			case decides:
				return decides
			case unknown:
				r = unknown
			}
		}
		return r
	}
}

// stringExpr reads a string field or a string literal.
func stringExpr(e celast.Expr) func(*Input) string {
	if f := fieldOf(e); f != nil && f.s != nil {
		return f.s
	}
	if e.Kind() == celast.LiteralKind {
		if s, ok := e.AsLiteral().(types.String); ok {
			v := string(s)
			return func(*Input) string { return v }
		}
	}
	return nil
}

// intExpr reads an int field, an int literal, or a count map at a key; ok is false for a
// key the map lacks (CEL's error).
func intExpr(e celast.Expr) func(*Input) (int64, bool) {
	if f := fieldOf(e); f != nil && f.i != nil {
		get := f.i
		return func(in *Input) (int64, bool) { return get(in), true }
	}
	switch e.Kind() {
	case celast.LiteralKind:
		if i, ok := e.AsLiteral().(types.Int); ok {
			v := int64(i)
			return func(*Input) (int64, bool) { return v, true }
		}
	case celast.CallKind:
		call := e.AsCall()
		if call.FunctionName() != operators.Index || len(call.Args()) != 2 {
			return nil
		}
		m, key := fieldOf(call.Args()[0]), stringExpr(call.Args()[1])
		if m == nil || m.m == nil || key == nil {
			return nil
		}
		get := m.m
		return func(in *Input) (int64, bool) {
			v, ok := get(in)[key(in)]
			return v, ok
		}
	}
	return nil
}

// doubleExpr reads a double field or a double literal.
func doubleExpr(e celast.Expr) func(*Input) float64 {
	if f := fieldOf(e); f != nil && f.d != nil {
		return f.d
	}
	if e.Kind() == celast.LiteralKind {
		if d, ok := e.AsLiteral().(types.Double); ok {
			v := float64(d)
			return func(*Input) float64 { return v }
		}
	}
	return nil
}

// comparison compiles a == b, a != b, a < b and the like, for two ints or two doubles,
// and == and != for two strings (mixed kinds are left to CEL).
func comparison(op string, a, b celast.Expr) test {
	if x, y := stringExpr(a), stringExpr(b); x != nil && y != nil {
		if op != operators.Equals && op != operators.NotEquals {
			return nil // CEL orders strings by code point: left to it
		}
		eq := op == operators.Equals
		return func(in *Input) tri { return triOf((x(in) == y(in)) == eq) }
	}
	if x, y := intExpr(a), intExpr(b); x != nil && y != nil {
		return func(in *Input) tri {
			u, ok1 := x(in)
			v, ok2 := y(in)
			if !ok1 || !ok2 {
				return unknown
			}
			return triOf(compare(op, cmp.Compare(u, v)))
		}
	}
	if x, y := doubleExpr(a), doubleExpr(b); x != nil && y != nil {
		return func(in *Input) tri {
			u, v := x(in), y(in)
			if u != u || v != v { // NaN: only != holds
				return triOf(op == operators.NotEquals)
			}
			return triOf(compare(op, cmp.Compare(u, v)))
		}
	}
	return nil
}

func compare(op string, c int) bool {
	switch op {
	case operators.Equals:
		return c == 0
	case operators.NotEquals:
		return c != 0
	case operators.Less:
		return c < 0
	case operators.LessEquals:
		return c <= 0
	case operators.Greater:
		return c > 0
	default: // GreaterEquals
		return c >= 0
	}
}

// membership compiles `x in ['a', 'b']` and `x in history.past_by_category`.
func membership(x, in celast.Expr) test {
	s := stringExpr(x)
	if s == nil {
		return nil
	}
	if lits := stringList(in); lits != nil {
		set := map[string]bool{}
		for _, l := range lits {
			set[l] = true
		}
		return func(in *Input) tri { return triOf(set[s(in)]) }
	}
	if m := fieldOf(in); m != nil && m.m != nil {
		get := m.m
		return func(in *Input) tri {
			_, ok := get(in)[s(in)]
			return triOf(ok)
		}
	}
	return nil
}

// stringList is a list literal's strings, or nil when e is not a list of string literals.
func stringList(e celast.Expr) []string {
	if e.Kind() != celast.ListKind {
		return nil
	}
	out := []string{}
	for _, el := range e.AsList().Elements() {
		if el.Kind() != celast.LiteralKind {
			return nil
		}
		s, ok := el.AsLiteral().(types.String)
		if !ok {
			return nil
		}
		out = append(out, string(s))
	}
	return out
}
