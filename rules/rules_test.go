package rules_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/putian-fic/caseflow/rules"
)

func mustLoad(t testing.TB, src string) *rules.RuleSet {
	t.Helper()
	rs, err := rules.Load([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestDefaultRuleSet(t *testing.T) {
	rs, err := rules.Load(rules.PutianYAML) // runs every example in it
	if err != nil {
		t.Fatal(err)
	}
	if rs.Len() < 20 {
		t.Errorf("%d rules, want at least 20", rs.Len())
	}
	ent := func(county string) rules.Enterprise { return rules.Enterprise{ID: "e", County: county} }
	for _, tc := range []struct {
		category string
		amount   float64
		history  rules.History
		office   string
		lead     string
		coUnits  []string
		sla      string
		scope    string
	}{
		{"land", 0, rules.History{}, "government", "natural-resources", nil, "standard", "individual"},
		{"planning", 0, rules.History{}, "government", "natural-resources", nil, "standard", "individual"},
		{"construction", 0, rules.History{}, "government", "housing-construction", nil, "standard", "individual"},
		{"fire_safety", 0, rules.History{}, "government", "fire-rescue", []string{"housing-construction"}, "standard", "individual"},
		{"talent", 0, rules.History{}, "government", "human-resources", nil, "standard", "individual"},
		{"power", 0, rules.History{}, "government", "power-supply", nil, "standard", "individual"},
		{"financing", 1_000_000, rules.History{}, "government", "finance-office", nil, "standard", "individual"},
		{"financing", 20_000_000, rules.History{}, "government", "finance-office", nil, "urgent", "individual"},
		{"business_environment", 0, rules.History{}, "government", "development-reform", []string{"hanjiang"}, "standard", "individual"},
		{"policy", 0, rules.History{}, "government", "development-reform", []string{"hanjiang"}, "standard", "individual"},
		{"investment_lead", 0, rules.History{}, "government", "commerce", nil, "standard", "individual"},
		// Three enterprises of one county raising one category this quarter: common, party lead.
		{"land", 0, rules.History{CountyEnterprisesSameCategory: 3}, "party", "natural-resources", nil, "standard", "common"},
		{"policy", 0, rules.History{CountyEnterprisesSameCategory: 5}, "party", "development-reform", []string{"hanjiang"}, "standard", "common"},
	} {
		t.Run(fmt.Sprintf("%s-%v-%d", tc.category, tc.amount, tc.history.CountyEnterprisesSameCategory), func(t *testing.T) {
			list := "problem"
			if tc.category == "financing" {
				list = "funding"
			}
			res := rs.Evaluate(rules.Input{Case: rules.Case{Category: tc.category, List: list, AmountCNY: tc.amount, Title: "t"},
				Enterprise: ent("hanjiang"), History: tc.history})
			r := res.Route
			if r.Office != tc.office || r.LeadUnit != tc.lead || !slices.Equal(r.CoUnits, nonNil(tc.coUnits)) ||
				r.SLA != tc.sla || r.Scope != tc.scope || res.Reason != rules.ReasonMatched {
				t.Errorf("route %+v (%s, rules %v)", r, res.Reason, res.RuleIDs())
			}
			if res.RuleSetVersion != 1 || len(res.Errors) > 0 {
				t.Errorf("version %d, errors %v", res.RuleSetVersion, res.Errors)
			}
		})
	}
	res := rs.Evaluate(rules.Input{Case: rules.Case{Category: "other", List: "problem"}, Enterprise: ent("xiuyu")})
	if res.Reason != rules.ReasonNoRuleMatched || len(res.Matched) != 0 || res.Route.LeadUnit != "" {
		t.Errorf("an 'other' case: %+v", res)
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const header = "version: 3\nrules:\n"

func TestLoadErrorsSayWhereAndWhat(t *testing.T) {
	for _, tc := range []struct {
		name   string
		src    string
		ruleID string
		line   int
		column int // 0: not checked
		msg    string
	}{
		{"syntax error", header + "  - id: r1\n    when: case.category == \n    set: {lead_unit: x}\n", "r1", 4, 0, "Syntax error"},
		{"syntax error in a block", header + "  - id: r1\n    when: |\n      case.category == 'land' &&\n        case.list ==\n    set: {lead_unit: x}\n", "r1", 7, 0, "Syntax error"},
		{"not bool", header + "  - id: r2\n    when: case.title\n    set: {lead_unit: x}\n", "r2", 4, 11, "must give bool"},
		{"unknown field", header + "  - id: r3\n    when: case.colour == 'red'\n    set: {lead_unit: x}\n", "r3", 4, 15, "colour"},
		{"unknown variable", header + "  - id: r4\n    when: visit.method == 'online'\n    set: {lead_unit: x}\n", "r4", 4, 11, "undeclared reference to 'visit'"},
		{"over the cost limit", header + "  - id: r5\n    when: case.tags.all(a, case.tags.all(b, case.tags.all(c, a + b + c != case.description)))\n    set: {lead_unit: x}\n", "r5", 4, 11, "more than the limit"},
		{"unknown rule field", header + "  - id: r6\n    when: 'true'\n    then: {lead_unit: x}\n", "r6", 5, 5, "unknown field \"then\""},
		{"bad office", header + "  - id: r7\n    when: 'true'\n    set: {office: mayor}\n", "r7", 5, 19, "office \"mayor\""},
		{"duplicate id", header + "  - id: r8\n    when: 'true'\n    set: {sla: urgent}\n  - id: r8\n    when: 'false'\n    set: {sla: urgent}\n", "r8", 6, 9, "used by an earlier rule"},
		{"co-unit expression not a string", header + "  - id: r9\n    when: 'true'\n    set: {co_units: ['=enterprise.is_key']}\n", "r9", 5, 0, "must give string"},
		{"failing example", header + "  - id: r10\n    when: case.category == 'land'\n    set: {lead_unit: natural-resources}\n    examples:\n      - case: {category: land}\n        expect: {lead_unit: housing-construction}\n", "r10", 8, 29, "lead_unit is natural-resources, the example expects housing-construction"},
		{"example with an unknown field", header + "  - id: r11\n    when: 'true'\n    set: {sla: urgent}\n    examples:\n      - case: {colour: red}\n        expect: {sla: urgent}\n", "r11", 7, 15, "unknown field"},
		{"no version", "rules:\n  - id: r12\n    when: 'true'\n    set: {sla: urgent}\n", "", 1, 1, "version is required"},
		{"not YAML", "version: 1\nrules: [\n", "", 2, 0, "yaml"},
		{"sets nothing", header + "  - id: r13\n    when: 'true'\n    set: {}\n", "r13", 5, 10, "decides nothing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rules.Load([]byte(tc.src))
			var le *rules.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("got %v, want a *LoadError", err)
			}
			p := le.Problems[0]
			if p.RuleID != tc.ruleID || p.Line != tc.line || (tc.column != 0 && p.Column != tc.column) || !strings.Contains(p.Message, tc.msg) {
				t.Errorf("got %+v, want rule %q at %d:%d saying %q", p, tc.ruleID, tc.line, tc.column, tc.msg)
			}
		})
	}
}

func TestFirstMatchWinsPerFieldAndTagsGather(t *testing.T) {
	rs := mustLoad(t, header+`  - id: a
    when: case.amount_cny > 100.0
    set: {sla: urgent, tags: [big]}
  - id: b
    when: "true"
    set: {sla: standard, office: government, lead_unit: commerce, co_units: ['=enterprise.county', commerce], tags: [all, big]}
  - id: c
    when: "true"
    set: {office: party, lead_unit: finance-office, co_units: [other], priority: low}
`)
	res := rs.Evaluate(rules.Input{Case: rules.Case{AmountCNY: 500}, Enterprise: rules.Enterprise{County: "xiuyu"}})
	want := rules.Route{Office: "government", LeadUnit: "commerce", CoUnits: []string{"xiuyu"}, SLA: "urgent", Priority: "low", Tags: []string{"big", "all"}}
	if fmt.Sprint(res.Route) != fmt.Sprint(want) || !slices.Equal(res.RuleIDs(), []string{"a", "b", "c"}) {
		t.Errorf("route %+v from %v, want %+v", res.Route, res.RuleIDs(), want)
	}
	res = rs.Evaluate(rules.Input{Case: rules.Case{AmountCNY: 5}})
	if res.Route.SLA != "standard" || !slices.Equal(res.RuleIDs(), []string{"b", "c"}) {
		t.Errorf("small amount: %+v", res)
	}
}

func TestEvaluationErrorsCountAsNoMatch(t *testing.T) {
	rs := mustLoad(t, header+`  - id: open-land
    when: history.open_by_category['land'] > 0
    set: {priority: high}
  - id: all
    when: "true"
    set: {lead_unit: commerce}
`)
	res := rs.Evaluate(rules.Input{}) // no 'land' key: the first rule cannot evaluate
	if len(res.Errors) != 1 || !strings.HasPrefix(res.Errors[0], "open-land:") || res.Route.Priority != "" || res.Route.LeadUnit != "commerce" {
		t.Errorf("%+v", res)
	}
	if res.Reason != rules.ReasonIncomplete {
		t.Errorf("reason %s, want %s (no office)", res.Reason, rules.ReasonIncomplete)
	}
}

func TestRuntimeCostLimitStopsOversizedInputs(t *testing.T) {
	rs := mustLoad(t, header+`  - id: scan
    when: case.description.contains('断电') || case.description.contains('停电')
    set: {sla: urgent}
  - id: all
    when: "true"
    set: {office: government, lead_unit: power-supply}
`)
	small := rules.Input{Case: rules.Case{Description: "厂区经常停电，影响生产"}}
	if res := rs.Evaluate(small); res.Route.SLA != "urgent" || len(res.Errors) != 0 {
		t.Fatalf("within the sizes: %+v", res)
	}
	// Far beyond the sizes the estimate assumed: the runtime limit stops the rule.
	huge := rules.Input{Case: rules.Case{Description: strings.Repeat("厂区经常", 1_000_000) + "停电"}}
	res := rs.Evaluate(huge)
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "scan") || res.Route.SLA != "" || res.Route.LeadUnit != "power-supply" {
		t.Fatalf("oversized: %+v", res.Errors)
	}
}

// TestEveryTextOfARuleSetIsCheckedAsPeoplesTextsAre: a rule set's ids, descriptions,
// units and tags go into cases and the read model, so a NUL, a control character, a bidi
// override in a one-line field or an overlong id is refused at load, naming the rule and field.
func TestEveryTextOfARuleSetIsCheckedAsPeoplesTextsAre(t *testing.T) {
	rule := func(id, desc, set string) string {
		return fmt.Sprintf("version: 9\nrules:\n  - id: %s\n    description: %s\n    when: case.category == 'land'\n    set: %s\n", id, desc, set)
	}
	for name, tc := range map[string]struct{ src, ruleID, want string }{
		"NUL in an id":              {rule(`"r\0x"`, "d", "{lead_unit: natural-resources}"), "r\x00x", "id: "},
		"NUL in a description":      {rule("r", `"a\0b"`, "{lead_unit: natural-resources}"), "r", "description: "},
		"escape in a tag":           {rule("r", "d", `{tags: ["t\e"]}`), "r", "tags: "},
		"bidi override in a tag":    {rule("r", "d", `{tags: ["a\u202eb"]}`), "r", "tags: "},
		"bidi override in a unit":   {rule("r", "d", `{lead_unit: "natural\u202e-resources"}`), "r", "lead_unit: "},
		"newline in a co-unit":      {rule("r", "d", `{co_units: ["a\nb"]}`), "r", "co_units: "},
		"id of 101 characters":      {rule(strings.Repeat("x", 101), "d", "{priority: high}"), strings.Repeat("x", 101), "id: "},
		"NUL in the set's own text": {"version: 9\ndescription: \"x\\0\"\nrules:\n  - id: r\n    when: 'true'\n    set: {priority: high}\n", "", "description: "},
		"a raw NUL byte":            {"version: 9\nrules:\n  - id: r\x00\n    when: 'true'\n    set: {priority: high}\n", "", "NUL"},
		"invalid UTF-8":             {"version: 9\nrules:\n  - id: r\xff\n    when: 'true'\n    set: {priority: high}\n", "", "UTF-8"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := rules.Load([]byte(tc.src))
			var le *rules.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("loaded: %v", err)
			}
			if !slices.ContainsFunc(le.Problems, func(p rules.Problem) bool {
				return p.RuleID == tc.ruleID && strings.Contains(p.Message, tc.want) && p.Line > 0
			}) {
				t.Fatalf("no problem for rule %q naming %q: %+v", tc.ruleID, tc.want, le.Problems)
			}
		})
	}
}

