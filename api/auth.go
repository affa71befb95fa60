package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
)

const (
	roleLeader      = workflows.RoleLeader
	roleMemberDept  = workflows.RoleMemberDept
	roleAdmin       = workflows.RoleAdmin
	roleSupervision = workflows.RoleSupervision
	roleEfficiency  = workflows.RoleEfficiency
	userKey         = "caseflow.user"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if err := bindStrict(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.Username == "" || req.Password == "" {
		fail(c, newError(http.StatusUnprocessableEntity, "invalid_input", "请输入用户名和密码 (username and password are required)"))
		return
	}
	u, err := s.Store.Authenticate(c.Request.Context(), req.Username, req.Password)
	if err != nil {
		fail(c, err)
		return
	}
	token, expires, err := s.Store.CreateSession(c.Request.Context(), u.ID, s.SessionTTL)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"token": token, "expires_at": expires, "user": u})
}

// authenticate admits requests with a live bearer token and remembers the user.
func (s *Server) authenticate(c *gin.Context) {
	token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		fail(c, newError(http.StatusUnauthorized, "unauthorized", "请先登录 (a bearer token is required)"))
		return
	}
	u, err := s.Store.UserByToken(c.Request.Context(), strings.TrimSpace(token))
	if err != nil {
		fail(c, err)
		return
	}
	c.Set(userKey, u)
	c.Next()
}

func currentUser(c *gin.Context) store.User { return c.MustGet(userKey).(store.User) }

func requireRoles(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !slices.Contains(roles, currentUser(c).Role) {
			fail(c, newError(http.StatusForbidden, "forbidden", "您的角色无权执行此操作 (your role may not do this)"))
			return
		}
		c.Next()
	}
}

func (s *Server) me(c *gin.Context) { c.JSON(http.StatusOK, currentUser(c)) }
