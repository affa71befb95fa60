package workflows

import "time"

// Shanghai is China Standard Time. China keeps no daylight saving, so a fixed zone is
// exact and needs no time-zone database inside a workflow.
var Shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

// DateLayout is how dates travel in JSON: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// MaxRedos is how many times an unsatisfied enterprise can send a case back for handling.
const MaxRedos = 2

// MaxExtensionDays bounds one extension request, in working days.
const MaxExtensionDays = 30

// today is the date in Shanghai at t.
func today(t time.Time) string { return t.In(Shanghai).Format(DateLayout) }
