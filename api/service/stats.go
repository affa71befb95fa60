package service

import (
	"context"

	"github.com/putian-fic/caseflow/activities/store"
)

// Stats are the figures an operator watches (GET /metrics): cases by status, overdue, and
// the notifications waiting in the outbox. No user: they are counts only.
type Stats = store.Stats

// Stats counts them now.
func (s *Service) Stats(ctx context.Context) (Stats, error) { return s.Store.Stats(ctx) }
