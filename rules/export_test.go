package rules

// EvaluateWithCEL evaluates every condition with CEL alone, for the tests that hold the
// Go compilation and the index to CEL's answers.
func (rs *RuleSet) EvaluateWithCEL(in Input) Result { return rs.evaluateWithCEL(in) }
