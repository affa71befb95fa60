// Package audit computes the efficiency office's figures for each responsible unit from the
// cases' timelines, in working days on the statutory calendar. It is pure: the store reads
// the events, this package counts them.
package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/putian-fic/caseflow/activities/calendar"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Event is what the figures read of one timeline event.
type Event struct {
	CaseID string
	Seq    int
	Type   string
	At     time.Time
	// Unit: the lead unit of a referral; the unit that signed, returned, or is named by a
	// supervision notice.
	Unit string
	// DueDate: a referral's due date, if the office gave one.
	DueDate string
	// SLA: the SLA class chosen at triage.
	SLA string
	// Days: the working days an approved extension adds.
	Days int
	// Deadline: which deadline a supervision notice is about.
	Deadline string
	// Solved, Satisfied, Redo: a callback's answer, and whether it sent the case back.
	Solved, Satisfied, Redo bool
	// Items: what an accepted appeal takes out of the appealing unit's (Unit) figures.
	Items []string
	// Deadlines: the deadlines the event set, as the workflow recorded them on a referral,
	// an approved extension or a callback that sends the case back (nil on events written
	// before they were recorded: those deadlines are counted again as the workflow did).
	Deadlines *domain.Deadlines
}

// Types are the event types the figures read; the store reads only those.
var Types = []string{domain.EventTriaged, domain.EventReferred, domain.EventSigned, domain.EventReturned,
	domain.EventExtensionRequested, domain.EventExtensionApproved, domain.EventCompleted, domain.EventCalledBack,
	domain.EventUrged, domain.EventYellowCard, domain.EventRedCard, domain.EventAppealAccepted}

// CasesBehind names, for each figure a scoring scheme may read (m.<name>), the lists of
// Unit.Cases that stand behind it: a count's own cases, a rate's (the cases of the events it
// counts, and for a completion, callback or sign-for rate those it divides by). The cases
// behind a score item are those of the figures its expression reads (Item.Figures).
var CasesBehind = map[string][]string{
	"received": {FigReceived}, "signed": {FigSigned}, "signed_on_time": {FigSignedOnTime},
	"sign_on_time_rate": {FigSigned, FigSignedOnTime}, "completed": {FigCompleted},
	"completed_on_time": {FigCompletedOnTime}, "on_time_rate": {FigCompleted, FigCompletedOnTime},
	"overdue": {FigOverdue}, "overdue_workdays": {FigOverdue},
	"extensions_requested": {FigExtensionsRequested}, "extensions_granted": {FigExtensionsGranted},
	"returned": {FigReturned}, "return_rate": {FigReturned}, "redone": {FigRedone}, "redo_rate": {FigRedone},
	"called_back": {FigCalledBack}, "solved": {FigSolved}, "solved_rate": {FigCalledBack, FigSolved},
	"satisfied": {FigSatisfied}, "satisfied_rate": {FigCalledBack, FigSatisfied},
	"handling_workdays": {FigCompleted}, "avg_handling_workdays": {FigCompleted},
	"cards": {FigBlue, FigYellow, FigRed}, "cards.blue": {FigBlue}, "cards.yellow": {FigYellow}, "cards.red": {FigRed},
}

// Cards counts the supervision notices about a unit's own deadlines (sign-for, handling).
type Cards struct {
	Blue   int `json:"blue"`
	Yellow int `json:"yellow"`
	Red    int `json:"red"`
}

