package service

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// The enterprise import file: its columns by their Chinese headers, as people keep them
// in a spreadsheet. 企业名称 and 所属县区 are required; the others may be left out.
const (
	colName, colCounty, colChain, colKind = "企业名称", "所属县区", "产业链", "会员类型"
	colSize, colKey, colContact, colPhone = "规模", "重点企业", "联系人", "联系电话"
)

var importColumns = []string{colName, colCounty, colChain, colKind, colSize, colKey, colContact, colPhone}

const (
	XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	// MaxImportBody and maxImportRows bound an import file.
	MaxImportBody = 20 << 20
	maxImportRows = 50_000
)

// ImportRejection is one rejected row: its number in the file (the header is row 1) and
// what is wrong with it.
type ImportRejection struct {
	Row    int      `json:"row"`
	Errors []string `json:"errors"`
}

// ImportFile is a file of enterprises: CSV (UTF-8, with or without BOM) or XLSX, as its
// content type says.
type ImportFile struct {
	ContentType string
	Data        []byte
	// DryRun checks and counts without writing.
	DryRun bool
}

// ImportResult is what an import did, or (Rejected) why it did nothing.
type ImportResult struct {
	DryRun   bool              `json:"dry_run"`
	Imported int               `json:"imported"`
	Rejected []ImportRejection `json:"rejected"`
	Updated  int               `json:"updated"`
}

// ImportEnterprises imports enterprises from a file: every row is checked first, and a file
// with any bad row imports nothing (its rows and their problems in Rejected, with an
// Invalid error coded invalid_rows).
func (s Visits) ImportEnterprises(ctx context.Context, u domain.User, f ImportFile) (ImportResult, error) {
	if err := require(u, RolesEnterpriseEditor...); err != nil {
		return ImportResult{}, err
	}
	if len(f.Data) > MaxImportBody {
		return ImportResult{}, newError(TooLarge, "body_too_large", "文件过大，最多 20 MB (the file is larger than 20 MB)")
	}
	file, err := readTable(f.ContentType, f.Data)
	if err != nil {
		return ImportResult{}, err
	}
	units, err := s.Store.ListUnits(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	counties := map[string]string{} // name or id → id
	for _, u := range units {
		if u.Kind == domain.UnitCounty || u.Kind == domain.UnitAdminCommittee {
			counties[u.Name], counties[u.ID] = u.ID, u.ID
		}
	}
	rows, rejected, err := checkEnterpriseRows(file, counties)
	if err != nil {
		return ImportResult{}, err
	}
	if len(rejected) > 0 {
		return ImportResult{Rejected: rejected}, newError(Invalid, "invalid_rows",
			fmt.Sprintf("%d 行有误，未导入任何企业 (%d rows are wrong; nothing was imported)", len(rejected), len(rejected)))
	}
	imported, updated, err := s.Store.ImportEnterprises(ctx, rows, f.DryRun)
	if err != nil {
		return ImportResult{}, err
	}
	return ImportResult{Imported: imported, Updated: updated, Rejected: []ImportRejection{}, DryRun: f.DryRun}, nil
}

// table is a file's rows and the number each has in the file (what a person sees: the
// line of a CSV, the row of a sheet).
type table struct {
	rows   [][]string
	number []int
}

func (t *table) add(rec []string, n int) error {
	t.rows, t.number = append(t.rows, rec), append(t.number, n)
	if len(t.rows) > maxImportRows+1 {
		return newError(Invalid, "invalid_file", fmt.Sprintf("一次最多导入 %d 行 (at most %d rows per file)", maxImportRows, maxImportRows))
	}
	return nil
}

// readTable reads the rows of a CSV or XLSX file, as Content-Type says it is.
func readTable(contentType string, raw []byte) (*table, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = ""
	}
	unreadable := func(what string, err error) error {
		msg, _, _ := strings.Cut(err.Error(), "\n")
		return newError(Invalid, "invalid_file", fmt.Sprintf("无法读取%s文件 (the %s file cannot be read: %s)", what, what, msg))
	}
	t := &table{}
	switch mt {
	case "text/csv", "application/csv":
		raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(raw) {
			return nil, newError(Invalid, "invalid_file", "CSV 文件须为 UTF-8 编码，请另存为“CSV UTF-8” (the CSV file must be UTF-8)")
		}
		r := csv.NewReader(bytes.NewReader(raw))
		r.FieldsPerRecord = -1
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, unreadable("CSV", err)
			}
			line, _ := r.FieldPos(0)
			if err := t.add(rec, line); err != nil {
				return nil, err
			}
		}
	case XLSXType:
		if err := refuseDTD(raw); err != nil {
			return nil, unreadable("XLSX", err)
		}
		// A small zip can inflate enormously: unzip at most 200 MB (50,000 rows take a few).
		f, err := excelize.OpenReader(bytes.NewReader(raw), excelize.Options{UnzipSizeLimit: 200 << 20, UnzipXMLSizeLimit: 16 << 20})
		if err != nil {
			return nil, unreadable("XLSX", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, unreadable("XLSX", errors.New("no sheet"))
		}
		rows, err := f.Rows(sheets[0])
		if err != nil {
			return nil, unreadable("XLSX", err)
		}
		defer rows.Close()
		for n := 1; rows.Next(); n++ { // the iterator yields every row number, empty ones too
			rec, err := rows.Columns()
			if err != nil {
				return nil, unreadable("XLSX", err)
			}
			if err := t.add(rec, n); err != nil {
				return nil, err
			}
		}
	default:
		return nil, newError(Unsupported, "unsupported_media_type",
			"请上传 CSV（Content-Type: text/csv）或 XLSX 文件 (send text/csv or "+XLSXType+")")
	}
	return t, nil
}

