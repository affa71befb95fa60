package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
)

// The investment leads register (以商招商): GET/POST /leads, GET /leads/{id},
// POST /leads/{id}/follow-ups.

func (s *Server) listLeads(c *gin.Context) error {
	list, err := s.Service.Visits.Leads(c.Request.Context(), currentUser(c),
		service.LeadQuery{Leader: c.Query("leader"), Status: c.Query("status"), EnterpriseID: c.Query("enterprise_id")})
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"items": list})
	return nil
}

func (s *Server) getLead(c *gin.Context) error {
	l, err := s.Service.Visits.Lead(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, l)
	return nil
}

func (s *Server) createLead(c *gin.Context) error {
	var req service.NewLead
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	l, err := s.Service.Visits.CreateLead(c.Request.Context(), currentUser(c), req)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, l)
	return nil
}

func (s *Server) followUpLead(c *gin.Context) error {
	var req service.FollowUpRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	l, err := s.Service.Visits.FollowUp(c.Request.Context(), currentUser(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, l)
	return nil
}
