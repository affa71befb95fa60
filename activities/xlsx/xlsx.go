// Package xlsx writes caseflow's workbooks (the ledger, the audit's and the quarterly
// report's) with excelize's stream writer: Chinese sheet names of at most 31 characters,
// rows written in order.
package xlsx

import (
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Sheet is one sheet: its name (cut to 31 characters; / and : become -) and its rows.
type Sheet struct {
	Name string
	Rows [][]any
}

// SheetName makes name a valid sheet name.
func SheetName(name string) string {
	title := []rune(strings.NewReplacer("/", "-", ":", "-", "\\", "-", "?", "", "*", "", "[", "(", "]", ")").Replace(name))
	if len(title) > 31 {
		title = title[:31]
	}
	return string(title)
}

// Write writes the sheets as one workbook to w.
func Write(w io.Writer, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range sheets {
		name := SheetName(sh.Name)
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		for r, row := range sh.Rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := sw.SetRow(cell, inert(row)); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// inert returns row with every text that a spreadsheet program could take for a formula
// (one beginning with =, +, -, @, a tab or a carriage return: a case's title typed as
// "=HYPERLINK(…)", say) written with a leading apostrophe, as OWASP advises: it is shown,
// and kept if the sheet is saved again as CSV, as text, never evaluated.
func inert(row []any) []any {
	var out []any
	for i, v := range row {
		s, ok := v.(string)
		if !ok || s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			continue
		}
		if out == nil {
			out = append([]any(nil), row...)
		}
		out[i] = "'" + s
	}
	if out == nil {
		return row
	}
	return out
}
