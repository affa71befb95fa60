package workflows

import (
	"encoding/json"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// projectOptions: writing the read model is retried until PostgreSQL answers; an action's
// Update waits for it, so the API answers only once the next read shows the change. The
// calendar activities are retried the same way.
var projectOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    500 * time.Millisecond,
		BackoffCoefficient: 2,
		MaximumInterval:    30 * time.Second,
	},
}

// routeOptions: routing is tried a few times; if it still fails, the case goes to manual
// triage rather than wait.
var routeOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumAttempts:    5,
	},
}

// deliverOptions: notifications are retried for about an hour, then marked failed. The
// case never waits for them.
var deliverOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    2 * time.Second,
		BackoffCoefficient: 2.5,
		MaximumInterval:    20 * time.Minute,
		MaximumAttempts:    domain.MaxDeliveryAttempts,
	},
}

// SystemActor is the actor of events caseflow itself records (routing, supervision).
var SystemActor = domain.Actor{Username: "system", Role: "system"}

// caseRun is the state of one run of a case workflow.
type caseRun struct {
	c  domain.Case
	mu workflow.Mutex
	// ready is set once the case's creation is in the read model; actions wait for it, as
	// an Update can arrive in the very first workflow task.
	ready bool

	clock  Clock
	policy SLAPolicy
	// supervised: the case keeps working-day deadlines and runs the supervision ladder
	// (cases started before that existed do not).
	supervised bool
	// deadlinesChanged counts changes of deadlines or status, to wake the ladder.
	deadlinesChanged int
	ladders          []Ladder
	// strict: the run started with the checks added later (only the lead office comments,
	// a unit only once the case is referred to it); older runs keep their rules on replay.
	strict bool
	// local: the run writes the read model and reads the calendar and the rules through
	// local activities (see caseRun.activity); runs started before keep regular ones.
	local bool
	// serialDelivery: the run delivers its notifications one activity at a time, so that
	// two deliveries never pick the same pending notification (runs started before did not).
	serialDelivery bool
	// deadlinesOnTimeline: the run records, on each event that sets deadlines, the deadlines
	// it set (the audit reads them there); runs started before do not, and the audit counts
	// theirs as the workflow did.
	deadlinesOnTimeline bool
	// reopensChildren: a common problem's parent reopened tells the children that closed
	// with it to reopen (runs started before it did not).
	reopensChildren bool
	// deliversPending: the run starts a delivery only when the read model says that
	// notifications of the events it wrote wait in the outbox (runs started before started
	// one for every event with an audience, even when no user takes notifications).
	deliversPending bool
	// cancelsTimers: a wait with a timeout that ends early cancels its timer (runs started
	// before left it to fire later, one workflow task each; see caseRun.awaitWithTimeout).
	cancelsTimers bool
	// madeAll: the run started with "changes-2026-12", which takes every change below as
	// made (caseRun.made).
	madeAll bool
	// plansDeadlines: the run started with version 2 of "changes-2026-12": it computes a
	// deadline and its ladder in one activity (PlannedDeadline) and keeps the ladder in
	// planned, by the deadline's date, for the supervision to take without an activity of
	// its own (runs started before planned each ladder with PlanLadder; supervise.go).
	plansDeadlines bool
	planned        map[string]domain.LadderPlan
	delivering     bool
	deliverNext    int // the lowest event seq a delivery under way must go on with, 0 if none
	// merging is set while the case asks other cases to merge into it; telling counts the
	// children being told that the case closed (merge.go).
	merging bool
	telling int
}

// activity runs one of the case's own activities: writing the read model, routing,
// computing a deadline or planning a ladder. In runs started since "local-activities" it is
// a local activity: it runs in the worker within the workflow task, with no round trip
// through the server (about 40 ms each here), and its result is recorded with the task's
// completion. That is durable enough for these: the read model's writes are idempotent
// (events are keyed by case and sequence) and the rest only read, so if the worker dies
// before the task completes, the task is retried and they simply run again. Older runs
// replay the regular activities their histories hold.
func (r *caseRun) activity(ctx workflow.Context, opts workflow.ActivityOptions, fn, arg any) workflow.Future {
	if r.local {
		return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
			StartToCloseTimeout: opts.StartToCloseTimeout, RetryPolicy: opts.RetryPolicy}), fn, arg)
	}
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), fn, arg)
}

