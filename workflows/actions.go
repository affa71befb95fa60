package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// action is a user action on a case. check decides whether the actor may take it now
// (it runs in the Update's validator, and again under the case's lock); apply changes the
// case and says which timeline events record the change.
type action interface {
	Validator
	check(c *domain.Case, a domain.Actor, now time.Time) error
	apply(c *domain.Case, a domain.Actor, now time.Time) []eventDraft
}

// strictAction is an action with checks added after cases were already running: the
// validator applies them to every new action, the handler only in runs that started with
// them, so that older histories replay as they ran.
type strictAction interface {
	checkStrict(c *domain.Case, a domain.Actor) error
}

// eventDraft is an event before it gets its sequence number.
type eventDraft struct {
	Type   string
	Data   any
	Notify *domain.Audience
}

func requireRole(a domain.Actor, roles ...string) error {
	if slices.Contains(roles, a.Role) {
		return nil
	}
	return forbidden("角色「" + domain.Roles[a.Role] + "」无权执行此操作 (role " + a.Role + " may not take this action)")
}

func requireStatus(c *domain.Case, name string, statuses ...string) error {
	if slices.Contains(statuses, c.Status) {
		return nil
	}
	return invalidTransition(c, name)
}

// requireLeadOffice checks that a supervision user belongs to the case's lead office.
func requireLeadOffice(c *domain.Case, a domain.Actor) error {
	if err := requireRole(a, domain.RoleSupervision); err != nil {
		return err
	}
	if c.Office != "" && a.Unit != c.Office {
		return forbidden("本案由" + domain.Offices[c.Office] + "牵头，其他督查室不能执行此操作 (only the lead office may)")
	}
	return nil
}

func assigned(c *domain.Case, unit string) bool {
	return unit != "" && (unit == c.LeadUnit || slices.Contains(c.CoUnits, unit))
}

func requireAssignedUnit(c *domain.Case, a domain.Actor, leadOnly bool) error {
	if err := requireRole(a, domain.RoleUnit); err != nil {
		return err
	}
	if leadOnly && a.Unit != c.LeadUnit {
		return forbidden("只有主办单位可以执行此操作 (only the lead unit may)")
	}
	if !assigned(c, a.Unit) {
		return forbidden("本案未交办给贵单位 (the case is not referred to your unit)")
	}
	return nil
}

func (b TriageBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireRole(a, domain.RoleMemberDept); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateTriage, domain.StatusTriage); err != nil {
		return err
	}
	switch b.Decision {
	case domain.DecisionRefer:
		e, overrides := b.resolve(c)
		for _, f := range []struct {
			name, v string
			allowed map[string]string
		}{{"category", e.Category, domain.Categories}, {"scope", e.Scope, domain.Scopes}, {"list", e.List, domain.Lists},
			{"office", e.Office, domain.Offices}, {"sla", e.SLA, domain.SLAs}, {"priority", e.Priority, domain.Priorities}} {
			if err := oneOf(f.name, f.v, f.allowed); err != nil {
				return err
			}
		}
		if err := checkUnits(e.LeadUnit, *e.CoUnits); err != nil {
			return err
		}
		if len(overrides) > 0 && strings.TrimSpace(b.OverrideReason) == "" {
			fields := make([]string, len(overrides))
			for i, o := range overrides {
				fields[i] = o.Field
			}
			return invalidInput("override_reason", "改变了规则建议的 "+strings.Join(fields, ", ")+"，须说明理由 (required when the route differs from the rules' proposal)")
		}
		if err := limitText("override_reason", b.OverrideReason); err != nil {
			return err
		}
		return limitText("note", b.Note)
	case domain.DecisionAnswer:
		return requireText("answer", b.Answer)
	case domain.DecisionReject:
		return requireText("reason", b.Reason)
	default:
		return oneOf("decision", b.Decision, map[string]string{domain.DecisionRefer: "", domain.DecisionAnswer: "", domain.DecisionReject: ""})
	}
}

