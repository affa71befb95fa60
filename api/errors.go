package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Error is an error the API answers with: an HTTP status, a stable code for programs and
// a message for people.
type Error struct {
	Status  int
	Code    string
	Message string
	// Details, when set, lists the problems one by one (invalid rule sets).
	Details any
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newError(status int, code, msg string) *Error {
	return &Error{Status: status, Code: code, Message: msg}
}

// errorBody is the JSON of every error answer.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details any    `json:"details,omitempty"`
	} `json:"error"`
}

// fail answers with err, mapped to a status and code in this one place. Errors that are
// not the client's fault are logged and answered without their internal text.
func fail(c *gin.Context, err error) {
	e := mapError(err)
	if e.Status >= 500 {
		slog.ErrorContext(c.Request.Context(), "request failed", "method", c.Request.Method, "path", c.FullPath(), "err", err)
	}
	if e.Status == http.StatusServiceUnavailable && c.Writer.Header().Get("Retry-After") == "" {
		c.Header("Retry-After", "5") // a workflow or the database that is away: try again shortly
	}
	var body errorBody
	body.Error.Code, body.Error.Message, body.Error.Details = e.Code, e.Message, e.Details
	c.Abort()
	respond(c, e.Status, body)
}

func mapError(err error) *Error {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return apiErr
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch appErr.Type() {
		case workflows.ErrInvalidTransition:
			return newError(http.StatusConflict, "invalid_transition", appErr.Message())
		case workflows.ErrForbidden:
			return newError(http.StatusForbidden, "forbidden", appErr.Message())
		case workflows.ErrNotFoundAppeal:
			return newError(http.StatusNotFound, "not_found", appErr.Message())
		case workflows.ErrInvalidInput:
			return newError(http.StatusUnprocessableEntity, "invalid_input", appErr.Message())
		case workflows.ErrIdempotencyConflict:
			return newError(http.StatusConflict, "idempotency_conflict", appErr.Message())
		case workflows.ErrVisitRefused:
			return newError(http.StatusUnprocessableEntity, "invalid_input", appErr.Message())
		case domain.ErrProjectionRefused:
			return newError(http.StatusUnprocessableEntity, "invalid_input",
				"内容无法保存，案件未作任何改变 (the read model refused a value in this request; the case is unchanged)")
		}
	}
	var storeErr *store.Error
	if errors.As(err, &storeErr) {
		return storeError(storeErr)
	}
	var notFound *serviceerror.NotFound
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	var canceled *serviceerror.Canceled
	switch {
	case errors.As(err, &unavailable):
		return newError(http.StatusServiceUnavailable, "unavailable",
			"工作流服务暂不可用，操作未执行，请稍后重试 (the workflow service is unavailable; nothing was done, try again)")
	case errors.Is(err, store.ErrNotFound), errors.As(err, &notFound):
		return newError(http.StatusNotFound, "not_found", "找不到该记录 (not found)")
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &deadline), errors.As(err, &canceled),
		status.Code(err) == codes.DeadlineExceeded:
		return newError(http.StatusServiceUnavailable, "timeout",
			"系统繁忙，操作已提交但尚未完成，请稍后刷新查看 (timed out; the action may still complete — read the case again)")
	case store.IsUnavailable(err):
		return newError(http.StatusServiceUnavailable, "unavailable",
			"数据库暂不可用，请稍后重试 (the database is unavailable; try again)")
	}
	return newError(http.StatusInternalServerError, "internal", "系统内部错误 (internal error)")
}

// entityLabels name the store's entities for people.
var entityLabels = map[string]string{
	store.EntityCase: "案件", store.EntityUnit: "单位", store.EntityEnterprise: "企业", store.EntityUser: "用户",
	store.EntityRuleSet: "规则集", store.EntityIdempotencyKey: "Idempotency-Key", store.EntitySession: "登录会话",
	store.EntityLeader: "班子成员", store.EntityVisit: "走访",
}

// storeError is the answer to a store error: its kind gives the status, its entity and id
// the message.
func storeError(e *store.Error) *Error {
	what := strings.TrimSpace(entityLabels[e.Entity] + " " + e.ID)
	switch {
	case errors.Is(e.Kind, store.ErrNotFound):
		return newError(http.StatusNotFound, "not_found", fmt.Sprintf("%s 不存在 (%s %s not found)", what, e.Entity, e.ID))
	case errors.Is(e.Kind, store.ErrUnauthorized) && e.Entity == store.EntityUser:
		return newError(http.StatusUnauthorized, "unauthorized", "用户名或密码错误 (wrong username or password)")
	case errors.Is(e.Kind, store.ErrUnauthorized):
		return newError(http.StatusUnauthorized, "unauthorized", "请重新登录 (sign in again)")
	case e.Entity == store.EntityIdempotencyKey:
		return newError(http.StatusConflict, "idempotency_conflict",
			"该 Idempotency-Key 已用于另一请求或正在处理 (the Idempotency-Key was used for a different request, or one still running)")
	case e.Entity == store.EntityRuleSet:
		return newError(http.StatusConflict, "version_conflict",
			fmt.Sprintf("版本号 %s 须大于当前启用的版本 (the version must be greater than the active one)", e.ID))
	}
	return newError(http.StatusConflict, "conflict", fmt.Sprintf("%s 已存在 (%s %s exists already)", what, e.Entity, e.ID))
}

// referenced turns "not found" for an entity a request body names into 422 for that
// field: the request is wrong, not the URL.
func referenced(err error, field string) error {
	var e *store.Error
	if errors.As(err, &e) && errors.Is(e.Kind, store.ErrNotFound) {
		return invalid(fmt.Sprintf("%s: %s %q 不存在 (no such %s)", field, entityLabels[e.Entity], e.ID, e.Entity))
	}
	return err
}

// endpoint adapts a handler that returns its error: fail answers it, in this one place.
func endpoint(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			fail(c, err)
		}
	}
}

// respond writes v as the JSON answer with status. It encodes straight into the response
// through encoding/json's pooled buffer, where gin's c.JSON marshals into a copy first: a
// page of cases is tens of kilobytes, garbage the collector would clear on the two cores
// the API shares with PostgreSQL.
func respond(c *gin.Context, status int, v any) {
	c.Header("Content-Type", "application/json; charset=utf-8")
	c.Status(status)
	if err := json.NewEncoder(c.Writer).Encode(v); err != nil {
		// Nothing is written when the value cannot be encoded (it is encoded whole first).
		fail(c, fmt.Errorf("api: encode the answer: %w", err))
	}
}
