package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
)

// The administrator's user management and a user's own password (service.Users).

func (s *Server) listUsers(c *gin.Context) error {
	list, err := s.Service.Users.ListUsers(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"items": list})
	return nil
}

func (s *Server) createUser(c *gin.Context) error {
	var req service.NewUserRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	u, err := s.Service.Users.CreateUser(c.Request.Context(), currentUser(c), req)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, u)
	return nil
}

func (s *Server) updateUser(c *gin.Context) error {
	var ch service.UserChange
	if err := bindStrict(c, &ch); err != nil {
		return err
	}
	u, err := s.Service.Users.UpdateUser(c.Request.Context(), currentUser(c), c.Param("username"), ch)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, u)
	return nil
}

func (s *Server) resetPassword(c *gin.Context) error {
	var req service.PasswordReset
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	if err := s.Service.Users.ResetPassword(c.Request.Context(), currentUser(c), c.Param("username"), req); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) userChanges(c *gin.Context) error {
	list, err := s.Service.Users.UserChanges(c.Request.Context(), currentUser(c), c.Param("username"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"items": list})
	return nil
}

func (s *Server) changePassword(c *gin.Context) error {
	var req service.PasswordChange
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	req.Session = c.GetString(tokenKey)
	if err := s.Service.Users.ChangePassword(c.Request.Context(), currentUser(c), req); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
