package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/activities/audit"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// The efficiency office's audit (市效能办): verifiable timelines and unit figures.

// MaxAuditDays bounds a period given by from and to.
const MaxAuditDays = 400

// auditPeriod is the period an audit request names: ?period=2026, 2026-Q4 or 2026-11, or
// ?from=&to= (dates, both included, Asia/Shanghai); neither is this month so far.
func (s *Server) auditPeriod(c *gin.Context) (domain.Period, error) {
	bad := func(param, msg string) error { return badPeriod(param, errors.New(msg)) }
	p, from, to := c.Query("period"), c.Query("from"), c.Query("to")
	switch {
	case p != "" && (from != "" || to != ""):
		return domain.Period{}, bad("period", "period 与 from/to 只能给一种 (give period, or from and to)")
	case p != "":
		period, err := domain.ParsePeriod(p)
		if err != nil {
			return domain.Period{}, badPeriod("period", err)
		}
		return period, nil
	case from != "" || to != "":
		f, err1 := time.ParseInLocation(domain.DateLayout, from, domain.Shanghai)
		t, err2 := time.ParseInLocation(domain.DateLayout, to, domain.Shanghai)
		switch {
		case err1 != nil:
			return domain.Period{}, bad("from", "应为 YYYY-MM-DD (a date)")
		case err2 != nil:
			return domain.Period{}, bad("to", "应为 YYYY-MM-DD (a date)")
		case t.Before(f):
			return domain.Period{}, bad("to", "to 不能早于 from (to is before from)")
		case t.Sub(f) > MaxAuditDays*24*time.Hour:
			return domain.Period{}, bad("to", fmt.Sprintf("一次最多 %d 天 (at most %d days)", MaxAuditDays, MaxAuditDays))
		}
		return domain.Period{Label: from + "/" + to, From: f, To: t}, nil
	}
	now := s.Clock.Business(time.Now()).In(domain.Shanghai)
	return domain.MonthPeriod(now.Year(), now.Month()), nil
}

// verifyCase: GET /audit/cases/{id}/verify.
func (s *Server) verifyCase(c *gin.Context) error {
	v, err := s.Store.VerifyCase(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, v)
	return nil
}

// verifyRange: GET /audit/verify?from=&to= (or ?period=).
func (s *Server) verifyRange(c *gin.Context) error {
	p, err := s.auditPeriod(c)
	if err != nil {
		return err
	}
	v, err := s.Store.VerifyRange(c.Request.Context(), p.From, p.To, time.Now())
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"from": p.From.Format(domain.DateLayout), "to": p.To.Format(domain.DateLayout),
		"checked_cases": v.CheckedCases, "checked_events": v.CheckedEvents, "ok": v.OK, "problems": v.Problems})
	return nil
}

// unitReport is one unit's line of the audit: its figures, score and rank, and (for one
// unit) the cases behind each figure and the score's items.
type unitReport struct {
	Unit string `json:"unit"`
	Name string `json:"name"`
	audit.Figures
	Score float64 `json:"score"`
	// ScoreError: the scheme could not score this unit's figures (the item and why); its
	// score is 0 and it is not ranked (rank 0), while every other unit is scored as usual.
	ScoreError *audit.ItemError    `json:"score_error,omitempty"`
	Rank       int                 `json:"rank"`
	ScoreItems []scoreItem         `json:"score_items,omitempty"`
	Cases      map[string][]string `json:"cases,omitempty"`
}

// scoreItem is one item's points and the cases behind the figures it reads.
type scoreItem struct {
	audit.ItemScore
	Cases []string `json:"cases"`
}

// unitsReport is GET /audit/units, as computed or as frozen.
type unitsReport struct {
	Period        string       `json:"period"`
	From          string       `json:"from"`
	To            string       `json:"to"`
	Frozen        bool         `json:"frozen"`
	SchemeVersion int64        `json:"scheme_version"`
	Units         []unitReport `json:"units"`
}

