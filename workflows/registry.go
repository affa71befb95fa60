package workflows

import (
	"errors"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"

	"go.temporal.io/sdk/workflow"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// Action is one user action on a case. One generic definition gives everything the action
// needs beside its check and apply: its Update name and Chinese label, how the case
// workflow registers it, and how a request body becomes its argument. Adding an action is
// one entry in Actions plus, in its stage's file (triage.go, handling.go…), its body with
// the body's Validate, check and apply, its event's data type (domain/events.go) and, if
// the event sets deadlines, its effect named in deadlineEffects.
type Action struct {
	Name  string // the Update's name, and the last segment of POST /cases/{id}/actions/{name}
	Label string // for people: 签收, 办结…

	register func(ctx workflow.Context, r *caseRun) error
	decode   func(raw []byte, actor domain.Actor, unmarshal func([]byte, any) error) (any, []string, error)
	allowed  func(c *domain.Case, actor domain.Actor, now time.Time) error
}

// Allowed reports whether the actor may take the action on the case as it stands: the
// action's own check (the one its Update's validator runs, with the checks of new runs),
// given an empty body, refuses it for nothing but the body — not for the role, the unit or
// the case's status. A page shows the action's button exactly when it is allowed.
func (a Action) Allowed(c *domain.Case, actor domain.Actor, now time.Time) bool {
	if a.allowed == nil {
		return false
	}
	err := a.allowed(c, actor, now)
	var appErr *temporal.ApplicationError
	return err == nil || errors.As(err, &appErr) && appErr.Type() == ErrInvalidInput
}

// Check is Allowed's refusal: why the actor may not take the action on the case now (the
// workflow's own error: forbidden, an invalid transition), nil when they may.
func (a Action) Check(c *domain.Case, actor domain.Actor, now time.Time) error {
	if a.Allowed(c, actor, now) {
		return nil
	}
	if a.allowed == nil {
		return forbidden("无权执行此操作 (you may not take this action)")
	}
	return a.allowed(c, actor, now)
}

// allowedBy runs an action's checks on an empty body of T.
func allowedBy[T action]() func(c *domain.Case, actor domain.Actor, now time.Time) error {
	return func(c *domain.Case, actor domain.Actor, now time.Time) error {
		var body T
		if err := body.check(c, actor, now); err != nil {
			return err
		}
		if s, ok := any(body).(strictAction); ok {
			return s.checkStrict(c, actor)
		}
		return nil
	}
}

// Decode turns a request body into the action's Update argument with unmarshal (the API's
// strict JSON decoding), checks the body's own fields (Validate), and names the units the
// body refers to, so that the caller can check that they exist.
func (a Action) Decode(raw []byte, actor domain.Actor, unmarshal func([]byte, any) error) (arg any, units []string, err error) {
	return a.decode(raw, actor, unmarshal)
}

// unitNamer is a body that names units (the API checks that they exist).
type unitNamer interface{ namedUnits() []string }

func define[T action](name, label string) Action {
	return Action{
		Name: name, Label: label,
		register: func(ctx workflow.Context, r *caseRun) error { return handle[T](ctx, r, name) },
		decode:   decoder[T](),
		allowed:  allowedBy[T](),
	}
}

// decoder decodes and validates an action's body into its Update argument.
func decoder[T Validator]() func(raw []byte, actor domain.Actor, unmarshal func([]byte, any) error) (any, []string, error) {
	return func(raw []byte, actor domain.Actor, unmarshal func([]byte, any) error) (any, []string, error) {
		var body T
		if err := unmarshal(raw, &body); err != nil {
			return nil, nil, err
		}
		if err := body.Validate(); err != nil {
			return nil, nil, err
		}
		var units []string
		if n, ok := any(body).(unitNamer); ok {
			units = n.namedUnits()
		}
		return ActionInput[T]{Actor: actor, Body: body}, units, nil
	}
}

// Actions are every user action on a case, in the order of the lifecycle.
var Actions = []Action{
	define[TriageBody](UpdateTriage, "梳理"),
	define[ReferBody](UpdateRefer, "转办"),
	define[SignBody](UpdateSign, "签收"),
	define[ProgressBody](UpdateProgress, "报告进展"),
	define[ReturnBody](UpdateReturn, "退回"),
	define[CompleteBody](UpdateComplete, "办结"),
	define[ExtendBody](UpdateExtend, "申请延期"),
	define[DecideExtensionBody](UpdateDecideExtension, "审批延期"),
	define[CallbackBody](UpdateCallback, "回访"),
	define[CloseBody](UpdateClose, "销号"),
	define[ReopenBody](UpdateReopen, "重新打开"),
	define[CommentBody](UpdateComment, "备注"),
	{Name: UpdateUrge, Label: "催办", register: registerNotice[UrgeBody](UpdateUrge), decode: decoder[UrgeBody](), allowed: allowedBy[UrgeBody]()},
	{Name: UpdateCard, Label: "督办牌", register: registerNotice[CardBody](UpdateCard), decode: decoder[CardBody](), allowed: allowedBy[CardBody]()},
	{Name: UpdateMerge, Label: "并案", register: registerMerge, decode: decoder[MergeBody](), allowed: allowedBy[MergeBody]()},
}

// AttachAction records a file attached to the case (POST /cases/{id}/files, once the
// bytes are stored).
var AttachAction = define[AttachBody](UpdateAttach, "上传附件")

// AppealAction is a unit's appeal against an audit item (POST /cases/{id}/appeals);
// DecideAppealAction the efficiency office's decision on it (…/appeals/{n}/decide).
var (
	AppealAction       = define[AppealBody](UpdateAppeal, "申诉")
	DecideAppealAction = define[DecideAppealBody](UpdateDecideAppeal, "申诉裁决")
)

// internalActions are the Updates one case's workflow sends another (merge.go); the API
// never sends them.
var internalActions = []Action{
	define[MergeIntoBody](UpdateMergeInto, "并入共性问题"),
	define[FollowParentBody](UpdateFollowParent, "随主案销号"),
	define[ReopenWithParentBody](UpdateReopenWithParent, "随主案重新打开"),
}

// registered are every Update a case's workflow takes: the users' actions, the appeals and
// the messages between cases.
var registered = slices.Concat(Actions, []Action{AppealAction, DecideAppealAction, AttachAction}, internalActions)

// ActionByName finds an action by its name.
func ActionByName(name string) (Action, bool) {
	for _, a := range Actions {
		if a.Name == name {
			return a, true
		}
	}
	return Action{}, false
}

// namedUnits: a referral names its units.
func (b TriageBody) namedUnits() []string {
	if b.Decision != domain.DecisionRefer {
		return nil
	}
	return unitsOf(b.LeadUnit, b.CoUnits)
}

func (b ReferBody) namedUnits() []string { return unitsOf(b.LeadUnit, b.CoUnits) }
