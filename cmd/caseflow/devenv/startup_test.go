package devenv_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/cmd/caseflow/devenv"
)

// startFails starts an environment that must not start, and checks that the error is one
// line saying what to do, and that nothing is left behind: no temporary directory (TMPDIR
// is the test's own) and no running PostgreSQL in dataDir.
func startFails(t *testing.T, cfg devenv.Config, wants ...string) {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	cfg.Logger = quietLogger()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env, err := devenv.Start(ctx, cfg)
	if err == nil {
		env.Close()
		t.Fatalf("started; want an error saying %q", wants)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("the error is more than one line:\n%s", msg)
	}
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not say %q", msg, w)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("left behind in TMPDIR: %v", left)
	}
	if cfg.DataDir != "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "postgres", "data", "postmaster.pid")); err == nil {
			t.Errorf("PostgreSQL is still running in %s", cfg.DataDir)
		}
	}
}

func TestAStartThatCannotSucceedSaysWhyAndLeavesNothing(t *testing.T) {
	t.Run("API port in use", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		startFails(t, devenv.Config{Addr: ln.Addr().String(), Ephemeral: true},
			"API address "+ln.Addr().String()+" is in use", "pass --addr")
	})
	t.Run("Temporal port in use", func(t *testing.T) {
		// Something listens on a port the embedded server would need (below 32768).
		var ln net.Listener
		var port int
		for p := 21000 + os.Getpid()%5000; ln == nil && p < 32000; p += 7 {
			if l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p)); err == nil {
				ln, port = l, p
			}
		}
		if ln == nil {
			t.Fatal("no port to occupy")
		}
		defer ln.Close()
		startFails(t, devenv.Config{TemporalPort: port - 2, Ephemeral: true},
			"Temporal port "+strconv.Itoa(port)+" is in use", "pass --temporal-port")
		startFails(t, devenv.Config{TemporalPort: 40000, Ephemeral: true}, "out of range", "pass --temporal-port")
	})
	t.Run("data directory not writable", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "a-file")
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		startFails(t, devenv.Config{DataDir: filepath.Join(file, "data")}, "cannot be created", "pass --data-dir")
	})
	t.Run("PostgreSQL binaries not found", func(t *testing.T) {
		t.Setenv("CASEFLOW_PG_BIN", "/nonexistent/postgresql/bin")
		startFails(t, devenv.Config{Ephemeral: true}, "initdb is not in /nonexistent/postgresql/bin", "CASEFLOW_PG_BIN")
	})
	t.Run("a DATABASE_URL that does not answer", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		startFails(t, devenv.Config{Ephemeral: true, DatabaseURL: "postgres://caseflow:s3cret@" + addr + "/caseflow?sslmode=disable"},
			"does not answer", "caseflow@127.0.0.1", "DATABASE_URL")
	})
	t.Run("a failure after PostgreSQL started stops it again", func(t *testing.T) {
		dir := dataDir(t)
		// The embedded Temporal server cannot open its database: a directory stands there.
		if err := os.MkdirAll(filepath.Join(dir, "temporal.db", "x"), 0o755); err != nil {
			t.Fatal(err)
		}
		startFails(t, devenv.Config{DataDir: dir}, "Temporal server did not start")
	})
}

// TestADataDirectoryPostgresCannotEnterIsMadeReachable: run as root, caseflow runs
// PostgreSQL as user postgres; a data directory under `mktemp -d` (mode 0700) is given
// search permission for others, and the start succeeds.
func TestADataDirectoryPostgresCannotEnterIsMadeReachable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("PostgreSQL runs as the invoking user when not root")
	}
	base, err := os.MkdirTemp("", "caseflow-0700-") // mode 0700, like mktemp -d
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env, err := devenv.Start(ctx, devenv.Config{DataDir: filepath.Join(base, "data"), Addr: "127.0.0.1:0", Logger: quietLogger()})
	if err != nil {
		t.Fatalf("start in a 0700 directory: %v", err)
	}
	env.Close()
	if st, _ := os.Stat(base); st.Mode().Perm() != 0o701 {
		t.Errorf("mode of %s is %v, want 0701 (search permission only)", base, st.Mode().Perm())
	}
}

// TestASecondDevOnTheSameDataDirectoryIsRefusedAndTheFirstKeepsRunning: a second caseflow
// dev on a data directory one already runs on (another terminal, the same command twice)
// ends with one line naming the process that holds it, and the first goes on serving, its
// PostgreSQL up; once the first has stopped, the directory starts again.
func TestASecondDevOnTheSameDataDirectoryIsRefusedAndTheFirstKeepsRunning(t *testing.T) {
	dir := dataDir(t)
	first := start(t, dir)
	stopFirst := sync.OnceFunc(first.Close)
	defer stopFirst()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	second, err := devenv.Start(ctx, devenv.Config{DataDir: dir, Addr: "127.0.0.1:0", Logger: quietLogger()})
	if err == nil {
		second.Close()
		t.Fatal("a second caseflow dev started on the same data directory")
	}
	msg := err.Error()
	for _, want := range []string{"data directory " + dir + " is in use by caseflow dev (process " + strconv.Itoa(os.Getpid()) + ")", "pass another --data-dir"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("the error is more than one line:\n%s", msg)
	}
	member := login(t, first.URL, "member")
	member.must(http.StatusOK, "GET", "/api/v1/cases", nil)
	if err := first.Store.Ping(ctx); err != nil {
		t.Errorf("the first one's PostgreSQL after the refused start: %v", err)
	}
	stopFirst()
	again := start(t, dir)
	again.Close()
}
