package audit_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/activities/audit"
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

var policy = domain.SLAPolicy{SignDays: 1, HandlingDays: map[string]int{domain.SLAStandard: 15, domain.SLAUrgent: 5}}

// The timelines of five cases, with the figures counted by hand on the 2026 calendar
// (Spring Festival: 15–23 February off, Saturdays 14 and 28 February worked).
func handCountedCases() []audit.Event {
	ev := func(c string, seq int, typ, when string, e audit.Event) audit.Event {
		e.CaseID, e.Seq, e.Type, e.At = c, seq, typ, at(when)
		return e
	}
	return []audit.Event{
		// A: referred 12 Feb; sign-for due 13 Feb, signed 14 Feb (late); handling due 15
		// working days later, 11 Mar, plus an approved extension of 3: 16 Mar; completed 16 Mar
		// (on time) after 18 working days; called back solved and satisfied.
		ev("A", 1, "triaged", "2026-02-10 09:00", audit.Event{SLA: domain.SLAStandard}),
		ev("A", 2, "referred", "2026-02-12 10:00", audit.Event{Unit: "natural-resources"}),
		ev("A", 3, "signed", "2026-02-14 09:00", audit.Event{Unit: "natural-resources"}),
		ev("A", 4, "extension_requested", "2026-03-05 09:00", audit.Event{}),
		ev("A", 5, "extension_approved", "2026-03-06 09:00", audit.Event{Days: 3}),
		ev("A", 6, "completed", "2026-03-16 15:00", audit.Event{}),
		ev("A", 7, "called_back", "2026-03-20 10:00", audit.Event{Solved: true, Satisfied: true}),
		// B: referred 5 Jan, due 9 Jan (given); signed at once; completed 14 Jan, 3 working
		// days late, after 7; called back unsatisfied: redo, due 15 working days after 16 Jan,
		// 6 Feb; completed 10 Feb, 2 late, after 17; called back satisfied. A blue and a
		// yellow card on its handling deadline; a card on the triage deadline is not the unit's.
		ev("B", 1, "triaged", "2026-01-04 09:00", audit.Event{SLA: domain.SLAStandard}),
		ev("B", 2, "referred", "2026-01-05 10:00", audit.Event{Unit: "natural-resources", DueDate: "2026-01-09"}),
		ev("B", 3, "signed", "2026-01-05 11:00", audit.Event{Unit: "natural-resources"}),
		ev("B", 4, "urged", "2026-01-12 09:00", audit.Event{Unit: "natural-resources", Deadline: domain.DeadlineHandling}),
		ev("B", 5, "yellow_card", "2026-01-14 09:00", audit.Event{Unit: "natural-resources", Deadline: domain.DeadlineHandling}),
		ev("B", 6, "completed", "2026-01-14 16:00", audit.Event{}),
		ev("B", 7, "called_back", "2026-01-16 10:00", audit.Event{Redo: true}),
		ev("B", 8, "completed", "2026-02-10 16:00", audit.Event{}),
		ev("B", 9, "called_back", "2026-02-12 10:00", audit.Event{Solved: true, Satisfied: true}),
		ev("B", 10, "yellow_card", "2026-02-13 09:00", audit.Event{Deadline: domain.DeadlineTriage}),
		// C: referred to housing, returned the next day, referred again to natural resources
		// on 27 Mar; not yet due when the quarter ends.
		ev("C", 1, "referred", "2026-03-25 10:00", audit.Event{Unit: "housing-construction"}),
		ev("C", 2, "returned", "2026-03-26 10:00", audit.Event{Unit: "housing-construction"}),
		ev("C", 3, "referred", "2026-03-27 10:00", audit.Event{Unit: "natural-resources"}),
		// D: referred to Licheng 2 Mar, due 6 Mar, never completed: overdue from 9 to 31
		// Mar, 17 working days inside the quarter.
		ev("D", 1, "referred", "2026-03-02 10:00", audit.Event{Unit: "licheng", DueDate: "2026-03-06"}),
		// E: handled by Licheng in December, called back in January: only the callback counts.
		ev("E", 1, "referred", "2025-12-01 10:00", audit.Event{Unit: "licheng"}),
		ev("E", 2, "signed", "2025-12-01 11:00", audit.Event{Unit: "licheng"}),
		ev("E", 3, "completed", "2025-12-05 10:00", audit.Event{}),
		ev("E", 4, "called_back", "2026-01-05 10:00", audit.Event{Solved: true, Satisfied: true}),
	}
}

