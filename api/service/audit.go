package service

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/putian-fic/caseflow/activities/audit"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/activities/xlsx"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Audit is the efficiency office's audit (市效能办): verifiable timelines, every unit's
// figures, score and rank for a period (computed from the timelines with the scoring scheme
// in force, or as frozen), the flags worth a look, and the scheme itself. The figures are
// computed in activities/audit (figures.go), the score by the scheme (scoring.go).
type Audit struct{ *deps }

// MaxAuditDays bounds a period given by its first and last day.
const MaxAuditDays = 400

// Verification is a timeline's verification.
type Verification = store.Verification

// VerifyCase checks a case's timeline: its hash chain, event by event.
func (s Audit) VerifyCase(ctx context.Context, u domain.User, id string) (store.Verification, error) {
	if err := require(u, RolesVerifiers...); err != nil {
		return store.Verification{}, err
	}
	return s.Store.VerifyCase(ctx, id)
}

// RangeCheck is the verification of every timeline with events in a period.
type RangeCheck struct {
	CheckedCases  int             `json:"checked_cases"`
	CheckedEvents int             `json:"checked_events"`
	From          string          `json:"from"`
	OK            bool            `json:"ok"`
	Problems      []store.Problem `json:"problems"`
	To            string          `json:"to"`
}

// VerifyRange checks every case with events in the period, each sealed day against its
// seal, and the chain of the days' digests.
func (s Audit) VerifyRange(ctx context.Context, u domain.User, p domain.Period) (RangeCheck, error) {
	if err := require(u, RolesVerifiers...); err != nil {
		return RangeCheck{}, err
	}
	v, err := s.Store.VerifyRange(ctx, p.From, p.To, time.Now())
	if err != nil {
		return RangeCheck{}, err
	}
	return RangeCheck{From: p.From.Format(domain.DateLayout), To: p.To.Format(domain.DateLayout),
		CheckedCases: v.CheckedCases, CheckedEvents: v.CheckedEvents, OK: v.OK, Problems: v.Problems}, nil
}

// UnitReport is one unit's line of the audit: its figures, score and rank, and (for one
// unit) the cases behind each figure and the score's items.
type UnitReport struct {
	Unit string `json:"unit"`
	Name string `json:"name"`
	audit.Figures
	Score float64 `json:"score"`
	// ScoreError: the scheme could not score this unit's figures (the item and why); its
	// score is 0 and it is not ranked (rank 0), while every other unit is scored as usual.
	ScoreError *audit.ItemError    `json:"score_error,omitempty"`
	Rank       int                 `json:"rank"`
	ScoreItems []ScoreItem         `json:"score_items,omitempty"`
	Cases      map[string][]string `json:"cases,omitempty"`
}

// ScoreItem is one item's points and the cases behind the figures it reads.
type ScoreItem struct {
	audit.ItemScore
	Cases []string `json:"cases"`
}

// UnitsReport is every unit's line of a period, as computed or as frozen.
type UnitsReport struct {
	Period        string       `json:"period"`
	From          string       `json:"from"`
	To            string       `json:"to"`
	Frozen        bool         `json:"frozen"`
	SchemeVersion int64        `json:"scheme_version"`
	Units         []UnitReport `json:"units"`
}

