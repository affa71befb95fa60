package devenv_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"github.com/putian-fic/caseflow/workflows/domain"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func init() { openapi3filter.RegisterBodyDecoder(xlsxType, openapi3filter.FileBodyDecoder) }

func TestEnterprisesAreImportedFromASpreadsheetAllOrNothing(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	member, unit := login(t, env.URL, "member"), login(t, env.URL, "unit-natural-resources")
	count := func() int {
		return len(member.must(http.StatusOK, "GET", "/api/v1/enterprises", nil).Body["items"].([]any))
	}
	before := count()
	csv := map[string]string{"Content-Type": "text/csv; charset=utf-8"}
	good := "\ufeff企业名称,所属县区,产业链,会员类型,规模,重点企业,联系人,联系电话\n" +
		"莆田市华兴鞋业有限公司,荔城区,鞋服,常执委,大型,是,林建华,13900000001\n" +
		"厦门莆田商会,城厢区,,异地莆田商会,,否,陈会长,0592-1234567\n" +
		"秀屿渔业合作社,秀屿区,海洋渔业,所属商会,小型,,,\n"
	bad := good + "无县区企业,,,,,,,\n" + "火星公司,火星区,,会长,,,,\n"

	// One bad row: 422, every bad row named, nothing imported.
	r := member.do("POST", "/api/v1/enterprises/import", bad, csv)
	rejected, _ := r.Body["rejected"].([]any)
	if r.Status != http.StatusUnprocessableEntity || r.errCode() != "invalid_rows" || len(rejected) != 2 ||
		rejected[0].(map[string]any)["row"] != float64(5) || rejected[1].(map[string]any)["row"] != float64(6) {
		t.Fatalf("bad rows: %d %s", r.Status, r.Raw)
	}
	if n := count(); n != before {
		t.Fatalf("a refused import changed the enterprises: %d → %d", before, n)
	}
	// A dry run counts and writes nothing.
	r = member.do("POST", "/api/v1/enterprises/import?dry_run=true", good, csv)
	if r.Status != http.StatusOK || r.Body["imported"] != float64(2) || r.Body["updated"] != float64(1) || count() != before {
		t.Fatalf("dry run: %d %s", r.Status, r.Raw)
	}
	// The import: one existing enterprise (by name) updated, two added.
	r = member.do("POST", "/api/v1/enterprises/import", good, csv)
	if r.Status != http.StatusOK || r.Body["imported"] != float64(2) || r.Body["updated"] != float64(1) || count() != before+2 {
		t.Fatalf("import: %d %s", r.Status, r.Raw)
	}
	// The same from a workbook only updates.
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	for i, row := range [][]any{{"企业名称", "所属县区", "会员类型"}, {"厦门莆田商会", "城厢区", "异地莆田商会"}, {"秀屿渔业合作社", "秀屿区", "所属商会"}} {
		if err := f.SetSheetRow(sheet, "A"+string(rune('1'+i)), &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	r = member.do("POST", "/api/v1/enterprises/import", buf.String(), map[string]string{"Content-Type": xlsxType})
	if r.Status != http.StatusOK || r.Body["imported"] != float64(0) || r.Body["updated"] != float64(2) {
		t.Fatalf("xlsx: %d %s", r.Status, r.Raw)
	}
	// Others may not import; a file of another kind is refused.
	if r := unit.do("POST", "/api/v1/enterprises/import", good, csv); r.Status != http.StatusForbidden {
		t.Errorf("a unit imports: %d %s", r.Status, r.Raw)
	}
	if r := member.do("POST", "/api/v1/enterprises/import", good, map[string]string{"Content-Type": "text/plain"}); r.Status != http.StatusUnsupportedMediaType || r.errCode() == "" {
		t.Errorf("text/plain: %d %s", r.Status, r.Raw)
	}
}

func TestLeadersLinksAreCountedAgainstTheMinimumsAndEveryChangeIsKept(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	member, leader1, leader2 := login(t, env.URL, "member"), login(t, env.URL, "leader1"), login(t, env.URL, "leader2")
	unit := login(t, env.URL, "unit-natural-resources")
	all := []string{"ent-001", "ent-002", "ent-003", "ent-004", "ent-005", "ent-006", "ent-007", "ent-008", "ent-009", "ent-010", "ent-011", "ent-012"}

	r := member.must(http.StatusOK, "PUT", "/api/v1/leaders/leader1/links", map[string]any{"year": 2026, "enterprise_ids": all})
	var v struct {
		Leader    string
		Year      int
		Links     []map[string]string
		Counts    map[string]int
		Minimums  map[string]int
		Shortfall map[string]int
		Met       bool
	}
	decode(t, r.Raw, &v)
	// The demo's twelve: 7 standing members, 2 vice-chairs, 2 chambers, 1 out-of-town chamber.
	wantCounts := map[string]int{"standing_member": 7, "vice_chair": 2, "chamber": 2, "remote_chamber": 1}
	wantShort := map[string]int{"standing_member": 43, "vice_chair": 8, "chamber": 3, "remote_chamber": 19}
	if len(v.Links) != 12 || fmt.Sprint(v.Counts) != fmt.Sprint(wantCounts) || fmt.Sprint(v.Shortfall) != fmt.Sprint(wantShort) ||
		v.Met || v.Minimums["standing_member"] != 50 || v.Minimums["remote_chamber"] != 20 {
		t.Fatalf("links: %s", r.Raw)
	}
	// An unknown enterprise: 422, and the links stay as they were.
	if r := member.do("PUT", "/api/v1/leaders/leader1/links", map[string]any{"year": 2026, "enterprise_ids": []string{"ent-001", "ent-999"}}, nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("unknown enterprise: %d %s", r.Status, r.Raw)
	}
	for _, bad := range []map[string]any{{"year": 2026, "enterprise_ids": []string{"ent-001", "ent-001"}}, {"year": 1999, "enterprise_ids": []string{}}, {"year": 2026}} {
		if r := member.do("PUT", "/api/v1/leaders/leader1/links", bad, nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d %s", bad, r.Status, r.Raw)
		}
	}
	member.must(http.StatusOK, "PUT", "/api/v1/leaders/leader1/links", map[string]any{"year": 2026, "enterprise_ids": all[2:]})
	// The leader reads their own links, not another's; units read none; only member_dept and admin change them.
	if r := leader1.must(http.StatusOK, "GET", "/api/v1/leaders/leader1/links?year=2026", nil); len(r.Body["links"].([]any)) != 10 {
		t.Errorf("leader1's own links: %s", r.Raw)
	}
	if r := leader2.do("GET", "/api/v1/leaders/leader1/links?year=2026", nil, nil); r.Status != http.StatusForbidden {
		t.Errorf("leader2 reads leader1's links: %d", r.Status)
	}
	if r := unit.do("GET", "/api/v1/leaders", nil, nil); r.Status != http.StatusForbidden {
		t.Errorf("a unit lists the leaders: %d", r.Status)
	}
	if r := leader1.do("PUT", "/api/v1/leaders/leader1/links", map[string]any{"year": 2026, "enterprise_ids": all}, nil); r.Status != http.StatusForbidden {
		t.Errorf("a leader sets links: %d", r.Status)
	}
	if r := member.do("GET", "/api/v1/leaders/member/links", nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("links of a user who is not a leader: %d %s", r.Status, r.Raw)
	}
	// The list of leaders, for this year by default and for 2026.
	r = member.must(http.StatusOK, "GET", "/api/v1/leaders?year=2026", nil)
	if items := r.Body["items"].([]any); len(items) != 2 || items[0].(map[string]any)["username"] != "leader1" ||
		items[0].(map[string]any)["met"] != false || items[1].(map[string]any)["counts"].(map[string]any)["chamber"] != float64(0) {
		t.Errorf("leaders: %s", r.Raw)
	}
	if r := leader2.must(http.StatusOK, "GET", "/api/v1/leaders", nil); len(r.Body["items"].([]any)) != 1 {
		t.Errorf("a leader lists only themself: %s", r.Raw)
	}
	// Every change, newest first: who, when, what was added and removed.
	var h struct {
		Items []struct {
			Year           int
			ChangedBy      string `json:"changed_by"`
			Added, Removed []string
		}
	}
	decode(t, member.must(http.StatusOK, "GET", "/api/v1/leaders/leader1/links/history", nil).Raw, &h)
	if len(h.Items) != 2 || h.Items[0].ChangedBy != "member" || len(h.Items[0].Added) != 0 ||
		fmt.Sprint(h.Items[0].Removed) != "[ent-001 ent-002]" || len(h.Items[1].Added) != 12 {
		t.Errorf("history: %+v", h.Items)
	}
}

func TestTheEnterpriseFileShowsEachReaderWhatTheyMaySee(t *testing.T) {
	env := start(t, dataDir(t))
	t.Cleanup(env.Close)
	year := time.Now().In(domain.Shanghai).Year()
	member, party, leader1, leader2 := login(t, env.URL, "member"), login(t, env.URL, "party"), login(t, env.URL, "leader1"), login(t, env.URL, "leader2")
	eff, natres, power := login(t, env.URL, "efficiency"), login(t, env.URL, "unit-natural-resources"), login(t, env.URL, "unit-power-supply")
	member.must(http.StatusOK, "PUT", "/api/v1/leaders/leader1/links", map[string]any{"year": year, "enterprise_ids": []string{"ent-001"}})
	today := time.Now().In(domain.Shanghai).Format(domain.DateLayout)
	r := leader1.must(http.StatusCreated, "POST", "/api/v1/visits", map[string]any{"date": today, "leaders": []string{"leader1"},
		"enterprise_ids": []string{"ent-001"}, "method": "onsite",
		"problems": []map[string]any{{"title": "厂房用地审批慢", "description": "二期用地报批三个月未办结", "category": "land", "list": "problem",
			"amount_cny": 30000000}}})
	caseID := r.Body["case_ids"].([]any)[0].(string)
	// Referred to natural resources: that unit now sees the file, through this case.
	member.action(http.StatusOK, caseID, "triage", map[string]any{"decision": "refer", "category": "land", "list": "problem",
		"scope": "individual", "office": "party", "lead_unit": "natural-resources", "co_units": []string{}, "override_reason": "测试"})
	party.action(http.StatusOK, caseID, "refer", map[string]any{"instructions": "请办理"})

	type file struct {
		Enterprise map[string]any
		Redacted   []string
		Leaders    []map[string]string
		Visits     []map[string]any
		Cases      []map[string]any
		Plan       struct {
			Version  int
			Measures []map[string]any
		}
	}
	get := func(who *apiClient) file {
		t.Helper()
		var f file
		decode(t, who.must(http.StatusOK, "GET", "/api/v1/enterprises/ent-001/file", nil).Raw, &f)
		return f
	}
	m := get(member)
	if m.Enterprise["contact_phone"] != "13900000001" || len(m.Redacted) != 0 || len(m.Leaders) != 1 || len(m.Visits) != 1 || len(m.Cases) != 1 || m.Plan.Version != 0 {
		t.Errorf("member's file: %+v", m)
	}
	if l := get(leader1); l.Enterprise["contact_name"] != "林建华" || len(l.Cases) != 1 {
		t.Errorf("the linked leader's file: %+v", l)
	}
	for name, who := range map[string]*apiClient{"efficiency": eff, "leader2": leader2, "natural-resources": natres} {
		f := get(who)
		if f.Enterprise["contact_name"] != nil || f.Enterprise["contact_phone"] != nil || len(f.Redacted) != 2 {
			t.Errorf("%s reads the contacts: %+v", name, f.Enterprise)
		}
	}
	if f := get(natres); len(f.Cases) != 1 || len(f.Visits) != 0 {
		t.Errorf("the unit's file: %+v", f)
	}
	if f := get(leader2); len(f.Cases) != 0 || len(f.Visits) != 0 {
		t.Errorf("another leader's file: %+v", f)
	}
	if r := power.do("GET", "/api/v1/enterprises/ent-001/file", nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("a unit with no case of the enterprise: %d", r.Status)
	}
	// The plan: versions kept; the linked leader may write it, another may not.
	plan := map[string]any{"measures": []map[string]any{{"title": "协调二期用地报批", "owner_unit": "natural-resources", "due_date": "2026-12-31", "status": "in_progress"}}}
	if r := leader1.must(http.StatusOK, "PUT", "/api/v1/enterprises/ent-001/plan", plan); r.Body["version"] != float64(1) {
		t.Errorf("plan v1: %s", r.Raw)
	}
	if r := member.must(http.StatusOK, "PUT", "/api/v1/enterprises/ent-001/plan", plan); r.Body["version"] != float64(2) || r.Body["updated_by"] != "member" {
		t.Errorf("plan v2: %s", r.Raw)
	}
	// Saved over the version its writer read: once; sent again (or over a plan changed
	// since), a conflict naming the version now in force, and nothing saved.
	plan["base_version"] = 2
	member.must(http.StatusOK, "PUT", "/api/v1/enterprises/ent-001/plan", plan)
	if r := member.do("PUT", "/api/v1/enterprises/ent-001/plan", plan, nil); r.Status != http.StatusConflict || r.errCode() != "version_conflict" {
		t.Errorf("the same plan over version 2 again: %d %s", r.Status, r.Raw)
	}
	delete(plan, "base_version")
	if r := leader2.do("PUT", "/api/v1/enterprises/ent-001/plan", plan, nil); r.Status != http.StatusForbidden {
		t.Errorf("an unlinked leader writes the plan: %d", r.Status)
	}
	for _, bad := range []map[string]any{{"measures": []map[string]any{{"title": ""}}}, {"measures": []map[string]any{{"title": "x", "status": "maybe"}}},
		{"measures": []map[string]any{{"title": "x", "owner_unit": "mars"}}}, {}} {
		if r := member.do("PUT", "/api/v1/enterprises/ent-001/plan", bad, nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("plan %v: %d %s", bad, r.Status, r.Raw)
		}
	}
	// The unit reaches the enterprise on the case while it is referred to it and open: its
	// contact in the case, each read recorded; another unit never, and no one in a list.
	contactOf := func(c *apiClient) any {
		return c.must(http.StatusOK, "GET", "/api/v1/cases/"+caseID, nil).Body["enterprise_contact"]
	}
	if got, ok := contactOf(natres).(map[string]any); !ok || got["name"] != "林建华" || got["phone"] != "13900000001" {
		t.Errorf("the lead unit reads the contact as %v", got)
	}
	if r := power.do("GET", "/api/v1/cases/"+caseID, nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("another unit reads the case: %d", r.Status)
	}
	if got := contactOf(party); got != nil {
		t.Errorf("the office reads the contact in the case (it reads it in the file): %v", got)
	}
	if r := natres.must(http.StatusOK, "GET", "/api/v1/cases?enterprise_id=ent-001", nil); bytes.Contains(r.Raw, []byte("13900000001")) {
		t.Errorf("a list shows the contact")
	}
	var reads struct {
		Reads []struct{ Username string } `json:"reads"`
	}
	unitReads := func() (n int) {
		decode(t, eff.must(http.StatusOK, "GET", "/api/v1/cases/"+caseID+"/sensitive-reads", nil).Raw, &reads)
		for _, r := range reads.Reads {
			if r.Username == "unit-natural-resources" {
				n++
			}
		}
		return n
	}
	// Each answer that shows the case's amount or the contact is one read of the case,
	// however many of its parts show them (the case, its timeline, the contact), and one
	// read of the enterprise's contacts: the API's read and the console's page.
	before := unitReads()
	if before == 0 {
		t.Errorf("the unit's read of the contact is not recorded: %+v", reads.Reads)
	}
	contactOf(natres)
	if n := unitReads(); n != before+1 {
		t.Errorf("a read of the case with its contact is recorded %d times, want once", n-before)
	}
	newPerson(t, env.URL).signIn("unit-natural-resources").open("/cases/"+caseID).sees("林建华", "13900000001")
	if n := unitReads(); n != before+2 {
		t.Errorf("the console's page of the case is recorded %d times, want once", n-before-1)
	}
	db, err := pgx.Connect(context.Background(), env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	var contactReads int
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM enterprise_contact_reads WHERE enterprise_id = 'ent-001'
		AND username = 'unit-natural-resources'`).Scan(&contactReads); err != nil || contactReads != 3 {
		t.Errorf("the unit's reads of ent-001's contacts: %d (%v), want 3 (two through the API, one page)", contactReads, err)
	}
	natres.action(http.StatusOK, caseID, "sign", nil)
	natres.action(http.StatusOK, caseID, "complete", map[string]any{"outcome": "resolved", "report": "已批复"})
	member.action(http.StatusOK, caseID, "callback", map[string]any{"solved": true, "satisfied": true})
	party.action(http.StatusOK, caseID, "close", map[string]any{})
	if got := contactOf(natres); got != nil {
		t.Errorf("after closure the unit still reads the contact: %v", got)
	}

	if f := get(member); f.Plan.Version != 3 || len(f.Plan.Measures) != 1 || f.Plan.Measures[0]["status"] != "in_progress" {
		t.Errorf("the file's plan: %+v", f.Plan)
	}
}
