package storetest_test

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/activities/store/storetest"
)

// child is set in the test binary this test starts again as a child: that one runs with a
// cluster, says where it is, and waits to be stopped.
const child = "CASEFLOW_STORETEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(child) == "" {
		os.Exit(m.Run()) // the parent needs no cluster of its own
	}
	storetest.Main(m)
}

// A test binary stopped halfway — Ctrl-C, a kill, or go test gone so that nobody reads its
// output — removes its PostgreSQL cluster instead of leaving it running.
func TestAStoppedTestBinaryRemovesItsCluster(t *testing.T) {
	if os.Getenv(child) != "" {
		fmt.Println("cluster:", storetest.ClusterDir())
		for range 600 { // a minute at most
			fmt.Println("waiting")
			time.Sleep(100 * time.Millisecond)
		}
		return
	}
	for _, stop := range []string{"interrupt", "terminate", "output closed"} {
		t.Run(stop, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestAStoppedTestBinaryRemovesItsCluster$")
			cmd.Env = append(os.Environ(), child+"=1")
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(out)
			dir := ""
			for dir == "" && lines.Scan() {
				dir, _ = strings.CutPrefix(lines.Text(), "cluster: ")
			}
			if _, err := os.Stat(dir); dir == "" || err != nil {
				cmd.Process.Kill()
				t.Fatalf("the child's cluster %q: %v", dir, err)
			}
			switch stop {
			case "interrupt":
				cmd.Process.Signal(os.Interrupt)
			case "terminate":
				cmd.Process.Signal(syscall.SIGTERM)
			default:
				out.Close()
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatal("the child did not stop within 30 s")
			}
			if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("after %s, the child's cluster %s is still there (%v)", stop, dir, err)
			}
		})
	}
}