// report answers a period's figures: the frozen ones if it is frozen, else computed now
// from the timelines with the current scheme, with the cases behind the figures and the
// score items of the units casesOf names (nil: every unit's; a frozen period has them all).
func (s Audit) report(ctx context.Context, p domain.Period, casesOf func(unit string) bool) (UnitsReport, error) {
	if fp, err := s.Store.FrozenPeriodOf(ctx, p.Label); err == nil {
		var r UnitsReport
		if err := json.Unmarshal(fp.Figures, &r); err != nil {
			return UnitsReport{}, err
		}
		r.Frozen = true
		return r, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return UnitsReport{}, err
	}
	rec, err := s.Store.CurrentScheme(ctx)
	if err != nil {
		return UnitsReport{}, err
	}
	scheme, err := audit.ReadScheme([]byte(rec.Source))
	if err != nil {
		return UnitsReport{}, err
	}
	figures, err := s.figures(ctx, p, casesOf)
	if err != nil {
		return UnitsReport{}, err
	}
	units, err := s.Store.ListUnits(ctx)
	if err != nil {
		return UnitsReport{}, err
	}
	r := UnitsReport{Period: p.Label, From: p.From.Format(domain.DateLayout), To: p.To.Format(domain.DateLayout),
		SchemeVersion: rec.Version, Units: []UnitReport{}}
	var scores []float64
	for _, u := range units {
		if !u.Responsible() {
			continue
		}
		f := figures[u.ID]
		if f == nil {
			f = &audit.Unit{Cases: map[string][]string{}}
		}
		score, items, err := scheme.Score(f.Figures)
		line := UnitReport{Unit: u.ID, Name: u.Name, Figures: f.Figures, Score: score, Cases: f.Cases}
		if err != nil && !errors.As(err, &line.ScoreError) {
			return UnitsReport{}, err
		}
		for _, it := range items {
			var cases []string
			for _, fig := range it.Figures {
				cases = union(cases, f.Cases[fig])
			}
			line.ScoreItems = append(line.ScoreItems, ScoreItem{ItemScore: it, Cases: domain.NonNil(cases)})
		}
		for _, col := range FigureColumns {
			if col.Figure != "" {
				line.Cases[col.Figure] = domain.NonNil(line.Cases[col.Figure])
			}
		}
		r.Units = append(r.Units, line)
	}
	// Units whose score could not be computed are not ranked, and come last.
	var ranked []int
	for i, line := range r.Units {
		if line.ScoreError == nil {
			ranked = append(ranked, i)
			scores = append(scores, line.Score)
		}
	}
	for k, rank := range audit.Rank(scores) {
		r.Units[ranked[k]].Rank = rank
	}
	slices.SortStableFunc(r.Units, func(a, b UnitReport) int {
		if (a.Rank == 0) != (b.Rank == 0) {
			return cmp.Compare(b.Rank, a.Rank) // the unranked after the ranked
		}
		return a.Rank - b.Rank
	})
	return r, nil
}

