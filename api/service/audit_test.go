package service

import (
	"slices"
	"testing"
)

// The cases behind a score item are the union of its figures' lists, each in order without
// repeats: in order, each case once, whatever the lists share.
func TestAScoreItemListsEachCaseBehindItsFiguresOnceInOrder(t *testing.T) {
	for _, tc := range []struct{ a, b, want []string }{
		{nil, nil, nil},
		{[]string{"SY-1"}, nil, []string{"SY-1"}},
		{nil, []string{"PT-2", "SY-1"}, []string{"PT-2", "SY-1"}},
		{[]string{"A", "C", "E"}, []string{"B", "C", "D", "F"}, []string{"A", "B", "C", "D", "E", "F"}},
		{[]string{"A", "B"}, []string{"A", "B"}, []string{"A", "B"}},
		{[]string{"B", "C"}, []string{"A"}, []string{"A", "B", "C"}},
	} {
		a := slices.Clone(tc.a)
		got := union(a, tc.b)
		if !slices.Equal(got, tc.want) {
			t.Errorf("union(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got = append(got, "Z"); !slices.Equal(a, tc.a) {
			t.Errorf("union(%v, %v) wrote into its first list: %v", tc.a, tc.b, a)
		}
	}
}
