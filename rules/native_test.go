package rules_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/putian-fic/caseflow/rules"
)

// shapes are conditions of every kind the Go compilation reads, and of kinds it leaves to
// CEL (a macro, string ordering, arithmetic, a timestamp, a missing map key's error).
var shapes = []string{
	"case.category == 'land'",
	"'power' == case.category && case.title.contains('停电')",
	"case.category in ['land', 'planning'] && case.category == 'land' && case.amount_cny >= 1000000.0",
	"case.category == 'land' && case.category == 'power'",
	"case.list != 'problem' || enterprise.is_key",
	"!(case.sensitive) && case.description.startsWith('关于')",
	"case.title.endsWith('难') || case.title.contains('xiuyu')",
	"history.county_enterprises_same_category >= 3 && history.county_open_same_category < 10",
	"case.category in history.open_by_category && history.open_by_category[case.category] > 1",
	"history.past_by_category[case.category] > 0", // an error when the key is missing
	"history.past_by_category['land'] == 2 || case.category == 'land'",
	"case.amount_cny > 5e7 || case.amount_cny != case.amount_cny",
	"case.amount_cny == 0.0 && !enterprise.is_key",
	"enterprise.industry_chain in ['电子信息', '新能源'] && enterprise.county == 'xiuyu'",
	"enterprise.member_kind == 'remote_chamber' && enterprise.size != 'large'",
	"case.tags.exists(t, t == '重点')",
	"case.title < case.description",
	"history.county_open_same_category + 1 > 2",
	"case.created_at > timestamp('2026-01-01T00:00:00Z') && case.category == 'talent'",
	"true && case.scope == 'common'",
	"false || enterprise.name.contains('鞋')",
	"size(case.title) > 3 && case.list == 'funding'",
	"enterprise.id == enterprise.name || case.category == case.list",
}

// shapeSet is a rule set with one rule per shape, each setting something different.
func shapeSet(t testing.TB) *rules.RuleSet {
	src := "version: 1\nrules:\n"
	for i, w := range shapes {
		src += fmt.Sprintf("  - id: shape-%d\n    when: %q\n    set: {tags: [t%d], priority: %s}\n", i, w, i,
			[]string{"normal", "high", "urgent"}[i%3])
	}
	src += "  - id: lead\n    when: case.category == 'land'\n    set: {office: government, lead_unit: natural-resources, co_units: [housing-construction]}\n"
	return mustLoad(t, src)
}

// randomInput draws a case from the values the shapes test.
func randomInput(r *rand.Rand) rules.Input {
	pick := func(vs ...string) string { return vs[r.IntN(len(vs))] }
	counts := func() map[string]int64 {
		if r.IntN(3) == 0 {
			return nil
		}
		m := map[string]int64{}
		for _, c := range []string{"land", "power", "talent"} {
			if r.IntN(2) == 0 {
				m[c] = int64(r.IntN(3))
			}
		}
		return m
	}
	amounts := []float64{0, 1e6, 5e7, 6e7, math.NaN(), math.Inf(1), -1}
	return rules.Input{
		Case: rules.Case{Category: pick("land", "planning", "power", "talent", "financing", ""), List: pick("problem", "funding", "support"),
			Scope: pick("", "individual", "common"), Title: pick("用地审批难", "园区停电", "xiuyu的问题", "", "关于融资"),
			Description: pick("关于用地", "停电八次", "", "检查太多"), AmountCNY: amounts[r.IntN(len(amounts))], Sensitive: r.IntN(2) == 0,
			Tags: [][]string{nil, {"重点"}, {"其他", "重点"}}[r.IntN(3)]},
		Enterprise: rules.Enterprise{ID: pick("ent-001", "鞋业"), Name: pick("鞋业", "莆田市华兴鞋业有限公司", "科技"),
			County: pick("xiuyu", "licheng"), IndustryChain: pick("电子信息", "新能源", "鞋服"), MemberKind: pick("remote_chamber", "standing_member", ""),
			Size: pick("large", "small", ""), IsKey: r.IntN(2) == 0},
		History: rules.History{OpenByCategory: counts(), PastByCategory: counts(), CountyOpenSameCategory: int64(r.IntN(12)),
			CountyEnterprisesSameCategory: int64(r.IntN(5))},
	}
}

// TestTheGoCompilationAgreesWithCEL: for every rule set here and thousands of cases drawn
// from the values their conditions test, routing with the index and the conditions
// compiled to Go answers exactly what CEL alone answers — the route, the matched rules
// (the explanation) and each rule's error.
func TestTheGoCompilationAgreesWithCEL(t *testing.T) {
	fifty, _ := fiftyRules(t)
	putian := mustLoad(t, string(rules.PutianYAML))
	sets := map[string]*rules.RuleSet{"shapes": shapeSet(t), "default": putian, "fifty": fifty}
	r := rand.New(rand.NewPCG(1, 2))
	inputs := []rules.Input{benchInput, {}}
	for range 3000 {
		inputs = append(inputs, randomInput(r))
	}
	errorsSeen := 0
	for name, rs := range sets {
		for _, in := range inputs {
			got, want := rs.Evaluate(in), rs.EvaluateWithCEL(in)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, %+v:\nGo and index %+v\nCEL alone    %+v", name, in, got, want)
			}
			errorsSeen += len(got.Errors)
		}
	}
	if errorsSeen == 0 {
		t.Error("no input made a rule err: the error path was not compared")
	}
	// An input beyond the sizes the cost estimates assume goes to CEL, under its cost limit.
	big := benchInput
	big.Case.Title = strings.Repeat("停", rules.MaxTextSize+1)
	if got, want := fifty.Evaluate(big), fifty.EvaluateWithCEL(big); !reflect.DeepEqual(got, want) {
		t.Errorf("an oversized input: %+v, want %+v", got, want)
	}
}