// union is the ids in a or b, of two lists each in order without repeats.
func union(a, b []string) []string {
	if len(a) == 0 || len(b) == 0 {
		return append(slices.Clip(a), b...)
	}
	out := make([]string, 0, max(len(a), len(b)))
	for len(a) > 0 && len(b) > 0 {
		switch c := strings.Compare(a[0], b[0]); {
		case c < 0:
			out, a = append(out, a[0]), a[1:]
		case c > 0:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// figures computes every unit's figures for the period from the timelines, with the cases
// behind them of the units casesOf names (nil: every unit's).
func (s Audit) figures(ctx context.Context, p domain.Period, casesOf func(unit string) bool) (map[string]*audit.Unit, error) {
	cal, err := s.Store.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	c := audit.NewCounter(cal, s.policy(), p.From, p.To, s.Now())
	c.CasesOf(casesOf)
	if err := s.Store.EachAuditCase(ctx, p.To.AddDate(0, 0, 1), func(evs []audit.Event) error {
		c.Case(evs)
		return nil
	}); err != nil {
		return nil, err
	}
	return c.Units(), nil
}

// Units is the period's report with the lines the reader may see (a unit: its own), with
// the cases behind each figure (withCases) or without.
func (s Audit) Units(ctx context.Context, u domain.User, p domain.Period, withCases bool) (UnitsReport, error) {
	if err := require(u, RolesFigureReaders...); err != nil {
		return UnitsReport{}, err
	}
	var casesOf func(string) bool // every unit's cases
	if !withCases {
		casesOf = func(string) bool { return false }
	}
	r, err := s.report(ctx, p, casesOf)
	if err != nil {
		return UnitsReport{}, err
	}
	if u.Role == domain.RoleUnit {
		r.Units = slices.DeleteFunc(r.Units, func(l UnitReport) bool { return l.Unit != u.Unit })
	}
	if !withCases {
		for i := range r.Units {
			r.Units[i].Cases, r.Units[i].ScoreItems = nil, nil
		}
	}
	return r, nil
}

// UnitLine is one unit's line of a period, with the period's head.
type UnitLine struct {
	Period        string     `json:"period"`
	From          string     `json:"from"`
	To            string     `json:"to"`
	Frozen        bool       `json:"frozen"`
	SchemeVersion int64      `json:"scheme_version"`
	Unit          UnitReport `json:"unit"`
}

// Unit is one unit's line of the period, for a reader who may see it (a unit: only its
// own, Forbidden otherwise; NotFound for no such responsible unit).
func (s Audit) Unit(ctx context.Context, u domain.User, p domain.Period, id string) (UnitLine, error) {
	if err := require(u, RolesFigureReaders...); err != nil {
		return UnitLine{}, err
	}
	if u.Role == domain.RoleUnit && u.Unit != id {
		return UnitLine{}, forbidden("只能查看本单位的考评数据 (a unit reads only its own figures)")
	}
	r, err := s.report(ctx, p, func(unit string) bool { return unit == id })
	if err != nil {
		return UnitLine{}, err
	}
	for _, line := range r.Units {
		if line.Unit == id {
			return UnitLine{Period: r.Period, From: r.From, To: r.To, Frozen: r.Frozen, SchemeVersion: r.SchemeVersion, Unit: line}, nil
		}
	}
	return UnitLine{}, notFound(fmt.Sprintf("没有承办单位 %s (no such responsible unit)", id))
}

// Frozen is a period as frozen.
type Frozen struct {
	From          string `json:"from"`
	Frozen        bool   `json:"frozen"`
	Period        string `json:"period"`
	SchemeVersion int64  `json:"scheme_version"`
	To            string `json:"to"`
	Units         int    `json:"units"`
}

// Freeze stores the period's figures, scores and scheme version; from then on the period
// answers them. A period not over, or frozen already, is a Conflict.
func (s Audit) Freeze(ctx context.Context, u domain.User, p domain.Period) (Frozen, error) {
	if err := require(u, RolesFreezer...); err != nil {
		return Frozen{}, err
	}
	label := p.Label
	if today := s.Now(); !p.To.Before(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, domain.Shanghai)) {
		return Frozen{}, newError(Conflict, "period_not_over", fmt.Sprintf("%s 尚未结束，不能冻结 (the period is not over)", label))
	}
	frozenAlready := newError(Conflict, "frozen", fmt.Sprintf("%s 已冻结 (frozen already)", label))
	r, err := s.report(ctx, p, nil)
	if err != nil {
		return Frozen{}, err
	}
	if r.Frozen {
		return Frozen{}, frozenAlready
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return Frozen{}, err
	}
	err = s.Store.FreezePeriod(ctx, store.FrozenPeriod{Period: label, From: p.From, To: p.To,
		SchemeVersion: r.SchemeVersion, Figures: raw, FrozenBy: u.Username})
	if errors.Is(err, store.ErrConflict) {
		return Frozen{}, frozenAlready
	}
	if err != nil {
		return Frozen{}, err
	}
	return Frozen{Period: r.Period, From: r.From, To: r.To, Frozen: true, SchemeVersion: r.SchemeVersion, Units: len(r.Units)}, nil
}

// Scheme is the scoring scheme in force (YAML) and its version.
func (s Audit) Scheme(ctx context.Context, u domain.User) (store.Scheme, error) {
	if err := require(u, RolesFigureReaders...); err != nil {
		return store.Scheme{}, err
	}
	return s.Store.CurrentScheme(ctx)
}

// SaveScheme puts a new version of the scoring scheme in force, checked first: Invalid with
// each problem's item and position, and nothing changes.
func (s Audit) SaveScheme(ctx context.Context, u domain.User, source []byte) (store.Scheme, error) {
	if err := require(u, RolesSchemeEditor...); err != nil {
		return store.Scheme{}, err
	}
	if _, err := audit.LoadScheme(source); err != nil {
		var se *audit.SchemeError
		if errors.As(err, &se) {
			e := newError(Invalid, "invalid_scheme", "考评方案有误，未保存 (the scheme was refused; nothing changed)")
			e.Details = se.Problems
			return store.Scheme{}, e
		}
		return store.Scheme{}, err
	}
	return s.Store.SaveScheme(ctx, string(source), u.Username)
}

// Flags are the patterns worth a look in the period (a unit: its own).
func (s Audit) Flags(ctx context.Context, u domain.User, p domain.Period) ([]audit.Flag, error) {
	if err := require(u, RolesFigureReaders...); err != nil {
		return nil, err
	}
	figures, err := s.figures(ctx, p, nil)
	if err != nil {
		return nil, err
	}
	flags := audit.Flags(figures)
	if u.Role == domain.RoleUnit {
		flags = slices.DeleteFunc(flags, func(f audit.Flag) bool { return f.Unit != u.Unit })
	}
	return flags, nil
}

// FigureColumn is a figure as the workbooks and the page show it: a Chinese header, the
// figure's name (for the cases behind it; "" for a rate or an average) and its value.
type FigureColumn struct {
	Header, Figure string
	Value          func(f audit.Figures) any
}

// FigureColumns are the figures in the order people read them.
var FigureColumns = []FigureColumn{
	{"受理（主办）", audit.FigReceived, func(f audit.Figures) any { return f.Received }},
	{"签收", audit.FigSigned, func(f audit.Figures) any { return f.Signed }},
	{"及时签收", audit.FigSignedOnTime, func(f audit.Figures) any { return f.SignedOnTime }},
	{"及时签收率", "", func(f audit.Figures) any { return f.SignOnTimeRate }},
	{"办结", audit.FigCompleted, func(f audit.Figures) any { return f.Completed }},
	{"按时办结", audit.FigCompletedOnTime, func(f audit.Figures) any { return f.CompletedOnTime }},
	{"按时办结率", "", func(f audit.Figures) any { return f.OnTimeRate }},
	{"超期件数", audit.FigOverdue, func(f audit.Figures) any { return f.Overdue }},
	{"超期工作日", "", func(f audit.Figures) any { return f.OverdueWorkdays }},
	{"申请延期", audit.FigExtensionsRequested, func(f audit.Figures) any { return f.ExtensionsRequested }},
	{"批准延期", audit.FigExtensionsGranted, func(f audit.Figures) any { return f.ExtensionsGranted }},
	{"退回", audit.FigReturned, func(f audit.Figures) any { return f.Returned }},
	{"回退率", "", func(f audit.Figures) any { return f.ReturnRate }},
	{"重办", audit.FigRedone, func(f audit.Figures) any { return f.Redone }},
	{"重办率", "", func(f audit.Figures) any { return f.RedoRate }},
	{"回访", audit.FigCalledBack, func(f audit.Figures) any { return f.CalledBack }},
	{"解决", audit.FigSolved, func(f audit.Figures) any { return f.Solved }},
	{"解决率", "", func(f audit.Figures) any { return f.SolvedRate }},
	{"满意", audit.FigSatisfied, func(f audit.Figures) any { return f.Satisfied }},
	{"满意率", "", func(f audit.Figures) any { return f.SatisfiedRate }},
	{"平均办理工作日", "", func(f audit.Figures) any { return f.AvgHandlingWorkdays }},
	{"蓝牌（催办）", audit.FigBlue, func(f audit.Figures) any { return f.Cards.Blue }},
	{"黄牌", audit.FigYellow, func(f audit.Figures) any { return f.Cards.Yellow }},
	{"红牌", audit.FigRed, func(f audit.Figures) any { return f.Cards.Red }},
}

// UnitsWorkbook is the period's units as a workbook, one row per unit (a unit: its own).
func (s Audit) UnitsWorkbook(ctx context.Context, u domain.User, p domain.Period) (Workbook, error) {
	r, err := s.Units(ctx, u, p, false)
	if err != nil {
		return Workbook{}, err
	}
	header := []any{"排名", "单位", "得分"}
	for _, col := range FigureColumns {
		header = append(header, col.Header)
	}
	rows := [][]any{header}
	for _, line := range r.Units {
		row := []any{line.RankCell(), line.Name, line.ScoreCell()}
		for _, col := range FigureColumns {
			row = append(row, col.Value(line.Figures))
		}
		rows = append(rows, row)
	}
	return Workbook{ASCIIName: "audit-units-" + r.Period, Name: "单位考评-" + r.Period,
		Sheets: []xlsx.Sheet{{Name: "单位考评 " + r.Period, Rows: rows}}}, nil
}

// UnitWorkbook is one unit's figures as a workbook, then one sheet per figure with the
// cases behind it.
func (s Audit) UnitWorkbook(ctx context.Context, u domain.User, p domain.Period, id string) (Workbook, error) {
	r, err := s.Unit(ctx, u, p, id)
	if err != nil {
		return Workbook{}, err
	}
	line := r.Unit
	summary := [][]any{{"项目", "数值", "案件数"}, {"得分", line.ScoreCell(), ""}, {"排名", line.RankCell(), ""}}
	sheets := []xlsx.Sheet{{Name: "考评汇总"}}
	for _, col := range FigureColumns {
		summary = append(summary, []any{col.Header, col.Value(line.Figures), len(line.Cases[col.Figure])})
		if col.Figure == "" {
			continue
		}
		rows := [][]any{{"序号", "案件编号"}}
		for i, caseID := range line.Cases[col.Figure] {
			rows = append(rows, []any{i + 1, caseID})
		}
		sheets = append(sheets, xlsx.Sheet{Name: col.Header, Rows: rows})
	}
	for _, it := range line.ScoreItems {
		summary = append(summary, []any{"考评项：" + it.Name, it.Points, len(it.Cases)})
	}
	sheets[0].Rows = summary
	return Workbook{ASCIIName: "audit-" + id + "-" + r.Period, Name: line.Name + "考评-" + r.Period, Sheets: sheets}, nil
}

// UnitPage is what a unit's printable page shows.
type UnitPage struct {
	Unit, Name, Period, From, To string
	SchemeVersion                int64
	Frozen                       bool
	Score                        float64
	ScoreError                   *audit.ItemError
	Rank                         int
	Items                        []UnitPageItem
	Figures                      []UnitPageFigure
}

// UnitPageItem is a score item on the page.
type UnitPageItem struct {
	Name   string
	Points float64
	Cases  string
}

// UnitPageFigure is a figure on the page.
type UnitPageFigure struct {
	Label string
	Value any
	Cases string
}

// UnitPage is one unit's figures and score as its printable page shows them.
func (s Audit) UnitPage(ctx context.Context, u domain.User, p domain.Period, id string) (UnitPage, error) {
	r, err := s.Unit(ctx, u, p, id)
	if err != nil {
		return UnitPage{}, err
	}
	line := r.Unit
	data := UnitPage{Unit: line.Unit, Name: line.Name, Period: r.Period, From: r.From, To: r.To, SchemeVersion: r.SchemeVersion,
		Frozen: r.Frozen, Score: line.Score, ScoreError: line.ScoreError, Rank: line.Rank}
	for _, it := range line.ScoreItems {
		data.Items = append(data.Items, UnitPageItem{it.Name, it.Points, strings.Join(it.Cases, "、")})
	}
	for _, col := range FigureColumns {
		v := col.Value(line.Figures)
		if f, ok := v.(float64); ok {
			v = fmt.Sprintf("%.2f", f)
		}
		data.Figures = append(data.Figures, UnitPageFigure{col.Header, v, strings.Join(line.Cases[col.Figure], "、")})
	}
	return data, nil
}

// ScoreCell is the unit's score in a workbook: the number, or why it could not be computed.
func (l UnitReport) ScoreCell() any {
	if l.ScoreError != nil {
		return fmt.Sprintf("无法计算（%s：%s）", l.ScoreError.Item, l.ScoreError.Reason)
	}
	return l.Score
}

// RankCell is the unit's rank in a workbook; a unit that could not be scored has none.
func (l UnitReport) RankCell() any {
	if l.ScoreError != nil {
		return "—"
	}
	return l.Rank
}
