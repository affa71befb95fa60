package workflows

import "time"

// Shanghai is China Standard Time. China keeps no daylight saving, so a fixed zone is
// exact and needs no time-zone database inside a workflow.
var Shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

// DateLayout is how dates travel in JSON: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// DefaultHandlingDays is how many working days a unit has to handle a case by default.
const DefaultHandlingDays = 15

// MaxRedos is how many times an unsatisfied enterprise can send a case back for handling.
const MaxRedos = 2

// today is the date in Shanghai at t.
func today(t time.Time) string { return t.In(Shanghai).Format(DateLayout) }

// addWorkdays returns the date n working days (Monday to Friday) after t's date in Shanghai.
func addWorkdays(t time.Time, n int) string {
	d := t.In(Shanghai)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			n--
		}
	}
	return d.Format(DateLayout)
}
