// Package reportbook lays out the quarterly report's three attachments (附件1–3: 问题诉求清单,
// 资金需求清单, 配套需求清单) as sheets, for one reader.
package reportbook

import (
	"fmt"
	"slices"
	"strings"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/activities/xlsx"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Lists are the attachments' lists, by number.
var Lists = map[string]string{"1": domain.ListProblem, "2": domain.ListFunding, "3": domain.ListSupport}

// Reader is who downloads. Sees says whether they may read a row's sensitive fields (a
// sensitive description, an amount): the rule a case itself is read by, which the caller
// owns (nil: never). A leader's attachments list only the cases they raised or that came
// from their visits.
type Reader struct {
	Role, Username string
	Sees           func(store.ReportRow) bool
}

func (r Reader) sees(row store.ReportRow) bool { return r.Sees != nil && r.Sees(row) }

// Names turns ids into the names people read: units', users' and (when read) enterprises'.
type Names struct{ Units, Users, Enterprises map[string]string }

// Unit is a unit's name (its id when unknown).
func (n Names) Unit(id string) string {
	if name, ok := n.Units[id]; ok {
		return name
	}
	return id
}

// User is a user's display name (the username when unknown).
func (n Names) User(id string) string {
	if name, ok := n.Users[id]; ok && name != "" {
		return name
	}
	return id
}

// Enterprise is an enterprise's name (its id when unknown).
func (n Names) Enterprise(id string) string {
	if name, ok := n.Enterprises[id]; ok && name != "" {
		return name
	}
	return id
}

// Join is the names of ids (name: Names.Unit, User or Enterprise) as a list people read:
// 甲、乙、丙.
func Join(ids []string, name func(string) string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = name(id)
	}
	return strings.Join(out, "、")
}

// Rows hands fn the rows of one list of the report, raised in the quarter (earlier false) or
// before it and still open at its end (true), in the report's order (store.EachReportRow of
// one version).
type Rows func(list string, earlier bool, fn func(store.ReportRow) error) error

// Attachment lays out attachment n ("1", "2" or "3"): the cases of its list raised in the
// quarter, then a sheet of earlier cases still open at its end. Its sheets stream their rows
// while the workbook is written (xlsx.Sheet.Stream); read is called at the end of each
// sheet, before anything is sent, with the cases whose sensitive fields it showed the
// reader, for the sensitive-reads record.
func Attachment(rows Rows, n string, r Reader, names Names, read func(caseIDs ...string) error) ([]xlsx.Sheet, error) {
	list, ok := Lists[n]
	if !ok {
		return nil, fmt.Errorf("no attachment %q", n)
	}
	header := []any{"序号", "案件编号", "企业名称", "所属县区", "问题类别", "问题描述"}
	if list == domain.ListFunding {
		header = append(header, "涉及金额（万元）")
	}
	header = append(header, "牵头单位", "协办单位", "督查室", "状态", "办理时限", "办理结果", "提出人", "走访日期")
	sheet := func(earlier bool) func(func([]any) error) error {
		return func(write func([]any) error) error {
			var shown []string
			k := 0
			err := rows(list, earlier, func(row store.ReportRow) error {
				if r.Role == domain.RoleLeader && row.RaisedBy != r.Username && !slices.Contains(row.Leaders, r.Username) {
					return nil
				}
				desc, amount := row.Description, any("")
				sees := r.sees(row)
				if row.AmountCNY != nil && sees {
					amount = *row.AmountCNY / 10000
				}
				if row.Sensitive && !sees {
					desc = domain.RedactedText
				}
				if sees && (row.Sensitive || list == domain.ListFunding && row.AmountCNY != nil) {
					shown = append(shown, row.CaseID)
				}
				k++
				cells := []any{k, row.CaseID, row.Enterprise, names.Unit(row.County), domain.Categories[row.Category], desc}
				if list == domain.ListFunding {
					cells = append(cells, amount)
				}
				cells = append(cells, names.Unit(row.LeadUnit), Join(row.CoUnits, names.Unit), domain.Offices[row.Office],
					domain.StatusLabels[row.Status], row.DueDate, domain.Outcomes[row.Outcome], names.User(row.RaisedBy), row.VisitDate)
				return write(cells)
			})
			if err != nil {
				return err
			}
			return read(shown...)
		}
	}
	title := domain.Lists[list]
	return []xlsx.Sheet{{Name: fmt.Sprintf("附件%s %s", n, title), Rows: [][]any{header}, Stream: sheet(false)},
		{Name: fmt.Sprintf("附件%s 往期未办结", n), Rows: [][]any{header}, Stream: sheet(true)}}, nil
}
