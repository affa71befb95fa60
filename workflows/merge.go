package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// MergeBody merges other enterprises' cases, each in triage, into this one (the parent)
// as one common problem. MaxMergeChildren bounds one merge.
type MergeBody struct {
	ChildIDs []string `json:"child_ids"`
	Note     string   `json:"note"`
}

// MaxMergeChildren is the most cases one merge takes in.
const MaxMergeChildren = 50

// MergeIntoBody tells a child it is merged into ParentID (sent by the parent's workflow).
type MergeIntoBody struct {
	ParentID         string `json:"parent_id"`
	ParentEnterprise string `json:"parent_enterprise"`
	Note             string `json:"note"`
}

// FollowParentBody tells a child that its parent closed, and how (sent by the parent's
// workflow, as caseflow itself).
type FollowParentBody struct {
	ParentID   string `json:"parent_id"`
	Resolution string `json:"resolution"`
	Outcome    string `json:"outcome"`
}

// Common problems (共性问题). The member department merges cases of other enterprises,
// each in triage, into one case, the parent: the parent becomes a common problem and goes
// on through triage and referral; each child, a separate workflow, is told by the parent
// (Update merge_into), takes status merged with parent_id, and leaves every queue. When
// the parent closes, it tells each child (Update follow_parent), which closes with a closed
// event naming the parent. The parent speaks to its children through the UpdateCase
// activity: scheduled in the same workflow task that records the parent's change, retried
// until the child answers, and sent with an Update ID the child's workflow deduplicates,
// so neither a crash of the worker nor a retry loses or doubles a child's step.

// MaxChildren bounds the cases merged into one parent, over all its merges.
const MaxChildren = 500

// tellOptions: a child is asked until it answers; its refusal is final.
var tellOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// Validate checks the merge's own fields: one to MaxMergeChildren distinct case ids.
func (b MergeBody) Validate() error {
	if len(b.ChildIDs) == 0 {
		return invalidInput("child_ids", "至少列出一个要并入的案件 (name at least one case)")
	}
	if len(b.ChildIDs) > MaxMergeChildren {
		return invalidInput("child_ids", fmt.Sprintf("一次最多并入 %d 个案件 (at most %d)", MaxMergeChildren, MaxMergeChildren))
	}
	seen := map[string]bool{}
	for _, id := range b.ChildIDs {
		if err := checkIDs("child_ids", id); err != nil {
			return err
		}
		if strings.TrimSpace(id) == "" {
			return invalidInput("child_ids", "不能包含空值 (empty case id)")
		}
		if seen[id] {
			return invalidInput("child_ids", fmt.Sprintf("%q 重复 (listed twice)", id))
		}
		seen[id] = true
	}
	return CheckText("note", b.Note)
}

func (b MergeBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireRole(a, domain.RoleMemberDept); err != nil {
		return err
	}
	if err := requireStatus(c, UpdateMerge, domain.StatusTriage); err != nil {
		return err
	}
	for _, id := range b.ChildIDs {
		if id == c.ID {
			return invalidInput("child_ids", "不能把案件并入它自己 (a case cannot be merged into itself)")
		}
		if slices.Contains(c.Children, id) {
			return invalidInput("child_ids", fmt.Sprintf("案件 %s 已并入本案 (already merged into this case)", id))
		}
	}
	if len(c.Children)+len(b.ChildIDs) > MaxChildren {
		return invalidInput("child_ids", fmt.Sprintf("一个共性问题最多并入 %d 个案件 (at most %d in all)", MaxChildren, MaxChildren))
	}
	return nil
}

// apply is not used: the merge has its own handler (caseRun.merge), which records only
// the children that accepted.
func (MergeBody) apply(*domain.Case, domain.Actor, time.Time) []eventDraft { return nil }

// Validate checks the parent's message.
func (b MergeIntoBody) Validate() error {
	if err := checkIDs("parent_id", b.ParentID, b.ParentEnterprise); err != nil {
		return err
	}
	return CheckText("note", b.Note)
}

func (b MergeIntoBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if err := requireRole(a, domain.RoleMemberDept); err != nil {
		return err
	}
	if c.Status == domain.StatusMerged && c.ParentID == b.ParentID {
		return nil // told again: nothing to do
	}
	if err := requireStatus(c, UpdateMergeInto, domain.StatusTriage); err != nil {
		return err
	}
	switch {
	case b.ParentID == "" || b.ParentID == c.ID:
		return invalidInput("parent_id", "不能把案件并入它自己 (a case cannot be merged into itself)")
	case len(c.Children) > 0:
		return rejection(ErrInvalidTransition, fmt.Sprintf("案件 %s 本身是共性问题主案，不能再并入其他案件 (it is a common problem's parent)", c.ID))
	case c.EnterpriseID != "" && c.EnterpriseID == b.ParentEnterprise:
		return invalidInput("child_ids", fmt.Sprintf("案件 %s 与主案是同一企业的问题，不能作为共性问题并案 (the same enterprise's case)", c.ID))
	}
	return nil
}