// resolve fills what a refer decision left out from the case and the rules' proposal,
// and lists the fields where it departs from the proposal.
func (b TriageBody) resolve(c *domain.Case) (TriageBody, []Override) {
	p := c.RouteProposal
	if p == nil {
		p = &domain.RouteProposal{}
	}
	e := b
	or := func(v, def string) string {
		if v != "" {
			return v
		}
		return def
	}
	e.Category, e.List = or(b.Category, c.Category), or(b.List, c.List)
	e.Scope, e.Office, e.LeadUnit = or(b.Scope, or(p.Scope, domain.ScopeIndividual)), or(b.Office, p.Office), or(b.LeadUnit, p.LeadUnit)
	e.SLA, e.Priority = or(b.SLA, or(p.SLA, domain.SLAStandard)), or(b.Priority, or(p.Priority, domain.PriorityNormal))
	co := domain.NonNil(p.CoUnits)
	if b.CoUnits != nil {
		co = domain.NonNil(*b.CoUnits)
	}
	e.CoUnits = &co
	var overrides []Override
	for _, f := range []struct{ name, proposed, chosen string }{
		{"scope", p.Scope, e.Scope}, {"office", p.Office, e.Office}, {"lead_unit", p.LeadUnit, e.LeadUnit},
		{"sla", p.SLA, e.SLA}, {"priority", p.Priority, e.Priority}} {
		if f.proposed != "" && f.proposed != f.chosen {
			overrides = append(overrides, Override{f.name, f.proposed, f.chosen})
		}
	}
	if p.LeadUnit != "" && !slices.Equal(domain.NonNil(p.CoUnits), co) {
		overrides = append(overrides, Override{"co_units", domain.NonNil(p.CoUnits), co})
	}
	return e, overrides
}

// triagedEvent is the triaged event's data for a refer decision.
type triagedEvent struct {
	TriageBody
	Overrides []Override `json:"overrides"`
}

func (b TriageBody) apply(c *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	switch b.Decision {
	case domain.DecisionRefer:
		e, overrides := b.resolve(c)
		c.Category, c.Scope, c.List, c.Office = e.Category, e.Scope, e.List, e.Office
		c.LeadUnit, c.CoUnits = e.LeadUnit, *e.CoUnits
		c.SLA, c.Priority = e.SLA, e.Priority
		c.Status = domain.StatusReferral
		return []eventDraft{{Type: domain.EventTriaged, Data: triagedEvent{e, domain.NonNil(overrides)}}}
	case domain.DecisionAnswer:
		c.Resolution = b.Answer
	default:
		c.Resolution = b.Reason
	}
	c.Status = domain.StatusClosed
	return []eventDraft{{Type: domain.EventTriaged, Data: b}, {Type: domain.EventClosed, Data: map[string]string{"reason": b.Decision}}}
}

func (b ReferBody) check(c *domain.Case, a domain.Actor, now time.Time) error {
	if err := requireLeadOffice(c, a); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateRefer, domain.StatusReferral); err != nil {
		return err
	}
	lead, co := b.units(c)
	if err := checkUnits(lead, co); err != nil {
		return err
	}
	if b.DueDate != "" {
		d, err := time.ParseInLocation(domain.DateLayout, b.DueDate, domain.Shanghai)
		if err != nil {
			return invalidInput("due_date", "应为 YYYY-MM-DD (must be a date YYYY-MM-DD)")
		}
		if d.Format(domain.DateLayout) <= today(now) {
			return invalidInput("due_date", "办理期限必须晚于今天 (must be after today)")
		}
	}
	return limitText("instructions", b.Instructions)
}

func (b ReferBody) units(c *domain.Case) (string, []string) {
	lead, co := b.LeadUnit, c.CoUnits
	if lead == "" {
		lead = c.LeadUnit
	}
	if b.CoUnits != nil {
		co = *b.CoUnits
	}
	return lead, domain.NonNil(co)
}

