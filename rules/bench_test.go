package rules_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/putian-fic/caseflow/rules"
)

// fillerConditions are the shapes of the rules that pad the default set to 50: one a
// third of the rules on the benchmark's category (evaluated), one on no category
// (evaluated for every case), one on another category (skipped by the category index).
var fillerConditions = []string{
	"case.category == 'financing' && case.title.contains('%s')",
	"enterprise.industry_chain == '%s'",
	"case.category == 'other' && case.title.contains('%s')",
}

// fiftyRules is the default set padded to 50 rules with keyword rules.
func fiftyRules(t testing.TB) (*rules.RuleSet, []string) {
	src := string(rules.PutianYAML)
	var keywords []string
	for i := 0; strings.Count(src, "\n  - id: ") < 50; i++ {
		kw := fmt.Sprintf("关键词%d", i)
		keywords = append(keywords, kw)
		src += fmt.Sprintf("  - id: keyword-%d\n    when: %s\n    set: {tags: [%s]}\n", i, fmt.Sprintf(fillerConditions[i%3], kw), kw)
	}
	rs := mustLoad(t, src)
	if rs.Len() != 50 {
		t.Fatalf("%d rules", rs.Len())
	}
	return rs, keywords
}

var benchInput = rules.Input{
	Case: rules.Case{Category: "financing", List: "funding", Title: "港口扩建融资需求", Description: "需银行授信五千万元",
		AmountCNY: 50_000_000},
	Enterprise: rules.Enterprise{ID: "ent-005", County: "xiuyu", IndustryChain: "临港物流", MemberKind: "standing_member", IsKey: true},
	History:    rules.History{PastByCategory: map[string]int64{"financing": 1}, CountyEnterprisesSameCategory: 1},
}

func BenchmarkRoute50Rules(b *testing.B) {
	rs, _ := fiftyRules(b)
	b.ReportAllocs()
	for b.Loop() {
		if res := rs.Evaluate(benchInput); res.Route.LeadUnit != "finance-office" {
			b.Fatal(res)
		}
	}
}

func BenchmarkRouteHandWritten(b *testing.B) {
	_, keywords := fiftyRules(b)
	b.ReportAllocs()
	for b.Loop() {
		if r := handRoute(benchInput, keywords); r.LeadUnit != "finance-office" {
			b.Fatal(r)
		}
	}
}

func BenchmarkLoadDefaultSet(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rules.Load(rules.PutianYAML); err != nil {
			b.Fatal(err)
		}
	}
}

func TestHandWrittenRoutingAgreesWithTheRules(t *testing.T) {
	rs, keywords := fiftyRules(t)
	in := benchInput
	got, want := handRoute(in, keywords), rs.Evaluate(in).Route
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("hand-written %+v, rules %+v", got, want)
	}
}

var leadByCategory = map[string]string{"land": "natural-resources", "planning": "natural-resources",
	"construction": "housing-construction", "fire_safety": "fire-rescue", "talent": "human-resources",
	"power": "power-supply", "financing": "finance-office", "business_environment": "development-reform",
	"policy": "development-reform", "investment_lead": "commerce"}

// handRoute is the 50-rule set written by hand in Go, for the benchmark's comparison.
func handRoute(in rules.Input, keywords []string) rules.Route {
	c, e, h := &in.Case, &in.Enterprise, &in.History
	r := rules.Route{CoUnits: []string{}, Tags: []string{}}
	coSet := false
	set := func(office, lead string, co []string, sla, priority, scope string, tags ...string) {
		first := func(dst *string, v string) {
			if *dst == "" {
				*dst = v
			}
		}
		first(&r.Office, office)
		first(&r.LeadUnit, lead)
		first(&r.SLA, sla)
		first(&r.Priority, priority)
		first(&r.Scope, scope)
		if co != nil && !coSet {
			coSet = true
			r.CoUnits = co
		}
		for _, t := range tags {
			if !slices.Contains(r.Tags, t) {
				r.Tags = append(r.Tags, t)
			}
		}
	}
	if h.CountyEnterprisesSameCategory >= 3 {
		set("party", "", nil, "", "high", "common", "共性问题")
	}
	if c.Category == "financing" && c.AmountCNY >= 10_000_000 {
		set("government", "finance-office", nil, "urgent", "urgent", "", "大额融资")
	}
	if e.IsKey {
		set("", "", nil, "", "high", "", "重点企业")
	}
	if h.PastByCategory[c.Category] > 0 {
		set("", "", nil, "", "high", "", "反复反映")
	}
	if c.Category == "power" && (strings.Contains(c.Title, "停电") || strings.Contains(c.Description, "停电")) {
		set("", "", nil, "urgent", "high", "", "停电")
	}
	if c.Category == "construction" && c.AmountCNY >= 50_000_000 {
		set("", "", nil, "complex", "", "")
	}
	if c.Category == "business_environment" && (strings.Contains(c.Description, "检查") || strings.Contains(c.Description, "执法")) {
		set("", "", []string{e.County, "market-regulation"}, "", "", "", "涉企检查")
	}
	if c.Category == "policy" && (e.IndustryChain == "电子信息" || e.IndustryChain == "新能源") {
		set("", "", []string{e.County, "industry-it"}, "", "", "")
	}
	if lead, ok := leadByCategory[c.Category]; ok {
		var co []string
		switch c.Category {
		case "fire_safety":
			co = []string{"housing-construction"}
		case "business_environment", "policy":
			co = []string{e.County}
		}
		var tags []string
		if c.Category == "investment_lead" {
			tags = []string{"招商线索"}
		}
		set("government", lead, co, "standard", "normal", "individual", tags...)
	}
	if c.List == "funding" {
		set("", "", nil, "", "", "", "资金需求")
	}
	if c.List == "support" {
		set("", "", nil, "", "", "", "配套需求")
	}
	if e.MemberKind == "remote_chamber" {
		set("", "", nil, "", "", "", "异地商会")
	}
	if c.Sensitive {
		set("", "", nil, "", "", "", "敏感")
	}
	for i, kw := range keywords {
		var match bool
		switch i % 3 {
		case 0:
			match = c.Category == "financing" && strings.Contains(c.Title, kw)
		case 1:
			match = e.IndustryChain == kw
		default:
			match = c.Category == "other" && strings.Contains(c.Title, kw)
		}
		if match {
			set("", "", nil, "", "", "", kw)
		}
	}
	r.CoUnits = slices.DeleteFunc(slices.Clone(r.CoUnits), func(u string) bool { return u == r.LeadUnit })
	return r
}