// CheckMergeChild decides whether child may be merged into parent by the actor, as the
// child's workflow will (the API asks first, so that a bad merge changes nothing).
func CheckMergeChild(child, parent *domain.Case, a domain.Actor) error {
	return MergeIntoBody{ParentID: parent.ID, ParentEnterprise: parent.EnterpriseID}.check(child, a, time.Time{})
}

// checkRun: a case merging others right now is not merged into another (two cases merging
// each other would each wait for the other).
func (MergeIntoBody) checkRun(r *caseRun) error {
	if r.merging {
		return rejection(ErrInvalidTransition, fmt.Sprintf("案件 %s 正在并入其他案件 (it is merging other cases right now)", r.c.ID))
	}
	return nil
}

func (b MergeIntoBody) apply(c *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	if c.Status == domain.StatusMerged {
		return nil
	}
	c.Status, c.ParentID = domain.StatusMerged, b.ParentID
	c.Deadlines, c.DueDate, c.Overdue = domain.Deadlines{}, "", false
	return []eventDraft{{Type: domain.EventMergedInto, Data: domain.MergedInto{ParentID: b.ParentID, Note: b.Note}}}
}

// Validate checks the parent's message.
func (b FollowParentBody) Validate() error {
	if err := checkIDs("parent_id", b.ParentID); err != nil {
		return err
	}
	if b.Outcome != "" {
		if err := oneOf("outcome", b.Outcome, domain.Outcomes); err != nil {
			return err
		}
	}
	return CheckText("resolution", b.Resolution)
}

func (b FollowParentBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if a != SystemActor {
		return forbidden("只有主案可以通知子案销号 (only the parent case closes its children)")
	}
	if c.Status == domain.StatusClosed && c.ParentID == b.ParentID {
		return nil // told again: nothing to do
	}
	if err := requireStatus(c, UpdateFollowParent, domain.StatusMerged); err != nil {
		return err
	}
	if c.ParentID != b.ParentID {
		return rejection(ErrInvalidTransition, fmt.Sprintf("案件 %s 并入的是 %s，不是 %s (merged into another case)", c.ID, c.ParentID, b.ParentID))
	}
	return nil
}

func (b FollowParentBody) apply(c *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	if c.Status == domain.StatusClosed {
		return nil
	}
	c.Status, c.Outcome = domain.StatusClosed, b.Outcome
	c.Resolution = fmt.Sprintf("随共性问题主案 %s 销号", b.ParentID)
	if b.Resolution != "" {
		c.Resolution += "：" + b.Resolution
	}
	return []eventDraft{{Type: domain.EventClosed, Data: domain.Closed{
		ParentID: text(b.ParentID), Note: text(b.Resolution), Outcome: text(b.Outcome)}}}
}

// ReopenWithParentBody tells a child that its parent, with which it closed, was reopened
// (sent by the parent's workflow, as caseflow itself): the child follows the parent again.
type ReopenWithParentBody struct {
	ParentID string `json:"parent_id"`
	Reason   string `json:"reason"`
}

// Validate checks the message's own fields.
func (b ReopenWithParentBody) Validate() error { return CheckText("reason", b.Reason) }

func (b ReopenWithParentBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	if a != SystemActor {
		return forbidden("只有主案可以通知子案重新打开 (only the parent case reopens its children)")
	}
	if c.ParentID != b.ParentID {
		return rejection(ErrInvalidTransition, fmt.Sprintf("案件 %s 并入的是 %s，不是 %s (merged into another case)", c.ID, c.ParentID, b.ParentID))
	}
	if c.Status == domain.StatusMerged {
		return nil // told again: nothing to do
	}
	return requireStatus(c, UpdateReopenWithParent, domain.StatusClosed)
}

func (b ReopenWithParentBody) apply(c *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	if c.Status == domain.StatusMerged {
		return nil
	}
	c.Status, c.Outcome, c.Resolution = domain.StatusMerged, "", ""
	return []eventDraft{{Type: domain.EventReopened, Data: domain.Reopened{Reason: b.Reason, Status: c.Status, ParentID: text(b.ParentID)}}}
}

