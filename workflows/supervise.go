package workflows

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// Rung is a step of the supervision ladder; Ladder.At and Ladder.Fired are indexed by it.
type Rung int

// The rungs, in order.
const (
	RungReminder Rung = iota // a reminder before the deadline
	RungBlue                 // urging notice (催办) after it
	RungYellow               // yellow card (黄牌), a numbered notice
	RungRed                  // red card (红牌), escalated to the leaders
)

// rungs: what each rung is called and which event records it.
var rungs = [4]struct{ kind, event string }{
	RungReminder: {domain.NoticeReminder, domain.EventReminded}, RungBlue: {domain.CardBlue, domain.EventUrged},
	RungYellow: {domain.CardYellow, domain.EventYellowCard}, RungRed: {domain.CardRed, domain.EventRedCard},
}

// workdays computes a deadline on the calendar in force (an activity: the calendar can
// change). In runs that plan deadlines, the same activity places the ladder of the date,
// which the supervision then takes from r.planned (planNew) rather than asking again.
func (r *caseRun) workdays(ctx workflow.Context, in domain.DeadlineInput) (string, error) {
	if !r.plansDeadlines {
		var date string
		err := r.activity(ctx, projectOptions, actWorkdayDeadline, in).Get(ctx, &date)
		return date, err
	}
	var out domain.PlannedDeadline
	err := r.activity(ctx, projectOptions, actPlannedDeadline,
		domain.PlannedDeadlineInput{Deadline: in, Ladder: r.ladderInput("")}).Get(ctx, &out)
	if err == nil {
		r.planned[out.Date] = out.Ladder
	}
	return out.Date, err
}

// ladderInput asks for the ladder of the deadline due, on the case's policy.
func (r *caseRun) ladderInput(due string) domain.LadderInput {
	p := r.policy
	return domain.LadderInput{Due: due, ReminderBefore: p.ReminderBefore, UrgeAfter: p.UrgeAfter,
		YellowAfter: p.YellowAfter, RedAfter: p.RedAfter, Hour: p.LadderHour}
}

// activeDeadlines are the deadlines of the steps now due: the ones the ladder watches.
func activeDeadlines(c *domain.Case) [][2]string {
	var out [][2]string
	add := func(kind, due string) {
		if due != "" {
			out = append(out, [2]string{kind, due})
		}
	}
	switch c.Status {
	case domain.StatusTriage:
		add(domain.DeadlineTriage, c.Deadlines.Triage)
	case domain.StatusReferral:
		add(domain.DeadlineReferral, c.Deadlines.Referral)
	case domain.StatusHandling:
		if !slices.Contains(c.SignedUnits, c.LeadUnit) {
			add(domain.DeadlineSign, c.Deadlines.Sign)
		}
		add(domain.DeadlineHandling, c.Deadlines.Handling)
	case domain.StatusFollowUp:
		if c.Callback == nil {
			add(domain.DeadlineCallback, c.Deadlines.Callback)
		}
	}
	return out
}

// overdue: a case is overdue while a step now due has had its urging notice.
func overdue(c *domain.Case, ladders []Ladder) bool {
	active := activeDeadlines(c)
	for _, l := range ladders {
		if l.Fired[RungBlue] && slices.Contains(active, [2]string{l.Deadline, l.Due}) {
			return true
		}
	}
	return false
}

// supervise runs the ladder: it keeps one Ladder per active deadline, waits on a durable
// timer for the next rung and fires it, once. A deadline met, moved or extended drops its
// ladder, and what had not fired never will.
func (r *caseRun) supervise(ctx workflow.Context) {
	for {
		if err := r.mu.Lock(ctx); err != nil {
			return
		}
		seen := r.deadlinesChanged
		if r.local {
			// Plan without holding the lock, on the case as the last action left it; an
			// action that changes the deadlines meanwhile makes the plan moot.
			active, now := activeDeadlines(&r.c), r.now(ctx)
			r.mu.Unlock()
			plans, err := r.planNew(ctx, active)
			if err != nil {
				return
			}
			if r.deadlinesChanged != seen {
				continue
			}
			r.keepLadders(active, plans, now)
		} else if err := r.planLadders(ctx); err != nil {
			r.mu.Unlock()
			return
		} else {
			r.mu.Unlock()
		}
		li, rung, at := r.nextRung()

		changed := func() bool { return r.deadlinesChanged != seen }
		if li < 0 {
			if err := workflow.Await(ctx, changed); err != nil {
				return
			}
			continue
		}
		if wait := r.clock.Real(at).Sub(workflow.Now(ctx)); wait > 0 {
			woken, err := r.awaitWithTimeout(ctx, wait, changed)
			if err != nil {
				return
			}
			if woken {
				continue
			}
		}
		if err := r.mu.Lock(ctx); err != nil {
			return
		}
		if !changed() {
			if err := r.fire(ctx, li, rung); err != nil {
				workflow.GetLogger(ctx).Error("supervision notice not recorded", "case", r.c.ID, "error", err)
			}
		}
		r.mu.Unlock()
	}
}

