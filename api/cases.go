package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
)

// The cases' endpoints (service.Cases): each decodes its request, calls one operation and
// answers its result.

// createCase raises a case (POST /cases). With an Idempotency-Key header a retried request
// answers with the case the first one created.
func (s *Server) createCase(c *gin.Context) error {
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	var req service.NewCase
	if err := decodeStrict(raw, &req); err != nil {
		return err
	}
	req.Key, req.Request = idempotencyKey(c), raw
	cs, err := s.Service.Cases.Create(c.Request.Context(), currentUser(c), req)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, cs)
	return nil
}

func (s *Server) getCase(c *gin.Context) error {
	cs, err := s.Service.Cases.Get(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, cs)
	return nil
}

func (s *Server) listCases(c *gin.Context) error {
	q := service.CaseQuery{
		Status: c.Query("status"), Category: c.Query("category"), Unit: c.Query("unit"), Office: c.Query("office"),
		EnterpriseID: c.Query("enterprise_id"), Query: c.Query("q"), Card: c.Query("card"), Cursor: c.Query("cursor"),
	}
	var err error
	if q.Overdue, err = boolParam(c, "overdue"); err != nil {
		return err
	}
	if q.Page, err = intParam(c, "page", 1, 1, 1_000_000); err != nil {
		return err
	}
	if q.PageSize, err = intParam(c, "page_size", 20, 1, 100); err != nil {
		return err
	}
	if q.Cursor != "" && c.Query("page") != "" {
		return newError(http.StatusBadRequest, "invalid_query", "cursor 与 page 不能同时使用 (use either cursor or page)")
	}
	buf := service.NewListBuffer()
	defer buf.Release() // after the answer is written
	page, err := s.Service.Cases.List(c.Request.Context(), currentUser(c), q, buf)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, page)
	return nil
}

func intParam(c *gin.Context, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, newError(http.StatusBadRequest, "invalid_query", fmt.Sprintf("%s: 应为 %d 到 %d 之间的整数 (must be an integer from %d to %d)", name, lo, hi, lo, hi))
	}
	return n, nil
}

// boolParam reads ?name=true|false (absent: false).
func boolParam(c *gin.Context, name string) (bool, error) {
	switch c.Query(name) {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, newError(http.StatusBadRequest, "invalid_query", name+": 应为 true 或 false (must be true or false)")
}

func (s *Server) timeline(c *gin.Context) error {
	t, err := s.Service.Cases.Timeline(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, t)
	return nil
}

// sensitiveReads is the audit of who read a case's sensitive fields (efficiency office, admin).
func (s *Server) sensitiveReads(c *gin.Context) error {
	r, err := s.Service.Cases.SensitiveReads(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, r)
	return nil
}

// caseNotifications lists a case's notifications and their delivery status.
func (s *Server) caseNotifications(c *gin.Context) error {
	list, err := s.Service.Cases.Notifications(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"items": list})
	return nil
}

// listNotices lists the supervision notices (督办单) the user may see.
func (s *Server) listNotices(c *gin.Context) error {
	list, err := s.Service.Cases.Notices(c.Request.Context(), currentUser(c), service.NoticeQuery{
		CaseID: c.Query("case_id"), Card: c.Query("card"), Unit: c.Query("unit"), Office: c.Query("office")})
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"items": list, "total": len(list)})
	return nil
}
