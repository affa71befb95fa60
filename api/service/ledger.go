package service

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/putian-fic/caseflow/activities/reportbook"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/activities/xlsx"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// maxLedgerVisits bounds one ledger (a year of a Federation's visits is a few thousand).
const maxLedgerVisits = 20_000

// Ledger is the work ledger (工作台账): the visits of a period, each with its problems'
// cases as they stand.
type Ledger struct {
	From    string      `json:"from"`
	Leader  string      `json:"leader"`
	Quarter any         `json:"quarter"`
	To      string      `json:"to"`
	Visits  []VisitView `json:"visits"`
	Year    int         `json:"year"`
	// Leads are the investment leads registered in the period (of the leader), newest first.
	Leads []LeadView `json:"leads"`
}

// ledgerOf is whose ledger u asks for: leader ("" for all), or a leader's own.
func ledgerOf(u domain.User, leader string) (string, error) {
	if err := require(u, RolesVisitReaders...); err != nil {
		return "", err
	}
	if u.Role == domain.RoleLeader {
		if leader != "" && leader != u.Username {
			return "", forbidden("只能查看本人的工作台账 (a leader reads only their own ledger)")
		}
		leader = u.Username
	}
	return leader, nil
}

// Ledger is the ledger of a period, of one leader or ("") of all (a leader: their own), as
// JSON: at most maxLedgerVisits visits (the workbook has no such bound).
func (s Visits) Ledger(ctx context.Context, u domain.User, p YearOrQuarter, leader string) (Ledger, error) {
	leader, err := ledgerOf(u, leader)
	if err != nil {
		return Ledger{}, err
	}
	from, to := p.FromDate(), p.ToDate()
	visits, total, err := s.Store.ListVisits(ctx, store.VisitFilter{Leader: leader, From: from, To: to, PageSize: maxLedgerVisits})
	if err != nil {
		return Ledger{}, err
	}
	if total > len(visits) {
		return Ledger{}, newError(Invalid, "too_large", fmt.Sprintf("台账超过 %d 次走访，请按季度或班子成员查询，或下载 XLSX (more than %d visits: ask by quarter or leader, or for format=xlsx, which has no bound)", maxLedgerVisits, maxLedgerVisits))
	}
	out, err := s.views(ctx, u, visits)
	if err != nil {
		return Ledger{}, err
	}
	lv, err := s.ledgerLeads(ctx, leader, from, to)
	if err != nil {
		return Ledger{}, err
	}
	return Ledger{Leader: leader, Year: p.Year, Quarter: p.Quarter, From: from, To: to, Visits: out, Leads: lv}, nil
}

// ledgerLeads are the investment leads of the period (of the leader), newest first.
func (s Visits) ledgerLeads(ctx context.Context, leader, from, to string) ([]LeadView, error) {
	leads, err := s.Store.ListLeads(ctx, store.LeadFilter{Leader: leader, From: from, To: to, Limit: maxLedgerVisits})
	if err != nil {
		return nil, err
	}
	lv := make([]LeadView, 0, len(leads))
	for _, l := range leads {
		lv = append(lv, leadView(l))
	}
	return lv, nil
}

// leadColumns are the headers of a leads sheet (招商线索), in the ledger and the report.
var leadColumns = []any{"序号", "线索编号", "登记日期", "班子成员", "企业", "产业链", "线索", "预计金额（元）", "状态", "放弃原因", "走访编号"}

// leadRows are the rows of a leads sheet, with names for ids.
func leadRows(leads []LeadView, names reportbook.Names) [][]any {
	rows := [][]any{leadColumns}
	for i, l := range leads {
		var amount any
		if l.ExpectedAmountCNY != nil {
			amount = *l.ExpectedAmountCNY
		}
		rows = append(rows, []any{i + 1, l.ID, l.CreatedAt.In(domain.Shanghai).Format(domain.DateLayout), names.User(l.Leader),
			names.Enterprise(l.EnterpriseID), l.IndustryChain, l.Title, amount, l.StatusLabel, l.DropReason, l.VisitID})
	}
	return rows
}

// ledgerColumns are the workbook's headers.
var ledgerColumns = []any{"序号", "走访日期", "班子成员", "走访企业", "走访方式", "走访内容", "情况记录", "招商线索",
	"案件编号", "问题", "状态", "牵头单位", "办理时限", "办理结果"}

// Workbook is a workbook to download: its sheets and its file name (ASCII, and in Chinese).
type Workbook struct {
	ASCIIName, Name string
	Sheets          []xlsx.Sheet
}

// Write writes the workbook as XLSX (activities/xlsx: a text a spreadsheet could take for a
// formula is written as text).
func (wb Workbook) Write(w io.Writer) error { return xlsx.Write(w, wb.Sheets) }

// ledgerPage is how many visits the workbook reads at a time.
const ledgerPage = 200

// LedgerWorkbook is the ledger of a period (whose: as Ledger) as a workbook, one row per case
// (a visit without problems has one row), with Chinese headers and names. Its rows are read
// a page of visits at a time while the workbook is written (xlsx.Sheet.Stream): a year of
// any size is streamed with the memory of one page, and has no bound on its visits.
func (s Visits) LedgerWorkbook(ctx context.Context, u domain.User, p YearOrQuarter, leader string) (Workbook, error) {
	leader, err := ledgerOf(u, leader)
	if err != nil {
		return Workbook{}, err
	}
	names, err := s.names(ctx, true)
	if err != nil {
		return Workbook{}, err
	}
	from, to := p.FromDate(), p.ToDate()
	lv, err := s.ledgerLeads(ctx, leader, from, to)
	if err != nil {
		return Workbook{}, err
	}
	visitRows := func(row func([]any) error) error {
		n := 0
		return s.Store.EachVisitPage(ctx, store.VisitFilter{Leader: leader, From: from, To: to, PageSize: ledgerPage}, func(page []domain.Visit) error {
			views, err := s.views(ctx, u, page)
			if err != nil {
				return err
			}
			for _, v := range views {
				topics := make([]string, len(v.Topics))
				for i, t := range v.Topics {
					topics[i] = domain.VisitTopics[t]
				}
				leads := make([]string, len(v.InvestmentLeads))
				for i, l := range v.InvestmentLeads {
					leads[i] = l.Title
				}
				visitCells := []any{v.Date, reportbook.Join(v.Leaders, names.User), reportbook.Join(v.EnterpriseIDs, names.Enterprise), domain.VisitMethods[v.Method],
					strings.Join(topics, "、"), v.Notes, strings.Join(leads, "；")}
				cases := v.Cases
				if len(cases) == 0 {
					cases = []VisitCase{{}}
				}
				for _, lc := range cases {
					n++
					cells := append([]any{n}, visitCells...)
					if err := row(append(cells, lc.ID, lc.Title, lc.StatusLabel, names.Unit(lc.LeadUnit), lc.DueDate, domain.Outcomes[lc.Outcome])); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	name := "工作台账-" + p.Label
	if leader != "" {
		name += "-" + leader
	}
	return Workbook{ASCIIName: "ledger-" + p.Label, Name: name, Sheets: []xlsx.Sheet{
		{Name: "工作台账", Rows: [][]any{ledgerColumns}, Stream: visitRows},
		{Name: "招商线索", Rows: leadRows(lv, names)}}}, nil
}