func (b ReferBody) apply(c *domain.Case, _ domain.Actor, now time.Time) []eventDraft {
	c.LeadUnit, c.CoUnits = b.units(c)
	referred := slices.Clone(domain.NonNil(c.ReferredUnits))
	for _, u := range append([]string{c.LeadUnit}, c.CoUnits...) {
		if !slices.Contains(referred, u) {
			referred = append(referred, u)
		}
	}
	c.ReferredUnits = referred
	c.DueDate = b.DueDate // the deadlines fill it when it is left out
	c.SignedUnits = []string{}
	c.Status = domain.StatusHandling
	return []eventDraft{{Type: domain.EventReferred, Data: map[string]any{
		"lead_unit": c.LeadUnit, "co_units": c.CoUnits, "due_date": b.DueDate, "instructions": b.Instructions}}}
}

func (SignBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireAssignedUnit(c, a, false); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateSign, domain.StatusHandling); err != nil {
		return err
	}
	if slices.Contains(c.SignedUnits, a.Unit) {
		return rejection(ErrInvalidTransition, "贵单位已签收本案 (your unit has signed for this case already)")
	}
	return nil
}

func (SignBody) apply(c *domain.Case, a domain.Actor, _ time.Time) []eventDraft {
	c.SignedUnits = append(slices.Clone(c.SignedUnits), a.Unit)
	return []eventDraft{{Type: domain.EventSigned, Data: map[string]string{"unit": a.Unit}}}
}

func requireSigned(c *domain.Case, a domain.Actor) error {
	if !slices.Contains(c.SignedUnits, a.Unit) {
		return rejection(ErrInvalidTransition, "请先签收本案 (sign for the case first)")
	}
	return nil
}

func (b ProgressBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireAssignedUnit(c, a, false); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateProgress, domain.StatusHandling); err != nil {
		return err
	}
	if err := requireSigned(c, a); err != nil {
		return err
	}
	return requireText("note", b.Note)
}

func (b ProgressBody) apply(_ *domain.Case, a domain.Actor, _ time.Time) []eventDraft {
	return []eventDraft{{Type: domain.EventProgress, Data: map[string]string{"unit": a.Unit, "note": b.Note}}}
}

func (b ReturnBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireAssignedUnit(c, a, true); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateReturn, domain.StatusHandling); err != nil {
		return err
	}
	if slices.Contains(c.SignedUnits, a.Unit) && slices.Contains(c.ReturnedAfterSigning, a.Unit) {
		return rejection(ErrInvalidTransition, "贵单位签收后已退回过本案一次，不能再次退回 (your unit has returned this case once after signing for it)")
	}
	return requireText("grounds", b.Grounds)
}

func (b ReturnBody) apply(c *domain.Case, a domain.Actor, _ time.Time) []eventDraft {
	if slices.Contains(c.SignedUnits, a.Unit) {
		c.ReturnedAfterSigning = append(slices.Clone(c.ReturnedAfterSigning), a.Unit)
	}
	c.Status = domain.StatusReferral
	c.SignedUnits = []string{}
	c.DueDate = ""
	c.ReturnCount++
	return []eventDraft{{Type: domain.EventReturned, Data: map[string]string{"unit": a.Unit, "grounds": b.Grounds}}}
}

func (b CompleteBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireAssignedUnit(c, a, true); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateComplete, domain.StatusHandling); err != nil {
		return err
	}
	if err := requireSigned(c, a); err != nil {
		return err
	}
	if err := oneOf("outcome", b.Outcome, domain.Outcomes); err != nil {
		return err
	}
	return requireText("report", b.Report)
}

func (b CompleteBody) apply(c *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	c.Outcome, c.Report = b.Outcome, b.Report
	c.Callback = nil
	c.Status = domain.StatusFollowUp
	return []eventDraft{{Type: domain.EventCompleted, Data: b}}
}

