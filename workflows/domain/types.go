// Package domain is caseflow's vocabulary: the case and everything said about it (actors,
// events, deadlines, notices), the reference data (units, enterprises, users), and every
// word the mechanism uses — statuses, roles, offices, scopes, lists, categories, outcomes,
// decisions, event types, cards, extension states — with their Chinese labels, the time
// zone and the date layout. It imports only the standard library; every other package takes
// its words from here, and SQL takes them as parameters.
package domain

import (
	"encoding/json"
	"slices"
	"time"
)

// Actor is who did something to a case: the user, their role and their unit.
type Actor struct {
	Username string `json:"username"`
	Role     string `json:"role"`
	Unit     string `json:"unit"`
}

// Callback is the latest answer of an enterprise asked whether its problem is solved (回访).
type Callback struct {
	Solved    bool      `json:"solved"`
	Satisfied bool      `json:"satisfied"`
	Note      string    `json:"note"`
	At        time.Time `json:"at"`
}

// Case is one problem or suggestion raised by an enterprise (企业家意见建议), as the read
// model keeps it. The case workflow owns it; the store only ever receives whole snapshots.
type Case struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	Title        string `json:"title"`
	Description  string `json:"description"`
	Category     string `json:"category"`
	List         string `json:"list"`
	Scope        string `json:"scope"`
	EnterpriseID string `json:"enterprise_id"`
	VisitID      string `json:"visit_id"`
	// InstructionID names the city leader's instruction (批示) the case was raised from
	// (source "instruction"); "" otherwise.
	InstructionID string   `json:"instruction_id,omitempty"`
	AmountCNY     *float64 `json:"amount_cny"`
	Sensitive     bool     `json:"sensitive"`
	Office        string   `json:"office"`
	LeadUnit      string   `json:"lead_unit"`
	CoUnits       []string `json:"co_units"`
	// ReferredUnits are every unit the case has been referred to (lead or co-unit): they
	// see it from then on. Nil for cases recorded before it was kept.
	ReferredUnits []string `json:"referred_units"`
	DueDate       string   `json:"due_date"`
	// Deadlines are the last working days allowed for each step (YYYY-MM-DD; empty when
	// the step is not due).
	Deadlines Deadlines `json:"deadlines"`
	// Overdue is true while the step now due is past its deadline.
	Overdue bool `json:"overdue"`
	// Card is the most severe card issued on the case: none, blue, yellow or red.
	Card string `json:"card"`
	// Notices are the urging and supervision notices issued on the case.
	Notices []CaseNotice `json:"notices"`
	// Extension is the latest extension request (延期申请), if any.
	Extension *Extension `json:"extension"`
	// ExtensionsGranted counts approved extensions; ExtensionsAllowed is how many the
	// lead office allows (1 unless it grants another).
	ExtensionsGranted int `json:"extensions_granted"`
	ExtensionsAllowed int `json:"extensions_allowed"`
	// ReturnedAfterSigning lists units that returned the case after signing for it.
	ReturnedAfterSigning []string `json:"returned_after_signing"`
	SLA                  string   `json:"sla"`
	Priority             string   `json:"priority"`
	Tags                 []string `json:"tags"`
	// RouteProposal is what the routing rules proposed at intake; nil before routing.
	RouteProposal *RouteProposal `json:"route_proposal"`
	Outcome       string         `json:"outcome"`
	Report        string         `json:"report"`
	Resolution    string         `json:"resolution"`
	SignedUnits   []string       `json:"signed_units"`
	Callback      *Callback      `json:"callback"`
	RedoCount     int            `json:"redo_count"`
	ReturnCount   int            `json:"return_count"`
	CreatedBy     string         `json:"created_by"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
	// LastSeq is the sequence number of the case's latest timeline event.
	LastSeq int `json:"last_seq"`
	// ParentID is, for a case merged into a common problem (status merged, then closed
	// with it), the parent case; Children are, for the parent, the cases merged into it.
	ParentID string   `json:"parent_id,omitempty"`
	Children []string `json:"children,omitempty"`
	// Appeals are the units' appeals (申诉) against items of their audit figures for this case.
	Appeals []Appeal `json:"appeals,omitempty"`
}

// Appeal is a unit's appeal against items of its figures for a case, and its decision.
type Appeal struct {
	N         int       `json:"n"`
	Unit      string    `json:"unit"`
	Reason    string    `json:"reason"`
	Items     []string  `json:"items"`
	Status    string    `json:"status"` // pending, accepted, rejected
	At        time.Time `json:"at"`
	Note      string    `json:"note,omitempty"`
	DecidedBy string    `json:"decided_by,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
}

