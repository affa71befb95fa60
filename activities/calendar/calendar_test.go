package calendar_test

import (
	"testing"
	"time"

	"github.com/putian-fic/caseflow/activities/calendar"
	"github.com/putian-fic/caseflow/workflows/domain"
)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, domain.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWorkingDaysAcrossTheHolidays(t *testing.T) {
	c := calendar.New()
	for _, tc := range []struct {
		name string
		from string
		n    int
		want string
	}{
		{"ordinary week", "2026-11-23 10:00", 3, "2026-11-26"},
		{"over a weekend", "2026-11-27 10:00", 1, "2026-11-30"},
		// Spring Festival 2026: 15–23 February off, Saturday 14 and Saturday 28 February worked.
		{"the day before Spring Festival", "2026-02-13 16:00", 1, "2026-02-14"},
		{"into Spring Festival", "2026-02-13 16:00", 2, "2026-02-24"},
		{"fifteen days over Spring Festival", "2026-02-13 09:00", 15, "2026-03-12"},
		{"make-up Saturday counts", "2026-02-27 09:00", 1, "2026-02-28"},
		// National Day 2026: 1–7 October off, Sunday 20 September and Saturday 10 October worked.
		{"the day before National Day", "2026-09-30 09:00", 1, "2026-10-08"},
		{"make-up Saturday after National Day", "2026-10-09 09:00", 1, "2026-10-10"},
		{"make-up Sunday before National Day", "2026-09-19 09:00", 1, "2026-09-20"},
		{"backwards over National Day", "2026-10-08 09:00", -2, "2026-09-29"},
		{"from inside a holiday", "2026-10-03 09:00", 1, "2026-10-08"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.AddWorkdays(at(tc.from), tc.n).Format(domain.DateLayout); got != tc.want {
				t.Errorf("%d working days from %s: %s, want %s", tc.n, tc.from, got, tc.want)
			}
		})
	}
}

func TestAnAdministratorsYearReplacesTheStatutoryOne(t *testing.T) {
	// Suppose the notice for 2027 made 4 January a holiday and Sunday 10 January a working day.
	y := calendar.Year{Year: 2027, Holidays: []string{"2027-01-01", "2027-01-04"}, Workdays: []string{"2027-01-10"}}
	if err := y.Validate(); err != nil {
		t.Fatal(err)
	}
	c := calendar.New(y)
	if got := c.AddWorkdays(at("2026-12-31 09:00"), 1).Format(domain.DateLayout); got != "2027-01-05" {
		t.Errorf("after New Year: %s, want 2027-01-05", got)
	}
	if !c.IsWorkday(at("2027-01-10 09:00")) || c.IsWorkday(at("2027-01-04 09:00")) {
		t.Error("override not applied")
	}
	if got := c.Year(2027); got.Source != "" || len(got.Holidays) != 2 {
		t.Errorf("year: %+v", got)
	}
	if s := calendar.Statutory(2026); len(s.Holidays) < 25 || len(s.Workdays) < 5 || s.Workdays[0] != "2026-01-04" {
		t.Errorf("statutory 2026: %+v", s)
	}
	for _, bad := range []calendar.Year{
		{Year: 2027, Holidays: []string{"2027-13-01"}},
		{Year: 2027, Holidays: []string{"2026-10-01"}},
		{Year: 2027, Holidays: []string{"2027-01-04"}, Workdays: []string{"2027-01-04"}},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
