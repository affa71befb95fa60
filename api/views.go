package api

import (
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
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
// fields: the member department, the supervision offices, the leader who raised it and
// the units it is referred to. The efficiency office audits timelines without them.
func needsSensitive(c *store.Case, u store.User) bool {
	switch u.Role {
	case workflows.RoleMemberDept, workflows.RoleSupervision:
		return true
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
	if hasSensitive(&c) && !needsSensitive(&c, u) {
		if c.AmountCNY != nil {
			v.AmountCNY = nil
			v.Redacted = append(v.Redacted, "amount_cny")
		}
		if c.Sensitive {
			v.Description, v.Report = redactedText, redactedText
			v.Redacted = append(v.Redacted, "description", "report")
		}
	}
	return v
}