// refuseDTD refuses an XLSX whose XML parts declare a document type: a spreadsheet
// program never writes one, and it is how entity attacks (XXE, "billion laughs") begin.
func refuseDTD(raw []byte) error {
	z, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil // not a zip: excelize says why
	}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			return nil
		}
		part, err := io.ReadAll(io.LimitReader(rc, 16<<20))
		rc.Close()
		if err != nil {
			return nil
		}
		if bytes.Contains(bytes.ToUpper(part), []byte("<!DOCTYPE")) || bytes.Contains(bytes.ToUpper(part), []byte("<!ENTITY")) {
			return fmt.Errorf("%s declares a DTD, which spreadsheets never do", f.Name)
		}
	}
	return nil
}

// checkEnterpriseRows checks the header and every row; it answers the enterprises of the
// good rows and what is wrong with the others.
func checkEnterpriseRows(t *table, counties map[string]string) ([]domain.Enterprise, []ImportRejection, error) {
	if len(t.rows) == 0 || !slices.ContainsFunc(t.rows, func(rec []string) bool { return strings.TrimSpace(strings.Join(rec, "")) != "" }) {
		return nil, nil, newError(Invalid, "invalid_file", "文件为空 (the file is empty)")
	}
	col := map[string]int{}
	for i, h := range t.rows[0] {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if h == "" {
			continue
		}
		if !slices.Contains(importColumns, h) {
			return nil, nil, newError(Invalid, "invalid_file",
				fmt.Sprintf("未知的列「%s」，列名应为：%s (unknown column)", h, strings.Join(importColumns, "、")))
		}
		if _, dup := col[h]; dup {
			return nil, nil, newError(Invalid, "invalid_file", fmt.Sprintf("列「%s」重复 (duplicate column)", h))
		}
		col[h] = i
	}
	for _, required := range []string{colName, colCounty} {
		if _, ok := col[required]; !ok {
			return nil, nil, newError(Invalid, "invalid_file",
				fmt.Sprintf("缺少必需的列「%s」(the first row must name the columns, %s and %s at least)", required, colName, colCounty))
		}
	}
	var rows []domain.Enterprise
	var rejected []ImportRejection
	firstRow := map[string]int{} // name → the row it was first seen on
	for i, rec := range t.rows[1:] {
		rowNo := t.number[i+1]
		get := func(name string) string {
			if j, ok := col[name]; ok && j < len(rec) {
				return strings.TrimSpace(rec[j])
			}
			return ""
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue // an empty line
		}
		e, problems := checkEnterpriseRow(get, counties)
		if prev, ok := firstRow[e.Name]; ok && e.Name != "" {
			problems = append(problems, fmt.Sprintf("企业名称与第 %d 行重复 (same name as row %d)", prev, prev))
		} else {
			firstRow[e.Name] = rowNo
		}
		if len(problems) > 0 {
			rejected = append(rejected, ImportRejection{Row: rowNo, Errors: problems})
			continue
		}
		rows = append(rows, e)
	}
	if len(rows) == 0 && len(rejected) == 0 {
		return nil, nil, newError(Invalid, "invalid_file",
			"文件中没有企业，只有表头或空行 (the file has no enterprise rows, only the header or blank rows)")
	}
	return rows, rejected, nil
}