// RouteProposal is the routing rules' proposal for a case, kept as it was made: rule
// changes never change it.
type RouteProposal struct {
	RuleSetVersion int64    `json:"rule_set_version"`
	RuleIDs        []string `json:"rule_ids"`
	Route
	// Reason is "matched" for a full route; otherwise why the case needs manual triage
	// (no_rule_matched, incomplete_route, no_rule_set, routing_failed).
	Reason string `json:"reason"`
}

// Route is what the routing rules propose for a case: the lead office, the lead unit and
// co-units, the SLA class, the priority, the scope and tags.
type Route struct {
	Office   string   `json:"office"`
	LeadUnit string   `json:"lead_unit"`
	CoUnits  []string `json:"co_units"`
	SLA      string   `json:"sla"`
	Priority string   `json:"priority"`
	Scope    string   `json:"scope"`
	Tags     []string `json:"tags"`
}

// Deadlines of a case's steps.
type Deadlines struct {
	Triage   string `json:"triage"`
	Referral string `json:"referral"`
	Sign     string `json:"sign"`
	Handling string `json:"handling"`
	Callback string `json:"callback"`
}

// CaseNotice is one rung of the supervision ladder that fired on a case.
type CaseNotice struct {
	Kind     string    `json:"kind"` // reminder, blue, yellow, red
	No       string    `json:"no,omitempty"`
	Deadline string    `json:"deadline"` // which deadline: triage, referral, sign, handling, callback
	Due      string    `json:"due"`
	At       time.Time `json:"at"`
}

