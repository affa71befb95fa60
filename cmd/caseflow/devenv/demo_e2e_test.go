package devenv_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/cmd/caseflow/devenv"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// TestTheDemoVisitsProblemsAreCasesInEveryStateAndAStartOnALaterDayAddsNone: `caseflow dev
// --demo` gives the visiting side with visits whose problems are cases in every state, and a
// second start on the same data, a day later (the demo's visits are dated from the day it
// loads), adds none and starts.
func TestTheDemoVisitsProblemsAreCasesInEveryStateAndAStartOnALaterDayAddsNone(t *testing.T) {
	dir := dataDir(t)
	startDemo := func(clock workflows.Clock) *devenv.Env {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		env, err := devenv.Start(ctx, devenv.Config{DataDir: dir, Addr: "127.0.0.1:0", Demo: true, DemoVisiting: true,
			Clock: clock, Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		return env
	}
	env := startDemo(workflows.Clock{})
	member := login(t, env.URL, "member")
	cases := member.must(http.StatusOK, "GET", "/api/v1/cases?page_size=100", nil)
	statuses := map[string]int{}
	fromVisits := 0
	for _, it := range cases.Body["items"].([]any) {
		c := it.(map[string]any)
		statuses[c["status"].(string)]++
		if c["visit_id"] != "" {
			fromVisits++
		}
	}
	for _, s := range []string{"triage", "referral", "handling", "follow_up", "closed", "merged"} {
		if statuses[s] == 0 {
			t.Errorf("no demo case in %s: %v", s, statuses)
		}
	}
	if fromVisits != 10 {
		t.Errorf("%d demo cases from visits, want 10", fromVisits)
	}
	// Coverage still shows gaps, and leader1's visits carry their cases.
	leader1 := login(t, env.URL, "leader1")
	visits := leader1.must(http.StatusOK, "GET", "/api/v1/visits?leader=leader1&page_size=100", nil)
	withCases := 0
	for _, it := range visits.Body["items"].([]any) {
		if ids, _ := it.(map[string]any)["case_ids"].([]any); len(ids) > 0 {
			withCases++
		}
	}
	if withCases != 3 {
		t.Errorf("%d of leader1's visits have cases, want 3", withCases)
	}
	total := cases.Body["total"]
	env.Close()

	// The next day in Shanghai (the day before, when the next is in another year: a new
	// year's demo has visits of its own).
	now := time.Now()
	shift := 24 * time.Hour
	if now.Add(shift).In(domain.Shanghai).Year() != now.In(domain.Shanghai).Year() {
		shift = -shift
	}
	env = startDemo(workflows.Clock{Epoch: now, Base: now.Add(shift), Speed: 1})
	defer env.Close()
	member = login(t, env.URL, "member")
	if again := member.must(http.StatusOK, "GET", "/api/v1/cases?page_size=100", nil).Body["total"]; again != total {
		t.Errorf("a second start: %v cases, the first %v", again, total)
	}
}
