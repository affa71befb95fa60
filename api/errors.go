package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
)

// Error is an error the API answers with: an HTTP status, a stable code for programs and
// a message for people.
type Error struct {
	Status  int
	Code    string
	Message string
	// Details, when set, lists the problems one by one (invalid rule sets).
	Details any
	// Field, for content refused, is the field at fault as the request names it.
	Field string

	retryAfter time.Duration
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
		Field   string `json:"field,omitempty"`
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
	if e.retryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(int(e.retryAfter.Seconds())))
	}
	if e.Status == http.StatusServiceUnavailable && c.Writer.Header().Get("Retry-After") == "" {
		c.Header("Retry-After", "5") // a workflow or the database that is away: try again shortly
	}
	var body errorBody
	body.Error.Code, body.Error.Message, body.Error.Field, body.Error.Details = e.Code, e.Message, e.Field, e.Details
	c.Abort()
	respond(c, e.Status, body)
}

// statusOf is the HTTP status of each kind of service error.
var statusOf = map[service.Kind]int{
	service.Internal:        http.StatusInternalServerError,
	service.Invalid:         http.StatusUnprocessableEntity,
	service.BadRequest:      http.StatusBadRequest,
	service.Unauthorized:    http.StatusUnauthorized,
	service.Forbidden:       http.StatusForbidden,
	service.NotFound:        http.StatusNotFound,
	service.Conflict:        http.StatusConflict,
	service.TooLarge:        http.StatusRequestEntityTooLarge,
	service.Unsupported:     http.StatusUnsupportedMediaType,
	service.TooManyAttempts: http.StatusTooManyRequests,
	service.Unavailable:     http.StatusServiceUnavailable,
}

// mapError is err as the API answers it: an Error of the API's own (a request it could not
// decode) as it is, anything else as the service classifies it (service.Classify).
func mapError(err error) *Error {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return apiErr
	}
	e := service.Classify(err)
	field, _ := e.Field()
	out := &Error{Status: statusOf[e.Kind], Code: e.Code, Message: e.Message, Field: field, Details: e.Details, retryAfter: e.RetryAfter}
	if out.Status == 0 {
		out.Status = http.StatusInternalServerError
	}
	return out
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