// Extension is a unit's request for more time.
type Extension struct {
	Days        int       `json:"days"`
	Reason      string    `json:"reason"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
	Status      string    `json:"status"` // pending, approved, denied
	Note        string    `json:"note,omitempty"`
}

// Event is one entry of a case's timeline. Seq numbers a case's events from 1 without gaps.
type Event struct {
	CaseID string          `json:"case_id"`
	Seq    int             `json:"seq"`
	Type   string          `json:"type"`
	At     time.Time       `json:"at"`
	Actor  Actor           `json:"actor"`
	Data   json.RawMessage `json:"data"`
	// Hash chains the event to the one before it; set by the store.
	Hash string `json:"hash,omitempty"`
	// Notify, when set, says who is told of the event; the outbox rows are written in
	// the event's transaction.
	Notify *Audience `json:"notify,omitempty"`
}

// Unit is an organisation in the mechanism: a responsible unit (承办单位), a supervision
// office or a part of the Federation.
type Unit struct {
	ID   string `json:"id" db:"id"`
	Name string `json:"name" db:"name"`
	Kind string `json:"kind" db:"kind"`
}

// Unit kinds.
const (
	UnitCounty         = "county"
	UnitAdminCommittee = "admin_committee"
	UnitDepartment     = "department"
	UnitOffice         = "office"
	UnitFederation     = "federation"
)

// Responsible reports whether cases can be referred to the unit (承办单位).
func (u Unit) Responsible() bool {
	return u.Kind == UnitCounty || u.Kind == UnitAdminCommittee || u.Kind == UnitDepartment
}

// Enterprise is a private enterprise or chamber the Federation serves (一企一档's profile).
type Enterprise struct {
	ID            string    `json:"id" db:"id"`
	Name          string    `json:"name" db:"name"`
	County        string    `json:"county" db:"county"`
	IndustryChain string    `json:"industry_chain" db:"industry_chain"`
	MemberKind    string    `json:"member_kind" db:"member_kind"`
	Size          string    `json:"size" db:"size"`
	IsKey         bool      `json:"is_key" db:"is_key"`
	ContactName   string    `json:"contact_name" db:"contact_name"`
	ContactPhone  string    `json:"contact_phone" db:"contact_phone"`
	CreatedAt     time.Time `json:"created_at" db:"created_at"`
	// Version counts the edits of the enterprise (1 as entered or imported); each edit's
	// changes are kept (EnterpriseVersion).
	Version int `json:"version" db:"version"`
	// Operations are its figures by year, oldest first; Projects its projects under
	// construction.
	Operations []Operation `json:"operations" db:"operations"`
	Projects   []Project   `json:"projects" db:"projects"`
}

// User is someone who signs in to caseflow.
type User struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Unit        string `json:"unit"`
}

// Actor returns the user as the actor of a case event.
func (u User) Actor() Actor { return Actor{Username: u.Username, Role: u.Role, Unit: u.Unit} }

// Audience says who is told of an event: the users of some units and supervision offices,
// every user of some roles, and some users by name.
type Audience struct {
	Units   []string `json:"units,omitempty"`
	Offices []string `json:"offices,omitempty"`
	Roles   []string `json:"roles,omitempty"`
	Users   []string `json:"users,omitempty"`
}

// Visit is one visit by the Federation's leaders to enterprises (走访日志).
type Visit struct {
	ID              string           `json:"id"`
	Date            string           `json:"date"` // YYYY-MM-DD, Asia/Shanghai
	Leaders         []string         `json:"leaders"`
	EnterpriseIDs   []string         `json:"enterprise_ids"`
	Method          string           `json:"method"`
	Topics          []string         `json:"topics"`
	Notes           string           `json:"notes"`
	InvestmentLeads []InvestmentLead `json:"investment_leads"`
	Problems        []VisitProblem   `json:"problems"`
	// CaseIDs are the cases the problems became, in the problems' order.
	CaseIDs   []string  `json:"case_ids"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// InvestmentLead is an investment lead heard on a visit (招商线索).
type InvestmentLead struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

// VisitProblem is a problem heard on a visit; it becomes a case.
type VisitProblem struct {
	EnterpriseID string   `json:"enterprise_id"`
	Title        string   `json:"title"`
	Description  string   `json:"description"`
	Category     string   `json:"category"`
	List         string   `json:"list"`
	AmountCNY    *float64 `json:"amount_cny,omitempty"`
	Sensitive    bool     `json:"sensitive,omitempty"`
}

// PlanMeasure is one measure of an enterprise's plan (一企一策).
type PlanMeasure struct {
	Title     string `json:"title"`
	OwnerUnit string `json:"owner_unit"`
	DueDate   string `json:"due_date"`
	Status    string `json:"status"` // planned, in_progress, done
	Note      string `json:"note"`
}

// Plan is a version of an enterprise's plan.
type Plan struct {
	Version   int           `json:"version"`
	Measures  []PlanMeasure `json:"measures"`
	UpdatedAt *time.Time    `json:"updated_at"`
	UpdatedBy string        `json:"updated_by"`
}

// What a case waits for, as the to-do lists count it (Case.Pending).
const (
	PendingExtension = "extension" // an extension request awaits the lead office's decision
	PendingCallback  = "callback"  // completed: the enterprise is to be called back
	PendingClose     = "close"     // called back: the lead office is to close it out
	pendingSignFor   = "sign:"     // + a unit: referred to the unit, not signed for yet
)

// PendingSignFor is what a case referred to unit waits for until the unit signs for it.
func PendingSignFor(unit string) string { return pendingSignFor + unit }

// Pending is what the case waits for now, beside its status: each unit it is referred to
// and that has not signed for it, an extension request to decide, a callback to make, a
// close-out. The read model keeps it, so that every to-do count is one indexed query.
func (c *Case) Pending() []string {
	out := []string{}
	switch c.Status {
	case StatusHandling:
		for _, u := range append([]string{c.LeadUnit}, c.CoUnits...) {
			if u != "" && !slices.Contains(c.SignedUnits, u) && !slices.Contains(out, PendingSignFor(u)) {
				out = append(out, PendingSignFor(u))
			}
		}
		if c.Extension != nil && c.Extension.Status == ExtensionPending {
			out = append(out, PendingExtension)
		}
	case StatusFollowUp:
		if c.Callback == nil {
			out = append(out, PendingCallback)
		} else {
			out = append(out, PendingClose)
		}
	}
	return out
}

// Operation is an enterprise's figures for a year (经营情况): output value (产值), people
// employed (用工) and taxes paid (纳税); a figure not known is null.
type Operation struct {
	Year           int      `json:"year"`
	OutputValueCNY *float64 `json:"output_value_cny"`
	Employees      *int     `json:"employees"`
	TaxCNY         *float64 `json:"tax_cny"`
}

// Project is an enterprise's project under construction (在建项目).
type Project struct {
	Name          string   `json:"name"`
	InvestmentCNY *float64 `json:"investment_cny"`
	// Started and DueBy are dates (YYYY-MM-DD, or "" when not known).
	Started string `json:"started"`
	DueBy   string `json:"due_by"`
	Status  string `json:"status"`
	Note    string `json:"note"`
}

// ProjectStatuses name the states of a project.
var ProjectStatuses = map[string]string{"building": "在建", "suspended": "停缓建", "completed": "已竣工"}

// EnterpriseChange is one field an edit of an enterprise changed, from what to what.
type EnterpriseChange struct {
	Field string `json:"field"`
	From  any    `json:"from"`
	To    any    `json:"to"`
}

// EnterpriseVersion is one edit of an enterprise: the version it made, who and when, and
// what it changed.
type EnterpriseVersion struct {
	Version   int                `json:"version" db:"version"`
	ChangedBy string             `json:"changed_by" db:"changed_by"`
	ChangedAt time.Time          `json:"changed_at" db:"changed_at"`
	Changes   []EnterpriseChange `json:"changes" db:"changes"`
}