// lock waits until the case is ready and no other action is being recorded.
func (r *caseRun) lock(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return r.ready }); err != nil {
		return err
	}
	return r.mu.Lock(ctx)
}

// now is the business time.
func (r *caseRun) now(ctx workflow.Context) time.Time { return r.clock.Business(workflow.Now(ctx)) }

// CaseWorkflow runs one case from intake to closure (docs/lifecycle.md). Every
// user action is an Update whose validator rejects, before it touches history, an action
// the case's status or the user's role or unit does not allow. Beside the actions, the
// supervision ladder fires reminders, urging notices and cards on working-day deadlines.
// A closed case's workflow stays open, idle, so that it can be reopened; long histories
// continue as new.
func CaseWorkflow(ctx workflow.Context, in CaseInput) error {
	r := &caseRun{c: in.Case, mu: workflow.NewMutex(ctx), ready: in.Continued, clock: in.Clock,
		policy: DefaultPolicy, ladders: in.Ladders, supervised: in.Supervised, strict: in.Strict,
		planned: map[string]domain.LadderPlan{}}
	if in.Policy != nil {
		r.policy = *in.Policy
	}
	var created []eventDraft
	if !in.Continued {
		now := r.now(ctx)
		r.c.Status = domain.StatusTriage
		r.c.CreatedBy = in.Actor.Username
		r.c.CreatedAt = now
		r.c.Card = domain.CardNone
		r.c.CoUnits, r.c.SignedUnits, r.c.ReferredUnits = domain.NonNil(r.c.CoUnits), domain.NonNil(r.c.SignedUnits), []string{}
		data := domain.Created{Title: r.c.Title, Category: r.c.Category, List: r.c.List,
			EnterpriseID: r.c.EnterpriseID, VisitID: r.c.VisitID, Sensitive: r.c.Sensitive}
		if r.c.InstructionID != "" {
			data.InstructionID = &r.c.InstructionID
		}
		created = []eventDraft{{Type: domain.EventCreated, Data: data}}
	}

	if in.Continued {
		r.c.ReferredUnits = referredUnits(&r.c) // a run continued before they were kept
	}
	// Decided afresh by every run (continued runs too): it changes how, not what.
	changes := workflow.GetVersion(ctx, changesMade, workflow.DefaultVersion, changesPlannedDeadlines)
	r.madeAll, r.plansDeadlines = changes >= 1, changes >= changesPlannedDeadlines
	r.local = r.made(ctx, "local-activities")
	r.serialDelivery = r.made(ctx, "serial-delivery")
	r.deadlinesOnTimeline = r.made(ctx, "deadlines-on-timeline")
	r.reopensChildren = r.made(ctx, "reopen-children")
	r.deliversPending = r.made(ctx, "deliver-pending-only")
	r.cancelsTimers = r.made(ctx, "cancel-early-timers")
	if err := workflow.SetQueryHandler(ctx, QueryCase, func() (domain.Case, error) { return r.c, nil }); err != nil {
		return err
	}
	for _, a := range registered {
		if err := a.register(ctx, r); err != nil {
			return err
		}
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateSync, func(ctx workflow.Context, _ SyncInput) (domain.Case, error) {
		// Holding the lock means no projection is under way: all is written.
		if err := r.lock(ctx); err != nil {
			return domain.Case{}, err
		}
		defer r.mu.Unlock()
		return r.c, nil
	}); err != nil {
		return err
	}

	if !in.Continued {
		r.strict = r.made(ctx, "strict-checks")
		intake := r.intakeBefore
		if r.made(ctx, "one-write-intake") {
			intake = r.intake
		}
		if err := intake(ctx, in.Actor, created); err != nil {
			return err
		}
		r.ready = true
	}
	if r.supervised {
		workflow.Go(ctx, r.supervise)
		if in.Continued {
			// Deliveries the previous run left under way go on.
			workflow.Go(ctx, func(ctx workflow.Context) { r.deliver(ctx, 1) })
		}
	}

	// The case lives until Temporal suggests a fresh history, or until, closed in this run,
	// it has been idle for ClosedIdle; then, once no action is in flight, it continues as new
	// with the case as it stands, so that idle closed cases run current code.
	atClosure := r.made(ctx, "continue-as-new-when-closed")
	if err := r.live(ctx, atClosure); err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && !r.delivering && r.telling == 0 }); err != nil {
		return err
	}
	if err := r.mu.Lock(ctx); err != nil { // no ladder rung half-fired
		return err
	}
	return workflow.NewContinueAsNewError(ctx, CaseWorkflow, CaseInput{Case: r.c, Continued: true, Clock: r.clock,
		Policy: &r.policy, Ladders: r.ladders, Supervised: r.supervised, Strict: r.strict})
}