// Figures are one unit's figures for a period. The counts are of events dated in the period
// (Asia/Shanghai); the rates divide two of them (0 when nothing is counted).
type Figures struct {
	Received            int     `json:"received"`              // referred to the unit as lead
	Signed              int     `json:"signed"`                // signed for as lead
	SignedOnTime        int     `json:"signed_on_time"`        // by the sign-for deadline
	SignOnTimeRate      float64 `json:"sign_on_time_rate"`     // 及时签收率 = signed_on_time ÷ signed
	Completed           int     `json:"completed"`             // completion reports
	CompletedOnTime     int     `json:"completed_on_time"`     // by the handling deadline, extensions counted
	OnTimeRate          float64 `json:"on_time_rate"`          // 按时办结率 = completed_on_time ÷ completed
	Overdue             int     `json:"overdue"`               // cases past their handling deadline during the period
	OverdueWorkdays     int     `json:"overdue_workdays"`      // working days past it, inside the period
	ExtensionsRequested int     `json:"extensions_requested"`  //
	ExtensionsGranted   int     `json:"extensions_granted"`    //
	Returned            int     `json:"returned"`              // sent back (退回)
	ReturnRate          float64 `json:"return_rate"`           // 回退率 = returned ÷ received
	Redone              int     `json:"redone"`                // sent back to it after an unsatisfied callback (重办)
	RedoRate            float64 `json:"redo_rate"`             // 重办率 = redone ÷ completed
	CalledBack          int     `json:"called_back"`           // callbacks on its completions
	Solved              int     `json:"solved"`                //
	SolvedRate          float64 `json:"solved_rate"`           // 解决率 = solved ÷ called_back
	Satisfied           int     `json:"satisfied"`             //
	SatisfiedRate       float64 `json:"satisfied_rate"`        // 满意率 = satisfied ÷ called_back
	HandlingWorkdays    int     `json:"handling_workdays"`     // referral (or redo) to completion, summed
	AvgHandlingWorkdays float64 `json:"avg_handling_workdays"` // handling_workdays ÷ completed
	Cards               Cards   `json:"cards"`
}

// Figure names, as in Figures' JSON and in the lists of cases behind them.
const (
	FigReceived            = "received"
	FigSigned              = "signed"
	FigSignedOnTime        = "signed_on_time"
	FigCompleted           = "completed"
	FigCompletedOnTime     = "completed_on_time"
	FigOverdue             = "overdue"
	FigExtensionsRequested = "extensions_requested"
	FigExtensionsGranted   = "extensions_granted"
	FigReturned            = "returned"
	FigRedone              = "redone"
	FigCalledBack          = "called_back"
	FigSolved              = "solved"
	FigSatisfied           = "satisfied"
	FigBlue                = "blue"
	FigYellow              = "yellow"
	FigRed                 = "red"
)

// Unit is one unit's figures and the cases behind each.
type Unit struct {
	Figures
	Cases map[string][]string `json:"cases"`
	// refs are the cases behind each figure while counting, as indexes into the counter's
	// case ids (Units turns them into Cases): four bytes an entry and no pointer for the
	// collector to follow — a year's lists at a million cases are millions of entries.
	refs map[string][]int32
	// noCases: only the counts are kept (Counter.CasesOf).
	noCases bool
	// For the anti-gaming flags: cases returned more than once, one of the returns by
	// this unit in the period; cases it completed in the last working hour of their
	// deadline that were then called back unsolved.
	pingPong, lastMinute []string
}

func (u *Unit) add(fig string, c *caseRef, n *int) {
	*n++
	if u.noCases {
		return
	}
	ref := c.index()
	if l := u.refs[fig]; len(l) == 0 || l[len(l)-1] != ref {
		u.refs[fig] = append(l, ref)
	}
}

// caseRef is the case being counted, given an index into the counter's case ids when a
// figure first counts it.
type caseRef struct {
	id  string
	ref int32 // -1 until counted
	ids *[]string
}

func (c *caseRef) index() int32 {
	if c.ref < 0 {
		*c.ids = append(*c.ids, c.id)
		c.ref = int32(len(*c.ids) - 1)
	}
	return c.ref
}

// Compute counts the figures of every unit over [from, to] (dates, both included) from the
// events of the cases, each case's in seq order, cases one after another. now ends the
// overdue time of a case still being handled.
func Compute(events []Event, cal *calendar.Calendar, policy domain.SLAPolicy, from, to, now time.Time) map[string]*Unit {
	c := NewCounter(cal, policy, from, to, now)
	for i := 0; i < len(events); {
		j := i
		for j < len(events) && events[j].CaseID == events[i].CaseID {
			j++
		}
		c.Case(events[i:j])
		i = j
	}
	return c.Units()
}

