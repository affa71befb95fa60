package datadir_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/putian-fic/caseflow/cmd/caseflow/datadir"
)

// TestMain lets this test binary hold a data directory in a child process: with
// DATADIR_TEST_HOLD set it takes that directory as DATADIR_TEST_AS, says "held", and lets
// it go after DATADIR_TEST_FOR (a minute unless set) by exiting.
func TestMain(m *testing.M) {
	if dir := os.Getenv("DATADIR_TEST_HOLD"); dir != "" {
		if _, err := datadir.Take(context.Background(), dir, os.Getenv("DATADIR_TEST_AS")); err != nil {
			os.Stdout.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("held\n")
		hold, err := time.ParseDuration(os.Getenv("DATADIR_TEST_FOR"))
		if err != nil {
			hold = time.Minute
		}
		time.Sleep(hold)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// hold starts a process holding dir as what for that long, once it says it holds it.
func hold(t *testing.T, dir, what string, long time.Duration) *exec.Cmd {
	t.Helper()
	child := exec.Command(os.Args[0])
	child.Env = append(os.Environ(), "DATADIR_TEST_HOLD="+dir, "DATADIR_TEST_AS="+what, "DATADIR_TEST_FOR="+long.String())
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "held\n" {
		t.Fatalf("the holding process said %q (%v)", line, err)
	}
	return child
}

// TestADataDirectoryIsHeldByOneProcessAndFreedWhenItDies: while a dev holds a data
// directory another process is refused at once, with the holder's name and process id;
// killed, the dev leaves no lock behind, and a released directory is taken again.
func TestADataDirectoryIsHeldByOneProcessAndFreedWhenItDies(t *testing.T) {
	dir := t.TempDir() + "/data"
	child := hold(t, dir, datadir.Dev, time.Minute)
	start := time.Now()
	_, err := datadir.Take(context.Background(), dir, "caseflow user create")
	var inUse *datadir.InUseError
	if !errors.As(err, &inUse) {
		t.Fatalf("taking a held directory: %v; want an InUseError", err)
	}
	if inUse.Name != datadir.Dev || inUse.PID != child.Process.Pid {
		t.Errorf("held by %q (process %d); want %q (process %d)", inUse.Name, inUse.PID, datadir.Dev, child.Process.Pid)
	}
	if waited := time.Since(start); waited > datadir.CommandWait/2 {
		t.Errorf("refused after %s: a dev is not waited for", waited)
	}
	for _, want := range []string{"data directory " + dir + " is in use by caseflow dev (process " + strconv.Itoa(child.Process.Pid) + ")", "pass another --data-dir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	l, err := datadir.Take(context.Background(), dir, datadir.Dev)
	if err != nil {
		t.Fatalf("after its holder was killed: %v", err)
	}
	l.Release()
	l, err = datadir.Take(context.Background(), dir, datadir.Dev)
	if err != nil {
		t.Fatalf("after it was released: %v", err)
	}
	l.Release()
}

// TestADataDirectoryHeldByACommandIsWaitedForUntilTheCommandEnds: a second command (or a
// dev) started while `caseflow user create` holds the directory takes it once that command
// is done, rather than using the PostgreSQL the command is about to stop; a command that
// holds it for longer than CommandWait gets the holder named.
func TestADataDirectoryHeldByACommandIsWaitedForUntilTheCommandEnds(t *testing.T) {
	dir := t.TempDir() + "/data"
	child := hold(t, dir, "caseflow user create", 2*time.Second)
	l, err := datadir.Take(context.Background(), dir, "caseflow unit create")
	if err != nil {
		t.Fatalf("taking a directory a command holds for two seconds: %v", err)
	}
	if err := child.Wait(); err != nil {
		t.Errorf("the holding command: %v", err)
	}
	if b, _ := os.ReadFile(dir + "/dev.lock"); !strings.HasSuffix(string(b), " caseflow unit create\n") {
		t.Errorf("dev.lock says %q once taken", b)
	}
	l.Release()

	wait := datadir.CommandWait
	datadir.CommandWait = 500 * time.Millisecond
	t.Cleanup(func() { datadir.CommandWait = wait })
	child = hold(t, dir, "caseflow user create", time.Minute)
	_, err = datadir.Take(context.Background(), dir, datadir.Dev)
	var inUse *datadir.InUseError
	if !errors.As(err, &inUse) || inUse.Name != "caseflow user create" || inUse.PID != child.Process.Pid {
		t.Fatalf("a command holding it past the wait: %v; want it named", err)
	}
}

// TestALockFileNamingAProcessThatIsGoneIsNotTakenForADev: a holder that has just taken the
// lock has not written its name yet, and the file still names the dev before it, now gone;
// that is no reason to use a dev's PostgreSQL at once: the holder is not known, and waited
// for.
func TestALockFileNamingAProcessThatIsGoneIsNotTakenForADev(t *testing.T) {
	dir := t.TempDir()
	f := flock.New(dir + "/dev.lock")
	if ok, err := f.TryLock(); !ok || err != nil {
		t.Fatalf("lock: %v %v", ok, err)
	}
	defer f.Unlock()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/dev.lock", []byte(strconv.Itoa(gone.Process.Pid)+" caseflow dev\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wait := datadir.CommandWait
	datadir.CommandWait = 300 * time.Millisecond
	t.Cleanup(func() { datadir.CommandWait = wait })
	_, err := datadir.Take(context.Background(), dir, "caseflow user create")
	var inUse *datadir.InUseError
	if !errors.As(err, &inUse) || inUse.Name != "" || !strings.Contains(err.Error(), "in use by another caseflow process") {
		t.Fatalf("held under a stale name: %v; want the holder not known", err)
	}
}
