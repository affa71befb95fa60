package rules

import _ "embed"

// PutianYAML is the default rule set for Putian, loaded by `caseflow dev --demo`.
//
//go:embed putian.yaml
var PutianYAML []byte
