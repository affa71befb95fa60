package rules

import (
	"slices"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
)

// Most rules are guarded: `case.category == 'land' && ...`, `enterprise.industry_chain in
// [...]`. When a set is loaded, each condition's top-level conjuncts are searched for such
// guards on text fields, and the rules are indexed on every field some rule guards: for a
// field's value, the rules it leaves possible. Routing a case intersects those sets and
// looks at the remaining rules only. A guard that is false makes the whole condition false
// (whatever errors the other conjuncts raise, in CEL as here), so skipping those rules
// never changes a result.

// guard limits one text field to some values.
type guard struct {
	path   string // "case.category"
	get    func(*Input) string
	values []string
}

// conjuncts flattens a condition's top-level &&.
func conjuncts(e celast.Expr) []celast.Expr {
	if e.Kind() == celast.CallKind && e.AsCall().FunctionName() == operators.LogicalAnd {
		var out []celast.Expr
		for _, a := range e.AsCall().Args() {
			out = append(out, conjuncts(a)...)
		}
		return out
	}
	return []celast.Expr{e}
}

// guardOf reads `field == 'literal'` (either way round) and `field in ['a', 'b']` on a
// text field as a guard.
func guardOf(e celast.Expr) (guard, bool) {
	if e.Kind() != celast.CallKind {
		return guard{}, false
	}
	call := e.AsCall()
	args := call.Args()
	if len(args) != 2 {
		return guard{}, false
	}
	switch call.FunctionName() {
	case operators.Equals:
		for _, pair := range [][2]celast.Expr{{args[0], args[1]}, {args[1], args[0]}} {
			if f := fieldOf(pair[0]); f != nil && f.s != nil && pair[1].Kind() == celast.LiteralKind {
				if lit := stringExpr(pair[1]); lit != nil {
					return guard{fieldPath(pair[0]), f.s, []string{lit(nil)}}, true
				}
			}
		}
	case operators.In:
		if f := fieldOf(args[0]); f != nil && f.s != nil {
			if vals := stringList(args[1]); vals != nil {
				return guard{fieldPath(args[0]), f.s, vals}, true
			}
		}
	}
	return guard{}, false
}

// compileGuarded splits a condition into its guards and the rest, compiled to Go. The Go
// test leaves the guards out: it is only asked about rules the index found possible, whose
// guards hold. It is nil when the rest cannot be decided in Go at all.
func compileGuarded(e celast.Expr) ([]guard, test) {
	var guards []guard
	var rest []celast.Expr
	for _, c := range conjuncts(e) {
		g, ok := guardOf(c)
		if !ok {
			rest = append(rest, c)
			continue
		}
		if i := slices.IndexFunc(guards, func(h guard) bool { return h.path == g.path }); i >= 0 {
			// Two guards on one field allow what both allow.
			guards[i].values = slices.DeleteFunc(slices.Clone(guards[i].values), func(v string) bool { return !slices.Contains(g.values, v) })
			continue
		}
		guards = append(guards, g)
	}
	switch len(rest) {
	case 0:
		return guards, func(*Input) tri { return yes }
	case 1:
		return guards, compileNative(rest[0])
	}
	return guards, junction(true, rest)
}

// index finds, for an input, the rules its guards leave possible (a bit per rule).
type index struct {
	all    []uint64
	fields []fieldIndex
}

type fieldIndex struct {
	get     func(*Input) string
	byValue map[string][]uint64 // the rules possible when the field holds the value
	other   []uint64            // those possible for a value no guard names: the unguarded
}

func buildIndex(rs *RuleSet) *index {
	words := (len(rs.rules) + 63) / 64
	bitset := func() []uint64 { return make([]uint64, words) }
	ix := &index{all: bitset()}
	byPath := map[string]*fieldIndex{}
	for i, r := range rs.rules {
		ix.all[i/64] |= 1 << (i % 64)
		for _, g := range r.guards {
			if byPath[g.path] == nil {
				byPath[g.path] = &fieldIndex{get: g.get, byValue: map[string][]uint64{}}
			}
		}
	}
	paths := make([]string, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		f := byPath[p]
		f.other = bitset()
		for i, r := range rs.rules {
			g := slices.IndexFunc(r.guards, func(g guard) bool { return g.path == p })
			if g < 0 {
				f.other[i/64] |= 1 << (i % 64)
				continue
			}
			for _, v := range r.guards[g].values {
				if f.byValue[v] == nil {
					f.byValue[v] = bitset()
				}
				f.byValue[v][i/64] |= 1 << (i % 64)
			}
		}
		for _, set := range f.byValue {
			for w := range set {
				set[w] |= f.other[w]
			}
		}
		ix.fields = append(ix.fields, *f)
	}
	return ix
}

// candidates writes into buf the rules possible for in.
func (ix *index) candidates(in *Input, buf []uint64) []uint64 {
	out := append(buf[:0], ix.all...)
	for i := range ix.fields {
		f := &ix.fields[i]
		set, ok := f.byValue[f.get(in)]
		if !ok {
			set = f.other
		}
		for w := range out {
			out[w] &= set[w]
		}
	}
	return out
}