func (b CallbackBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if a.Role == domain.RoleSupervision {
		if err := requireLeadOffice(c, a); err != nil {
			return err
		}
	} else if err := requireRole(a, domain.RoleMemberDept, domain.RoleSupervision); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateCallback, domain.StatusFollowUp); err != nil {
		return err
	}
	if c.Callback != nil {
		return rejection(ErrInvalidTransition, "本轮已回访，等待销号 (the enterprise was called back already; the case awaits closure)")
	}
	if b.Solved == nil {
		return invalidInput("solved", "必填 (required: true or false)")
	}
	if b.Satisfied == nil {
		return invalidInput("satisfied", "必填 (required: true or false)")
	}
	return limitText("note", b.Note)
}

func (b CallbackBody) apply(c *domain.Case, _ domain.Actor, now time.Time) []eventDraft {
	cb := &domain.Callback{Solved: *b.Solved, Satisfied: *b.Satisfied, Note: b.Note, At: now}
	data := map[string]any{"solved": cb.Solved, "satisfied": cb.Satisfied, "note": b.Note, "redo": false}
	if !cb.Satisfied && c.RedoCount < MaxRedos {
		// Not satisfied: handled again (重办) with a new deadline.
		c.RedoCount++
		c.Status = domain.StatusHandling
		c.Outcome, c.Report = "", ""
		c.Callback = nil
		data["redo"], data["redo_count"] = true, c.RedoCount
		return []eventDraft{{Type: domain.EventCalledBack, Data: data}}
	}
	// Satisfied, or out of redos: the lead office may now close the case.
	c.Callback = cb
	return []eventDraft{{Type: domain.EventCalledBack, Data: data}}
}

func (b CloseBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireLeadOffice(c, a); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateClose, domain.StatusFollowUp); err != nil {
		return err
	}
	if c.Callback == nil {
		return rejection(ErrInvalidTransition, "销号前须回访企业 (call the enterprise back before closing)")
	}
	return limitText("note", b.Note)
}

func (b CloseBody) apply(c *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	c.Status = domain.StatusClosed
	c.Resolution = b.Note
	return []eventDraft{{Type: domain.EventClosed, Data: map[string]any{"note": b.Note, "outcome": c.Outcome}}}
}

func (b ReopenBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireLeadOffice(c, a); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateReopen, domain.StatusClosed); err != nil {
		return err
	}
	return requireText("reason", b.Reason)
}

func (b ReopenBody) apply(c *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	// A case never referred goes back to triage; one that was goes back to its office
	// to be referred again.
	c.Status = domain.StatusTriage
	if c.Office != "" {
		c.Status = domain.StatusReferral
	}
	c.Callback, c.Outcome, c.Report, c.Resolution, c.DueDate = nil, "", "", "", ""
	c.SignedUnits = []string{}
	return []eventDraft{{Type: domain.EventReopened, Data: map[string]string{"reason": b.Reason, "status": c.Status}}}
}

func (b ExtendBody) check(c *domain.Case, a domain.Actor, now time.Time) error {
	if err := requireAssignedUnit(c, a, true); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateExtend, domain.StatusHandling); err != nil {
		return err
	}
	if c.Extension != nil && c.Extension.Status == domain.ExtensionPending {
		return rejection(ErrInvalidTransition, "已有延期申请待审批 (an extension request is awaiting a decision)")
	}
	if c.ExtensionsGranted >= max(1, c.ExtensionsAllowed) {
		return rejection(ErrInvalidTransition, "本案已延期，督查室未同意再次延期 (the case has had its extension)")
	}
	if c.Deadlines.Handling != "" && today(now) > c.Deadlines.Handling {
		return rejection(ErrInvalidTransition, "办理期限已过，不能再申请延期 (extensions must be asked for before the deadline "+c.Deadlines.Handling+")")
	}
	if b.Days < 1 || b.Days > MaxExtensionDays {
		return invalidInput("days", fmt.Sprintf("应为 1 到 %d 个工作日 (1 to %d working days)", MaxExtensionDays, MaxExtensionDays))
	}
	return requireText("reason", b.Reason)
}

