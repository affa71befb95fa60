package workflows

import (
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// action is a user action on a case. check decides whether the actor may take it now
// (it runs in the Update's validator, and again under the case's lock); apply changes the
// case and says which timeline events record the change.
type action interface {
	Validator
	check(c *domain.Case, a domain.Actor, now time.Time) error
	apply(c *domain.Case, a domain.Actor, now time.Time) []eventDraft
}

// strictAction is an action with checks added after cases were already running: the
// validator applies them to every new action, the handler only in runs that started with
// them, so that older histories replay as they ran.
type strictAction interface {
	checkStrict(c *domain.Case, a domain.Actor) error
}

// eventDraft is an event before it gets its sequence number.
type eventDraft struct {
	Type   string
	Data   any
	Notify *domain.Audience
	Actor  *domain.Actor // who the event is by, when not the one who acts (caseflow's routing)
}

// runChecker is an action that also depends on the run, not only on the case (a case
// merging others is not merged itself meanwhile).
type runChecker interface {
	checkRun(r *caseRun) error
}