// reopenChildren tells every child of a parent that has just been reopened to follow it
// again, as closeChildren tells them to close: beside the case, each asked until it answers.
func (r *caseRun) reopenChildren(ctx workflow.Context) {
	parent, seq := r.c, r.c.LastSeq
	reason := fmt.Sprintf("共性问题主案 %s 重新打开", parent.ID)
	r.telling++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { r.telling-- }()
		for _, id := range parent.Children {
			arg := ActionInput[ReopenWithParentBody]{Actor: SystemActor, Body: ReopenWithParentBody{ParentID: parent.ID, Reason: reason}}
			if err := r.tell(ctx, id, UpdateReopenWithParent, fmt.Sprintf("reopen/%s/%d", parent.ID, seq), arg); err != nil {
				workflow.GetLogger(ctx).Warn("a child case did not reopen with its parent", "parent", parent.ID, "child", id, "error", err)
			}
		}
	})
}

// registerMerge registers the merge: not through handle, since the children are asked,
// one by one, before the parent records anything.
func registerMerge(ctx workflow.Context, r *caseRun) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateMerge, r.merge,
		workflow.UpdateHandlerOptions{Validator: validator[MergeBody](r)})
}

// refusedChild is a child that would not be merged (another action came first).
type refusedChild = domain.MergeRefusal

// merge asks each child, under the parent's lock, to merge into it; the children that
// accept are recorded on the parent (event merged, with those that refused and why). The
// API checks the children first, so a refusal here means that another action got to the
// child in between; when none accepts, the merge is refused and the parent is unchanged.
func (r *caseRun) merge(ctx workflow.Context, in ActionInput[MergeBody]) (domain.Case, error) {
	if err := r.lock(ctx); err != nil {
		return domain.Case{}, err
	}
	defer r.mu.Unlock()
	now := r.now(ctx)
	if err := r.check(in.Body, in.Actor, now, r.strict); err != nil {
		return domain.Case{}, err
	}
	r.merging = true
	defer func() { r.merging = false }()
	merged, refused := []string{}, []refusedChild{}
	for _, id := range in.Body.ChildIDs {
		arg := ActionInput[MergeIntoBody]{Actor: in.Actor,
			Body: MergeIntoBody{ParentID: r.c.ID, ParentEnterprise: r.c.EnterpriseID, Note: in.Body.Note}}
		err := r.tell(ctx, id, UpdateMergeInto, fmt.Sprintf("merge/%s/%d", r.c.ID, r.c.LastSeq+1), arg)
		var app *temporal.ApplicationError
		switch {
		case err == nil:
			merged = append(merged, id)
		case errors.As(err, &app) && app.Type() == domain.ErrCaseRefused:
			refused = append(refused, refusedChild{CaseID: id, Reason: app.Message()})
		default:
			return domain.Case{}, err
		}
	}
	if len(merged) == 0 {
		reasons := make([]string, len(refused))
		for i, f := range refused {
			reasons[i] = f.CaseID + "：" + f.Reason
		}
		return domain.Case{}, rejection(ErrInvalidTransition, "没有案件并入本案 (no case was merged)："+strings.Join(reasons, "；"))
	}
	next := r.c
	next.Scope = domain.ScopeCommon
	next.Children = append(slices.Clone(next.Children), merged...)
	return r.commit(ctx, next, in.Actor, now,
		[]eventDraft{{Type: domain.EventMerged, Data: domain.Merged{Children: merged, Refused: refused, Note: in.Body.Note}}})
}

// closeChildren tells every child of a parent that has just closed to close with it. It
// runs beside the case; the run does not continue as new before it is done.
func (r *caseRun) closeChildren(ctx workflow.Context) {
	parent, seq := r.c, r.c.LastSeq
	r.telling++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { r.telling-- }()
		for _, id := range parent.Children {
			arg := ActionInput[FollowParentBody]{Actor: SystemActor,
				Body: FollowParentBody{ParentID: parent.ID, Resolution: parent.Resolution, Outcome: parent.Outcome}}
			if err := r.tell(ctx, id, UpdateFollowParent, fmt.Sprintf("follow/%s/%d", parent.ID, seq), arg); err != nil {
				workflow.GetLogger(ctx).Warn("a child case did not close with its parent", "parent", parent.ID, "child", id, "error", err)
			}
		}
	})
}

// tell sends an action to another case's workflow (activities.UpdateCase) and waits for
// its outcome.
func (r *caseRun) tell(ctx workflow.Context, caseID, update, updateID string, arg any) error {
	raw, err := json.Marshal(arg)
	if err != nil {
		return err
	}
	actx := workflow.WithActivityOptions(ctx, tellOptions)
	return workflow.ExecuteActivity(actx, actUpdateCase, domain.UpdateCaseInput{
		WorkflowID: CaseWorkflowID(caseID), Update: update, UpdateID: updateID, Arg: raw}).Get(actx, nil)
}
