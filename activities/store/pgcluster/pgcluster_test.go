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
	dir := tempClusterDir(t)

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

func tempClusterDir(t *testing.T) string {
	t.Helper()
	base, err := os.MkdirTemp("", "pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(base, "cluster")
}

// refused reports whether a connection with this URL is refused for its credentials.
func refused(t *testing.T, url string) bool {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err == nil {
		conn.Close(context.Background())
		return false
	}
	if !strings.Contains(err.Error(), "password authentication failed") && !strings.Contains(err.Error(), "SASL") &&
		!strings.Contains(err.Error(), "password") {
		t.Fatalf("connection failed for another reason: %v", err)
	}
	return true
}

// TestTheClusterAsksForItsPassword: a private cluster lets in only who knows the random
// password kept, readable by its owner alone, in <dir>/password.
func TestTheClusterAsksForItsPassword(t *testing.T) {
	ctx := context.Background()
	dir := tempClusterDir(t)
	c, err := pgcluster.Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	st, err := os.Stat(pgcluster.PasswordFile(dir))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("password file mode %v, want 0600", st.Mode().Perm())
	}
	pw, _ := os.ReadFile(pgcluster.PasswordFile(dir))
	if len(strings.TrimSpace(string(pw))) < 32 || !strings.Contains(c.URL(), strings.TrimSpace(string(pw))) {
		t.Fatalf("password %q, URL %s", pw, c.URL())
	}
	noPassword := strings.Replace(c.URL(), ":"+strings.TrimSpace(string(pw))+"@", "@", 1)
	wrong := strings.Replace(c.URL(), strings.TrimSpace(string(pw)), "guess", 1)
	if !refused(t, noPassword) || !refused(t, wrong) {
		t.Fatal("the cluster let in a connection without its password")
	}
	if got := query(t, c.URL(), "SELECT 'ok'"); got != "ok" {
		t.Fatal(got)
	}
}

// TestATrustingClusterIsUpgradedInPlace: a data directory made when caseflow trusted
// every local connection gets a password on its next start, and keeps its data.
func TestATrustingClusterIsUpgradedInPlace(t *testing.T) {
	ctx := context.Background()
	dir := tempClusterDir(t)
	c, err := pgcluster.Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	query(t, c.URL(), "CREATE TABLE kept AS SELECT '旧数据'::text AS v")
	// Make it what an older caseflow left: trust everywhere, no password file.
	hba := filepath.Join(dir, "data", "pg_hba.conf")
	b, err := os.ReadFile(hba)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hba, []byte(strings.ReplaceAll(string(b), "scram-sha-256", "trust")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(pgcluster.PasswordFile(dir)); err != nil {
		t.Fatal(err)
	}

	c2, err := pgcluster.Start(ctx, dir)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer c2.Stop()
	if got := query(t, c2.URL(), "SELECT v FROM kept"); got != "旧数据" {
		t.Fatalf("data after the upgrade: %q", got)
	}
	if c2.URL() == c.URL() {
		t.Fatal("the upgrade kept the old password")
	}
	if !refused(t, c.URL()) {
		t.Fatal("after the upgrade, the cluster still trusts a connection without the new password")
	}
	if after, _ := os.ReadFile(hba); strings.Contains(string(after), " trust") {
		t.Errorf("pg_hba.conf still trusts:\n%s", after)
	}
}

// TestACommandBesideADevOnlyConnectsToItsCluster: Attach finds nothing while the cluster is
// not created or not running, never starts it, and once it runs connects to it and leaves
// it running when stopped.
func TestACommandBesideADevOnlyConnectsToItsCluster(t *testing.T) {
	ctx := context.Background()
	dir := tempClusterDir(t)
	if _, err := pgcluster.Attach(ctx, dir); err != pgcluster.ErrNotRunning {
		t.Fatalf("attaching to a cluster not created yet: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !os.IsNotExist(err) {
		t.Fatalf("attaching created the cluster: %v", err)
	}
	c, err := pgcluster.Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	query(t, c.URL(), "CREATE TABLE kept AS SELECT '开发'::text AS v")
	attached, err := pgcluster.Attach(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := query(t, attached.URL(), "SELECT v FROM kept"); got != "开发" {
		t.Errorf("attached read %q", got)
	}
	if err := attached.Stop(); err != nil {
		t.Fatal(err)
	}
	attached.StopIfStarted()
	if got := query(t, c.URL(), "SELECT v FROM kept"); got != "开发" {
		t.Errorf("after the attached one stopped, the server answers %q", got)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := pgcluster.Attach(ctx, dir); err != pgcluster.ErrNotRunning {
		t.Fatalf("attaching to a stopped cluster: %v", err)
	}
}
