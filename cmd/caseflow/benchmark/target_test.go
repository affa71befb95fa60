package benchmark

import (
	"testing"
	"time"
)

func TestAtAMillionCasesListsAreHeldToTenMillisecondsAndACaseToThreeOneAtATime(t *testing.T) {
	want := map[string]struct {
		hundredThousand, million time.Duration
	}{
		"GET /cases (default)":                     {20 * time.Millisecond, 10 * time.Millisecond},
		"GET /cases?q=停电":                          {20 * time.Millisecond, 10 * time.Millisecond},
		"GET /cases as a unit (unit scope)":        {20 * time.Millisecond, 10 * time.Millisecond},
		"GET /cases?cursor=… (page 200)":           {20 * time.Millisecond, 10 * time.Millisecond},
		"GET /cases/{id}":                          {5 * time.Millisecond, 3 * time.Millisecond},
		"GET /cases/{id}/timeline":                 {5 * time.Millisecond, 3 * time.Millisecond},
		"console: a unit's home (the to-do panel)": {50 * time.Millisecond, 50 * time.Millisecond},
	}
	seen := 0
	for _, m := range readMeasures {
		limit, latencyOnly := m.target(100_000)
		if latencyOnly {
			t.Errorf("%s at 100,000 cases is judged one at a time only; four at a time must be held to it too", m.name)
		}
		got, gotLatency := m.target(MillionCases)
		if !gotLatency {
			t.Errorf("%s at a million cases is not judged by its latency (one at a time)", m.name)
		}
		w, ok := want[m.name]
		if !ok {
			if got > limit {
				t.Errorf("%s: %v at a million cases, looser than %v at 100,000", m.name, got, limit)
			}
			continue
		}
		seen++
		if limit != w.hundredThousand || got != w.million {
			t.Errorf("%s: held to %v at 100,000 cases and %v at a million, want %v and %v", m.name, limit, got, w.hundredThousand, w.million)
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of the %d reads this test names: a read was renamed", seen, len(want))
	}
}
