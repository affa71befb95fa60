package domain

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// The data of each timeline event type, one Go type per type: the workflows write them,
// the audit reads them (activities/audit), the API redacts their sensitive fields (tagged
// `caseflow:"sensitive"`) and documents them. Their JSON is what the timeline has always
// held: the fields of a type that once was a map are in the map's (alphabetical) order, and
// a field absent from some of a type's events is a pointer left out when nil. An event
// stored before a field existed decodes with the field's zero value.

// Created is the data of a "created" event.
type Created struct {
	Category     string `json:"category"`
	EnterpriseID string `json:"enterprise_id"`
	List         string `json:"list"`
	Sensitive    bool   `json:"sensitive"`
	Title        string `json:"title"`
	VisitID      string `json:"visit_id"`
	// InstructionID, for a case raised from a city leader's instruction: the instruction.
	InstructionID *string `json:"instruction_id,omitempty"`
}

// Routed is the data of a "routed" event: the rules' proposal.
type Routed = RouteProposal

// Override is a field that triage chose other than the rules proposed.
type Override struct {
	Field    string `json:"field"`
	Proposed any    `json:"proposed"`
	Chosen   any    `json:"chosen"`
}

// Triage is the member department's decision at triage (会员部梳理), as the action's body
// (workflows.TriageBody) carries it and the triaged event records it.
type Triage struct {
	Decision       string    `json:"decision"`
	Category       string    `json:"category,omitempty"`
	Scope          string    `json:"scope,omitempty"`
	List           string    `json:"list,omitempty"`
	Office         string    `json:"office,omitempty"`
	LeadUnit       string    `json:"lead_unit,omitempty"`
	CoUnits        *[]string `json:"co_units,omitempty"`
	SLA            string    `json:"sla,omitempty"`
	Priority       string    `json:"priority,omitempty"`
	Note           string    `json:"note,omitempty" caseflow:"sensitive"`
	OverrideReason string    `json:"override_reason,omitempty" caseflow:"sensitive"`
	Answer         string    `json:"answer,omitempty" caseflow:"sensitive"`
	Reason         string    `json:"reason,omitempty" caseflow:"sensitive"`
}

// Triaged is the data of a "triaged" event: the member department's decision, and for a
// referral the route it chose (Overrides: where it differs from the proposal).
type Triaged struct {
	Triage
	Overrides *[]Override `json:"overrides,omitempty"`
}

// Referred is the data of a "referred" event (转办).
type Referred struct {
	CoUnits []string `json:"co_units"`
	// Deadlines are the case's deadlines as the referral set them (the sign-for and the
	// handling deadline); nil on events written before they were recorded.
	Deadlines    *Deadlines `json:"deadlines,omitempty"`
	DueDate      string     `json:"due_date"`
	Instructions string     `json:"instructions" caseflow:"sensitive"`
	LeadUnit     string     `json:"lead_unit"`
}

// Signed is the data of a "signed" event: the unit that signed for the case.
type Signed struct {
	Unit string `json:"unit"`
}

// Progressed is the data of a "progress" event.
type Progressed struct {
	Note string `json:"note" caseflow:"sensitive"`
	Unit string `json:"unit"`
}

// Returned is the data of a "returned" event: a unit gives the case back, and why.
type Returned struct {
	Grounds string `json:"grounds" caseflow:"sensitive"`
	Unit    string `json:"unit"`
}

// Completed is the data of a "completed" event: the lead unit's completion report.
type Completed struct {
	Outcome string `json:"outcome"`
	Report  string `json:"report" caseflow:"sensitive"`
}

// CalledBack is the data of a "called_back" event: the enterprise's answer, and whether it
// sent the case back to be handled again (RedoCount: the how many-th time).
type CalledBack struct {
	// Deadlines, on a callback that sends the case back, are the deadlines it set (the new
	// handling deadline); nil otherwise, and on events written before they were recorded.
	Deadlines *Deadlines `json:"deadlines,omitempty"`
	Note      string     `json:"note" caseflow:"sensitive"`
	Redo      bool       `json:"redo"`
	RedoCount int        `json:"redo_count,omitempty"`
	Satisfied bool       `json:"satisfied"`
	Solved    bool       `json:"solved"`
}

// Closed is the data of a "closed" event: closed out by the lead office (Note, Outcome),
// with its common problem's parent (ParentID, Note, Outcome), or at triage (Reason: the
// decision).
type Closed struct {
	Note     *string `json:"note,omitempty" caseflow:"sensitive"`
	Outcome  *string `json:"outcome,omitempty"`
	ParentID *string `json:"parent_id,omitempty"`
	Reason   *string `json:"reason,omitempty"`
}

// Reopened is the data of a "reopened" event: why, and the status the case returns to.
type Reopened struct {
	// ParentID, on a child reopened with its common problem's parent: the parent.
	ParentID *string `json:"parent_id,omitempty"`
	Reason   string  `json:"reason" caseflow:"sensitive"`
	Status   string  `json:"status"`
}

// Commented is the data of a "commented" event.
type Commented struct {
	Text string `json:"text" caseflow:"sensitive"`
}

// MergeRefusal is a case that would not be merged, and why.
type MergeRefusal struct {
	CaseID string `json:"case_id"`
	Reason string `json:"reason"`
}

// Merged is the data of a "merged" event on a common problem's parent.
type Merged struct {
	Children []string       `json:"children"`
	Note     string         `json:"note"`
	Refused  []MergeRefusal `json:"refused"`
}

