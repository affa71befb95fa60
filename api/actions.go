package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// actionDecoder turns a request body into the Update's argument, and names the units
// the body refers to so the handler can check that they exist.
type actionDecoder func(raw []byte, actor domain.Actor) (arg any, units []string, err error)

func decodeAction[T any](unitsOf func(T) []string) actionDecoder {
	return func(raw []byte, actor domain.Actor) (any, []string, error) {
		var body T
		if err := decodeStrict(raw, &body); err != nil {
			return nil, nil, err
		}
		if v, ok := any(body).(workflows.Validator); ok {
			if err := v.Validate(); err != nil {
				return nil, nil, err
			}
		}
		var units []string
		if unitsOf != nil {
			units = unitsOf(body)
		}
		return workflows.ActionInput[T]{Actor: actor, Body: body}, units, nil
	}
}

var actionDecoders = map[string]actionDecoder{
	workflows.UpdateTriage: decodeAction(func(b workflows.TriageBody) []string {
		if b.Decision != domain.DecisionRefer {
			return nil
		}
		units := []string{b.LeadUnit}
		if b.CoUnits != nil {
			units = append(units, *b.CoUnits...)
		}
		return units
	}),
	workflows.UpdateRefer: decodeAction(func(b workflows.ReferBody) []string {
		units := []string{b.LeadUnit}
		if b.CoUnits != nil {
			units = append(units, *b.CoUnits...)
		}
		return units
	}),
	workflows.UpdateSign:            decodeAction[workflows.SignBody](nil),
	workflows.UpdateProgress:        decodeAction[workflows.ProgressBody](nil),
	workflows.UpdateReturn:          decodeAction[workflows.ReturnBody](nil),
	workflows.UpdateComplete:        decodeAction[workflows.CompleteBody](nil),
	workflows.UpdateCallback:        decodeAction[workflows.CallbackBody](nil),
	workflows.UpdateClose:           decodeAction[workflows.CloseBody](nil),
	workflows.UpdateReopen:          decodeAction[workflows.ReopenBody](nil),
	workflows.UpdateComment:         decodeAction[workflows.CommentBody](nil),
	workflows.UpdateExtend:          decodeAction[workflows.ExtendBody](nil),
	workflows.UpdateDecideExtension: decodeAction[workflows.DecideExtensionBody](nil),
}

// act runs one user action on a case: POST /cases/{id}/actions/{action}. The workflow's
// validator decides whether it is allowed; the answer is the case as it then stands.
// An Idempotency-Key header makes a retried action take effect once.
func (s *Server) act(c *gin.Context) error {
	name := c.Param("action")
	decode, ok := actionDecoders[name]
	if !ok {
		return newError(http.StatusNotFound, "unknown_action", fmt.Sprintf("没有「%s」这个操作 (unknown action)", name))
	}
	cs, err := s.visibleCase(c, c.Param("id"))
	if err != nil {
		return err
	}
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	arg, units, err := decode(raw, u.Actor())
	if err != nil {
		return err
	}
	if err := s.checkUnits(c.Request.Context(), units); err != nil {
		return err
	}
	updateID := ""
	if key := c.GetHeader("Idempotency-Key"); key != "" {
		updateID = u.Username + "/" + name + "/" + key
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.ActionTimeout)
	defer cancel()
	if _, err := s.update(ctx, cs.ID, name, updateID, arg); err != nil {
		return err
	}
	return s.respondCase(c, http.StatusOK, cs.ID)
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
