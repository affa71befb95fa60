package service

import (
	"context"
	"fmt"

	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Action is one user action on a case (POST /cases/{id}/actions/{action}, the appeals).
type Action struct {
	CaseID string
	// Name is the action's (workflows.Actions; not read by Appeal and DecideAppeal).
	Name string
	// Body is the action's JSON body, decoded and checked by the action itself.
	Body []byte
	// Key is the idempotency key ("" for none): a retried action takes effect once.
	Key string
}

// Act runs one user action on a case (one of workflows.Actions, by name). The workflow's
// validator decides whether it is allowed; the answer is the case as the action left it
// (the case its Update returned).
func (s Cases) Act(ctx context.Context, u domain.User, req Action) (CaseView, error) {
	action, ok := workflows.ActionByName(req.Name)
	if !ok {
		return CaseView{}, newError(NotFound, "unknown_action", fmt.Sprintf("没有「%s」这个操作 (unknown action)", req.Name))
	}
	return s.act(ctx, u, action, req, 0)
}

// Appeal is a unit's appeal (申诉) against items of its audit figures for the case (the
// request's Name is not read).
func (s Cases) Appeal(ctx context.Context, u domain.User, req Action) (CaseView, error) {
	if err := require(u, RolesAppellant...); err != nil {
		return CaseView{}, err
	}
	return s.act(ctx, u, workflows.AppealAction, req, 0)
}

// DecideAppeal is the efficiency office's decision on the case's appeal n (from 1).
func (s Cases) DecideAppeal(ctx context.Context, u domain.User, req Action, n int) (CaseView, error) {
	if err := require(u, RolesAppealJudge...); err != nil {
		return CaseView{}, err
	}
	if n < 1 || n > workflows.MaxAppeals {
		return CaseView{}, notFound(fmt.Sprintf("没有第 %d 号申诉 (no such appeal)", n))
	}
	return s.act(ctx, u, workflows.DecideAppealAction, req, n)
}

func (s Cases) act(ctx context.Context, u domain.User, action workflows.Action, req Action, appeal int) (CaseView, error) {
	cs, err := s.visibleCase(ctx, u, req.CaseID)
	if err != nil {
		return CaseView{}, err
	}
	if err := CheckIdempotencyKey(req.Key); err != nil {
		return CaseView{}, err
	}
	arg, units, err := action.Decode(req.Body, u.Actor(), DecodeJSON)
	if err != nil {
		return CaseView{}, err
	}
	if in, ok := arg.(workflows.ActionInput[workflows.DecideAppealBody]); ok {
		in.Body.N = appeal
		arg = in
	}
	if err := s.checkUnits(ctx, units); err != nil {
		return CaseView{}, err
	}
	// A merge's children are checked once the workflow would accept the merge itself (its
	// role and status), so that errors come in the order a user fixes them.
	if m, ok := arg.(workflows.ActionInput[workflows.MergeBody]); ok && u.Role == domain.RoleMemberDept && cs.Status == domain.StatusTriage {
		if err := s.checkChildren(ctx, cs.Case, u.Actor(), m.Body.ChildIDs); err != nil {
			return CaseView{}, err
		}
	}
	updateID := ""
	if req.Key != "" {
		updateID = u.Username + "/" + action.Name + "/" + req.Key
	}
	ctx, cancel := context.WithTimeout(ctx, s.ActionTimeout)
	defer cancel()
	after, err := s.update(ctx, cs.ID, action.Name, updateID, arg)
	if err != nil {
		return CaseView{}, err
	}
	return s.view(ctx, u, after)
}

// checkUnits verifies that every named unit exists and can be given cases.
func (s Cases) checkUnits(ctx context.Context, ids []string) error {
	for _, id := range ids {
		if id == "" {
			continue // a missing lead unit is the workflow's to reject, with its message
		}
		unit, err := s.Store.GetUnit(ctx, id)
		if err != nil {
			return referenced(err, "unit")
		}
		if !unit.Responsible() {
			return invalid(fmt.Sprintf("unit: %s（%s）不是承办单位 (not a responsible unit)", unit.Name, id))
		}
	}
	return nil
}

// checkChildren checks, before a merge is sent, that every child exists and may be merged
// into the parent as the read model stands (workflows.CheckMergeChild: in triage, another
// enterprise's, not itself a common problem's parent). The workflows check again (another
// action may come between).
func (s Cases) checkChildren(ctx context.Context, parent domain.Case, actor domain.Actor, ids []string) error {
	children, err := s.Store.CasesByID(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		child, ok := children[id]
		if !ok {
			return invalid(fmt.Sprintf("child_ids: 案件 %s 不存在 (no such case)", id))
		}
		if err := workflows.CheckMergeChild(&child, &parent, actor); err != nil {
			return err
		}
	}
	return nil
}