// checkEnterpriseRow checks one row's cells (get answers a cell by its column).
func checkEnterpriseRow(get func(string) string, counties map[string]string) (domain.Enterprise, []string) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	e := domain.Enterprise{Name: get(colName), IndustryChain: get(colChain), ContactName: get(colContact), ContactPhone: get(colPhone)}
	for _, f := range []struct{ col, v string }{{colName, e.Name}, {colChain, e.IndustryChain}, {colContact, e.ContactName}} {
		if p := domain.TextProblem(f.v, true); p != "" {
			bad("%s：%s", f.col, p)
		} else if utf8.RuneCountInString(f.v) > 200 {
			bad("%s：超过 200 字 (longer than 200 characters)", f.col)
		}
	}
	if e.Name == "" {
		bad("%s：必填 (required)", colName)
	}
	county := get(colCounty)
	if e.County = counties[county]; e.County == "" {
		bad("%s：「%s」不是莆田的县区或管委会 (not a county, district or administrative committee)", colCounty, county)
	}
	if kind := get(colKind); kind != "" {
		if e.MemberKind = vocabCode(kind, domain.MemberKinds, domain.MemberKindAliases); e.MemberKind == "" {
			bad("%s：「%s」无效，应为 %s 或留空 (unknown member kind)", colKind, kind, labels(domain.MemberKinds))
		}
	}
	if size := get(colSize); size != "" {
		if e.Size = vocabCode(size, domain.Sizes, nil); e.Size == "" {
			bad("%s：「%s」无效，应为 %s 或留空 (unknown size)", colSize, size, labels(domain.Sizes))
		}
	}
	switch strings.ToLower(get(colKey)) {
	case "", "否", "n", "no", "false", "0":
	case "是", "y", "yes", "true", "1":
		e.IsKey = true
	default:
		bad("%s：「%s」无效，应为 是 或 否 (yes or no)", colKey, get(colKey))
	}
	if strings.Trim(e.ContactPhone, "0123456789+-() ") != "" || len(e.ContactPhone) > 30 {
		bad("%s：「%s」不是电话号码 (digits, + - ( ) and spaces, at most 30)", colPhone, e.ContactPhone)
	}
	return e, problems
}

// vocabCode answers the code of a word given as its code, its Chinese name or an alias.
func vocabCode(v string, names, aliases map[string]string) string {
	if _, ok := names[v]; ok {
		return v
	}
	for code, name := range names {
		if name == v || slices.Contains(strings.Split(name, "/"), v) {
			return code
		}
	}
	return aliases[v]
}

// labels lists a vocabulary's Chinese names, sorted.
func labels(names map[string]string) string {
	var out []string
	for _, n := range names {
		out = append(out, n)
	}
	slices.Sort(out)
	return strings.Join(out, "、")
}