func TestUnitFiguresMatchAHandCountAcrossTheSpringFestival(t *testing.T) {
	units := audit.Compute(handCountedCases(), calendar.New(), policy, at("2026-01-01 00:00"), at("2026-03-31 00:00"), at("2026-04-15 12:00"))
	nr := units["natural-resources"]
	want := audit.Figures{Received: 3, Signed: 2, SignedOnTime: 1, SignOnTimeRate: 0.5, Completed: 3, CompletedOnTime: 1,
		OnTimeRate: 1.0 / 3, Overdue: 1, OverdueWorkdays: 5, ExtensionsRequested: 1, ExtensionsGranted: 1, Redone: 1,
		RedoRate: 1.0 / 3, CalledBack: 3, Solved: 2, SolvedRate: 2.0 / 3, Satisfied: 2, SatisfiedRate: 2.0 / 3,
		HandlingWorkdays: 18 + 7 + 17, AvgHandlingWorkdays: 14, Cards: audit.Cards{Blue: 1, Yellow: 1}}
	if nr == nil || nr.Figures != want {
		t.Fatalf("natural resources:\n got %+v\nwant %+v", nr, want)
	}
	for fig, ids := range map[string][]string{audit.FigReceived: {"A", "B", "C"}, audit.FigCompleted: {"A", "B"},
		audit.FigCompletedOnTime: {"A"}, audit.FigOverdue: {"B"}, audit.FigSignedOnTime: {"B"}, audit.FigYellow: {"B"}} {
		if !slices.Equal(nr.Cases[fig], ids) {
			t.Errorf("natural resources, %s: cases %v, want %v", fig, nr.Cases[fig], ids)
		}
	}
	if h := units["housing-construction"]; h == nil || h.Received != 1 || h.Returned != 1 || h.ReturnRate != 1 || h.Completed != 0 {
		t.Errorf("housing: %+v", h)
	}
	want = audit.Figures{Received: 1, Overdue: 1, OverdueWorkdays: 17, CalledBack: 1, Solved: 1, SolvedRate: 1, Satisfied: 1, SatisfiedRate: 1}
	if l := units["licheng"]; l == nil || l.Figures != want {
		t.Errorf("licheng:\n got %+v\nwant %+v", l, want)
	}
}

func TestAPeriodCountsOnlyWhatHappenedInIt(t *testing.T) {
	// February alone: A's referral and late sign-for, B's second completion (2 working days
	// late, over the festival nothing counts) and its callback.
	units := audit.Compute(handCountedCases(), calendar.New(), policy, at("2026-02-01 00:00"), at("2026-02-28 00:00"), at("2026-04-15 12:00"))
	nr := units["natural-resources"]
	if nr.Received != 1 || nr.Signed != 1 || nr.SignedOnTime != 0 || nr.Completed != 1 || nr.CompletedOnTime != 0 ||
		nr.OverdueWorkdays != 2 || nr.CalledBack != 1 || nr.Cards.Yellow != 0 {
		t.Errorf("natural resources in February: %+v", nr.Figures)
	}
	// National Day: due 30 Sep, completed 9 Oct: 8 Oct and 9 Oct are the only working days late.
	units = audit.Compute([]audit.Event{
		{CaseID: "F", Seq: 1, Type: "referred", At: at("2026-09-21 10:00"), Unit: "xiuyu", DueDate: "2026-09-30"},
		{CaseID: "F", Seq: 2, Type: "completed", At: at("2026-10-09 10:00")},
	}, calendar.New(), policy, at("2026-10-01 00:00"), at("2026-12-31 00:00"), at("2026-12-31 12:00"))
	if x := units["xiuyu"]; x == nil || x.OverdueWorkdays != 2 || x.Overdue != 1 || x.Completed != 1 || x.CompletedOnTime != 0 {
		t.Errorf("xiuyu over National Day: %+v", x)
	}
}