// unitsReport answers a period's figures: the frozen ones if it is frozen, else computed
// now from the timelines with the current scheme.
func (s *Server) unitsReport(c *gin.Context, p domain.Period) (unitsReport, error) {
	ctx := c.Request.Context()
	if fp, err := s.Store.FrozenPeriodOf(ctx, p.Label); err == nil {
		var r unitsReport
		if err := json.Unmarshal(fp.Figures, &r); err != nil {
			return unitsReport{}, err
		}
		r.Frozen = true
		return r, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return unitsReport{}, err
	}
	rec, err := s.Store.CurrentScheme(ctx)
	if err != nil {
		return unitsReport{}, err
	}
	scheme, err := audit.ReadScheme([]byte(rec.Source))
	if err != nil {
		return unitsReport{}, err
	}
	figures, err := s.figures(c, p)
	if err != nil {
		return unitsReport{}, err
	}
	units, err := s.Store.ListUnits(ctx)
	if err != nil {
		return unitsReport{}, err
	}
	r := unitsReport{Period: p.Label, From: p.From.Format(domain.DateLayout), To: p.To.Format(domain.DateLayout),
		SchemeVersion: rec.Version, Units: []unitReport{}}
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
		line := unitReport{Unit: u.ID, Name: u.Name, Figures: f.Figures, Score: score, Cases: f.Cases}
		if err != nil && !errors.As(err, &line.ScoreError) {
			return unitsReport{}, err
		}
		for _, it := range items {
			var cases []string
			for _, fig := range it.Figures {
				cases = append(cases, f.Cases[fig]...)
			}
			slices.Sort(cases)
			line.ScoreItems = append(line.ScoreItems, scoreItem{ItemScore: it, Cases: domain.NonNil(slices.Compact(cases))})
		}
		for _, fig := range []string{audit.FigReceived, audit.FigSigned, audit.FigSignedOnTime, audit.FigCompleted,
			audit.FigCompletedOnTime, audit.FigOverdue, audit.FigExtensionsRequested, audit.FigExtensionsGranted,
			audit.FigReturned, audit.FigRedone, audit.FigCalledBack, audit.FigSolved, audit.FigSatisfied,
			audit.FigBlue, audit.FigYellow, audit.FigRed} {
			line.Cases[fig] = domain.NonNil(line.Cases[fig])
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
	slices.SortStableFunc(r.Units, func(a, b unitReport) int {
		if (a.Rank == 0) != (b.Rank == 0) {
			return cmp.Compare(b.Rank, a.Rank) // the unranked after the ranked
		}
		return a.Rank - b.Rank
	})
	return r, nil
}

// auditUnits: GET /audit/units?period= — every unit's figures, score and rank (a unit: its
// own line only).
func (s *Server) auditUnits(c *gin.Context) error {
	r, err := s.visibleUnits(c)
	if err != nil {
		return err
	}
	for i := range r.Units {
		r.Units[i].Cases, r.Units[i].ScoreItems = nil, nil
	}
	respond(c, http.StatusOK, r)
	return nil
}

// visibleUnits is the report of the period the request names, with the lines the reader
// may see (a unit: its own).
func (s *Server) visibleUnits(c *gin.Context) (unitsReport, error) {
	p, err := s.auditPeriod(c)
	if err != nil {
		return unitsReport{}, err
	}
	r, err := s.unitsReport(c, p)
	if err != nil {
		return unitsReport{}, err
	}
	if u := currentUser(c); u.Role == domain.RoleUnit {
		r.Units = slices.DeleteFunc(r.Units, func(l unitReport) bool { return l.Unit != u.Unit })
	}
	return r, nil
}

// auditUnit: GET /audit/units/{id}?period= — one unit's figures with the cases behind each
// and the score's items; {id}.xlsx is the workbook, {id}.html the printable page.
func (s *Server) auditUnit(c *gin.Context) error {
	id := c.Param("id")
	if unit, ok := strings.CutSuffix(id, ".xlsx"); ok {
		return s.auditUnitWorkbook(c, unit)
	}
	if unit, ok := strings.CutSuffix(id, ".html"); ok {
		return s.auditUnitPage(c, unit)
	}
	r, line, err := s.unitLine(c, id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"period": r.Period, "from": r.From, "to": r.To, "frozen": r.Frozen,
		"scheme_version": r.SchemeVersion, "unit": line})
	return nil
}