// changesMade is the change that takes every change before it as made: a run started with it
// records one version marker, and one upsert of the TemporalChangeVersion search attribute,
// where each change recorded its own (nine in a new case's first workflow task: nine
// visibility writes on the server and 5 KB of history). A change after it gets its own
// GetVersion beside it, until the next such consolidation.
const changesMade = "changes-2026-12"

// changesPlannedDeadlines is the version of changesMade from which a run plans each
// deadline's ladder with the deadline (caseRun.plansDeadlines): a later change raises the
// version of the same marker, so a new run still records one marker and one upsert; runs
// started with version 1 replay as they ran.
const changesPlannedDeadlines = 2

// made says whether the change is made in this run: in every run started with changesMade;
// in one started before, as the run recorded it (replayed, it reads its own marker).
func (r *caseRun) made(ctx workflow.Context, change string) bool {
	return r.madeAll || workflow.GetVersion(ctx, change, workflow.DefaultVersion, 1) == 1
}

// intake routes a new case, sets its first deadline and writes it with its created and
// routed events in one projection (runs started before "one-write-intake" wrote the case
// first, then routed it and wrote again). Routing reads only the enterprise's other cases,
// so it does not need this one written.
func (r *caseRun) intake(ctx workflow.Context, actor domain.Actor, created []eventDraft) error {
	r.route(ctx)
	r.supervised = true
	if err := r.updateDeadlines(ctx, &r.c, created, r.c.CreatedAt); err != nil {
		return err
	}
	events := append(created, eventDraft{Type: domain.EventRouted, Data: r.c.RouteProposal, Actor: &SystemActor})
	err := r.record(ctx, &r.c, actor, r.c.CreatedAt, events)
	if !isProjectionRefused(err) || r.c.RouteProposal.Reason == domain.ReasonRoutingFailed {
		return err
	}
	// The read model refused the case with its proposal: whatever the rules proposed (a
	// rule set stored before its texts were checked, say), the case is kept without it
	// and the member department triages it by hand, rather than the intake failing.
	if !r.made(ctx, "keep-case-without-refused-proposal") {
		return err
	}
	workflow.GetLogger(ctx).Warn("the route proposal could not be stored; the case goes to manual triage", "case", r.c.ID, "error", err)
	r.c.RouteProposal, r.c.Tags = manualProposal(domain.ReasonRoutingFailed), []string{}
	events[len(events)-1].Data = r.c.RouteProposal
	return r.record(ctx, &r.c, actor, r.c.CreatedAt, events)
}

// isProjectionRefused says whether err is the read model refusing a write for good.
func isProjectionRefused(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == domain.ErrProjectionRefused
}

// manualProposal is the proposal of a case the rules did not route, for reason.
func manualProposal(reason string) *domain.RouteProposal {
	return &domain.RouteProposal{Reason: reason, RuleIDs: []string{}, Route: domain.Route{CoUnits: []string{}, Tags: []string{}}}
}

// intakeBefore is the intake of runs started before "one-write-intake": the case is written,
// then routed (if the run started after routing came), given its first deadline (if after
// the supervision ladder came) and written again with its routed event.
func (r *caseRun) intakeBefore(ctx workflow.Context, actor domain.Actor, created []eventDraft) error {
	if err := r.record(ctx, &r.c, actor, r.c.CreatedAt, created); err != nil {
		return err
	}
	routed := r.made(ctx, "route-at-intake")
	if routed {
		r.route(ctx)
	}
	r.supervised = r.made(ctx, "supervision-ladder")
	if r.supervised {
		if err := r.updateDeadlines(ctx, &r.c, created, r.c.CreatedAt); err != nil {
			return err
		}
	}
	if !routed {
		return nil
	}
	return r.record(ctx, &r.c, SystemActor, r.now(ctx), []eventDraft{{Type: domain.EventRouted, Data: r.c.RouteProposal}})
}

