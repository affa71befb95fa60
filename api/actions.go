package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// act runs one user action on a case: POST /cases/{id}/actions/{action}. The workflow's
// validator decides whether it is allowed; the answer is the case as the action left it.
// An Idempotency-Key header makes a retried action take effect once.
func (s *Server) act(c *gin.Context) error {
	return s.runAction(c, http.StatusOK, s.Service.Cases.Act)
}

// appeal: POST /cases/{id}/appeals — a unit's appeal (申诉) against items of its audit
// figures for the case → 201 with the case.
func (s *Server) appeal(c *gin.Context) error {
	return s.runAction(c, http.StatusCreated, s.Service.Cases.Appeal)
}

// decideAppeal: POST /cases/{id}/appeals/{n}/decide — the efficiency office's decision.
func (s *Server) decideAppeal(c *gin.Context) error {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return newError(http.StatusNotFound, "not_found", "没有第 "+c.Param("n")+" 号申诉 (no such appeal)")
	}
	return s.runAction(c, http.StatusOK, func(ctx context.Context, u domain.User, req service.Action) (service.CaseView, error) {
		return s.Service.Cases.DecideAppeal(ctx, u, req, n)
	})
}

// runAction reads an action's request (the case, the body, the Idempotency-Key), runs it
// with op and answers the case as the action left it.
func (s *Server) runAction(c *gin.Context, status int, op func(context.Context, domain.User, service.Action) (service.CaseView, error)) error {
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	cs, err := op(c.Request.Context(), currentUser(c), service.Action{
		CaseID: c.Param("id"), Name: c.Param("action"), Body: raw, Key: idempotencyKey(c)})
	if err != nil {
		return err
	}
	respond(c, status, cs)
	return nil
}
