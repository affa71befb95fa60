package datadir_test

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/cmd/caseflow/datadir"
)

// TestADataDirectoryIsHeldByOneProcessAndFreedWhenItDies: while one process holds a data
// directory another is refused with the holder's name and process id; killed, it leaves no
// lock behind, and a released directory is taken again.
func TestADataDirectoryIsHeldByOneProcessAndFreedWhenItDies(t *testing.T) {
	if dir := os.Getenv("DATADIR_TEST_HOLD"); dir != "" {
		if _, err := datadir.Take(dir, "caseflow dev"); err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("held\n")
		time.Sleep(time.Minute)
		return
	}
	dir := t.TempDir() + "/data"
	child := exec.Command(os.Args[0], "-test.run=^TestADataDirectoryIsHeldByOneProcessAndFreedWhenItDies$")
	child.Env = append(os.Environ(), "DATADIR_TEST_HOLD="+dir)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "held\n" {
		t.Fatalf("the holding process said %q (%v)", line, err)
	}

	_, err = datadir.Take(dir, "caseflow user create")
	var inUse *datadir.InUseError
	if !errors.As(err, &inUse) {
		t.Fatalf("taking a held directory: %v; want an InUseError", err)
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
	l, err := datadir.Take(dir, "caseflow dev")
	if err != nil {
		t.Fatalf("after its holder was killed: %v", err)
	}
	l.Release()
	l, err = datadir.Take(dir, "caseflow dev")
	if err != nil {
		t.Fatalf("after it was released: %v", err)
	}
	l.Release()
}
