package store

import (
	"context"
	"fmt"
)

// Stats are the read model's figures an operator watches (GET /metrics): cases by status,
// cases overdue, and the notifications still to deliver (the outbox's backlog).
type Stats struct {
	ByStatus map[string]int
	Overdue  int
	Outbox   int
}

// Stats counts them, in one statement.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	out := Stats{ByStatus: map[string]int{}}
	rows, _ := s.pool.Query(ctx, `SELECT 'status', status, count(*)::int FROM cases GROUP BY status
		UNION ALL SELECT 'overdue', '', count(*)::int FROM cases WHERE overdue
		UNION ALL SELECT 'outbox', '', count(*)::int FROM notifications WHERE status = 'pending'`)
	defer rows.Close()
	for rows.Next() {
		var kind, key string
		var n int
		if err := rows.Scan(&kind, &key, &n); err != nil {
			return Stats{}, fmt.Errorf("store: stats: %w", err)
		}
		switch kind {
		case "status":
			out.ByStatus[key] = n
		case "overdue":
			out.Overdue = n
		case "outbox":
			out.Outbox = n
		}
	}
	if err := rows.Err(); err != nil {
		return Stats{}, fmt.Errorf("store: stats: %w", err)
	}
	return out, nil
}
