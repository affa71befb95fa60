package rules

import (
	"fmt"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"
)

// Limits on what a rule may cost.
const (
	// MaxEstimatedCost is the most a rule's worst case may cost, as estimated when the
	// set is loaded (text fields are taken to be at most MaxTextSize long).
	MaxEstimatedCost = 100_000
	// RuntimeCostLimit stops an evaluation that costs more than this.
	RuntimeCostLimit = 100_000
	// MaxTextSize is the longest text and list a rule is assumed to meet.
	MaxTextSize = 5000
)

// env is the one CEL environment: `case`, `enterprise` and `history`, and nothing else.
var env = sync.OnceValues(func() (*cel.Env, error) {
	base, err := cel.NewEnv()
	if err != nil {
		return nil, err
	}
	return cel.NewEnv(
		cel.CustomTypeProvider(provider{base.CELTypeProvider()}),
		cel.Variable("case", cel.ObjectType("rules.Case")),
		cel.Variable("enterprise", cel.ObjectType("rules.Enterprise")),
		cel.Variable("history", cel.ObjectType("rules.History")),
		ext.Strings(),
	)
})

// Env returns the CEL environment rules are compiled in.
func Env() *cel.Env {
	e, err := env()
	if err != nil {
		panic(fmt.Sprintf("rules: CEL environment: %v", err)) // fixed at build time
	}
	return e
}

// sizes bounds the sizes of texts, lists and maps for the cost estimate.
type sizes struct{}

func (sizes) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	if len(n.Path()) > 0 {
		return &cost.SizeEstimate{Min: 0, Max: MaxTextSize}
	}
	return nil
}

func (sizes) EstimateCallCost(string, string, *cost.AstNode, []cost.AstNode) *cost.CallEstimate {
	return nil
}

// activation binds an input to the variables, in one allocation.
type activation struct {
	in         Input
	c, e, h    object
	cv, ev, hv [9]ref.Val
}

func newActivation(in *Input) *activation {
	a := &activation{in: *in}
	a.c = object{caseType, &a.in, a.cv[:len(caseType.fields)]}
	a.e = object{enterpriseType, &a.in, a.ev[:len(enterpriseType.fields)]}
	a.h = object{historyType, &a.in, a.hv[:len(historyType.fields)]}
	return a
}

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "case":
		return &a.c, true
	case "enterprise":
		return &a.e, true
	case "history":
		return &a.h, true
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (a *activation) Parent() interpreter.Activation { return nil }
