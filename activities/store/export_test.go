package store

import "context"

// ExecForTest runs a statement directly, for tests that tamper with the database.
func (s *Store) ExecForTest(ctx context.Context, sql string, args ...any) error {
	_, err := s.pool.Exec(ctx, sql, args...)
	return err
}

// MigrateToForTest applies the migrations up to version, for tests of a migration.
func (s *Store) MigrateToForTest(ctx context.Context, version int64) error {
	return s.migrateTo(ctx, version)
}

// SetReportChunkForTest makes CompileQuarter gather its rows in chunks of n, until the test ends.
func SetReportChunkForTest(t interface{ Cleanup(func()) }, n int) {
	old := reportChunk
	reportChunk = n
	t.Cleanup(func() { reportChunk = old })
}

// DecodeSnapshotForTest reads a case's snapshot as the store reads it.
var DecodeSnapshotForTest = decodeSnapshot