// Counter counts the figures one case at a time, as the store streams the timelines: what it
// holds grows with the units and the cases behind their figures, never with the events.
type Counter struct {
	cal      *calendar.Calendar
	idx      *index
	policy   domain.SLAPolicy
	from, to time.Time // days
	now      time.Time
	units    map[string]*Unit
	ids      []string // the cases behind some figure, as Unit.refs index them
	keep     func(unit string) bool
	in       func(time.Time) bool
	unitFor  func(string) *Unit
}

// NewCounter starts counting the figures over [from, to] (dates, both included); now ends
// the overdue time of a case still being handled.
func NewCounter(cal *calendar.Calendar, policy domain.SLAPolicy, from, to, now time.Time) *Counter {
	c := &Counter{cal: cal, policy: policy, from: day(from), to: day(to), now: now, units: map[string]*Unit{}}
	c.in = func(t time.Time) bool { d := day(t); return !d.Before(c.from) && !d.After(c.to) }
	c.unitFor = func(id string) *Unit {
		u := c.units[id]
		if u == nil {
			u = &Unit{Cases: map[string][]string{}, refs: map[string][]int32{}, noCases: c.keep != nil && !c.keep(id)}
			c.units[id] = u
		}
		return u
	}
	return c
}

// CasesOf keeps the cases behind the figures only of the units keep names (by default every
// unit's); the others' Cases stay empty. Before the first case: a report that shows no
// cases counts faster and holds a fraction of the memory (a year's lists at a million cases
// are millions of entries).
func (c *Counter) CasesOf(keep func(unit string) bool) {
	c.keep = keep
}

// Case counts one case's events (in seq order).
func (c *Counter) Case(evs []Event) {
	if len(evs) == 0 {
		return
	}
	// The working-day table reaches back to the case's first event (a year more at a time:
	// cases come roughly in the order they were raised).
	if first := day(evs[0].At); c.idx == nil || first.Before(c.idx.first.AddDate(0, 0, 1)) {
		c.idx = newIndex(c.cal, first.AddDate(0, 0, -366), c.to, c.now)
	}
	replay(evs, &caseRef{id: evs[0].CaseID, ref: -1, ids: &c.ids}, c.idx, c.policy, c.in, c.unitFor, c.from, c.to, day(c.now))
}

// Units is every unit's figures, with their rates, over the cases counted.
func (c *Counter) Units() map[string]*Unit {
	// Cases counted in the order of their ids (as the store streams them) leave every list in
	// order. Otherwise each case's rank among the ids orders the lists.
	var rank []int32
	if !slices.IsSorted(c.ids) {
		order := make([]int32, len(c.ids))
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortFunc(order, func(a, b int32) int { return strings.Compare(c.ids[a], c.ids[b]) })
		rank = make([]int32, len(c.ids))
		for r, i := range order {
			rank[i] = int32(r)
		}
	}
	for _, u := range c.units {
		for fig, refs := range u.refs {
			if rank != nil {
				slices.SortFunc(refs, func(a, b int32) int { return cmp.Compare(rank[a], rank[b]) })
			}
			refs = slices.Compact(refs)
			ids := make([]string, len(refs))
			for i, ref := range refs {
				ids[i] = c.ids[ref]
			}
			u.Cases[fig] = ids
		}
		f := &u.Figures
		f.SignOnTimeRate = rate(f.SignedOnTime, f.Signed)
		f.OnTimeRate = rate(f.CompletedOnTime, f.Completed)
		f.ReturnRate = rate(f.Returned, f.Received)
		f.RedoRate = rate(f.Redone, f.Completed)
		f.SolvedRate = rate(f.Solved, f.CalledBack)
		f.SatisfiedRate = rate(f.Satisfied, f.CalledBack)
		f.AvgHandlingWorkdays = rate(f.HandlingWorkdays, f.Completed)
	}
	return c.units
}

