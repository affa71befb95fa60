package xlsx_test

import (
	"bytes"
	"fmt"
	"strconv"
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

// TestAWorkbookReachesItsWriterInPiecesAsItIsCompressed: a year's ledger is sent as it is
// compressed, a few kilobytes at a time, never held whole to be copied at the end — and what
// arrives is the workbook, every row of it.
func TestAWorkbookReachesItsWriterInPiecesAsItIsCompressed(t *testing.T) {
	const rows = 20_000
	var w pieces
	err := xlsx.Write(&w, []xlsx.Sheet{{Name: "工作台账", Rows: [][]any{{"序号", "问题"}}, Stream: func(row func([]any) error) error {
		for i := range rows {
			if err := row([]any{i + 1, fmt.Sprintf("第%d个问题：用地审批慢", i+1)}); err != nil {
				return err
			}
		}
		return nil
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if w.Len() < 100_000 || w.writes < 10 || w.largest > 64<<10 {
		t.Fatalf("the workbook (%d bytes) reached its writer in %d writes, the largest %d bytes: want it in pieces of at most 64 KB",
			w.Len(), w.writes, w.largest)
	}
	f, err := excelize.OpenReader(&w.Buffer)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("工作台账")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != rows+1 || got[rows][0] != strconv.Itoa(rows) || got[rows][1] != fmt.Sprintf("第%d个问题：用地审批慢", rows) {
		t.Fatalf("%d rows, the last %q", len(got), got[len(got)-1])
	}
}

// pieces is a buffer that counts the writes it is handed and the largest.
type pieces struct {
	bytes.Buffer
	writes, largest int
}

func (p *pieces) Write(b []byte) (int, error) {
	p.writes++
	p.largest = max(p.largest, len(b))
	return p.Buffer.Write(b)
}
