package api

import (
	"encoding/json"
	"time"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
)

// What is sensitive, declared once (DESIGN.md, Security): a case's amount, always; and,
// when the case is marked sensitive, its free texts and those of its timeline's events.
// Readers who do not handle the case see them redacted; every read of them unredacted
// is recorded in sensitive_reads.
var (
	// sensitiveCaseFields are the case's fields, as the API names them.
	sensitiveCaseFields = []string{"amount_cny", "description", "report", "resolution", "callback.note",
		"extension.reason", "extension.note"}
	// sensitiveEventFields are, per event type, the fields of the event's data.
	sensitiveEventFields = map[string][]string{
		workflows.EventTriaged:            {"note", "override_reason", "answer", "reason"},
		workflows.EventReferred:           {"instructions"},
		workflows.EventProgress:           {"note"},
		workflows.EventReturned:           {"grounds"},
		workflows.EventCompleted:          {"report"},
		workflows.EventCalledBack:         {"note"},
		workflows.EventClosed:             {"note"},
		workflows.EventReopened:           {"reason"},
		workflows.EventCommented:          {"text"},
		workflows.EventExtensionRequested: {"reason"},
		workflows.EventExtensionApproved:  {"note"},
		workflows.EventExtensionDenied:    {"note"},
	}
)

// caseView is a case as the API shows it: the read model's fields, Chinese labels for
// people, and sensitive fields redacted for roles that do not need them.
type caseView struct {
	store.Case
	StatusLabel   string   `json:"status_label"`
	CategoryLabel string   `json:"category_label"`
	ListLabel     string   `json:"list_label"`
	OfficeLabel   string   `json:"office_label,omitempty"`
	OutcomeLabel  string   `json:"outcome_label,omitempty"`
	CardLabel     string   `json:"card_label"`
	Redacted      []string `json:"redacted,omitempty"`
}

// redactedText replaces a sensitive text for roles that may not read it.
const redactedText = "（涉及企业敏感信息，已隐去）"

// needsSensitive reports whether the user handles the case and so may read its sensitive
// fields: the member department, the case's lead supervision office, the leader who raised
// it and the units it was referred to. The other office and the efficiency office read it
// redacted.
func needsSensitive(c *store.Case, u store.User) bool {
	switch u.Role {
	case workflows.RoleMemberDept:
		return true
	case workflows.RoleSupervision:
		return workflows.IsLeadOffice(c, u.Actor())
	case workflows.RoleLeader, workflows.RoleUnit:
		return workflows.CanSee(c, u.Actor())
	}
	return false
}

// hasSensitive reports whether the case holds anything sensitive.
func hasSensitive(c *store.Case) bool { return c.Sensitive || c.AmountCNY != nil }

func viewCase(c store.Case, u store.User) caseView {
	v := caseView{
		Case:          c,
		StatusLabel:   workflows.StatusLabels[c.Status],
		CategoryLabel: workflows.Categories[c.Category],
		ListLabel:     workflows.Lists[c.List],
		OfficeLabel:   workflows.Offices[c.Office],
		OutcomeLabel:  workflows.Outcomes[c.Outcome],
		CardLabel:     workflows.CardLabels[c.Card],
	}
	if v.Card == "" {
		v.Card, v.CardLabel = "none", workflows.CardLabels["none"]
	}
	if v.Notices == nil {
		v.Notices = []store.CaseNotice{}
	}
	if v.ReturnedAfterSigning == nil {
		v.ReturnedAfterSigning = []string{}
	}
	if v.Tags == nil {
		v.Tags = []string{}
	}
	if v.CoUnits == nil {
		v.CoUnits = []string{}
	}
	if v.ReferredUnits == nil {
		v.ReferredUnits = []string{}
	}
	if !hasSensitive(&c) || needsSensitive(&c, u) {
		return v
	}
	hide := func(field string, s *string) {
		if *s != "" {
			*s = redactedText
			v.Redacted = append(v.Redacted, field)
		}
	}
	if c.AmountCNY != nil {
		v.AmountCNY = nil
		v.Redacted = append(v.Redacted, "amount_cny")
	}
	if c.Sensitive {
		hide("description", &v.Description)
		hide("report", &v.Report)
		hide("resolution", &v.Resolution)
		if c.Callback != nil {
			cb := *c.Callback
			hide("callback.note", &cb.Note)
			v.Callback = &cb
		}
		if c.Extension != nil {
			ext := *c.Extension
			hide("extension.reason", &ext.Reason)
			hide("extension.note", &ext.Note)
			v.Extension = &ext
		}
	}
	return v
}

// timelineEvent is an event as the API shows it.
type timelineEvent struct {
	Seq      int             `json:"seq"`
	Type     string          `json:"type"`
	At       time.Time       `json:"at"`
	Actor    store.Actor     `json:"actor"`
	Data     json.RawMessage `json:"data"`
	Hash     string          `json:"hash"`
	Redacted []string        `json:"redacted,omitempty"`
}

// viewTimeline shows a case's events to the user, the sensitive fields of each event's data
// redacted as the case's are; it reports whether the user read any of them unredacted.
func viewTimeline(c *store.Case, events []store.Event, u store.User) (out []timelineEvent, readSensitive bool) {
	hide := c.Sensitive && !needsSensitive(c, u)
	out = make([]timelineEvent, 0, len(events))
	for _, e := range events {
		v := timelineEvent{Seq: e.Seq, Type: e.Type, At: e.At, Actor: e.Actor, Data: e.Data, Hash: e.Hash}
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