func rate(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// replay walks one case's events.
func replay(evs []Event, c *caseRef, idx *index, policy domain.SLAPolicy, in func(time.Time) bool, unit func(string) *Unit, from, to, today time.Time) {
	caseID := evs[0].CaseID
	// What accepted appeals take out, by unit: whenever accepted, it holds for every period
	// computed from then on (frozen periods keep what they stored).
	waived := map[string]map[string]bool{}
	for _, e := range evs {
		if e.Type == domain.EventAppealAccepted && e.Unit != "" {
			if waived[e.Unit] == nil {
				waived[e.Unit] = map[string]bool{}
			}
			for _, it := range e.Items {
				waived[e.Unit][it] = true
			}
		}
	}
	waives := func(unit, item string) bool { return waived[unit][item] }
	var (
		lead, sla, completedBy string
		signDue, handlingDue   time.Time
		start                  time.Time // the handling episode's start: a referral or a redo
		handling, signedLead   bool
		overdueCounted         = map[string]bool{}
		returns                int
		returnedBy             []string // units that returned the case in the period
		lastMinute             string   // the unit that completed in the deadline's last hour, until the callback
	)
	// endEpisode counts the time past the handling deadline, inside the period, of the
	// episode ending at end.
	endEpisode := func(end time.Time) {
		if !handling || lead == "" {
			return
		}
		handling = false
		if waives(lead, "overdue") {
			return
		}
		last := day(end)
		first := handlingDue.AddDate(0, 0, 1)
		if first.Before(from) {
			first = from
		}
		if last.After(to) {
			last = to
		}
		if last.Before(first) {
			return
		}
		u := unit(lead)
		if !overdueCounted[lead] {
			overdueCounted[lead] = true
			u.add(FigOverdue, c, &u.Overdue)
		}
		u.OverdueWorkdays += idx.between(first.AddDate(0, 0, -1), last)
	}
	for _, e := range evs {
		at := e.At
		switch e.Type {
		case domain.EventTriaged:
			if e.SLA != "" {
				sla = e.SLA
			}
		case domain.EventReferred:
			endEpisode(at)
			lead, signedLead, handling, start = e.Unit, false, true, at
			signDue = idx.add(at, policy.SignDays)
			handlingDue = idx.add(at, policy.HandlingDaysFor(sla))
			if d, err := calendar.ParseDate(e.DueDate); e.DueDate != "" && err == nil {
				handlingDue = d
			}
			signDue = recorded(e, func(d *domain.Deadlines) string { return d.Sign }, signDue)
			handlingDue = recorded(e, func(d *domain.Deadlines) string { return d.Handling }, handlingDue)
			if in(at) && lead != "" {
				u := unit(lead)
				u.add(FigReceived, c, &u.Received)
			}
		case domain.EventSigned:
			if e.Unit != lead || signedLead || lead == "" {
				continue
			}
			signedLead = true
			if in(at) {
				u := unit(lead)
				u.add(FigSigned, c, &u.Signed)
				if !day(at).After(signDue) || waives(lead, "late_sign") {
					u.add(FigSignedOnTime, c, &u.SignedOnTime)
				}
			}
		case domain.EventReturned:
			endEpisode(at)
			returns++
			if in(at) && e.Unit != "" && !waives(e.Unit, "returned") {
				u := unit(e.Unit)
				u.add(FigReturned, c, &u.Returned)
				returnedBy = append(returnedBy, e.Unit)
			}
		case domain.EventExtensionRequested:
			if in(at) && lead != "" {
				u := unit(lead)
				u.add(FigExtensionsRequested, c, &u.ExtensionsRequested)
			}
		case domain.EventExtensionApproved:
			handlingDue = recorded(e, func(d *domain.Deadlines) string { return d.Handling }, idx.add(handlingDue, e.Days))
			if in(at) && lead != "" {
				u := unit(lead)
				u.add(FigExtensionsGranted, c, &u.ExtensionsGranted)
			}
		case domain.EventCompleted:
			if lead == "" {
				continue
			}
			completedBy, lastMinute = lead, ""
			if in(at) && day(at).Equal(handlingDue) && at.In(domain.Shanghai).Hour() >= LastWorkingHour {
				lastMinute = lead
			}
			if in(at) {
				u := unit(lead)
				u.add(FigCompleted, c, &u.Completed)
				if !day(at).After(handlingDue) || waives(lead, "overdue") {
					u.add(FigCompletedOnTime, c, &u.CompletedOnTime)
				}
				u.HandlingWorkdays += idx.between(start, at)
			}
			endEpisode(at)
		case domain.EventCalledBack:
			if completedBy == "" {
				continue
			}
			if in(at) {
				u := unit(completedBy)
				u.add(FigCalledBack, c, &u.CalledBack)
				if e.Solved {
					u.add(FigSolved, c, &u.Solved)
				}
				if e.Satisfied {
					u.add(FigSatisfied, c, &u.Satisfied)
				}
				if e.Redo && !waives(completedBy, "redo") {
					u.add(FigRedone, c, &u.Redone)
				}
			}
			if lastMinute != "" && !e.Solved {
				u := unit(lastMinute)
				u.lastMinute = append(u.lastMinute, caseID)
			}
			lastMinute = ""
			if e.Redo { // handled again, with a new deadline
				lead, handling, start = completedBy, true, at
				handlingDue = recorded(e, func(d *domain.Deadlines) string { return d.Handling }, idx.add(at, policy.HandlingDaysFor(sla)))
			}
		case domain.EventUrged, domain.EventYellowCard, domain.EventRedCard:
			if (e.Deadline != domain.DeadlineSign && e.Deadline != domain.DeadlineHandling) || e.Unit == "" || !in(at) {
				continue
			}
			u := unit(e.Unit)
			switch {
			case e.Type == domain.EventUrged && !waives(e.Unit, "blue_card"):
				u.add(FigBlue, c, &u.Cards.Blue)
			case e.Type == domain.EventYellowCard && !waives(e.Unit, "yellow_card"):
				u.add(FigYellow, c, &u.Cards.Yellow)
			case e.Type == domain.EventRedCard && !waives(e.Unit, "red_card"):
				u.add(FigRed, c, &u.Cards.Red)
			}
		}
	}
	endEpisode(today) // still being handled: overdue until today
	if returns > 1 {
		for _, id := range slices.Compact(returnedBy) {
			u := unit(id)
			u.pingPong = append(u.pingPong, caseID)
		}
	}
}

// recorded is the deadline the event recorded (which picks it of the deadlines), or else
// counted: the deadline as the workflow counted it, for events written before deadlines
// were recorded on the timeline.
func recorded(e Event, which func(*domain.Deadlines) string, counted time.Time) time.Time {
	if e.Deadlines == nil {
		return counted
	}
	if d, err := calendar.ParseDate(which(e.Deadlines)); err == nil {
		return d
	}
	return counted
}

// LastWorkingHour starts the last working hour of a day (17:00–18:00, Asia/Shanghai): a
// completion on its deadline day from then on is "last minute".
const LastWorkingHour = 17

// The kinds of flag.
const (
	FlagReturnPingPong       = "return_ping_pong"
	FlagLastMinuteCompletion = "last_minute_completion"
	FlagRedoOutlier          = "redo_outlier"
)

// FlagKinds are every kind of flag.
var FlagKinds = []string{FlagReturnPingPong, FlagLastMinuteCompletion, FlagRedoOutlier}

// Flag is one pattern the efficiency office should look at (anti-gaming).
type Flag struct {
	Kind    string   `json:"kind"`
	Unit    string   `json:"unit"`
	CaseIDs []string `json:"case_ids"`
	Note    string   `json:"note"`
}

// Flags finds, among the units' figures: return_ping_pong (a case returned more than once,
// one of the returns in the period by the unit), last_minute_completion (completed in the
// last working hour of its deadline day, then called back unsolved), redo_outlier (a redo
// rate more than twice the median of the units that completed something).
func Flags(units map[string]*Unit) []Flag {
	ids := make([]string, 0, len(units))
	var rates []float64
	for id, u := range units {
		ids = append(ids, id)
		if u.Completed > 0 {
			rates = append(rates, u.RedoRate)
		}
	}
	slices.Sort(ids)
	slices.Sort(rates)
	median := 0.0
	if n := len(rates); n > 0 {
		median = rates[n/2]
		if n%2 == 0 {
			median = (rates[n/2-1] + rates[n/2]) / 2
		}
	}
	flags := []Flag{}
	for _, id := range ids {
		u := units[id]
		if len(u.pingPong) > 0 {
			flags = append(flags, Flag{Kind: FlagReturnPingPong, Unit: id, CaseIDs: sortedIDs(u.pingPong),
				Note: "案件被退回不止一次，其中一次由本单位退回 (returned more than once, once by this unit)"})
		}
		if len(u.lastMinute) > 0 {
			flags = append(flags, Flag{Kind: FlagLastMinuteCompletion, Unit: id, CaseIDs: sortedIDs(u.lastMinute),
				Note: "在办理期限最后一个工作小时内办结，回访未解决 (completed in the deadline's last working hour, then called back unsolved)"})
		}
		if u.Completed > 0 && u.Redone > 0 && u.RedoRate > 2*median {
			flags = append(flags, Flag{Kind: FlagRedoOutlier, Unit: id, CaseIDs: sortedIDs(u.Cases[FigRedone]),
				Note: fmt.Sprintf("重办率 %.0f%%，超过各单位中位数 %.0f%% 的两倍 (redo rate over twice the median)", u.RedoRate*100, median*100)})
		}
	}
	return flags
}

func sortedIDs(ids []string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// day is the start of t's day in Asia/Shanghai.
func day(t time.Time) time.Time {
	t = t.In(domain.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, domain.Shanghai)
}

// index answers working-day questions over a range of days from a table built once.
type index struct {
	first time.Time
	work  []bool
	cum   []int // working days in (first, first+i]
	cal   *calendar.Calendar
}

// newIndex tables the working days from the day before first to 200 days past the later of
// to and now (deadlines run past the last event).
func newIndex(cal *calendar.Calendar, first, to, now time.Time) *index {
	first, last := day(first), day(now)
	if day(to).After(last) {
		last = day(to)
	}
	if day(to).Before(first) {
		first = day(to)
	}
	first = first.AddDate(0, 0, -1)
	last = last.AddDate(0, 0, 200)
	n := int(last.Sub(first).Hours()/24) + 2
	idx := &index{first: first, work: make([]bool, n), cum: make([]int, n), cal: cal}
	for i := 1; i < n; i++ {
		idx.work[i] = cal.IsWorkday(first.AddDate(0, 0, i))
		idx.cum[i] = idx.cum[i-1]
		if idx.work[i] {
			idx.cum[i]++
		}
	}
	return idx
}

func (x *index) pos(t time.Time) int {
	return int(day(t).Sub(x.first).Hours()/24 + 0.5)
}

// add is the n-th working day after t's day (as calendar.AddWorkdays).
func (x *index) add(t time.Time, n int) time.Time {
	i := x.pos(t)
	if i < 0 || n <= 0 {
		return x.cal.AddWorkdays(t, n)
	}
	for j := i + 1; j < len(x.work); j++ {
		if x.cum[j]-x.cum[i] == n && x.work[j] {
			return x.first.AddDate(0, 0, j)
		}
	}
	return x.cal.AddWorkdays(t, n)
}

// between counts the working days after a's day up to b's day included.
func (x *index) between(a, b time.Time) int {
	i, j := x.pos(a), x.pos(b)
	if j <= i {
		return 0
	}
	if i < 0 || j >= len(x.cum) {
		n := 0
		for d := day(a).AddDate(0, 0, 1); !d.After(day(b)); d = d.AddDate(0, 0, 1) {
			if x.cal.IsWorkday(d) {
				n++
			}
		}
		return n
	}
	return x.cum[j] - x.cum[i]
}
