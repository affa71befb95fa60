package xlsx_test

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/putian-fic/caseflow/activities/xlsx"
)

// TestATextThatLooksLikeAFormulaIsWrittenAsText: a case's title or a unit's note typed as
// a formula reaches the workbook as text that no spreadsheet program evaluates.
func TestATextThatLooksLikeAFormulaIsWrittenAsText(t *testing.T) {
	row := []any{"=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "用地审批慢", 42, -5.5, ""}
	var buf bytes.Buffer
	if err := xlsx.Write(&buf, []xlsx.Sheet{{Name: "工作台账", Rows: [][]any{row}}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"'=HYPERLINK(\"http://x\",\"点我\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tcmd", "用地审批慢", "42", "-5.5", ""}
	for i, w := range want {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		got, _ := f.GetCellValue("工作台账", cell)
		formula, _ := f.GetCellFormula("工作台账", cell)
		if got != w || formula != "" {
			t.Errorf("%s: %q (formula %q), want %q", cell, got, formula, w)
		}
	}
	if row[0] != "=HYPERLINK(\"http://x\",\"点我\")" {
		t.Errorf("the caller's row was changed: %q", row[0])
	}
}
