package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
)

// getCalendar answers a year's statutory holidays and make-up working days, as in force.
func (s *Server) getCalendar(c *gin.Context) error {
	y, err := pathYear(c, "year")
	if err != nil {
		return err
	}
	year, err := s.Service.Users.Calendar(c.Request.Context(), y)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, year)
	return nil
}

// putCalendar enters a year's holidays and make-up working days (admin).
func (s *Server) putCalendar(c *gin.Context) error {
	y, err := pathYear(c, "year")
	if err != nil {
		return err
	}
	var req service.CalendarYear
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	year, err := s.Service.Users.SetCalendar(c.Request.Context(), currentUser(c), y, req)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, year)
	return nil
}

func (s *Server) getNotificationSettings(c *gin.Context) error {
	n, err := s.Service.Users.NotificationSettings(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, n)
	return nil
}

// putNotificationSettings sets how the signed-in user is told: e-mail and/or webhook.
func (s *Server) putNotificationSettings(c *gin.Context) error {
	var n service.NotificationSettings
	if err := bindStrict(c, &n); err != nil {
		return err
	}
	n, err := s.Service.Users.SetNotificationSettings(c.Request.Context(), currentUser(c), n)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, n)
	return nil
}
