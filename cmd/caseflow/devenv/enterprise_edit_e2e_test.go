package devenv_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// TestTheMemberDepartmentKeepsTheEnterpriseFileUpToDate: the member department edits an
// enterprise with its figures by year and its projects under construction; the file shows
// them, the history names what changed; the same form sent twice, an edit over an old
// version, and every bad field are refused with nothing changed; other roles may not edit.
func TestTheMemberDepartmentKeepsTheEnterpriseFileUpToDate(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	member, leader, unit := login(t, env.URL, "member"), login(t, env.URL, "leader1"), login(t, env.URL, "unit-natural-resources")
	before := member.must(http.StatusOK, "GET", "/api/v1/enterprises/ent-001/file", nil).Body["enterprise"].(map[string]any)
	if before["version"] != 1.0 {
		t.Fatalf("a new enterprise's version: %v", before["version"])
	}
	year := time.Now().In(domain.Shanghai).Year()
	edit := func(base int, changes map[string]any) map[string]any {
		body := map[string]any{"base_version": base, "name": before["name"], "county": before["county"],
			"industry_chain": before["industry_chain"], "member_kind": before["member_kind"], "size": before["size"],
			"is_key": before["is_key"], "contact_name": before["contact_name"], "contact_phone": before["contact_phone"],
			"operations": []map[string]any{{"year": year - 1, "output_value_cny": 1.2e8, "employees": 320, "tax_cny": 6.5e6},
				{"year": year - 2, "output_value_cny": 1.0e8, "employees": 300, "tax_cny": nil}},
			"projects": []map[string]any{{"name": "二期智能化车间", "investment_cny": 5e7, "started": fmt.Sprintf("%d-03-01", year),
				"due_by": fmt.Sprintf("%d-06-30", year+1), "status": "building", "note": "用地已批"}}}
		for k, v := range changes {
			body[k] = v
		}
		return body
	}
	path := "/api/v1/enterprises/ent-001"
	saved := member.must(http.StatusOK, "PUT", path, edit(1, nil))
	ops, _ := saved.Body["operations"].([]any)
	if saved.Body["version"] != 2.0 || len(ops) != 2 || ops[0].(map[string]any)["year"] != float64(year-2) {
		t.Fatalf("saved: %s", saved.Raw)
	}
	file := member.must(http.StatusOK, "GET", "/api/v1/enterprises/ent-001/file", nil).Body["enterprise"].(map[string]any)
	if projects, _ := file["projects"].([]any); file["version"] != 2.0 || len(projects) != 1 ||
		projects[0].(map[string]any)["name"] != "二期智能化车间" {
		t.Errorf("the file after the edit: %v", file)
	}
	// The file's page shows them too.
	page := newPerson(t, env.URL).signIn("member").open("/enterprises/ent-001")
	page.sees("经营情况", "<td>"+fmt.Sprint(year-1)+"</td>", "120000000", "在建项目", "二期智能化车间", "<td>在建</td>", "企业信息第 2 版")
	// The same form again (a second click): refused, nothing saved twice.
	if r := member.do("PUT", path, edit(1, nil), nil); r.Status != http.StatusConflict || r.errCode() != "version_conflict" {
		t.Errorf("the same edit again: %d %s", r.Status, r.Raw)
	}
	// Saving what is there changes nothing and keeps no version.
	if r := member.must(http.StatusOK, "PUT", path, edit(2, nil)); r.Body["version"] != 2.0 {
		t.Errorf("an edit that changes nothing: %s", r.Raw)
	}
	member.must(http.StatusOK, "PUT", path, edit(2, map[string]any{"contact_phone": "0594-2222222", "is_key": before["is_key"] != true}))
	history := member.must(http.StatusOK, "GET", path+"/history", nil)
	var h struct {
		Items []struct {
			Version   int
			ChangedBy string `json:"changed_by"`
			Changes   []struct {
				Field    string
				From, To any
			}
		}
	}
	decode(t, history.Raw, &h)
	if len(h.Items) != 2 || h.Items[0].Version != 3 || h.Items[0].ChangedBy != "member" || len(h.Items[0].Changes) != 2 ||
		h.Items[0].Changes[0].Field != "is_key" || h.Items[0].Changes[1].Field != "contact_phone" ||
		h.Items[0].Changes[1].To != "0594-2222222" || h.Items[1].Version != 2 || len(h.Items[1].Changes) != 2 {
		t.Errorf("history: %s", history.Raw)
	}

	// Refusals: each 4xx, nothing changed.
	for name, tc := range map[string]struct {
		who  *apiClient
		body map[string]any
		want int
	}{
		"a leader":                         {leader, edit(3, nil), http.StatusForbidden},
		"a unit":                           {unit, edit(3, nil), http.StatusForbidden},
		"no base version":                  {member, edit(3, map[string]any{"base_version": nil}), http.StatusUnprocessableEntity},
		"an old version":                   {member, edit(1, nil), http.StatusConflict},
		"a year before 2000":               {member, edit(3, map[string]any{"operations": []map[string]any{{"year": 1999}}}), http.StatusUnprocessableEntity},
		"next year":                        {member, edit(3, map[string]any{"operations": []map[string]any{{"year": year + 1}}}), http.StatusUnprocessableEntity},
		"a year twice":                     {member, edit(3, map[string]any{"operations": []map[string]any{{"year": 2020}, {"year": 2020}}}), http.StatusUnprocessableEntity},
		"negative employees":               {member, edit(3, map[string]any{"operations": []map[string]any{{"year": 2020, "employees": -1}}}), http.StatusUnprocessableEntity},
		"an amount beyond the read model":  {member, edit(3, map[string]any{"operations": []map[string]any{{"year": 2020, "tax_cny": 1e15}}}), http.StatusUnprocessableEntity},
		"employees as text":                {member, edit(3, map[string]any{"operations": []map[string]any{{"year": 2020, "employees": "many"}}}), http.StatusUnprocessableEntity},
		"a project without a name":         {member, edit(3, map[string]any{"projects": []map[string]any{{"name": " ", "status": "building"}}}), http.StatusUnprocessableEntity},
		"a project's unknown status":       {member, edit(3, map[string]any{"projects": []map[string]any{{"name": "x", "status": "dreaming"}}}), http.StatusUnprocessableEntity},
		"a project's name with a control":  {member, edit(3, map[string]any{"projects": []map[string]any{{"name": "x\u0007", "status": "building"}}}), http.StatusUnprocessableEntity},
		"a project's date that is no date": {member, edit(3, map[string]any{"projects": []map[string]any{{"name": "x", "status": "building", "started": "2026-02-30"}}}), http.StatusUnprocessableEntity},
		"an unknown county":                {member, edit(3, map[string]any{"county": "mars"}), http.StatusUnprocessableEntity},
		"an empty name":                    {member, edit(3, map[string]any{"name": ""}), http.StatusUnprocessableEntity},
		"a field the enterprise lacks":     {member, edit(3, map[string]any{"revenue": 1}), http.StatusUnprocessableEntity},
		"fifty-one projects":               {member, edit(3, map[string]any{"projects": make([]map[string]any, 51)}), http.StatusUnprocessableEntity},
	} {
		if r := tc.who.do("PUT", path, tc.body, nil); r.Status != tc.want || r.errCode() == "" {
			t.Errorf("%s: %d %s, want %d", name, r.Status, r.Raw, tc.want)
		}
	}
	if r := member.do("PUT", "/api/v1/enterprises/ent-999", edit(1, nil), nil); r.Status != http.StatusNotFound {
		t.Errorf("an unknown enterprise: %d %s", r.Status, r.Raw)
	}
	leader.must(http.StatusForbidden, "GET", path+"/history", nil)
	if after := member.must(http.StatusOK, "GET", path+"/history", nil); len(after.Body["items"].([]any)) != 2 {
		t.Errorf("a refused edit was kept: %s", after.Raw)
	}

	// The console's form: a bad year is refused beside its input, nothing saved; a good
	// edit adds a year and is in the file. A leader finds no such form.
	form := newPerson(t, env.URL).signIn("member").open("/enterprises/ent-001/edit")
	form.sees("修改企业信息", "二期智能化车间", `name="op2_year"`)
	form.submit("/enterprises/ent-001", url.Values{"name": {before["name"].(string)}, "county": {before["county"].(string)},
		"base_version": {"3"}, "op0_year": {"1999"}, "pj0_name": {"二期智能化车间"}, "pj0_status": {"building"}})
	if form.status != http.StatusUnprocessableEntity || !strings.Contains(form.page, `id="op0_year" name="op0_year" min="2000" value="1999" aria-invalid="true"`) {
		t.Fatalf("a bad year through the console: %d\n%s", form.status, form.page)
	}
	form.open("/enterprises/ent-001/edit")
	values := url.Values{"name": {before["name"].(string)}, "county": {before["county"].(string)}, "contact_phone": {"0594-2222222"}, "base_version": {"3"},
		"op0_year": {fmt.Sprint(year - 3)}, "op0_employees": {"280"}, "pj0_name": {"三期仓储中心"}, "pj0_status": {"suspended"}}
	if before["is_key"] != true {
		values.Set("is_key", "true")
	}
	form.submit("/enterprises/ent-001", values)
	form.sees("已保存企业信息", "企业信息第 4 版", "三期仓储中心", "<td>停缓建</td>", `<td class="n">280</td>`)
	if l := newPerson(t, env.URL).signIn("leader1").open("/enterprises/ent-001/edit"); l.status != http.StatusNotFound {
		t.Errorf("a leader opens the edit form: %d", l.status)
	}
}
