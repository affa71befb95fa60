package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Kind is what went wrong with an operation, as its caller answers it: the JSON API maps
// each kind to one HTTP status (api/errors.go), the console to a page.
type Kind int

const (
	Internal        Kind = iota // a fault of caseflow's, logged; its text is not shown
	Invalid                     // the request's content is wrong (HTTP 422)
	BadRequest                  // the request itself is malformed: a query value, a header (400)
	Unauthorized                // not signed in, or wrong credentials (401)
	Forbidden                   // the user's role or unit may not do this (403)
	NotFound                    // no such thing, or one the user may not see (404)
	Conflict                    // the state of things refuses it: a transition, a version (409)
	TooLarge                    // the request is larger than the bound (413)
	Unsupported                 // a media type caseflow does not read (415)
	TooManyAttempts             // locked after failed logins; see RetryAfter (429)
	Unavailable                 // PostgreSQL or Temporal is away, or the wait ran out (503)
)

// Error is an operation's typed error: a kind, a stable code for programs, a message for
// people (Chinese, with English in brackets) and, where there are several problems, the
// problems one by one.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Details any
	// RetryAfter, when set, says when the request may be tried again.
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// fieldPath is how every refusal of a request's content begins: the field at fault, as the
// request names it ("title", "problems[2].category", "measures[0].due_date"), then ": ".
var fieldPath = regexp.MustCompile(`^([a-z][a-z0-9_]*(?:\[[0-9]+\])?(?:\.[a-z][a-z0-9_]*)*): `)

// Field is the field an Invalid error is about and the message without it ("", Message
// when it names no one field — "investment_leads, problems: …" names two). The workflows'
// and the services' refusals all begin with the field (workflows.invalidInput, invalid), so
// a form shows each beside its input.
func (e *Error) Field() (field, text string) {
	if e.Kind != Invalid {
		return "", e.Message
	}
	m := fieldPath.FindStringSubmatch(e.Message)
	if m == nil {
		return "", e.Message
	}
	return m[1], e.Message[len(m[0]):]
}

// NewError is an Error of kind with code and message.
func NewError(kind Kind, code, msg string) *Error {
	return &Error{Kind: kind, Code: code, Message: msg}
}

func newError(kind Kind, code, msg string) *Error { return NewError(kind, code, msg) }

// invalid is the answer to a request whose content is wrong.
func invalid(msg string) *Error { return newError(Invalid, "invalid_input", msg) }

func forbidden(msg string) *Error { return newError(Forbidden, "forbidden", msg) }

func notFound(msg string) *Error { return newError(NotFound, "not_found", msg) }

// Classify is err as an Error: an Error as it is; a workflow's refusal, a store's error
// and Temporal's or PostgreSQL's absence by their kind; anything else Internal.
func Classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch appErr.Type() {
		case workflows.ErrInvalidTransition:
			return newError(Conflict, "invalid_transition", appErr.Message())
		case workflows.ErrForbidden:
			return newError(Forbidden, "forbidden", appErr.Message())
		case workflows.ErrNotFoundAppeal:
			return newError(NotFound, "not_found", appErr.Message())
		case workflows.ErrInvalidInput:
			return newError(Invalid, "invalid_input", appErr.Message())
		case workflows.ErrIdempotencyConflict:
			return newError(Conflict, "idempotency_conflict", appErr.Message())
		case workflows.ErrVisitRefused:
			return newError(Invalid, "invalid_input", appErr.Message())
		case domain.ErrProjectionRefused:
			return newError(Invalid, "invalid_input",
				"内容无法保存，案件未作任何改变 (the read model refused a value in this request; the case is unchanged)")
		}
	}
	var storeErr *store.Error
	if errors.As(err, &storeErr) {
		return storeError(storeErr)
	}
	var nf *serviceerror.NotFound
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	var canceled *serviceerror.Canceled
	switch {
	case errors.As(err, &unavailable):
		return newError(Unavailable, "unavailable",
			"工作流服务暂不可用，操作未执行，请稍后重试 (the workflow service is unavailable; nothing was done, try again)")
	case errors.Is(err, store.ErrNotFound), errors.As(err, &nf):
		return newError(NotFound, "not_found", "找不到该记录 (not found)")
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &deadline), errors.As(err, &canceled),
		status.Code(err) == codes.DeadlineExceeded:
		return newError(Unavailable, "timeout",
			"系统繁忙，操作已提交但尚未完成，请稍后刷新查看 (timed out; the action may still complete — read the case again)")
	case store.IsUnavailable(err):
		return newError(Unavailable, "unavailable",
			"数据库暂不可用，请稍后重试 (the database is unavailable; try again)")
	}
	return newError(Internal, "internal", "系统内部错误 (internal error)")
}

