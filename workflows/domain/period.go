package domain

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Period is a span of whole days as people name one: a year (2026), a quarter (2026-Q4) or a
// month (2026-11); or any From–To. Every period=, year= and quarter= parameter is read here.
type Period struct {
	Label    string
	From, To time.Time // the first and the last day, at midnight in Shanghai
}

// Years caseflow takes: before 2000 no ledger, coverage or report reaches; after 2100 is a typo.
const (
	FirstYear = 2000
	LastYear  = 2100
)

var periodPattern = regexp.MustCompile(`^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$`)

// ParsePeriod reads 2026, 2026-Q4 or 2026-11.
func ParsePeriod(s string) (Period, error) {
	m := periodPattern.FindStringSubmatch(s)
	if m == nil {
		return Period{}, fmt.Errorf("%q 应为 2026、2026-Q4 或 2026-11 (a year, a quarter or a month)", s)
	}
	year, _ := strconv.Atoi(m[1])
	if err := CheckYear(year); err != nil {
		return Period{}, err
	}
	switch {
	case m[2] != "":
		q, _ := strconv.Atoi(m[2])
		return Quarter{Year: year, Q: q}.Period(), nil
	case m[3] != "":
		mo, _ := strconv.Atoi(m[3])
		return MonthPeriod(year, time.Month(mo)), nil
	}
	return YearPeriod(year), nil
}

// ParseYear reads a year, FirstYear to LastYear.
func ParseYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q 应为 %d 到 %d 之间的年份 (a year from %d to %d)", s, FirstYear, LastYear, FirstYear, LastYear)
	}
	return y, CheckYear(y)
}

// CheckYear says what is wrong with a year outside FirstYear–LastYear.
func CheckYear(y int) error {
	if y < FirstYear || y > LastYear {
		return fmt.Errorf("%d 应为 %d 到 %d 之间的年份 (a year from %d to %d)", y, FirstYear, LastYear, FirstYear, LastYear)
	}
	return nil
}

// ParseQuarterOf reads quarter n (1–4) of year.
func ParseQuarterOf(year int, n string) (Quarter, error) {
	q, err := strconv.Atoi(n)
	if err != nil || q < 1 || q > 4 {
		return Quarter{}, fmt.Errorf("%q 应为 1 到 4 (a quarter, 1 to 4)", n)
	}
	return Quarter{Year: year, Q: q}, nil
}

// YearPeriod is the whole year.
func YearPeriod(year int) Period {
	start := time.Date(year, 1, 1, 0, 0, 0, 0, Shanghai)
	return Period{Label: strconv.Itoa(year), From: start, To: start.AddDate(1, 0, -1)}
}

// MonthPeriod is one month.
func MonthPeriod(year int, month time.Month) Period {
	start := time.Date(year, month, 1, 0, 0, 0, 0, Shanghai)
	return Period{Label: start.Format("2006-01"), From: start, To: start.AddDate(0, 1, -1)}
}

// Period is the quarter as a period of days.
func (q Quarter) Period() Period {
	return Period{Label: q.String(), From: q.Start(), To: q.End().AddDate(0, 0, -1)}
}

// FromDate and ToDate are the first and last day as DateLayout.
func (p Period) FromDate() string { return p.From.Format(DateLayout) }
func (p Period) ToDate() string   { return p.To.Format(DateLayout) }
