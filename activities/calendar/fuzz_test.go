package calendar_test

import (
	"strings"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/activities/calendar"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// FuzzYearOverride: an administrator's year is either refused by Validate or, accepted,
// gives a calendar on which counting working days ends and moves forward.
func FuzzYearOverride(f *testing.F) {
	f.Add(2027, "2027-01-04,2027-02-10", "2027-01-10")
	f.Add(2026, "2026-13-01", "")
	f.Add(2026, "2026-10-01,2026-10-01", "")
	f.Add(2028, "", "2028-02-29")
	f.Fuzz(func(t *testing.T, year int, holidays, workdays string) {
		split := func(s string) []string {
			if s == "" {
				return []string{}
			}
			return strings.Split(s, ",")
		}
		y := calendar.Year{Year: year, Holidays: split(holidays), Workdays: split(workdays)}
		if y.Validate() != nil || year < 2000 || year > 2100 {
			return
		}
		c := calendar.New(y)
		from := time.Date(year, 1, 1, 9, 0, 0, 0, domain.Shanghai)
		if got := c.AddWorkdays(from, 20); !got.After(from) {
			t.Fatalf("20 working days from %s: %s", from, got)
		}
	})
}