func TestGamingPatternsAreFlaggedWithTheirCases(t *testing.T) {
	events := append(handCountedCases(),
		// G: returned by housing, then by natural resources: ping-pong.
		audit.Event{CaseID: "G", Seq: 1, Type: "referred", At: at("2026-03-02 10:00"), Unit: "housing-construction"},
		audit.Event{CaseID: "G", Seq: 2, Type: "returned", At: at("2026-03-03 10:00"), Unit: "housing-construction"},
		audit.Event{CaseID: "G", Seq: 3, Type: "referred", At: at("2026-03-04 10:00"), Unit: "natural-resources"},
		audit.Event{CaseID: "G", Seq: 4, Type: "returned", At: at("2026-03-05 10:00"), Unit: "natural-resources"},
		// H: due 10 Mar, completed at 17:30 that day, called back unsolved: last minute.
		audit.Event{CaseID: "H", Seq: 1, Type: "referred", At: at("2026-03-02 10:00"), Unit: "xiuyu", DueDate: "2026-03-10"},
		audit.Event{CaseID: "H", Seq: 2, Type: "completed", At: at("2026-03-10 17:30")},
		audit.Event{CaseID: "H", Seq: 3, Type: "called_back", At: at("2026-03-12 10:00"), Satisfied: true},
		// I: completed at 16:00 on its deadline and solved: nothing to flag.
		audit.Event{CaseID: "I", Seq: 1, Type: "referred", At: at("2026-03-02 10:00"), Unit: "commerce", DueDate: "2026-03-10"},
		audit.Event{CaseID: "I", Seq: 2, Type: "completed", At: at("2026-03-10 16:00")},
		audit.Event{CaseID: "I", Seq: 3, Type: "called_back", At: at("2026-03-12 10:00"), Solved: true, Satisfied: true},
	)
	units := audit.Compute(events, calendar.New(), policy, at("2026-01-01 00:00"), at("2026-03-31 00:00"), at("2026-04-15 12:00"))
	var got []string
	for _, f := range audit.Flags(units) {
		got = append(got, f.Kind+" "+f.Unit+" "+strings.Join(f.CaseIDs, ","))
	}
	// Redo rates of the units that completed something: commerce 0, xiuyu 0, natural
	// resources 1/3 — more than twice the median, 0.
	want := []string{"return_ping_pong housing-construction G", "return_ping_pong natural-resources G",
		"redo_outlier natural-resources B", "last_minute_completion xiuyu H"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("flags:\n got %v\nwant %v", got, want)
	}
}

func TestAnAcceptedAppealTakesItsItemsOutOfTheUnitsFigures(t *testing.T) {
	events := handCountedCases()
	// B's overdue time and its yellow card, appealed by natural resources and accepted.
	var withAppeal []audit.Event
	for _, e := range events {
		withAppeal = append(withAppeal, e)
		if e.CaseID == "B" && e.Seq == 10 {
			withAppeal = append(withAppeal, audit.Event{CaseID: "B", Seq: 11, Type: "appeal_accepted", At: at("2026-04-02 10:00"),
				Unit: "natural-resources", Items: []string{"overdue", "yellow_card"}})
		}
	}
	units := audit.Compute(withAppeal, calendar.New(), policy, at("2026-01-01 00:00"), at("2026-03-31 00:00"), at("2026-04-15 12:00"))
	nr := units["natural-resources"].Figures
	if nr.Overdue != 0 || nr.OverdueWorkdays != 0 || nr.CompletedOnTime != 3 || nr.Cards.Yellow != 0 || nr.Cards.Blue != 1 || nr.Redone != 1 {
		t.Errorf("natural resources after the appeal: %+v", nr)
	}
}

