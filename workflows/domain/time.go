package domain

import "time"

// Shanghai is China Standard Time. China keeps no daylight saving, so a fixed zone is
// exact and needs no time-zone database (inside a workflow, or in a container without one).
var Shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

// DateLayout is how dates travel in JSON and in the read model: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Today is the date in Shanghai at t, as DateLayout.
func Today(t time.Time) string { return t.In(Shanghai).Format(DateLayout) }

// QuarterStart is the first instant of the quarter t falls in, in Shanghai.
func QuarterStart(t time.Time) time.Time {
	t = t.In(Shanghai)
	return time.Date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1, 0, 0, 0, 0, Shanghai)
}

// NonNil returns s, or an empty list for nil: lists are [] in JSON, never null.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