// TestACoUnitAnExpressionGivesIsKeptOnlyWhenItIsAUnit: a co-unit written "=expr" is known
// only for the case at hand; the caller's check drops one that is not a unit, and says so.
func TestACoUnitAnExpressionGivesIsKeptOnlyWhenItIsAUnit(t *testing.T) {
	rs := mustLoad(t, "version: 9\nrules:\n  - id: r\n    when: 'true'\n    set: {office: party, lead_unit: commerce, co_units: [licheng, '=enterprise.id', '=enterprise.county']}\n")
	res := rs.Evaluate(rules.Input{Case: rules.Case{Category: "land"}, Enterprise: rules.Enterprise{ID: "ent-001", County: "xiuyu"}})
	if !slices.Equal(res.Route.CoUnits, []string{"licheng", "ent-001", "xiuyu"}) {
		t.Fatalf("before the check: %v", res.Route.CoUnits)
	}
	var asked []string
	err := res.CheckComputedUnits(func(id string) (bool, error) { asked = append(asked, id); return id != "ent-001", nil })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(asked, []string{"ent-001", "xiuyu"}) || !slices.Equal(res.Route.CoUnits, []string{"licheng", "xiuyu"}) {
		t.Fatalf("asked about %v, kept %v", asked, res.Route.CoUnits)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "ent-001") {
		t.Errorf("errors %v", res.Errors)
	}
}
