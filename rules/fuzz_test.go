package rules_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/rules"
)

// FuzzLoad: no rule-set source, however broken, crashes or stalls the loader (an upload
// is answered within seconds); a set it accepts evaluates a case without crashing, and
// routes it as CEL alone would.
func FuzzLoad(f *testing.F) {
	f.Add(rules.PutianYAML)
	f.Add([]byte("version: 2\nrules:\n  - id: a\n    when: case.category == 'power'\n    set: {office: government, lead_unit: power-supply}\n"))
	f.Add([]byte("version: 1\nrules: [{id: x, when: '1/0 == 1'}]"))
	f.Add([]byte("version: -1\nrules: {}\n"))
	f.Add([]byte("\x00\xff: [&a, *a]"))
	f.Fuzz(func(t *testing.T, src []byte) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			rs, err := rules.Load(src)
			if err != nil {
				return
			}
			// Routing with the index and the Go compilation answers what CEL alone answers.
			for _, in := range []rules.Input{{Case: rules.Case{Category: "power", List: "problem", Title: "停电"},
				Enterprise: rules.Enterprise{ID: "ent-001", County: "licheng"}}, benchInput} {
				if got, want := rs.Evaluate(in), rs.EvaluateWithCEL(in); !reflect.DeepEqual(got, want) {
					t.Errorf("%q routes %+v as %+v; CEL alone: %+v", src, in, got, want)
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("loading and evaluating took more than 5 s: %q", src)
		}
	})
}
