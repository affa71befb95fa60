// Package activities holds every side effect of caseflow's workflows: writing the read
// model in PostgreSQL now, notifications and files later. Activities are methods on one
// struct; workflows refer to them through a nil pointer.
package activities

import (
	"context"

	"github.com/putian-fic/caseflow/activities/store"
)

// Activities carries what the activities need. One per worker.
type Activities struct {
	Store *store.Store
}

// ProjectCase writes a case and its new timeline events to the read model. It is
// idempotent (events are keyed by case and sequence), so a retry never writes twice.
func (a *Activities) ProjectCase(ctx context.Context, p store.Projection) error {
	return a.Store.Project(ctx, p)
}