// A case's deadlines are those its workflow recorded on the timeline: a unit whose case the
// workflow gave a later deadline (a policy changed since, a calendar entered later) is
// judged by that deadline, not by one the audit would count again today; an event written
// before deadlines were recorded is counted as the workflow counted it.
func TestTheAuditJudgesAUnitByTheDeadlinesTheWorkflowRecorded(t *testing.T) {
	ev := func(c string, seq int, typ, when string, e audit.Event) audit.Event {
		e.CaseID, e.Seq, e.Type, e.At = c, seq, typ, at(when)
		return e
	}
	recorded := &domain.Deadlines{Sign: "2026-03-04", Handling: "2026-03-31"}
	events := []audit.Event{
		// Referred 2 Mar: counted today, sign-for is due 3 Mar and handling 23 Mar; the
		// workflow recorded 4 Mar and 31 Mar. Signed 4 Mar, completed 27 Mar: both on time.
		ev("R", 1, "triaged", "2026-03-01 09:00", audit.Event{SLA: domain.SLAStandard}),
		ev("R", 2, "referred", "2026-03-02 10:00", audit.Event{Unit: "housing-construction", Deadlines: recorded}),
		ev("R", 3, "signed", "2026-03-04 09:00", audit.Event{Unit: "housing-construction"}),
		ev("R", 4, "completed", "2026-03-27 10:00", audit.Event{}),
		// The same timeline without recorded deadlines: late on both counts.
		ev("S", 1, "triaged", "2026-03-01 09:00", audit.Event{SLA: domain.SLAStandard}),
		ev("S", 2, "referred", "2026-03-02 10:00", audit.Event{Unit: "licheng"}),
		ev("S", 3, "signed", "2026-03-04 09:00", audit.Event{Unit: "licheng"}),
		ev("S", 4, "completed", "2026-03-27 10:00", audit.Event{}),
	}
	units := audit.Compute(events, calendar.New(), policy, at("2026-03-01 00:00"), at("2026-03-31 00:00"), at("2026-04-15 12:00"))
	if f := units["housing-construction"].Figures; f.SignedOnTime != 1 || f.CompletedOnTime != 1 || f.Overdue != 0 {
		t.Errorf("with the recorded deadlines: signed on time %d, completed on time %d, overdue %d; want 1, 1, 0",
			f.SignedOnTime, f.CompletedOnTime, f.Overdue)
	}
	if f := units["licheng"].Figures; f.SignedOnTime != 0 || f.CompletedOnTime != 0 || f.Overdue != 1 {
		t.Errorf("counted again: signed on time %d, completed on time %d, overdue %d; want 0, 0, 1",
			f.SignedOnTime, f.CompletedOnTime, f.Overdue)
	}
}

// count has c count the hand-counted cases, one case after another in the order given.
func count(c *audit.Counter, ids ...string) {
	byCase := map[string][]audit.Event{}
	for _, e := range handCountedCases() {
		byCase[e.CaseID] = append(byCase[e.CaseID], e)
	}
	for _, id := range ids {
		c.Case(byCase[id])
	}
}

func TestCasesCountedInAnyOrderAreListedInTheOrderOfTheirIds(t *testing.T) {
	// The hand-counted cases counted C, A, E, B, D: the lists behind the figures read as they
	// do when counted in order.
	from, to, now := at("2026-01-01 00:00"), at("2026-03-31 00:00"), at("2026-04-15 12:00")
	c := audit.NewCounter(calendar.New(), policy, from, to, now)
	count(c, "C", "A", "E", "B", "D")
	got := c.Units()["natural-resources"]
	want := audit.Compute(handCountedCases(), calendar.New(), policy, from, to, now)["natural-resources"]
	if got.Figures != want.Figures {
		t.Fatalf("figures counted out of order:\n got %+v\nwant %+v", got.Figures, want.Figures)
	}
	if !slices.Equal(got.Cases[audit.FigReceived], []string{"A", "B", "C"}) {
		t.Errorf("received: cases %v, want [A B C]", got.Cases[audit.FigReceived])
	}
	for fig, ids := range want.Cases {
		if !slices.Equal(got.Cases[fig], ids) {
			t.Errorf("%s: cases %v, want %v", fig, got.Cases[fig], ids)
		}
	}
}

func TestACounterKeepsTheCasesOnlyOfTheUnitsItIsAskedFor(t *testing.T) {
	from, to, now := at("2026-01-01 00:00"), at("2026-03-31 00:00"), at("2026-04-15 12:00")
	all := audit.Compute(handCountedCases(), calendar.New(), policy, from, to, now)
	c := audit.NewCounter(calendar.New(), policy, from, to, now)
	c.CasesOf(func(unit string) bool { return unit == "licheng" })
	count(c, "A", "B", "C", "D", "E")
	some := c.Units()
	for id, u := range all {
		if some[id] == nil || some[id].Figures != u.Figures {
			t.Errorf("%s: figures %+v, want %+v (the same, cases kept or not)", id, some[id], u.Figures)
		}
	}
	if l := some["licheng"].Cases; !slices.Equal(l[audit.FigReceived], []string{"D"}) || !slices.Equal(l[audit.FigCalledBack], []string{"E"}) {
		t.Errorf("licheng's cases: %v, want received [D], called back [E]", l)
	}
	if n := some["natural-resources"].Cases; len(n) != 0 {
		t.Errorf("natural resources' cases were not asked for, and are %v", n)
	}
}
