package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/console"
	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows/domain"
)

const (
	userKey  = "caseflow.user"
	tokenKey = "caseflow.token"
)

// login exchanges a username and password for a bearer token (service.Users.Login: failed
// logins are throttled per username and client address; 429 with Retry-After).
func (s *Server) login(c *gin.Context) error {
	var req service.Credentials
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	req.Client = c.ClientIP()
	session, err := s.Service.Users.Login(c.Request.Context(), req)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, session)
	return nil
}

// logout revokes the token the request came with.
func (s *Server) logout(c *gin.Context) error {
	if err := s.Service.Users.Logout(c.Request.Context(), c.GetString(tokenKey)); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// revokeSessions revokes every token of a user (admin): whoever holds one must sign in again.
func (s *Server) revokeSessions(c *gin.Context) error {
	out, err := s.Service.Users.RevokeSessions(c.Request.Context(), currentUser(c), c.Param("username"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, out)
	return nil
}

// bearerToken takes the token from an Authorization header; the scheme is
// case-insensitive (RFC 9110).
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// authenticate admits requests with a live bearer token and remembers the user. A read
// (GET) may come with the console's session cookie instead, so that a page or a download
// the console links to opens in the browser; a change never does (the console's forms carry
// CSRF tokens, the API's requests a bearer token that another site cannot send).
func (s *Server) authenticate(c *gin.Context) {
	token, ok := bearerToken(c.GetHeader("Authorization"))
	if !ok && (c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead) {
		token = console.SessionToken(c.Request)
		ok = token != ""
	}
	if !ok {
		fail(c, newError(http.StatusUnauthorized, "unauthorized", "请先登录 (a bearer token is required)"))
		return
	}
	u, err := s.Service.Users.ByToken(c.Request.Context(), token)
	if err != nil {
		fail(c, err)
		return
	}
	c.Set(userKey, u)
	c.Set(tokenKey, token)
	c.Next()
}

func currentUser(c *gin.Context) domain.User { return c.MustGet(userKey).(domain.User) }

func requireRoles(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !slices.Contains(roles, currentUser(c).Role) {
			fail(c, newError(http.StatusForbidden, "forbidden", "您的角色无权执行此操作 (your role may not do this)"))
			return
		}
		c.Next()
	}
}

func (s *Server) me(c *gin.Context) { respond(c, http.StatusOK, currentUser(c)) }