// planLadders keeps exactly the ladders of the active deadlines, planning new ones (runs
// started before "local-activities", under the case's lock).
func (r *caseRun) planLadders(ctx workflow.Context) error {
	active, now := activeDeadlines(&r.c), r.now(ctx)
	plans, err := r.planNew(ctx, active)
	if err != nil {
		return err
	}
	r.keepLadders(active, plans, now)
	return nil
}

// planNew plans the ladders of the active deadlines that have none yet: the one placed
// with the deadline when there is one (r.planned), else by an activity.
func (r *caseRun) planNew(ctx workflow.Context, active [][2]string) (map[[2]string]domain.LadderPlan, error) {
	plans := map[[2]string]domain.LadderPlan{}
	for _, ad := range active {
		if r.hasLadder(ad) {
			continue
		}
		if plan, ok := r.planned[ad[1]]; ok {
			plans[ad] = plan
			continue
		}
		var plan domain.LadderPlan
		if err := r.activity(ctx, projectOptions, actPlanLadder, r.ladderInput(ad[1])).Get(ctx, &plan); err != nil {
			return nil, err
		}
		plans[ad] = plan
	}
	return plans, nil
}

func (r *caseRun) hasLadder(ad [2]string) bool {
	return slices.ContainsFunc(r.ladders, func(l Ladder) bool { return l.Deadline == ad[0] && l.Due == ad[1] })
}

// keepLadders keeps exactly the ladders of the active deadlines, adding the planned ones.
func (r *caseRun) keepLadders(active [][2]string, plans map[[2]string]domain.LadderPlan, now time.Time) {
	kept := r.ladders[:0:0]
	for _, l := range r.ladders {
		if slices.Contains(active, [2]string{l.Deadline, l.Due}) {
			kept = append(kept, l)
		}
	}
	r.ladders = kept
	// A ladder placed with a deadline no longer due is not needed again.
	maps.DeleteFunc(r.planned, func(due string, _ domain.LadderPlan) bool {
		return !slices.ContainsFunc(active, func(ad [2]string) bool { return ad[1] == due })
	})
	for _, ad := range active {
		plan, ok := plans[ad]
		if !ok || r.hasLadder(ad) {
			continue
		}
		l := Ladder{Deadline: ad[0], Due: ad[1], At: [4]time.Time{plan.Reminder, plan.Blue, plan.Yellow, plan.Red}}
		// A reminder whose time has passed when the deadline is set would only be noise.
		l.Fired[RungReminder] = !plan.Reminder.After(now)
		r.ladders = append(r.ladders, l)
	}
}

// nextRung finds the earliest rung not yet fired: the ladder's index, the rung, its time.
func (r *caseRun) nextRung() (int, Rung, time.Time) {
	li, rung := -1, Rung(-1)
	var at time.Time
	for i, l := range r.ladders {
		for k := range l.At {
			if !l.Fired[k] && (li < 0 || l.At[k].Before(at)) {
				li, rung, at = i, Rung(k), l.At[k]
			}
		}
	}
	return li, rung, at
}

