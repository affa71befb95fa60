package devenv_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/xuri/excelize/v2"
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
