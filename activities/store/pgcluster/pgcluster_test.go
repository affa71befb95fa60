package pgcluster_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/putian-fic/caseflow/activities/store/pgcluster"
)

func query(t *testing.T, url, sql string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(s, ",")
}

// TestRestartAfterCrash covers what a crash of caseflow leaves behind: a server still
// running (reused), and a server killed with a stale postmaster.pid (restarted).
func TestRestartAfterCrash(t *testing.T) {
	ctx := context.Background()
	base, err := os.MkdirTemp("", "pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "cluster")

	c1, err := pgcluster.Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	query(t, c1.URL(), "CREATE TABLE kept AS SELECT '案件'::text AS v")

	// caseflow died; PostgreSQL is still running: the next start reuses it.
	c2, err := pgcluster.Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if c2.URL() != c1.URL() {
		t.Errorf("reused cluster at %s, was %s", c2.URL(), c1.URL())
	}
	c2.StopIfStarted() // did not start it: must leave it running
	if got := query(t, c1.URL(), "SELECT v FROM kept"); got != "案件" {
		t.Fatalf("after StopIfStarted on a reused server: %q", got)
	}

	// Now PostgreSQL dies too, leaving its pid file behind.
	pidFile := filepath.Join(dir, "data", "postmaster.pid")
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.SplitN(string(raw), "\n", 2)[0])
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); alive(pid) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	c3, err := pgcluster.Start(ctx, dir)
	if err != nil {
		t.Fatalf("restart after a crash: %v", err)
	}
	defer c3.Stop()
	if got := query(t, c3.URL(), "SELECT v FROM kept"); got != "案件" {
		t.Fatalf("data after crash recovery: %q", got)
	}
}

// alive reports whether the process exists (as a zombie too, until it is reaped).
func alive(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return err == nil
}
