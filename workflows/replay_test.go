package workflows_test

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"

	wf "github.com/putian-fic/caseflow/workflows"
)

// TestReplayKeptHistories replays every history in testdata/ against today's workflow
// code: a change that would break running cases fails here. A workflow change needs
// workflow.GetVersion; new histories are saved by the end-to-end test with
// CASEFLOW_SAVE_HISTORY=<file> (a visit's: CASEFLOW_SAVE_VISIT_HISTORY=<dir>; see docs/testing.md).
func TestReplayKeptHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no histories in testdata/")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflow(wf.CaseWorkflow)
			r.RegisterWorkflow(wf.VisitWorkflow)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatal(err)
			}
		})
	}
}
