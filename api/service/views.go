package service

import (
	"encoding/json"
	"time"

	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// What is sensitive, declared once (docs/security.md): a case's amount, always; and,
// when the case is marked sensitive, its free texts and those of its timeline's events.
// Readers who do not handle the case see them redacted; every read of them unredacted
// is recorded in sensitive_reads.
var (
	// sensitiveCaseFields are the case's fields, as the API names them.
	sensitiveCaseFields = []string{"amount_cny", "description", "report", "resolution", "callback.note",
		"extension.reason", "extension.note"}
	// sensitiveEventFields are, per event type, the sensitive fields of the event's data
	// (tagged in its Go type, workflows/domain/events.go).
	sensitiveEventFields = domain.SensitiveEventFields
)

// CaseView is a case as the API shows it: a deliberate view, field by field (the workflow's
// state may grow without the API changing), with Chinese labels for people and sensitive
// fields redacted for roles that do not need them. Lists are [] in JSON, never null.
type CaseView struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	StatusLabel   string `json:"status_label"`
	Title         string `json:"title"`
	Description   string `json:"description"`
	Category      string `json:"category"`
	CategoryLabel string `json:"category_label"`
	List          string `json:"list"`
	ListLabel     string `json:"list_label"`
	Scope         string `json:"scope"`
	EnterpriseID  string `json:"enterprise_id"`
	// EnterpriseContact is the enterprise's contact, for a unit while the case is referred
	// to it and open (a single case's read only; each read recorded).
	EnterpriseContact *Contact `json:"enterprise_contact,omitempty"`
	// Files are the files attached to the case (GET /cases/{id} and the case's page only).
	Files   []File `json:"files,omitempty"`
	VisitID string `json:"visit_id"`
	// Source is where the case came from: visit (a visit's problem), instruction (a city
	// leader's instruction, InstructionID) or direct (raised by hand).
	Source               string                `json:"source"`
	InstructionID        string                `json:"instruction_id,omitempty"`
	AmountCNY            *float64              `json:"amount_cny"`
	Sensitive            bool                  `json:"sensitive"`
	Office               string                `json:"office"`
	OfficeLabel          string                `json:"office_label,omitempty"`
	LeadUnit             string                `json:"lead_unit"`
	CoUnits              []string              `json:"co_units"`
	ReferredUnits        []string              `json:"referred_units"`
	SignedUnits          []string              `json:"signed_units"`
	DueDate              string                `json:"due_date"`
	Deadlines            domain.Deadlines      `json:"deadlines"`
	Overdue              bool                  `json:"overdue"`
	Card                 string                `json:"card"`
	CardLabel            string                `json:"card_label"`
	Notices              []domain.CaseNotice   `json:"notices"`
	Extension            *domain.Extension     `json:"extension"`
	ExtensionsGranted    int                   `json:"extensions_granted"`
	ExtensionsAllowed    int                   `json:"extensions_allowed"`
	ReturnedAfterSigning []string              `json:"returned_after_signing"`
	SLA                  string                `json:"sla"`
	Priority             string                `json:"priority"`
	Tags                 []string              `json:"tags"`
	RouteProposal        *domain.RouteProposal `json:"route_proposal"`
	Outcome              string                `json:"outcome"`
	OutcomeLabel         string                `json:"outcome_label,omitempty"`
	Report               string                `json:"report"`
	Resolution           string                `json:"resolution"`
	Callback             *domain.Callback      `json:"callback"`
	RedoCount            int                   `json:"redo_count"`
	ReturnCount          int                   `json:"return_count"`
	CreatedBy            string                `json:"created_by"`
	CreatedAt            time.Time             `json:"created_at"`
	UpdatedAt            time.Time             `json:"updated_at"`
	LastSeq              int                   `json:"last_seq"`
	ParentID             string                `json:"parent_id"`
	Children             []string              `json:"children"`
	Appeals              []domain.Appeal       `json:"appeals"`
	Redacted             []string              `json:"redacted,omitempty"`
}

// redactedText replaces a sensitive text for roles that may not read it.
const redactedText = domain.RedactedText

// needsSensitive reports whether the user handles the case and so may read its sensitive
// fields: the member department, the case's lead supervision office, the leader who raised
// it and every leader who follows it (follows: from their visit, or a common problem of
// theirs), and the units it was referred to. The other office and the efficiency office
// read it redacted.
func needsSensitive(c *domain.Case, u domain.User, follows bool) bool {
	switch u.Role {
	case domain.RoleMemberDept:
		return true
	case domain.RoleSupervision:
		return workflows.IsLeadOffice(c, u.Actor())
	case domain.RoleLeader:
		return follows || workflows.CanSee(c, u.Actor())
	case domain.RoleUnit:
		return workflows.CanSee(c, u.Actor())
	}
	return false
}

// Where a case came from (CaseView.Source).
const (
	SourceVisit       = "visit"
	SourceInstruction = "instruction"
	SourceDirect      = "direct"
)

func sourceOf(c *domain.Case) string {
	switch {
	case c.InstructionID != "":
		return SourceInstruction
	case c.VisitID != "":
		return SourceVisit
	}
	return SourceDirect
}