// unitLine is one unit's line of the period the request names, for a reader who may see it
// (a unit: only its own, 403 otherwise; 404 for no such responsible unit).
func (s *Server) unitLine(c *gin.Context, id string) (unitsReport, unitReport, error) {
	if u := currentUser(c); u.Role == domain.RoleUnit && u.Unit != id {
		return unitsReport{}, unitReport{}, newError(http.StatusForbidden, "forbidden", "只能查看本单位的考评数据 (a unit reads only its own figures)")
	}
	p, err := s.auditPeriod(c)
	if err != nil {
		return unitsReport{}, unitReport{}, err
	}
	r, err := s.unitsReport(c, p)
	if err != nil {
		return unitsReport{}, unitReport{}, err
	}
	for _, line := range r.Units {
		if line.Unit == id {
			return r, line, nil
		}
	}
	return unitsReport{}, unitReport{}, newError(http.StatusNotFound, "not_found", fmt.Sprintf("没有承办单位 %s (no such responsible unit)", id))
}

// freezePeriod: POST /audit/periods/{period}/freeze — store the period's figures, scores and
// scheme version; from then on the period answers them. Twice is 409.
func (s *Server) freezePeriod(c *gin.Context) error {
	p, err := pathPeriod(c, "period")
	if err != nil {
		return err
	}
	label := p.Label
	if today := s.Clock.Business(time.Now()).In(domain.Shanghai); !p.To.Before(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, domain.Shanghai)) {
		return newError(http.StatusConflict, "period_not_over", fmt.Sprintf("%s 尚未结束，不能冻结 (the period is not over)", label))
	}
	r, err := s.unitsReport(c, p)
	if err != nil {
		return err
	}
	if r.Frozen {
		return newError(http.StatusConflict, "frozen", fmt.Sprintf("%s 已冻结 (frozen already)", label))
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	err = s.Store.FreezePeriod(c.Request.Context(), store.FrozenPeriod{Period: label, From: p.From, To: p.To,
		SchemeVersion: r.SchemeVersion, Figures: raw, FrozenBy: currentUser(c).Username})
	if errors.Is(err, store.ErrConflict) {
		return newError(http.StatusConflict, "frozen", fmt.Sprintf("%s 已冻结 (frozen already)", label))
	}
	if err != nil {
		return err
	}
	r.Frozen = true
	respond(c, http.StatusOK, gin.H{"period": r.Period, "from": r.From, "to": r.To, "frozen": true, "scheme_version": r.SchemeVersion,
		"units": len(r.Units)})
	return nil
}

// getScheme: GET /audit/scoring — the scheme in force (YAML) and its version.
func (s *Server) getScheme(c *gin.Context) error {
	rec, err := s.Store.CurrentScheme(c.Request.Context())
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, rec)
	return nil
}

// putScheme: PUT /audit/scoring — a new version of the scheme (YAML body), checked first:
// 422 with each problem's item and position.
func (s *Server) putScheme(c *gin.Context) error {
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	if _, err := audit.LoadScheme(raw); err != nil {
		var se *audit.SchemeError
		if errors.As(err, &se) {
			e := newError(http.StatusUnprocessableEntity, "invalid_scheme", "考评方案有误，未保存 (the scheme was refused; nothing changed)")
			e.Details = se.Problems
			return e
		}
		return err
	}
	rec, err := s.Store.SaveScheme(c.Request.Context(), string(raw), currentUser(c).Username)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, rec)
	return nil
}

// figures computes every unit's figures for the period from the timelines.
func (s *Server) figures(c *gin.Context, p domain.Period) (map[string]*audit.Unit, error) {
	ctx := c.Request.Context()
	events, err := s.Store.AuditEvents(ctx, p.To.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	cal, err := s.Store.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	policy := workflows.DefaultPolicy
	if s.Policy != nil {
		policy = *s.Policy
	}
	return audit.Compute(events, cal, policy,
		p.From, p.To, s.Clock.Business(time.Now())), nil
}

// auditFlags: GET /audit/flags?period= — the patterns worth a look (a unit: its own).
func (s *Server) auditFlags(c *gin.Context) error {
	p, err := s.auditPeriod(c)
	if err != nil {
		return err
	}
	figures, err := s.figures(c, p)
	if err != nil {
		return err
	}
	flags := audit.Flags(figures)
	if u := currentUser(c); u.Role == domain.RoleUnit {
		flags = slices.DeleteFunc(flags, func(f audit.Flag) bool { return f.Unit != u.Unit })
	}
	respond(c, http.StatusOK, flags)
	return nil
}
