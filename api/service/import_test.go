package service

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/putian-fic/caseflow/workflows/domain"
)

var testCounties = map[string]string{"城厢区": "chengxiang", "chengxiang": "chengxiang", "涵江区": "hanjiang", "hanjiang": "hanjiang"}

func TestAnImportFileIsReadByItsChineseHeadersAndEveryBadRowIsNamed(t *testing.T) {
	csv := "\ufeff企业名称,所属县区,产业链,会员类型,规模,重点企业,联系人,联系电话\n" +
		"莆田鞋业,城厢区,鞋服,常执委,大型,是,林先生,0594-1234567\n" +
		"\n" + // an empty line is skipped
		"涵江食品商会,hanjiang,,所属商会,,否,,\n" +
		"上海莆田商会,城厢区,,异地商会,,,,\n" +
		",火星区,,会长,巨型,也许,张三,abc\n" +
		"莆田鞋业,城厢区,,,,,,\n" +
		"bad\x01name,城厢区,,,,,,\n"
	table, err := readTable("text/csv; charset=utf-8", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	rows, rejected, err := checkEnterpriseRows(table, testCounties)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.Enterprise{
		{Name: "莆田鞋业", County: "chengxiang", IndustryChain: "鞋服", MemberKind: "standing_member", Size: "large", IsKey: true, ContactName: "林先生", ContactPhone: "0594-1234567"},
		{Name: "涵江食品商会", County: "hanjiang", MemberKind: "chamber"},
		{Name: "上海莆田商会", County: "chengxiang", MemberKind: "remote_chamber"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("rows:\n%v\nwant\n%v", rows, want)
	}
	var got []string
	for _, r := range rejected {
		got = append(got, fmt.Sprintf("%d: %s", r.Row, strings.Join(r.Errors, " | ")))
	}
	if len(rejected) != 3 || rejected[0].Row != 6 || len(rejected[0].Errors) != 6 || rejected[1].Row != 7 ||
		!strings.Contains(rejected[1].Errors[0], "第 2 行") || rejected[2].Row != 8 {
		t.Errorf("rejected:\n%s", strings.Join(got, "\n"))
	}
}

func TestAnXLSXImportReadsTheFirstSheet(t *testing.T) {
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	for i, row := range [][]any{{"企业名称", "所属县区", "会员类型", "重点企业"}, {"仙游工艺", "涵江区", "兼职副主席/副会长", "是"}, {"湄洲文旅", "城厢区", "副会长", 1}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	table, err := readTable(XLSXType, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	rows, rejected, err := checkEnterpriseRows(table, testCounties)
	if err != nil || len(rejected) > 0 || len(rows) != 2 || rows[0].MemberKind != "vice_chair" || rows[1].MemberKind != "vice_chair" || !rows[1].IsKey {
		t.Errorf("rows %+v, rejected %+v, %v", rows, rejected, err)
	}
}

func TestAFileThatIsNotATableIsRefusedAsAWhole(t *testing.T) {
	for name, tc := range map[string]struct {
		contentType, body, code string
	}{
		"JSON":              {"application/json", `{}`, "unsupported_media_type"},
		"no content type":   {"", "企业名称,所属县区\n", "unsupported_media_type"},
		"not UTF-8":         {"text/csv", "\xc6\xf3\xd2\xb5,x\n", "invalid_file"},
		"empty":             {"text/csv", "", "invalid_file"},
		"an unknown column": {"text/csv", "企业名称,所属县区,法人\n", "invalid_file"},
		"no county column":  {"text/csv", "企业名称\n莆田鞋业\n", "invalid_file"},
		"a column twice":    {"text/csv", "企业名称,所属县区,企业名称\n", "invalid_file"},
		"broken quotes":     {"text/csv", "企业名称,所属县区\n\"a,b\n", "invalid_file"},
		"not a workbook":    {XLSXType, "PK not really", "invalid_file"},
	} {
		table, err := readTable(tc.contentType, []byte(tc.body))
		if err == nil {
			_, _, err = checkEnterpriseRows(table, testCounties)
		}
		if e, ok := err.(*Error); !ok || e.Code != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}
}

// BenchmarkCheckEnterpriseFile reads and checks a 10,000-row CSV (go test -bench
// CheckEnterpriseFile ./api/service); with the store's BenchmarkImportEnterprises it is the import.
func BenchmarkCheckEnterpriseFile(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("企业名称,所属县区,产业链,会员类型,规模,重点企业,联系人,联系电话\n")
	for i := range 10_000 {
		fmt.Fprintf(&sb, "莆田企业%05d,城厢区,鞋服,常执委,中型,否,联系人%d,13900%06d\n", i, i, i)
	}
	raw := []byte(sb.String())
	for b.Loop() {
		table, err := readTable("text/csv", raw)
		if err != nil {
			b.Fatal(err)
		}
		rows, rejected, err := checkEnterpriseRows(table, testCounties)
		if err != nil || len(rejected) > 0 || len(rows) != 10_000 {
			b.Fatal(err, rejected)
		}
	}
}
