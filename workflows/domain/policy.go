package domain

// SLAPolicy says how many working days each step may take, and when the supervision
// ladder fires. DefaultPolicy holds the mechanism's defaults.
type SLAPolicy struct {
	TriageDays   int            `json:"triage_days"`   // from intake
	ReferralDays int            `json:"referral_days"` // from triage (or a return)
	SignDays     int            `json:"sign_days"`     // from referral
	HandlingDays map[string]int `json:"handling_days"` // from referral (or a redo), by SLA class
	CallbackDays int            `json:"callback_days"` // from completion
	// The ladder, in working days relative to a deadline.
	ReminderBefore int `json:"reminder_before"` // a reminder this many working days before
	UrgeAfter      int `json:"urge_after"`      // urging notice (催办, blue) this many after
	YellowAfter    int `json:"yellow_after"`    // yellow card (黄牌) and a numbered notice
	RedAfter       int `json:"red_after"`       // red card (红牌), escalated to the leaders
	// LadderHour is the hour of the day (Shanghai) at which the ladder's notices go out.
	LadderHour int `json:"ladder_hour"`
}

// DefaultPolicy: triage within 3 working days of intake, referral within 2 of triage,
// sign-for within 1 of referral, handling in 15 (standard), 5 (urgent) or 30 (complex),
// callback within 5 of completion; reminder 2 days before, urging the day after, yellow
// card 3 days overdue, red card 5 days overdue.
var DefaultPolicy = SLAPolicy{
	TriageDays: 3, ReferralDays: 2, SignDays: 1,
	HandlingDays: map[string]int{SLAStandard: 15, SLAUrgent: 5, SLAComplex: 30},
	CallbackDays: 5, ReminderBefore: 2, UrgeAfter: 1, YellowAfter: 3, RedAfter: 5, LadderHour: 9,
}

// HandlingDaysFor is the handling budget of an SLA class (standard when unknown): the
// workflow sets the deadline with it and the audit checks completions against it.
func (p SLAPolicy) HandlingDaysFor(sla string) int {
	if d, ok := p.HandlingDays[sla]; ok {
		return d
	}
	return p.HandlingDays[SLAStandard]
}
