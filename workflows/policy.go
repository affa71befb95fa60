package workflows

import "github.com/putian-fic/caseflow/workflows/domain"

// SLAPolicy is the SLA policy (domain.SLAPolicy): the working days each step may take and
// when the supervision ladder fires — one definition, which the audit reads too.
type SLAPolicy = domain.SLAPolicy

// DefaultPolicy holds the mechanism's defaults (domain.DefaultPolicy).
var DefaultPolicy = domain.DefaultPolicy
