package api

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

const (
	roleLeader      = domain.RoleLeader
	roleMemberDept  = domain.RoleMemberDept
	roleAdmin       = domain.RoleAdmin
	roleSupervision = domain.RoleSupervision
	roleEfficiency  = domain.RoleEfficiency
	userKey         = "caseflow.user"
	tokenKey        = "caseflow.token"
)

// Login throttling: 5 failed logins for a username, or 20 from one client address, within
// 15 minutes lock it for 30 seconds, doubling with every further failure up to 15 minutes.
var (
	userThrottle = store.Throttle{Threshold: 5, Base: 30 * time.Second, Max: 15 * time.Minute, Window: 15 * time.Minute}
	addrThrottle = store.Throttle{Threshold: 20, Base: 30 * time.Second, Max: 15 * time.Minute, Window: 15 * time.Minute}
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// login exchanges a username and password for a bearer token. Failed logins are counted
// per username and per client address; past the threshold every login for them, right
// password or not, is refused with 429 and Retry-After until the lock ends.
func (s *Server) login(c *gin.Context) error {
	ctx := c.Request.Context()
	var req loginRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	if req.Username == "" || req.Password == "" {
		return invalid("请输入用户名和密码 (username and password are required)")
	}
	if err := workflows.CheckLine("username", req.Username, workflows.MaxIDLength); err != nil {
		return err
	}
	addr := c.ClientIP()
	userKey, addrKey := "user:"+req.Username, "addr:"+addr
	wait, err := s.Store.LoginBlocked(ctx, userKey, addrKey)
	if err != nil {
		return err
	}
	if wait > 0 {
		if err := s.Store.RecordLoginAttempt(ctx, req.Username, addr, store.LoginThrottled); err != nil {
			return err
		}
		return tooManyAttempts(c, wait)
	}
	u, err := s.Store.Authenticate(ctx, req.Username, req.Password)
	if errors.Is(err, store.ErrUnauthorized) {
		for _, k := range []struct {
			key string
			t   store.Throttle
		}{{userKey, userThrottle}, {addrKey, addrThrottle}} {
			if _, err := s.Store.RecordLoginFailure(ctx, k.key, k.t); err != nil {
				return err
			}
		}
		if err := s.Store.RecordLoginAttempt(ctx, req.Username, addr, store.LoginFailed); err != nil {
			return err
		}
		return err // mapped once: 401, wrong username or password
	}
	if err != nil {
		return err
	}
	token, expires, err := s.Store.CreateSession(ctx, u.ID, s.SessionTTL)
	if err != nil {
		return err
	}
	if err := s.Store.ResetLoginFailures(ctx, userKey); err != nil {
		return err
	}
	if err := s.Store.RecordLoginAttempt(ctx, req.Username, addr, store.LoginOK); err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"token": token, "expires_at": expires, "user": u})
	return nil
}

func tooManyAttempts(c *gin.Context, wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	c.Header("Retry-After", strconv.Itoa(secs))
	return newError(http.StatusTooManyRequests, "too_many_attempts",
		fmt.Sprintf("登录失败次数过多，请 %d 秒后再试 (too many failed logins; try again in %d seconds)", secs, secs))
}

// logout revokes the token the request came with.
func (s *Server) logout(c *gin.Context) error {
	if err := s.Store.DeleteSession(c.Request.Context(), c.GetString(tokenKey)); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// revokeSessions revokes every token of a user (admin): whoever holds one must sign in again.
func (s *Server) revokeSessions(c *gin.Context) error {
	name := c.Param("username")
	n, err := s.Store.RevokeSessions(c.Request.Context(), name)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"username": name, "revoked": n})
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

// authenticate admits requests with a live bearer token and remembers the user.
func (s *Server) authenticate(c *gin.Context) {
	token, ok := bearerToken(c.GetHeader("Authorization"))
	if !ok {
		fail(c, newError(http.StatusUnauthorized, "unauthorized", "请先登录 (a bearer token is required)"))
		return
	}
	u, err := s.Store.UserByToken(c.Request.Context(), token)
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
