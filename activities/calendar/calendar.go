// Package calendar counts working days (工作日) on China's statutory calendar: Monday to
// Friday, less the statutory holidays, plus the make-up working days (调休) that move
// weekends. Holidays come from github.com/6tail/lunar-go; a year defined by an
// administrator (a new State Council notice, entered without a release) replaces them.
package calendar

import (
	"fmt"
	"slices"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// Year is one year's statutory holidays and make-up working days.
type Year struct {
	Year     int      `json:"year"`
	Holidays []string `json:"holidays"`
	Workdays []string `json:"workdays"`
	// Source is "statutory" (lunar-go's data) or "override" (entered by an administrator).
	Source string `json:"source"`
}

// Calendar answers which days are working days. The zero value uses lunar-go's data only.
type Calendar struct {
	overrides map[int]Year
}

// New returns a calendar where the given years replace lunar-go's data.
func New(overrides ...Year) *Calendar {
	c := &Calendar{overrides: map[int]Year{}}
	for _, y := range overrides {
		c.overrides[y.Year] = y
	}
	return c
}

// Statutory returns lunar-go's holidays and make-up working days of a year.
func Statutory(year int) Year {
	y := Year{Year: year, Holidays: []string{}, Workdays: []string{}, Source: "statutory"}
	for e := HolidayUtil.GetHolidaysByYear(year).Front(); e != nil; e = e.Next() {
		h := e.Value.(*HolidayUtil.Holiday)
		if h.IsWork() {
			y.Workdays = append(y.Workdays, h.GetDay())
		} else {
			y.Holidays = append(y.Holidays, h.GetDay())
		}
	}
	return y
}

// Year returns the holidays and make-up working days in force for a year.
func (c *Calendar) Year(year int) Year {
	if y, ok := c.overrides[year]; ok {
		return y
	}
	return Statutory(year)
}

// Validate checks a year entered by an administrator.
func (y Year) Validate() error {
	seen := map[string]string{}
	for _, list := range []struct {
		name  string
		dates []string
	}{{"holidays", y.Holidays}, {"workdays", y.Workdays}} {
		for _, d := range list.dates {
			t, err := time.Parse(domain.DateLayout, d)
			if err != nil {
				return fmt.Errorf("%s: %q is not a date YYYY-MM-DD", list.name, d)
			}
			if t.Year() != y.Year {
				return fmt.Errorf("%s: %s is not in %d", list.name, d, y.Year)
			}
			if prev, dup := seen[d]; dup {
				return fmt.Errorf("%s: %s is listed in %s already", list.name, d, prev)
			}
			seen[d] = list.name
		}
	}
	return nil
}

// IsWorkday reports whether the date (in domain.Shanghai) is a working day.
func (c *Calendar) IsWorkday(d time.Time) bool {
	d = d.In(domain.Shanghai)
	ymd := d.Format(domain.DateLayout)
	if y, ok := c.overrides[d.Year()]; ok {
		switch {
		case slices.Contains(y.Workdays, ymd):
			return true
		case slices.Contains(y.Holidays, ymd):
			return false
		}
	} else if h := HolidayUtil.GetHoliday(ymd); h != nil {
		return h.IsWork()
	}
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
}

// midnight is the start of t's day in domain.Shanghai.
func midnight(t time.Time) time.Time {
	t = t.In(domain.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, domain.Shanghai)
}

// AddWorkdays returns the n-th working day after t's day (n > 0), or before it (n < 0),
// as the start of that day in domain.Shanghai. "Within N working days of X" ends on AddWorkdays(X, N).
func (c *Calendar) AddWorkdays(t time.Time, n int) time.Time {
	d := midnight(t)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDate(0, 0, step)
		if c.IsWorkday(d) {
			n--
		}
	}
	return d
}

// ParseDate reads a YYYY-MM-DD date as the start of that day in domain.Shanghai.
func ParseDate(s string) (time.Time, error) {
	return time.ParseInLocation(domain.DateLayout, s, domain.Shanghai)
}