// fire records one rung: a numbered supervision notice for cards, the case's card and
// overdue flag, and the event with who is told. The rung counts as fired even when it
// could not be recorded, so that it is never tried again and again.
func (r *caseRun) fire(ctx workflow.Context, li int, rung Rung) error {
	r.ladders[li].Fired[rung] = true
	l := &r.ladders[li]
	next := r.c
	now := r.now(ctx)
	kind := rungs[rung].kind
	notice := domain.CaseNotice{Kind: kind, Deadline: l.Deadline, Due: l.Due, At: now}
	if rung >= RungYellow {
		var n domain.Notice
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, projectOptions), actIssueNotice, domain.Notice{
			CaseID: r.c.ID, DeadlineKind: l.Deadline, Deadline: l.Due, Card: kind, Unit: r.c.LeadUnit,
			Office: r.c.Office, IssuedAt: now}).Get(ctx, &n)
		if err != nil {
			return err
		}
		notice.No = n.No
	}
	next.Notices = append(slices.Clone(next.Notices), notice)
	if rung >= RungBlue && slices.Index(domain.Cards, kind) > slices.Index(domain.Cards, next.Card) {
		next.Card = kind
	}
	next.Overdue = overdue(&next, r.ladders)
	data := domain.Supervised{Deadline: l.Deadline, Due: l.Due, Card: kind, NoticeNo: notice.No,
		Unit: next.LeadUnit, Office: next.Office}
	if err := r.record(ctx, &next, SystemActor, now, []eventDraft{{Type: rungs[rung].event, Data: data,
		Notify: ladderAudience(&next, l.Deadline, rung)}}); err != nil {
		return err
	}
	r.c = next
	return nil
}

// ladderAudience: who answers for a deadline is told of its rungs; yellow cards also go to
// the lead office, red cards to the lead office and the leaders.
func ladderAudience(c *domain.Case, deadline string, rung Rung) *domain.Audience {
	a := &domain.Audience{}
	switch deadline {
	case domain.DeadlineTriage:
		a.Roles = []string{domain.RoleMemberDept}
	case domain.DeadlineReferral:
		a.Offices = []string{c.Office}
	case domain.DeadlineSign, domain.DeadlineHandling:
		a.Units = []string{c.LeadUnit}
		if rung >= RungYellow {
			a.Offices = []string{c.Office}
		}
	case domain.DeadlineCallback:
		a.Roles, a.Offices = []string{domain.RoleMemberDept}, []string{c.Office}
	}
	if rung == RungRed {
		a.Roles = append(a.Roles, domain.RoleLeader)
	}
	return a
}

// audienceFor says who is told of a user's action, if anyone.
func audienceFor(eventType string, c *domain.Case) *domain.Audience {
	switch eventType {
	case domain.EventReferred:
		return &domain.Audience{Units: append([]string{c.LeadUnit}, c.CoUnits...)}
	case domain.EventReturned, domain.EventExtensionRequested:
		return &domain.Audience{Offices: []string{c.Office}}
	case domain.EventCompleted:
		return &domain.Audience{Roles: []string{domain.RoleMemberDept}, Offices: []string{c.Office}}
	case domain.EventExtensionApproved, domain.EventExtensionDenied:
		return &domain.Audience{Units: []string{c.LeadUnit}}
	case domain.EventUrged, domain.EventYellowCard: // by hand (the ladder's say ladderAudience)
		return &domain.Audience{Units: []string{c.LeadUnit}, Offices: []string{c.Office}}
	case domain.EventRedCard:
		return &domain.Audience{Units: []string{c.LeadUnit}, Offices: []string{c.Office}, Roles: []string{domain.RoleLeader}}
	}
	return nil
}

// Supervision by hand. The lead office urges the unit (催办) or issues a yellow or red card
// with its reasons when it judges it needed, while the case is in handling. Each issues a
// numbered notice (督办单) from the ladder's counter, raises the case's card as the ladder's
// would, tells the unit and the office (a red card the leaders too), and is recorded as the
// ladder's event of that card (manual, with the reasons): the audit counts it exactly so.

// UrgeBody is 催办: the office's note to the unit.
type UrgeBody struct {
	Note string `json:"note"`
	no   string // the notice's number, issued before the action applies
}

// CardBody is a yellow or red card (督办牌) with its reasons.
type CardBody struct {
	Level  string `json:"level"`
	Reason string `json:"reason"`
	no     string
}

// ManualCards are the cards the office issues by hand.
var ManualCards = map[string]string{domain.CardYellow: domain.CardLabels[domain.CardYellow], domain.CardRed: domain.CardLabels[domain.CardRed]}

func (b UrgeBody) Validate() error {
	if err := requireText("note", b.Note); err != nil {
		return err
	}
	return CheckText("note", b.Note) // what the read model can store (found by FuzzActionBodies: a DEL)
}

func (b CardBody) Validate() error {
	if err := oneOf("level", b.Level, ManualCards); err != nil {
		return err
	}
	if err := requireText("reason", b.Reason); err != nil {
		return err
	}
	return CheckText("reason", b.Reason)
}

