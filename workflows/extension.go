// The actions of extensions (延期): the lead unit asks, the lead office decides. Each action is
// whole here, as registered by its entry in Actions (registry.go): its body and the body's
// Validate, its check and apply, the event type and data it records (the data's type and
// sensitive fields are in domain/events.go) and the deadlines that event sets (named in
// deadlineEffects).

package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// ExtendBody is the lead unit's extension request: how many working days, and why.
type ExtendBody struct {
	Days   int    `json:"days"`
	Reason string `json:"reason"`
}

// Validate checks the reason for an extension.
func (b ExtendBody) Validate() error { return CheckText("reason", b.Reason) }

// DecideExtensionBody is the lead office's decision on an extension request.
type DecideExtensionBody struct {
	Approve *bool  `json:"approve"`
	Note    string `json:"note"`
	// AllowAnother lets the unit ask once more (one extension per case otherwise).
	AllowAnother bool `json:"allow_another"`
}

// Validate checks the decision's note.
func (b DecideExtensionBody) Validate() error { return CheckText("note", b.Note) }

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
	return []eventDraft{{Type: domain.EventExtensionRequested, Data: domain.ExtensionRequested{Days: b.Days, Reason: b.Reason,
		Deadline: c.Deadlines.Handling}}}
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
	return []eventDraft{{Type: typ, Data: domain.ExtensionDecided{Days: ext.Days, Note: b.Note, AllowAnother: b.AllowAnother}}}
}

// extensionApprovedDeadlines: an approved extension moves the handling deadline by its
// working days, keeping the budget that remained.
func extensionApprovedDeadlines(r *caseRun, ctx workflow.Context, c *domain.Case, _ time.Time) error {
	if c.Deadlines.Handling == "" {
		return nil
	}
	var err error
	c.Deadlines.Handling, err = r.workdays(ctx, domain.DeadlineInput{FromDate: c.Deadlines.Handling, Days: c.Extension.Days})
	return err
}