// hasSensitive reports whether the case holds anything sensitive.
func hasSensitive(c *domain.Case) bool { return c.Sensitive || c.AmountCNY != nil }

func viewCase(c domain.Case, u domain.User, follows bool) CaseView {
	var v CaseView
	fillCaseView(&v, &c, u, follows)
	return v
}

// fillCaseView writes what viewCase answers into v (a list fills its page's views in
// place: nothing per case is left to the garbage collector but what the JSON needs).
func fillCaseView(v *CaseView, c *domain.Case, u domain.User, follows bool) {
	card := c.Card
	if card == "" {
		card = domain.CardNone
	}
	*v = CaseView{
		ID: c.ID, Status: c.Status, StatusLabel: domain.StatusLabels[c.Status], Title: c.Title, Description: c.Description,
		Category: c.Category, CategoryLabel: domain.Categories[c.Category], List: c.List, ListLabel: domain.Lists[c.List],
		Scope: c.Scope, EnterpriseID: c.EnterpriseID, VisitID: c.VisitID, Source: sourceOf(c), InstructionID: c.InstructionID,
		AmountCNY: c.AmountCNY, Sensitive: c.Sensitive,
		Office: c.Office, OfficeLabel: domain.Offices[c.Office], LeadUnit: c.LeadUnit, CoUnits: domain.NonNil(c.CoUnits),
		ReferredUnits: domain.NonNil(c.ReferredUnits), SignedUnits: domain.NonNil(c.SignedUnits), DueDate: c.DueDate,
		Deadlines: c.Deadlines, Overdue: c.Overdue, Card: card, CardLabel: domain.CardLabels[card],
		Notices: domain.NonNil(c.Notices), Extension: c.Extension, ExtensionsGranted: c.ExtensionsGranted,
		ExtensionsAllowed: c.ExtensionsAllowed, ReturnedAfterSigning: domain.NonNil(c.ReturnedAfterSigning), SLA: c.SLA,
		Priority: c.Priority, Tags: domain.NonNil(c.Tags), RouteProposal: c.RouteProposal, Outcome: c.Outcome,
		OutcomeLabel: domain.Outcomes[c.Outcome], Report: c.Report, Resolution: c.Resolution, Callback: c.Callback,
		RedoCount: c.RedoCount, ReturnCount: c.ReturnCount, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt,
		UpdatedAt: c.UpdatedAt, LastSeq: c.LastSeq, ParentID: c.ParentID, Children: domain.NonNil(c.Children),
		Appeals: domain.NonNil(c.Appeals),
	}
	if !hasSensitive(c) || needsSensitive(c, u, follows) {
		return
	}
	if c.AmountCNY != nil {
		v.AmountCNY = nil
		v.Redacted = append(v.Redacted, "amount_cny")
	}
	if !c.Sensitive {
		return
	}
	if c.Callback != nil {
		cb := *c.Callback
		v.Callback = &cb
	}
	if c.Extension != nil {
		ext := *c.Extension
		v.Extension = &ext
	}
	for _, field := range sensitiveCaseFields {
		var t *string
		switch {
		case field == "description":
			t = &v.Description
		case field == "report":
			t = &v.Report
		case field == "resolution":
			t = &v.Resolution
		case field == "callback.note" && v.Callback != nil:
			t = &v.Callback.Note
		case field == "extension.reason" && v.Extension != nil:
			t = &v.Extension.Reason
		case field == "extension.note" && v.Extension != nil:
			t = &v.Extension.Note
		}
		if t != nil && *t != "" {
			*t = redactedText
			v.Redacted = append(v.Redacted, field)
		}
	}
}

// TimelineEvent is an event as the API shows it.
type TimelineEvent struct {
	Seq      int             `json:"seq"`
	Type     string          `json:"type"`
	At       time.Time       `json:"at"`
	Actor    domain.Actor    `json:"actor"`
	Data     json.RawMessage `json:"data"`
	Hash     string          `json:"hash"`
	Redacted []string        `json:"redacted,omitempty"`
}

// viewTimeline shows a case's events to the user, the sensitive fields of each event's data
// redacted as the case's are; it reports whether the user read any of them unredacted.
func viewTimeline(c *domain.Case, events []domain.Event, u domain.User, follows bool) (out []TimelineEvent, readSensitive bool) {
	hide := c.Sensitive && !needsSensitive(c, u, follows)
	out = make([]TimelineEvent, 0, len(events))
	for _, e := range events {
		v := TimelineEvent{Seq: e.Seq, Type: e.Type, At: e.At, Actor: e.Actor, Data: e.Data, Hash: e.Hash}
		if fields := sensitiveEventFields[e.Type]; c.Sensitive && len(fields) > 0 {
			var data map[string]any
			if json.Unmarshal(e.Data, &data) == nil {
				for _, f := range fields {
					if s, ok := data[f].(string); ok && s != "" {
						if !hide {
							readSensitive = true
							continue
						}
						data[f] = redactedText
						v.Redacted = append(v.Redacted, f)
					}
				}
				if len(v.Redacted) > 0 {
					v.Data, _ = json.Marshal(data)
				}
			}
		}
		out = append(out, v)
	}
	return out, readSensitive
}
