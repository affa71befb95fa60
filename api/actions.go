package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/workflows"
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
	cs, err := s.visibleCase(c, c.Param("id"))
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