// entityLabels name the store's entities for people.
var entityLabels = map[string]string{
	store.EntityCase: "案件", store.EntityUnit: "单位", store.EntityEnterprise: "企业", store.EntityUser: "用户",
	store.EntityRuleSet: "规则集", store.EntityIdempotencyKey: "Idempotency-Key", store.EntitySession: "登录会话",
	store.EntityLeader: "班子成员", store.EntityVisit: "走访", store.EntityFile: "附件", store.EntityInstruction: "批示", store.EntityLead: "招商线索",
}

// storeError is the answer to a store error: its kind gives the Kind, its entity and id
// the message.
func storeError(e *store.Error) *Error {
	what := strings.TrimSpace(entityLabels[e.Entity] + " " + e.ID)
	switch {
	case errors.Is(e.Kind, store.ErrNotFound):
		return newError(NotFound, "not_found", fmt.Sprintf("%s 不存在 (%s %s not found)", what, e.Entity, e.ID))
	case errors.Is(e.Kind, store.ErrDisabled):
		return newError(Unauthorized, "account_disabled", "该账号已停用，请联系系统管理员 (the account is disabled)")
	case errors.Is(e.Kind, store.ErrUnauthorized) && e.Entity == store.EntityUser:
		return newError(Unauthorized, "unauthorized", "用户名或密码错误 (wrong username or password)")
	case errors.Is(e.Kind, store.ErrUnauthorized):
		return newError(Unauthorized, "unauthorized", "请重新登录 (sign in again)")
	case e.Entity == store.EntityIdempotencyKey:
		return newError(Conflict, "idempotency_conflict",
			"该 Idempotency-Key 已用于另一请求或正在处理 (the Idempotency-Key was used for a different request, or one still running)")
	case e.Entity == store.EntityEnterpriseVersion:
		return newError(Conflict, "version_conflict",
			fmt.Sprintf("企业信息已被修改为第 %s 版，请重新打开后再修改 (the enterprise changed since it was read: now version %s)", e.ID, e.ID))
	case e.Entity == store.EntityLead:
		return newError(Conflict, "conflict", "线索的状态已被他人更新，请刷新后再试 (the lead changed meanwhile: read it again)")
	case e.Entity == store.EntityPlan:
		return newError(Conflict, "version_conflict",
			fmt.Sprintf("一企一策已被修改为第 %s 版，请重新打开后再修改 (the plan changed since it was read: now version %s)", e.ID, e.ID))
	case e.Entity == store.EntityRuleSet:
		return newError(Conflict, "version_conflict",
			fmt.Sprintf("版本号 %s 须大于当前启用的版本 (the version must be greater than the active one)", e.ID))
	}
	return newError(Conflict, "conflict", fmt.Sprintf("%s 已存在 (%s %s exists already)", what, e.Entity, e.ID))
}

// referenced turns "not found" for an entity a request names into Invalid for that field:
// the request is wrong, not the address.
func referenced(err error, field string) error {
	var e *store.Error
	if errors.As(err, &e) && errors.Is(e.Kind, store.ErrNotFound) {
		return invalid(fmt.Sprintf("%s: %s %q 不存在 (no such %s)", field, entityLabels[e.Entity], e.ID, e.Entity))
	}
	return err
}

// missing is "not found" for an entity and id, as the store says it.
func missing(entity, id string) error {
	return &store.Error{Entity: entity, ID: id, Kind: store.ErrNotFound}
}
