package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"gopkg.in/yaml.v3"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// Problem is one thing wrong with a rule set, where it is in the file.
type Problem struct {
	RuleID  string `json:"rule_id"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// LoadError lists everything wrong with a rule set that was refused.
type LoadError struct {
	Problems []Problem
}

func (e *LoadError) Error() string {
	msgs := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		msgs = append(msgs, fmt.Sprintf("%d:%d: rule %q: %s", p.Line, p.Column, p.RuleID, p.Message))
	}
	return "rules: invalid rule set: " + strings.Join(msgs, "; ")
}

// UnitRef is a unit id a rule names, so that a caller who knows the units can check it.
type UnitRef struct {
	RuleID string
	Unit   string
	Line   int
	Column int
}

// RuleSet is a loaded, checked rule set. It is safe for concurrent use.
type RuleSet struct {
	Version     int64
	Description string
	rules       []*rule
	unitRefs    []UnitRef
	// index finds the rules a case's guarded fields leave possible (index.go).
	index *index
}

// UnitRefs lists every literal unit id the rules name.
func (rs *RuleSet) UnitRefs() []UnitRef { return rs.unitRefs }

// Len is the number of rules.
func (rs *RuleSet) Len() int { return len(rs.rules) }

// rule is one compiled rule.
type rule struct {
	id, description string
	whenText        string
	when            cel.Program
	guards          []guard // the text fields the condition limits, and to what
	native          test    // the condition but its guards, compiled to Go (native.go); nil when none of it compiles
	office, lead    string
	coUnits         []coUnit
	hasCoUnits      bool
	sla, priority   string
	scope           string
	tags            []string
	set             map[string]any // what it sets, as written, for explanations
}

// coUnit is a literal unit id, or a CEL expression (written "=expr") giving one.
type coUnit struct {
	literal string
	expr    cel.Program
}

// loader collects problems while it reads a file.
type loader struct {
	lines    []string
	problems []Problem
}

func (l *loader) problem(ruleID string, n *yaml.Node, format string, args ...any) {
	if l == nil {
		return
	}
	line, col := 0, 0
	if n != nil {
		line, col = n.Line, n.Column
	}
	l.problems = append(l.problems, Problem{RuleID: ruleID, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}

// fields returns a mapping node's values by key, reporting keys not in allowed.
func (l *loader) fields(ruleID string, n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		l.problem(ruleID, n, "%s must be a mapping", what)
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(allowed, k.Value) {
			l.problem(ruleID, k, "unknown field %q in %s (allowed: %s)", k.Value, what, strings.Join(allowed, ", "))
			continue
		}
		out[k.Value] = v
	}
	return out
}

func (l *loader) str(ruleID string, n *yaml.Node, what string) string {
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		l.problem(ruleID, n, "%s must be a string", what)
		return ""
	}
	return n.Value
}

func (l *loader) strs(ruleID string, n *yaml.Node, what string) []*yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		l.problem(ruleID, n, "%s must be a list", what)
		return nil
	}
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode {
			l.problem(ruleID, item, "%s must hold strings", what)
			return nil
		}
	}
	return n.Content
}

// Bounds of a rule set's texts.
const (
	maxIDLength          = 100  // a rule id, a unit id, a tag
	maxDescriptionLength = 2000 // a description
)

// text checks a text the rule set carries into cases and the read model (an id, a
// description, a tag, a unit): the same check as every text a person types, so that
// nothing a rule set lets through can stop a case being written.
func (l *loader) text(ruleID string, n *yaml.Node, what, v string, oneLine bool) {
	var p string
	if oneLine {
		p = domain.LineProblem(v, maxIDLength)
	} else if p = domain.TextProblem(v, false); p == "" && utf8.RuneCountInString(v) > maxDescriptionLength {
		p = fmt.Sprintf("不能超过 %d 字 (too long)", maxDescriptionLength)
	}
	if p != "" {
		l.problem(ruleID, n, "%s: %s", what, p)
	}
}

func (l *loader) oneOf(ruleID string, n *yaml.Node, what string, allowed []string) string {
	v := l.str(ruleID, n, what)
	if v != "" && !slices.Contains(allowed, v) {
		l.problem(ruleID, n, "%s %q is not one of %s", what, v, strings.Join(allowed, ", "))
	}
	return v
}

// Load parses, compiles and checks a rule set, then runs every example in it. Anything
// wrong is a *LoadError listing every problem with its position.
func Load(src []byte) (*RuleSet, error) {
	l := &loader{lines: strings.Split(string(src), "\n")}
	if at := badByte(src); at >= 0 {
		line := bytes.Count(src[:at], []byte("\n")) + 1
		return nil, &LoadError{[]Problem{{Line: line, Column: 1,
			Message: "规则集须为 UTF-8 文本，不能含 U+0000 (the rule set must be UTF-8 text without NUL)"}}}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line := 0
		fmt.Sscanf(strings.TrimPrefix(err.Error(), "yaml: "), "line %d:", &line)
		return nil, &LoadError{[]Problem{{Line: line, Message: err.Error()}}}
	}
	if len(doc.Content) == 0 {
		return nil, &LoadError{[]Problem{{Line: 1, Column: 1, Message: "the rule set is empty"}}}
	}
	top := l.fields("", doc.Content[0], "the rule set", "version", "description", "rules")
	rs := &RuleSet{Description: l.str("", top["description"], "description")}
	l.text("", top["description"], "description", rs.Description, false)
	if v := top["version"]; v == nil {
		l.problem("", doc.Content[0], "version is required (a whole number greater than the active set's)")
	} else if err := v.Decode(&rs.Version); err != nil || rs.Version <= 0 {
		l.problem("", v, "version must be a whole number greater than 0")
	}
	rulesNode := top["rules"]
	if rulesNode == nil || rulesNode.Kind != yaml.SequenceNode || len(rulesNode.Content) == 0 {
		l.problem("", doc.Content[0], "rules must be a non-empty list")
		return nil, &LoadError{l.problems}
	}
	type exampleAt struct {
		ruleID string
		n      *yaml.Node
	}
	var examples []exampleAt
	seen := map[string]bool{}
	for _, rn := range rulesNode.Content {
		f := l.fields(ruleIDOf(rn), rn, "a rule", "id", "description", "when", "set", "examples")
		id := l.str("", f["id"], "id")
		if id == "" {
			l.problem("", rn, "id is required")
			continue
		}
		l.text(id, f["id"], "id", id, true)
		if seen[id] {
			l.problem(id, f["id"], "id %q is used by an earlier rule", id)
		}
		seen[id] = true
		r := l.rule(rs, id, f)
		if r != nil {
			rs.rules = append(rs.rules, r)
		}
		if ex := f["examples"]; ex != nil {
			if ex.Kind != yaml.SequenceNode {
				l.problem(id, ex, "examples must be a list")
			} else {
				for _, e := range ex.Content {
					examples = append(examples, exampleAt{id, e})
				}
			}
		}
	}
	if len(l.problems) > 0 {
		return nil, &LoadError{l.problems}
	}
	rs.index = buildIndex(rs)
	for i, e := range examples {
		l.example(rs, e.ruleID, i+1, e.n)
	}
	if len(l.problems) > 0 {
		return nil, &LoadError{l.problems}
	}
	return rs, nil
}

func (l *loader) rule(rs *RuleSet, id string, f map[string]*yaml.Node) *rule {
	r := &rule{id: id, description: l.str(id, f["description"], "description"), set: map[string]any{}}
	l.text(id, f["description"], "description", r.description, false)
	whenNode := f["when"]
	if whenNode == nil {
		l.problem(id, nil, "when is required")
		return nil
	}
	r.when, r.guards, r.native = l.compileCondition(id, whenNode)
	r.whenText = whenNode.Value
	setNode := f["set"]
	if setNode == nil {
		l.problem(id, whenNode, "set is required: what does the rule decide?")
		return nil
	}
	s := l.fields(id, setNode, "set", "office", "lead_unit", "co_units", "sla", "priority", "scope", "tags")
	r.office = l.oneOf(id, s["office"], "office", Offices)
	r.lead = l.str(id, s["lead_unit"], "lead_unit")
	if r.lead != "" {
		l.text(id, s["lead_unit"], "lead_unit", r.lead, true)
		rs.unitRefs = append(rs.unitRefs, UnitRef{id, r.lead, s["lead_unit"].Line, s["lead_unit"].Column})
	}
	r.sla = l.oneOf(id, s["sla"], "sla", SLAs)
	r.priority = l.oneOf(id, s["priority"], "priority", Priorities)
	r.scope = l.oneOf(id, s["scope"], "scope", Scopes)
	if n := s["co_units"]; n != nil {
		r.hasCoUnits = true
		var written []string
		for _, item := range l.strs(id, n, "co_units") {
			written = append(written, item.Value)
			if expr, ok := strings.CutPrefix(item.Value, "="); ok {
				r.coUnits = append(r.coUnits, coUnit{expr: l.compileText(id, item, expr, cel.StringType)})
				continue
			}
			l.text(id, item, "co_units", item.Value, true)
			r.coUnits = append(r.coUnits, coUnit{literal: item.Value})
			rs.unitRefs = append(rs.unitRefs, UnitRef{id, item.Value, item.Line, item.Column})
		}
		r.set["co_units"] = domain.NonNil(written)
	}
	for _, item := range l.strs(id, s["tags"], "tags") {
		l.text(id, item, "tags", item.Value, true)
		r.tags = append(r.tags, item.Value)
	}
	for k, v := range map[string]string{"office": r.office, "lead_unit": r.lead, "sla": r.sla, "priority": r.priority, "scope": r.scope} {
		if v != "" {
			r.set[k] = v
		}
	}
	if len(r.tags) > 0 {
		r.set["tags"] = r.tags
	}
	if len(r.set) == 0 {
		l.problem(id, setNode, "set decides nothing")
	}
	return r
}

// compileCondition compiles a rule's condition for CEL and, where it can, for Go, and
// finds its guards.
func (l *loader) compileCondition(id string, n *yaml.Node) (cel.Program, []guard, test) {
	if n.Kind != yaml.ScalarNode || strings.TrimSpace(n.Value) == "" {
		l.problem(id, n, "the condition must be a CEL expression")
		return nil, nil, nil
	}
	ast := l.check(id, n, n.Value, cel.BoolType)
	if ast == nil {
		return nil, nil, nil
	}
	guards, native := compileGuarded(ast.NativeRep().Expr())
	return l.program(id, n, ast), guards, native
}

func (l *loader) compileText(id string, n *yaml.Node, text string, want *cel.Type) cel.Program {
	ast := l.check(id, n, text, want)
	if ast == nil {
		return nil
	}
	return l.program(id, n, ast)
}

// check parses and type-checks an expression and estimates its cost.
func (l *loader) check(id string, n *yaml.Node, text string, want *cel.Type) *cel.Ast {
	e := Env()
	ast, iss := e.Compile(text)
	if iss.Err() != nil {
		for _, ce := range iss.Errors() {
			line, col := l.position(n, ce.Location.Line(), ce.Location.Column())
			l.problems = append(l.problems, Problem{RuleID: id, Line: line, Column: col, Message: ce.Message})
		}
		return nil
	}
	if !ast.OutputType().IsExactType(want) {
		l.problem(id, n, "the expression gives %s, it must give %s", ast.OutputType(), want)
		return nil
	}
	est, err := e.EstimateCost(ast, sizes{})
	if err != nil {
		l.problem(id, n, "cost estimate: %v", err)
		return nil
	}
	if est.Max > MaxEstimatedCost && id != "" {
		l.problem(id, n, "the expression may cost up to %d, more than the limit of %d: simplify it", est.Max, MaxEstimatedCost)
		return nil
	}
	return ast
}

// program plans an expression for evaluation. A rule's own program runs with the runtime
// cost limit; a plan (id "") runs without one, as it is only used on inputs within the
// sizes its rules' cost estimates assumed, where the estimate bounds the cost already.
func (l *loader) program(id string, n *yaml.Node, ast *cel.Ast) cel.Program {
	opts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
	if id != "" {
		opts = append(opts, cel.CostLimit(RuntimeCostLimit))
	}
	prg, err := Env().Program(ast, opts...)
	if err != nil {
		l.problem(id, n, "%v", err)
		return nil
	}
	return prg
}

// position turns a position inside a scalar's text (CEL's 1-based line, 0-based column)
// into a position in the file.
func (l *loader) position(n *yaml.Node, line, col int) (int, int) {
	if n == nil {
		return 0, 0
	}
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		fileLine := n.Line + line
		indent := 0
		if fileLine-1 < len(l.lines) {
			text := l.lines[fileLine-1]
			indent = len(text) - len(strings.TrimLeft(text, " "))
		}
		return fileLine, indent + col + 1
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		if line == 1 {
			return n.Line, n.Column + 1 + col
		}
	default:
		if line == 1 {
			return n.Line, n.Column + col
		}
	}
	return n.Line + line - 1, col + 1
}

// example runs one example through the whole set and compares what it expects.
func (l *loader) example(rs *RuleSet, ruleID string, num int, n *yaml.Node) {
	f := l.fields(ruleID, n, "an example", "case", "enterprise", "history", "expect")
	var in Input
	for key, dst := range map[string]any{"case": &in.Case, "enterprise": &in.Enterprise, "history": &in.History} {
		if f[key] != nil && !l.decodeJSON(ruleID, f[key], key, dst) {
			return
		}
	}
	var want struct {
		Route
		RuleIDs []string `json:"rule_ids"`
		Reason  string   `json:"reason"`
	}
	if f["expect"] == nil {
		l.problem(ruleID, n, "example %d has no expect", num)
		return
	}
	if !l.decodeJSON(ruleID, f["expect"], "expect", &want) {
		return
	}
	expected := l.fields(ruleID, f["expect"], "expect", "office", "lead_unit", "co_units", "sla", "priority", "scope", "tags", "rule_ids", "reason")
	got := rs.Evaluate(in)
	check := func(field string, gotV, wantV any) {
		if _, ok := expected[field]; ok && fmt.Sprint(gotV) != fmt.Sprint(wantV) {
			l.problem(ruleID, expected[field], "example %d: %s is %v, the example expects %v (matched rules: %v)",
				num, field, gotV, wantV, got.RuleIDs())
		}
	}
	check("office", got.Route.Office, want.Office)
	check("lead_unit", got.Route.LeadUnit, want.LeadUnit)
	check("co_units", got.Route.CoUnits, domain.NonNil(want.CoUnits))
	check("sla", got.Route.SLA, want.SLA)
	check("priority", got.Route.Priority, want.Priority)
	check("scope", got.Route.Scope, want.Scope)
	check("tags", got.Route.Tags, domain.NonNil(want.Tags))
	check("rule_ids", got.RuleIDs(), domain.NonNil(want.RuleIDs))
	check("reason", got.Reason, want.Reason)
}

// decodeJSON reads a YAML node as JSON into dst, refusing unknown fields.
func (l *loader) decodeJSON(ruleID string, n *yaml.Node, what string, dst any) bool {
	var v any
	if err := n.Decode(&v); err != nil {
		l.problem(ruleID, n, "%s: %v", what, err)
		return false
	}
	raw, err := json.Marshal(v)
	if err != nil {
		l.problem(ruleID, n, "%s: %v", what, err)
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		l.problem(ruleID, n, "%s: %v", what, err)
		return false
	}
	return true
}

// ruleIDOf finds a rule's id before its fields are checked, to name it in problems.
func ruleIDOf(n *yaml.Node) string {
	for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "id" {
			return n.Content[i+1].Value
		}
	}
	return ""
}

// badByte is the offset of the first NUL or invalid UTF-8 in src, or -1.
func badByte(src []byte) int {
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == 0 || r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}
