package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// act runs one user action on a case: POST /cases/{id}/actions/{action}. The workflow's
// validator decides whether it is allowed; the answer is the case as it then stands.
// An Idempotency-Key header makes a retried action take effect once.
func (s *Server) act(c *gin.Context) error {
	name := c.Param("action")
	action, ok := workflows.ActionByName(name)
	if !ok {
		return newError(http.StatusNotFound, "unknown_action", fmt.Sprintf("没有「%s」这个操作 (unknown action)", name))
	}
	return s.runAction(c, action, nil, http.StatusOK)
}

// appeal: POST /cases/{id}/appeals — a unit's appeal (申诉) against items of its audit
// figures for the case → 201 with the case.
func (s *Server) appeal(c *gin.Context) error {
	return s.runAction(c, workflows.AppealAction, nil, http.StatusCreated)
}

// decideAppeal: POST /cases/{id}/appeals/{n}/decide — the efficiency office's decision.
func (s *Server) decideAppeal(c *gin.Context) error {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || n > workflows.MaxAppeals {
		return newError(http.StatusNotFound, "not_found", fmt.Sprintf("没有第 %s 号申诉 (no such appeal)", c.Param("n")))
	}
	return s.runAction(c, workflows.DecideAppealAction, func(arg any) any {
		in := arg.(workflows.ActionInput[workflows.DecideAppealBody])
		in.Body.N = n
		return in
	}, http.StatusOK)
}

// runAction sends one action to the case's workflow (set, if given, completes its argument
// from the path) and answers the case as it then stands.
func (s *Server) runAction(c *gin.Context, action workflows.Action, set func(any) any, status int) error {
	name := action.Name
	cs, err := s.visibleCase(c, c.Param("id"))
	if err != nil {
		return err
	}
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	arg, units, err := action.Decode(raw, u.Actor(), decodeStrict)
	if err != nil {
		return err
	}
	if set != nil {
		arg = set(arg)
	}
	if err := s.checkUnits(c.Request.Context(), units); err != nil {
		return err
	}
	// A merge's children are checked once the workflow would accept the merge itself (its
	// role and status), so that errors come in the order a user fixes them.
	if m, ok := arg.(workflows.ActionInput[workflows.MergeBody]); ok && u.Role == domain.RoleMemberDept && cs.Status == domain.StatusTriage {
		if err := s.checkChildren(c.Request.Context(), cs, u.Actor(), m.Body.ChildIDs); err != nil {
			return err
		}
	}
	updateID := ""
	if key != "" {
		updateID = u.Username + "/" + name + "/" + key
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.ActionTimeout)
	defer cancel()
	after, err := s.update(ctx, cs.ID, name, updateID, arg)
	if err != nil {
		return err
	}
	return s.answerCase(c, status, after)
}

// checkUnits verifies that every named unit exists and can be given cases.
func (s *Server) checkUnits(ctx context.Context, ids []string) error {
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
func (s *Server) checkChildren(ctx context.Context, parent domain.Case, actor domain.Actor, ids []string) error {
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