// MergedInto is the data of a "merged_into" event on a child.
type MergedInto struct {
	Note     string `json:"note"`
	ParentID string `json:"parent_id"`
}

// Appealed is the data of an "appealed" event (申诉).
type Appealed struct {
	Items  []string `json:"items"`
	N      int      `json:"n"`
	Reason string   `json:"reason"`
	Unit   string   `json:"unit"`
}

// AppealDecided is the data of an "appeal_accepted" or "appeal_rejected" event.
type AppealDecided struct {
	Items []string `json:"items"`
	N     int      `json:"n"`
	Note  string   `json:"note"`
	Unit  string   `json:"unit"`
}

// Supervised is the data of a rung of the supervision ladder ("reminded", "urged",
// "yellow_card", "red_card"): which deadline, when it was due, the card, the notice's
// number and who it is addressed to.
type Supervised struct {
	Card     string `json:"card"`
	Deadline string `json:"deadline"`
	Due      string `json:"due"`
	// Manual: issued by the lead office by hand (催办, a card with its reasons), not by the
	// ladder; Reason is the office's note or reasons.
	Manual   bool   `json:"manual,omitempty"`
	NoticeNo string `json:"notice_no"`
	Office   string `json:"office"`
	Reason   string `json:"reason,omitempty"`
	Unit     string `json:"unit"`
}

// ExtensionRequested is the data of an "extension_requested" event: the working days
// asked for, why, and the handling deadline they would move.
type ExtensionRequested struct {
	Days     int    `json:"days"`
	Deadline string `json:"deadline"`
	Reason   string `json:"reason" caseflow:"sensitive"`
}

// ExtensionDecided is the data of an "extension_approved" or "extension_denied" event.
type ExtensionDecided struct {
	AllowAnother bool `json:"allow_another"`
	Days         int  `json:"days"`
	// Deadlines, on an approval, are the deadlines it left (the handling deadline moved);
	// nil otherwise, and on events written before they were recorded.
	Deadlines *Deadlines `json:"deadlines,omitempty"`
	Note      string     `json:"note" caseflow:"sensitive"`
}

// EventData are the event types and the Go type of each one's data.
var EventData = map[string]reflect.Type{
	EventCreated:            reflect.TypeFor[Created](),
	EventRouted:             reflect.TypeFor[Routed](),
	EventTriaged:            reflect.TypeFor[Triaged](),
	EventReferred:           reflect.TypeFor[Referred](),
	EventSigned:             reflect.TypeFor[Signed](),
	EventProgress:           reflect.TypeFor[Progressed](),
	EventReturned:           reflect.TypeFor[Returned](),
	EventCompleted:          reflect.TypeFor[Completed](),
	EventCalledBack:         reflect.TypeFor[CalledBack](),
	EventClosed:             reflect.TypeFor[Closed](),
	EventReopened:           reflect.TypeFor[Reopened](),
	EventCommented:          reflect.TypeFor[Commented](),
	EventFileAdded:          reflect.TypeFor[FileAdded](),
	EventMerged:             reflect.TypeFor[Merged](),
	EventMergedInto:         reflect.TypeFor[MergedInto](),
	EventAppealed:           reflect.TypeFor[Appealed](),
	EventAppealAccepted:     reflect.TypeFor[AppealDecided](),
	EventAppealRejected:     reflect.TypeFor[AppealDecided](),
	EventReminded:           reflect.TypeFor[Supervised](),
	EventUrged:              reflect.TypeFor[Supervised](),
	EventYellowCard:         reflect.TypeFor[Supervised](),
	EventRedCard:            reflect.TypeFor[Supervised](),
	EventExtensionRequested: reflect.TypeFor[ExtensionRequested](),
	EventExtensionApproved:  reflect.TypeFor[ExtensionDecided](),
	EventExtensionDenied:    reflect.TypeFor[ExtensionDecided](),
}

// DecodeEvent is an event's data as its type's Go value (a pointer to it): for example a
// *Referred for a "referred" event.
func DecodeEvent(typ string, data []byte) (any, error) {
	return DecodeEventWith(typ, data, json.Unmarshal)
}

// DecodeEventWith is DecodeEvent with another JSON decoder that reads what encoding/json
// reads (the audit's figures read millions of events with a faster one).
func DecodeEventWith(typ string, data []byte, unmarshal func([]byte, any) error) (any, error) {
	t, ok := EventData[typ]
	if !ok {
		return nil, fmt.Errorf("domain: no event type %q", typ)
	}
	v := reflect.New(t).Interface()
	if len(data) == 0 {
		return v, nil
	}
	if err := unmarshal(data, v); err != nil {
		return nil, fmt.Errorf("domain: the data of a %s event: %w", typ, err)
	}
	return v, nil
}

// SensitiveEventFields are, per event type, the JSON names of its data's sensitive fields
// (tagged `caseflow:"sensitive"`), in the order the type declares them: free texts that readers who do not handle a sensitive
// case see redacted.
var SensitiveEventFields = func() map[string][]string {
	out := map[string][]string{}
	var walk func(typ string, t reflect.Type)
	walk = func(typ string, t reflect.Type) {
		for f := range t.Fields() {
			if f.Anonymous {
				walk(typ, f.Type) // an embedded struct's fields are the data's own
				continue
			}
			if f.Tag.Get("caseflow") == "sensitive" {
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				out[typ] = append(out[typ], name)
			}
		}
	}
	for typ, t := range EventData {
		walk(typ, t)
	}
	return out
}()
