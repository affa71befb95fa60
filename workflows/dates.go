package workflows

import (
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// MaxRedos is how many times an unsatisfied enterprise can send a case back for handling.
const MaxRedos = 2

// MaxExtensionDays bounds one extension request, in working days.
const MaxExtensionDays = 30

// today is the date in domain.Shanghai at t.
func today(t time.Time) string { return t.In(domain.Shanghai).Format(domain.DateLayout) }