func (b ExtendBody) apply(c *domain.Case, a domain.Actor, now time.Time) []eventDraft {
	c.Extension = &domain.Extension{Days: b.Days, Reason: b.Reason, RequestedBy: a.Username, RequestedAt: now, Status: domain.ExtensionPending}
	return []eventDraft{{Type: domain.EventExtensionRequested, Data: map[string]any{"days": b.Days, "reason": b.Reason,
		"deadline": c.Deadlines.Handling}}}
}

func (b DecideExtensionBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireLeadOffice(c, a); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateDecideExtension, domain.StatusHandling); err != nil {
		return err
	}
	if c.Extension == nil || c.Extension.Status != domain.ExtensionPending {
		return rejection(ErrInvalidTransition, "没有待审批的延期申请 (no extension request is awaiting a decision)")
	}
	if b.Approve == nil {
		return invalidInput("approve", "必填 (required: true or false)")
	}
	return limitText("note", b.Note)
}

func (b DecideExtensionBody) apply(c *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	ext := *c.Extension
	ext.Note = b.Note
	typ := domain.EventExtensionDenied
	ext.Status = domain.ExtensionDenied
	if *b.Approve {
		typ, ext.Status = domain.EventExtensionApproved, domain.ExtensionApproved
		c.ExtensionsGranted++
		if b.AllowAnother {
			c.ExtensionsAllowed = max(1, c.ExtensionsAllowed) + 1
		}
	}
	c.Extension = &ext
	return []eventDraft{{Type: typ, Data: map[string]any{"days": ext.Days, "note": b.Note, "allow_another": b.AllowAnother}}}
}

// CanSee reports whether the actor may see the case: every role but leaders and units
// sees every case; a leader sees the cases they raised; a unit the cases referred to it,
// from the referral on (also after a return or closure), never before.
func CanSee(c *domain.Case, a domain.Actor) bool {
	switch a.Role {
	case domain.RoleLeader:
		return c.CreatedBy == a.Username
	case domain.RoleUnit:
		return WasReferredTo(c, a.Unit)
	default:
		return true
	}
}

// WasReferredTo reports whether the case has been referred to the unit. Cases recorded
// before referrals were kept (ReferredUnits nil) count as referred to the units assigned
// once they left triage and referral.
func WasReferredTo(c *domain.Case, unit string) bool {
	if unit == "" {
		return false
	}
	if c.ReferredUnits != nil {
		return slices.Contains(c.ReferredUnits, unit)
	}
	return assigned(c, unit) && c.Status != domain.StatusTriage && c.Status != domain.StatusReferral
}

// IsLeadOffice reports whether the actor is a user of the case's lead supervision office.
func IsLeadOffice(c *domain.Case, a domain.Actor) bool {
	return a.Role == domain.RoleSupervision && c.Office != "" && a.Unit == c.Office
}

func (b CommentBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	// The rules cases started with before the strict checks (see checkStrict).
	visible := a.Role != domain.RoleUnit && CanSee(c, a) || a.Role == domain.RoleUnit && assigned(c, a.Unit)
	if a.Role == domain.RoleEfficiency || a.Role == domain.RoleAdmin || !visible {
		return forbidden("无权在本案留言 (you may not comment on this case)")
	}
	return requireText("text", b.Text)
}

// checkStrict: among the supervision offices only the lead office comments, and a unit
// only once the case has been referred to it.
func (CommentBody) checkStrict(c *domain.Case, a domain.Actor) error {
	if a.Role == domain.RoleSupervision && !IsLeadOffice(c, a) {
		return forbidden("只有牵头督查室可以在本案留言 (only the lead supervision office may comment)")
	}
	if !CanSee(c, a) {
		return forbidden("无权在本案留言 (you may not comment on this case)")
	}
	return nil
}

func (b CommentBody) apply(_ *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	return []eventDraft{{Type: domain.EventCommented, Data: b}}
}