// ClosedIdle is how long a case closed in a run stays idle before it continues as new.
const ClosedIdle = 24 * time.Hour

// live returns when the run should continue as new: when Temporal suggests it, or (with
// atClosure) once the case, closed during this run, has been left alone for ClosedIdle.
func (r *caseRun) live(ctx workflow.Context, atClosure bool) error {
	suggested := func() bool { return workflow.GetInfo(ctx).GetContinueAsNewSuggested() }
	if !atClosure {
		return workflow.Await(ctx, suggested)
	}
	startSeq := r.c.LastSeq
	for !suggested() {
		seq := r.c.LastSeq
		changed := func() bool { return suggested() || r.c.LastSeq != seq }
		if r.c.Status != domain.StatusClosed || seq == startSeq {
			if err := workflow.Await(ctx, changed); err != nil {
				return err
			}
			continue
		}
		woken, err := r.awaitWithTimeout(ctx, ClosedIdle, changed)
		if err != nil || !woken {
			return err // idle long enough: continue as new
		}
	}
	return nil
}

// awaitWithTimeout waits until cond holds (true) or d has passed (false). Unlike
// workflow.AwaitWithTimeout, whose timer is left to fire when cond comes first, it cancels
// its timer then (in runs with cancelsTimers): a ladder waits on a timer for its next rung and
// every action that moves a deadline wakes it, so each left timer would fire days later for
// nothing, one workflow task each, in every case.
func (r *caseRun) awaitWithTimeout(ctx workflow.Context, d time.Duration, cond func() bool) (bool, error) {
	if !r.cancelsTimers {
		return workflow.AwaitWithTimeout(ctx, d, cond)
	}
	if cond() {
		return true, nil
	}
	tctx, cancel := workflow.WithCancel(ctx)
	defer cancel() // a timer that has fired is not cancelled
	timer := workflow.NewTimer(tctx, d)
	if err := workflow.Await(ctx, func() bool { return cond() || timer.IsReady() }); err != nil {
		return false, err
	}
	return cond(), nil
}

// route asks the routing rules for a proposal. When routing fails, the proposal says so
// and the member department triages by hand.
func (r *caseRun) route(ctx workflow.Context) {
	var p domain.RouteProposal
	if err := r.activity(ctx, routeOptions, actRouteCase, domain.RouteInput{Case: r.c}).Get(ctx, &p); err != nil {
		workflow.GetLogger(ctx).Warn("routing failed; the case goes to manual triage", "case", r.c.ID, "error", err)
		p = *manualProposal(domain.ReasonRoutingFailed)
	}
	r.c.RouteProposal = &p
	r.c.Tags = p.Tags
}

// handle registers the Update for one action. The validator checks the body and whether
// the actor may take the action now; the handler checks again under the case's lock (another
// action may have come first), computes the case as the action leaves it, and commits it.
func handle[T action](ctx workflow.Context, r *caseRun, name string) error {
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
			next := r.c
			events := in.Body.apply(&next, in.Actor, now)
			if len(events) == 0 { // nothing to do (a child told again what it did)
				return r.c, nil
			}
			return r.commit(ctx, next, in.Actor, now, events)
		},
		workflow.UpdateHandlerOptions{Validator: validator[T](r)},
	)
}

// validator is an action's Update validator: the body's own fields, then whether the actor
// may take the action on the case as it stands (with every check, strict or not).
func validator[T action](r *caseRun) func(ctx workflow.Context, in ActionInput[T]) error {
	return func(ctx workflow.Context, in ActionInput[T]) error {
		if err := in.Body.Validate(); err != nil {
			return err
		}
		return r.check(in.Body, in.Actor, r.now(ctx), true)
	}
}

