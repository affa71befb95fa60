package store

import "context"

// ExecForTest runs a statement directly, for tests that tamper with the database.
func (s *Store) ExecForTest(ctx context.Context, sql string, args ...any) error {
	_, err := s.pool.Exec(ctx, sql, args...)
	return err
}
