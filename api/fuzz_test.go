package api

import (
	"encoding/json"
	"testing"

	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// FuzzActionBodies: whatever bytes arrive as an action's body, decoding either refuses them
// with a client error (422) or yields a body whose every string the read model can store.
// `go test` runs the seeds; `go test -fuzz FuzzActionBodies ./api` explores.
func FuzzActionBodies(f *testing.F) {
	for _, seed := range []string{`{}`, `{"text":"hi\u0000there"}`, `{"decision":"refer","co_units":["a","b"]}`,
		`{"days":1e300,"reason":"x"}`, `{"solved":true,"satisfied":false,"note":"\ud800"}`, "{\"note\":\"\xff\"}",
		`[]`, `{"note":{"a":[[[[]]]]}}`, `{"report":"` + "\u202e" + `","outcome":"resolved"}`} {
		for i := range workflows.Actions {
			f.Add(i, []byte(seed))
		}
	}
	actor := domain.Actor{Username: "u", Role: domain.RoleUnit, Unit: "natural-resources"}
	f.Fuzz(func(t *testing.T, i int, raw []byte) {
		if i < 0 {
			i = -i
		}
		a := workflows.Actions[i%len(workflows.Actions)]
		arg, _, err := a.Decode(raw, actor, decodeStrict)
		if err != nil {
			if mapError(err).Status != 422 {
				t.Fatalf("%s: %v is not a 422", a.Name, err)
			}
			return
		}
		out, err := json.Marshal(arg)
		if err != nil {
			t.Fatalf("%s: accepted a body that does not encode: %v", a.Name, err)
		}
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case string:
				if p := domain.TextProblem(v, false); p != "" {
					t.Fatalf("%s: accepted %q: %s", a.Name, v, p)
				}
			case []any:
				for _, e := range v {
					walk(e)
				}
			case map[string]any:
				for _, e := range v {
					walk(e)
				}
			}
		}
		var decoded any
		_ = json.Unmarshal(out, &decoded)
		walk(decoded)
	})
}
