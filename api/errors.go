package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
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
	var body errorBody
	body.Error.Code, body.Error.Message, body.Error.Details = e.Code, e.Message, e.Details
	c.AbortWithStatusJSON(e.Status, body)
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
		case workflows.ErrInvalidInput:
			return newError(http.StatusUnprocessableEntity, "invalid_input", appErr.Message())
		case activities.ErrProjectionRefused:
			return newError(http.StatusUnprocessableEntity, "invalid_input",
				"内容无法保存，案件未作任何改变 (the read model refused a value in this request; the case is unchanged)")
		}
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
	case errors.Is(err, store.ErrConflict):
		return newError(http.StatusConflict, "conflict", "与现有记录冲突 (conflicts with an existing record)")
	case errors.Is(err, store.ErrUnauthorized):
		return newError(http.StatusUnauthorized, "unauthorized", "请重新登录 (sign in again)")
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
