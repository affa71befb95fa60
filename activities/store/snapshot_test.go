package store_test

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/putian-fic/caseflow/activities/store/storetest"
	"github.com/putian-fic/caseflow/workflows/domain"
	"github.com/putian-fic/caseflow/workflows/domain/domaintest"
)

// The store reads snapshots with goccy/go-json: what it reads from PostgreSQL's jsonb must be
// what encoding/json, which wrote them, reads from it — for cases of every shape, for
// snapshots written before a field was kept (keys missing), with fields null, and with
// fields a later version adds.
func TestACaseSnapshotIsReadAsTheStandardLibraryReadsIt(t *testing.T) {
	st := storetest.Empty(t)
	rng := rand.New(rand.NewPCG(34, 1))
	for i := range 3000 {
		var c domain.Case
		domaintest.Fill(reflect.ValueOf(&c).Elem(), rng)
		data, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if i%3 != 0 {
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(data, &fields); err != nil {
				t.Fatal(err)
			}
			for k := range fields {
				switch rng.IntN(8) {
				case 0:
					delete(fields, k) // written before the field was kept
				case 1:
					fields[k] = json.RawMessage("null")
				}
			}
			fields["later_field"] = json.RawMessage(`{"x":[1,"二",null]}`)
			if data, err = json.Marshal(fields); err != nil {
				t.Fatal(err)
			}
		}
		stored, fast, errFast := st.SnapshotAsStoredForTest(t.Context(), data)
		var std domain.Case
		errStd := json.Unmarshal(stored, &std)
		if errStd != nil || errFast != nil || !reflect.DeepEqual(std, fast) {
			t.Fatalf("%s:\nencoding/json: %+v (%v)\ngo-json:       %+v (%v)", stored, std, errStd, fast, errFast)
		}
	}
}
