package audit_test

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	gojson "github.com/goccy/go-json"

	"github.com/putian-fic/caseflow/workflows/domain"
	"github.com/putian-fic/caseflow/workflows/domain/domaintest"
)

func TestEveryEventIsReadAsTheStandardLibraryReadsIt(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 1))
	for typ, rt := range domain.EventData {
		for range 200 {
			v := reflect.New(rt)
			domaintest.Fill(v.Elem(), rng)
			data, err := json.Marshal(v.Interface())
			if err != nil {
				t.Fatal(err)
			}
			if rng.IntN(2) == 0 { // what a newer version may add, and what synthetic events carry
				data = append(data[:len(data)-1], `,"synthetic":true,"later_field":{"x":[1,"二"]}}`...)
				if string(data[:2]) == "{," {
					data = append([]byte("{"), data[2:]...)
				}
			}
			std, errStd := domain.DecodeEvent(typ, data)
			fast, errFast := domain.DecodeEventWith(typ, data, gojson.Unmarshal)
			if (errStd == nil) != (errFast == nil) || !reflect.DeepEqual(std, fast) {
				t.Fatalf("%s %s:\nencoding/json: %+v (%v)\ngo-json:       %+v (%v)", typ, data, std, errStd, fast, errFast)
			}
		}
	}
}