func (b UrgeBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	return checkByHand(c, a, "urge")
}
func (b CardBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	return checkByHand(c, a, "card")
}

// checkByHand: the lead office, while the case is in handling.
func checkByHand(c *domain.Case, a domain.Actor, name string) error {
	if err := requireRole(a, domain.RoleSupervision); err != nil {
		return err
	}
	if err := requireStatus(c, name, domain.StatusHandling); err != nil {
		return err
	}
	return requireLeadOffice(c, a)
}

func (b UrgeBody) apply(c *domain.Case, _ domain.Actor, now time.Time) []eventDraft {
	return superviseByHand(c, domain.CardBlue, b.no, b.Note, now)
}

func (b CardBody) apply(c *domain.Case, _ domain.Actor, now time.Time) []eventDraft {
	return superviseByHand(c, b.Level, b.no, b.Reason, now)
}

func (b UrgeBody) card() string                    { return domain.CardBlue }
func (b UrgeBody) note() string                    { return b.Note }
func (b CardBody) note() string                    { return b.Reason }
func (b CardBody) card() string                    { return b.Level }
func (b UrgeBody) numbered(no string) noticeAction { b.no = no; return b }
func (b CardBody) numbered(no string) noticeAction { b.no = no; return b }

// noticeAction is an action that issues a numbered notice before it applies.
type noticeAction interface {
	action
	card() string
	note() string
	numbered(no string) noticeAction
}

// watchedDeadline is the deadline a notice by hand is about: signing while the lead unit
// has not signed, handling after.
func watchedDeadline(c *domain.Case) (kind, due string) {
	if !slices.Contains(c.SignedUnits, c.LeadUnit) && c.Deadlines.Sign != "" {
		return domain.DeadlineSign, c.Deadlines.Sign
	}
	return domain.DeadlineHandling, c.Deadlines.Handling
}

// superviseByHand records a notice by hand on c: the notice, the card raised, the event.
func superviseByHand(c *domain.Case, card, no, reason string, now time.Time) []eventDraft {
	kind, due := watchedDeadline(c)
	c.Notices = append(slices.Clone(c.Notices), domain.CaseNotice{Kind: card, Deadline: kind, Due: due, At: now, No: no})
	if slices.Index(domain.Cards, card) > slices.Index(domain.Cards, c.Card) {
		c.Card = card
	}
	event := map[string]string{domain.CardBlue: domain.EventUrged, domain.CardYellow: domain.EventYellowCard, domain.CardRed: domain.EventRedCard}[card]
	return []eventDraft{{Type: event, Data: domain.Supervised{Card: card, Deadline: kind, Due: due, Manual: true, NoticeNo: no,
		Office: c.Office, Reason: reason, Unit: c.LeadUnit}}}
}

// registerNotice registers an action that issues a numbered notice: not through handle,
// since the notice's number (an activity, from the ladder's counter) comes before the
// action applies. The number is in the history: a replay or a retried Update never takes
// a second one.
func registerNotice[T noticeAction](name string) func(ctx workflow.Context, r *caseRun) error {
	return func(ctx workflow.Context, r *caseRun) error {
		return workflow.SetUpdateHandlerWithOptions(ctx, name,
			func(ctx workflow.Context, in ActionInput[T]) (domain.Case, error) {
				if err := r.lock(ctx); err != nil {
					return domain.Case{}, err
				}
				defer r.mu.Unlock()
				now := r.now(ctx)
				if err := r.check(in.Body, in.Actor, now, r.strict); err != nil {
					return domain.Case{}, err
				}
				kind, due := watchedDeadline(&r.c)
				var n domain.Notice
				// Keyed by the event it is for: an action that fails after the notice is
				// issued, tried again, gets the same number.
				err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, projectOptions), actIssueNotice, domain.Notice{
					CaseID: r.c.ID, DeadlineKind: kind, Deadline: due, Card: in.Body.card(), Unit: r.c.LeadUnit,
					Office: r.c.Office, IssuedAt: now, Note: in.Body.note(), Key: fmt.Sprintf("%s/%d", name, r.c.LastSeq+1)}).Get(ctx, &n)
				if err != nil {
					return domain.Case{}, fmt.Errorf("issue the notice: %w", err)
				}
				next := r.c
				events := in.Body.numbered(n.No).apply(&next, in.Actor, now)
				return r.commit(ctx, next, in.Actor, now, events)
			},
			workflow.UpdateHandlerOptions{Validator: validator[T](r)},
		)
	}
}
