package workflows

import (
	"fmt"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

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
