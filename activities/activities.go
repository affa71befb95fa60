// Package activities holds every side effect of caseflow's workflows: writing the read
// model in PostgreSQL, routing cases with the rules, and later notifications and files.
// Activities are methods on one struct; workflows refer to them through a nil pointer.
package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/rules"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Activities carries what the activities need. One per worker.
type Activities struct {
	Store *store.Store
	// Rules caches compiled rule sets by version.
	Rules *rules.Cache
	// Notifier delivers the outbox; nil leaves notifications pending and then failed.
	Notifier *Notifier
	// Temporal reaches other cases' workflows (UpdateCase).
	Temporal client.Client
}

// New returns the activities of one worker: the store, a fresh rule-set cache, the
// notifier (nil: notifications stay pending, then fail) and the Temporal client.
func New(st *store.Store, n *Notifier, tc client.Client) *Activities {
	return &Activities{Store: st, Rules: &rules.Cache{}, Notifier: n, Temporal: tc}
}

// ProjectCase writes a case and its new timeline events to the read model. It is
// idempotent (events are keyed by case and sequence), so a retry never writes twice. A
// write PostgreSQL refuses for good is a non-retryable error of type domain.ErrProjectionRefused.
// It says whether notifications of the events wait in the outbox.
func (a *Activities) ProjectCase(ctx context.Context, p domain.Projection) (domain.Projected, error) {
	pending, err := a.Store.Project(ctx, p)
	if store.IsPermanent(err) {
		return domain.Projected{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("case %s: the read model refused the change: %v", p.Case.ID, err), domain.ErrProjectionRefused, err)
	}
	return domain.Projected{Pending: pending}, err
}

// RouteCase evaluates the active rule set for a case and returns the proposal. With no
// rule set, the proposal says so and the case goes to manual triage.
func (a *Activities) RouteCase(ctx context.Context, in domain.RouteInput) (domain.RouteProposal, error) {
	rec, err := a.Store.ActiveRuleSet(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return domain.RouteProposal{Reason: domain.ReasonNoRuleSet, RuleIDs: []string{}, Route: domain.Route{CoUnits: []string{}, Tags: []string{}}}, nil
	}
	if err != nil {
		return domain.RouteProposal{}, err
	}
	rs, err := a.Rules.Get(rec.Version, []byte(rec.Source))
	if err != nil {
		// A stored set that does not load cannot get better by retrying.
		return domain.RouteProposal{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("rule set %d: %v", rec.Version, err), "invalid_rules", err)
	}
	input, err := a.Store.RuleInput(ctx, RuleCase(in.Case), in.Case.EnterpriseID, in.Case.ID)
	if err != nil {
		return domain.RouteProposal{}, err
	}
	res := rs.Evaluate(input)
	if err := res.CheckComputedUnits(func(id string) (bool, error) { return a.Store.IsResponsibleUnit(ctx, id) }); err != nil {
		return domain.RouteProposal{}, err
	}
	return ProposalOf(res), nil
}

// RuleCase is what the rules read of a case.
func RuleCase(c domain.Case) rules.Case {
	amount := 0.0
	if c.AmountCNY != nil {
		amount = *c.AmountCNY
	}
	return rules.Case{Category: c.Category, List: c.List, Scope: c.Scope, Title: c.Title, Description: c.Description,
		AmountCNY: amount, Sensitive: c.Sensitive, Tags: c.Tags, CreatedAt: c.CreatedAt}
}

// ProposalOf turns the rules' result into the proposal kept on the case.
func ProposalOf(res rules.Result) domain.RouteProposal {
	return domain.RouteProposal{RuleSetVersion: res.RuleSetVersion, RuleIDs: res.RuleIDs(), Route: res.Route, Reason: res.Reason}
}
