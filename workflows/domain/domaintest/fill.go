// Package domaintest makes values of the domain's types for tests, filled at random with
// what the JSON of a case or an event can hold.
package domaintest

import (
	"math/rand/v2"
	"reflect"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// Fill gives v (settable) a random value: texts with Chinese, quotes, escapes and HTML,
// numbers of every size, nil or filled slices, maps and pointers, times in any zone.
func Fill(v reflect.Value, rng *rand.Rand) { fill(v, rng, 0) }

func fill(v reflect.Value, rng *rand.Rand, depth int) {
	texts := []string{"", "牵头单位", `引号 "quoted" \ 反斜杠`, "<b>&</b>", "line\nbreak\ttab", "emoji 🙂", "\u2028", "power-supply"}
	switch v.Kind() {
	case reflect.String:
		v.SetString(texts[rng.IntN(len(texts))])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt([]int64{0, 1, -1, 15, 1 << 40}[rng.IntN(5)])
	case reflect.Float64, reflect.Float32:
		v.SetFloat([]float64{0, 0.5, 12345678.9, 1e300, -3}[rng.IntN(5)])
	case reflect.Pointer:
		if depth > 3 || rng.IntN(3) == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), rng, depth+1)
	case reflect.Slice:
		if depth > 3 || rng.IntN(4) == 0 {
			return // nil
		}
		n := rng.IntN(3)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fill(v.Index(i), rng, depth+1)
		}
	case reflect.Map:
		if depth > 3 || rng.IntN(4) == 0 {
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		for range rng.IntN(3) {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, rng, depth+1)
			fill(e, rng, depth+1)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			zone := []*time.Location{time.UTC, domain.Shanghai}[rng.IntN(2)]
			v.Set(reflect.ValueOf(time.Date(2026, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), 0, 0, rng.IntN(1e9), zone)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), rng, depth+1)
			}
		}
	}
}