// commit records an action's events with next, the case as the action leaves it (its
// deadlines and who is told follow from the events), writes both to the read model, and
// only then adopts next: an action the read model refuses fails and leaves the case as it
// was. A common problem's parent that has just closed tells its children. The caller holds
// the lock.
func (r *caseRun) commit(ctx workflow.Context, next domain.Case, actor domain.Actor, now time.Time, events []eventDraft) (domain.Case, error) {
	if r.supervised {
		if err := r.updateDeadlines(ctx, &next, events, now); err != nil {
			return domain.Case{}, err
		}
		for i := range events {
			events[i].Notify = audienceFor(events[i].Type, &next)
			if r.deadlinesOnTimeline && deadlineEffects[events[i].Type] != nil {
				events[i].Data = withDeadlines(events[i].Data, next.Deadlines)
			}
		}
	}
	if err := r.record(ctx, &next, actor, now, events); err != nil {
		return domain.Case{}, err
	}
	closing := next.Status == domain.StatusClosed && r.c.Status != domain.StatusClosed
	reopening := next.Status != domain.StatusClosed && r.c.Status == domain.StatusClosed
	r.c = next
	if closing && len(r.c.Children) > 0 {
		r.closeChildren(ctx)
	}
	if reopening && len(r.c.Children) > 0 && r.reopensChildren {
		r.reopenChildren(ctx)
	}
	return r.c, nil
}

// check decides whether the actor may take the action on the case as it stands; strict
// adds the checks that came after the run started (see caseRun.strict).
func (r *caseRun) check(b action, a domain.Actor, now time.Time, strict bool) error {
	if err := b.check(&r.c, a, now); err != nil {
		return err
	}
	if rc, ok := b.(runChecker); ok {
		if err := rc.checkRun(r); err != nil {
			return err
		}
	}
	if s, ok := b.(strictAction); ok && strict {
		return s.checkStrict(&r.c, a)
	}
	return nil
}

// record numbers the events, stamps c and writes both to the read model; then it sets
// off the delivery of their notifications, without waiting for it. c is the case as it
// will stand: the caller adopts it only when record succeeds.
func (r *caseRun) record(ctx workflow.Context, c *domain.Case, actor domain.Actor, now time.Time, drafts []eventDraft) error {
	events := make([]domain.Event, 0, len(drafts))
	notify := false
	seq := c.LastSeq
	for _, d := range drafts {
		data, err := json.Marshal(d.Data)
		if err != nil {
			return err
		}
		seq++
		by := actor
		if d.Actor != nil {
			by = *d.Actor
		}
		events = append(events, domain.Event{CaseID: c.ID, Seq: seq, Type: d.Type, At: now, Actor: by,
			Data: data, Notify: d.Notify})
		notify = notify || d.Notify != nil
	}
	p := *c
	p.LastSeq, p.UpdatedAt = seq, now
	out, result := domain.Projected{Pending: true}, any(nil) // older histories hold no result
	if r.deliversPending {
		result = &out
	}
	if err := r.activity(ctx, projectOptions, actProjectCase, domain.Projection{Case: p, Events: events}).Get(ctx, result); err != nil {
		return err
	}
	*c = p
	if notify && out.Pending {
		first := events[0].Seq
		workflow.Go(ctx, func(ctx workflow.Context) { r.deliver(ctx, first) })
	}
	return nil
}

// deliver sends the case's pending notifications from event seq on. A delivery that fails
// for good is marked failed in the outbox; the case goes on either way. With
// serialDelivery, a delivery asked for while another is under way is left to that one,
// which goes on from the lowest seq asked.
func (r *caseRun) deliver(ctx workflow.Context, seq int) {
	if !r.serialDelivery {
		r.deliverFrom(ctx, seq)
		return
	}
	if r.delivering {
		if r.deliverNext == 0 || seq < r.deliverNext {
			r.deliverNext = seq
		}
		return
	}
	r.delivering = true
	defer func() { r.delivering = false }()
	for {
		r.deliverFrom(ctx, seq)
		if r.deliverNext == 0 {
			return
		}
		seq, r.deliverNext = r.deliverNext, 0
	}
}

func (r *caseRun) deliverFrom(ctx workflow.Context, seq int) {
	dctx := workflow.WithActivityOptions(ctx, deliverOptions)
	_ = workflow.ExecuteActivity(dctx, actDeliverNotifications, domain.DeliverInput{CaseID: r.c.ID, Seq: seq}).Get(dctx, nil)
}
