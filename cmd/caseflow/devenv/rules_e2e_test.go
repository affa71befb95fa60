package devenv_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
)

func (c *apiClient) putYAML(path, body string) response {
	c.t.Helper()
	req, _ := http.NewRequest("PUT", c.base+path, bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/yaml")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{Status: resp.StatusCode, Raw: raw}
	_ = json.Unmarshal(raw, &r.Body)
	return r
}

const rulesV2 = `version: 2
description: 测试规则：用地问题由市委督查室牵头，所在县区协办
rules:
  - id: land-party
    description: 用地问题由市委督查室牵头，自然资源局主办，所在县区协办
    when: case.category == 'land'
    set: {office: party, lead_unit: natural-resources, co_units: ['=enterprise.county'], sla: complex}
    examples:
      - case: {category: land, list: problem}
        enterprise: {county: xiuyu}
        expect: {office: party, lead_unit: natural-resources, co_units: [xiuyu], sla: complex}
  - id: key-enterprise
    description: 重点企业优先
    when: enterprise.is_key
    set: {priority: high}
`

const rulesBroken = `version: 3
rules:
  - id: bad-syntax
    when: case.category == 'land' &&
    set: {lead_unit: natural-resources}
  - id: bad-unit
    when: case.category == 'power'
    set: {office: government, lead_unit: electricity-bureau}
`

// TestRulesOverHTTP uploads a rule set, sees a new case routed by it, overrides the route
// at triage, and has a broken set refused with positions while the old one stays active.
func TestRulesOverHTTP(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	admin, member, leader := login(t, env.URL, "admin"), login(t, env.URL, "member"), login(t, env.URL, "leader1")

	// --demo activated the default Putian set.
	if r := member.must(http.StatusOK, "GET", "/api/v1/rules", nil); r.Body["version"] != float64(1) || r.Body["rule_count"].(float64) < 20 {
		t.Fatalf("default rules: %.300s", r.Raw)
	}
	if r := member.putYAML("/api/v1/rules", rulesV2); r.Status != http.StatusForbidden {
		t.Errorf("member uploads rules: %d", r.Status)
	}
	if r := admin.putYAML("/api/v1/rules", rulesV2); r.Status != http.StatusOK || r.Body["version"] != float64(2) {
		t.Fatalf("upload v2: %d %s", r.Status, r.Raw)
	}

	// A new case is routed by version 2; the proposal and its rules are on the case and timeline.
	r := leader.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"enterprise_id": "ent-001",
		"title": "厂房用地指标不足", "description": "扩产需新增用地五十亩", "category": "land", "list": "problem"})
	id := r.str("id")
	var cs struct {
		RouteProposal struct {
			RuleSetVersion int64    `json:"rule_set_version"`
			RuleIDs        []string `json:"rule_ids"`
			Office         string   `json:"office"`
			LeadUnit       string   `json:"lead_unit"`
			CoUnits        []string `json:"co_units"`
			SLA            string   `json:"sla"`
			Priority       string   `json:"priority"`
			Reason         string   `json:"reason"`
		} `json:"route_proposal"`
	}
	decode(t, r.Raw, &cs)
	p := cs.RouteProposal
	// ent-001 is a key enterprise in Licheng.
	if p.RuleSetVersion != 2 || !slices.Equal(p.RuleIDs, []string{"land-party", "key-enterprise"}) || p.Office != "party" ||
		p.LeadUnit != "natural-resources" || !slices.Equal(p.CoUnits, []string{"licheng"}) || p.SLA != "complex" ||
		p.Priority != "high" || p.Reason != "matched" {
		t.Fatalf("proposal %+v", p)
	}
	var tl struct{ Events []timelineEvent }
	decode(t, member.must(http.StatusOK, "GET", "/api/v1/cases/"+id+"/timeline", nil).Raw, &tl)
	if len(tl.Events) != 2 || tl.Events[1].Type != "routed" || fmt.Sprint(tl.Events[1].Data["rule_ids"]) != "[land-party key-enterprise]" {
		t.Fatalf("timeline %+v", tl.Events)
	}

	// Triage takes the proposal, but the member department moves the lead unit: with a reason.
	override := map[string]any{"decision": "refer", "lead_unit": "housing-construction"}
	if r := member.do("POST", "/api/v1/cases/"+id+"/actions/triage", override, nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("override without a reason: %d %s", r.Status, r.Raw)
	}
	override["override_reason"] = "该地块已出让，问题在施工许可"
	r = member.action(http.StatusOK, id, "triage", override)
	if r.str("lead_unit") != "housing-construction" || r.str("office") != "party" || r.str("sla") != "complex" {
		t.Errorf("after triage: %s", r.Raw)
	}
	decode(t, member.must(http.StatusOK, "GET", "/api/v1/cases/"+id+"/timeline", nil).Raw, &tl)
	overrides, _ := tl.Events[2].Data["overrides"].([]any)
	if len(overrides) != 1 || overrides[0].(map[string]any)["field"] != "lead_unit" ||
		overrides[0].(map[string]any)["proposed"] != "natural-resources" || tl.Events[2].Data["override_reason"] == nil {
		t.Errorf("triaged event: %v", tl.Events[2].Data)
	}

	// A broken set: every problem with its position, and version 2 stays active.
	r = admin.putYAML("/api/v1/rules", rulesBroken)
	if r.Status != http.StatusUnprocessableEntity || r.errCode() != "invalid_rules" {
		t.Fatalf("broken set: %d %s", r.Status, r.Raw)
	}
	var broken struct {
		Error struct {
			Details []struct {
				RuleID  string `json:"rule_id"`
				Line    int    `json:"line"`
				Column  int    `json:"column"`
				Message string `json:"message"`
			} `json:"details"`
		} `json:"error"`
	}
	decode(t, r.Raw, &broken)
	if d := broken.Error.Details; len(d) != 1 || d[0].RuleID != "bad-syntax" || d[0].Line != 4 || d[0].Column == 0 {
		t.Errorf("details: %+v", d)
	}
	// With the syntax mended, the unknown unit is reported at its position.
	mended := bytes.Replace([]byte(rulesBroken), []byte("'land' &&"), []byte("'land'"), 1)
	decode(t, admin.putYAML("/api/v1/rules", string(mended)).Raw, &broken)
	if d := broken.Error.Details; len(d) != 1 || d[0].RuleID != "bad-unit" || d[0].Line != 8 || d[0].Column != 42 {
		t.Errorf("unknown unit: %+v", d)
	}
	if r := admin.putYAML("/api/v1/rules", rulesV2); r.Status != http.StatusConflict {
		t.Errorf("same version again: %d %s", r.Status, r.Raw)
	}
	if r := member.must(http.StatusOK, "GET", "/api/v1/rules", nil); r.Body["version"] != float64(2) || len(r.Body["history"].([]any)) != 2 {
		t.Errorf("after the refused uploads: %.200s", r.Raw)
	}

	// Dry run: the explain button.
	r = member.must(http.StatusOK, "POST", "/api/v1/rules/evaluate", map[string]any{
		"case": map[string]any{"category": "land", "list": "problem", "title": "用地"}, "enterprise_id": "ent-005"})
	var ev struct {
		RuleSetVersion int64 `json:"rule_set_version"`
		Route          struct {
			LeadUnit string   `json:"lead_unit"`
			CoUnits  []string `json:"co_units"`
		} `json:"route"`
		Matched []struct {
			RuleID      string         `json:"rule_id"`
			Description string         `json:"description"`
			Set         map[string]any `json:"set"`
		} `json:"matched"`
	}
	decode(t, r.Raw, &ev)
	if ev.RuleSetVersion != 2 || ev.Route.LeadUnit != "natural-resources" || !slices.Equal(ev.Route.CoUnits, []string{"xiuyu"}) ||
		len(ev.Matched) != 2 || ev.Matched[0].RuleID != "land-party" || ev.Matched[0].Set["office"] != "party" {
		t.Errorf("evaluate: %s", r.Raw)
	}
	if r := member.do("POST", "/api/v1/rules/evaluate", map[string]any{"case": map[string]any{"category": "land"}}, nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("evaluate without an enterprise: %d", r.Status)
	}

	// A new rule set never changes a case already routed.
	v3 := bytes.Replace([]byte(rulesV2), []byte("version: 2"), []byte("version: 3"), 1)
	v3 = bytes.Replace(v3, []byte("office: party"), []byte("office: government"), 2)
	if r := admin.putYAML("/api/v1/rules", string(v3)); r.Status != http.StatusOK {
		t.Fatalf("v3: %d %s", r.Status, r.Raw)
	}
	decode(t, member.must(http.StatusOK, "GET", "/api/v1/cases/"+id, nil).Raw, &cs)
	if cs.RouteProposal.RuleSetVersion != 2 || cs.RouteProposal.Office != "party" {
		t.Errorf("proposal after v3: %+v", cs.RouteProposal)
	}
}
