package audit_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/putian-fic/caseflow/activities/audit"
)

func TestTheDefaultSchemeScoresAPerfectUnit100AndDeductsForCards(t *testing.T) {
	s, err := audit.LoadScheme([]byte(audit.DefaultScheme))
	if err != nil {
		t.Fatal(err)
	}
	perfect := audit.Figures{OnTimeRate: 1, SatisfiedRate: 1, SignOnTimeRate: 1, SolvedRate: 1}
	if score, items, err := s.Score(perfect); err != nil || score != 100 || len(items) != 8 {
		t.Errorf("perfect unit: %v %v %v", score, items, err)
	}
	carded := perfect
	carded.Cards = audit.Cards{Yellow: 2, Red: 1}
	if score, _, _ := s.Score(carded); score != 100-4-5 {
		t.Errorf("two yellow cards and a red: %v", score)
	}
	if got := audit.Rank([]float64{80, 95, 80, 60}); got[0] != 2 || got[1] != 1 || got[2] != 2 || got[3] != 4 {
		t.Errorf("ranks %v", got)
	}
}

func TestASchemeThatCannotScoreIsRefusedWithItsItemAndPosition(t *testing.T) {
	for name, tc := range map[string]struct{ src, item, word string }{
		"bad CEL":                          {"items:\n  - id: a\n    points: m.on_time_rate *\n", "a", "CEL"},
		"not a number":                     {"items:\n  - id: a\n    points: '\"forty\"'\n", "a", "number"},
		"duplicate id":                     {"items:\n  - id: a\n    points: 1.0\n  - id: a\n    points: 2.0\n", "a", "duplicate"},
		"unknown field":                    {"items:\n  - id: a\n    points: 1.0\nbonus: 3\n", "", "unknown field"},
		"wrong example":                    {"items:\n  - id: a\n    points: m.on_time_rate * 40.0\nexamples:\n  - figures: {on_time_rate: 1.0}\n    score: 50\n", "", "does not hold"},
		"no items":                         {"items: []\n", "", "items"},
		"an unknown figure":                {"items:\n  - id: a\n    points: m.speed * 2.0\n", "a", "speed"},
		"not YAML":                         {"items: [\n", "", "YAML"},
		"division by zero at two received": {"items:\n  - id: a\n    points: double(100 / (int(m.received) - 2))\n", "a", "division by zero"},
		"an int overflow":                  {"items:\n  - id: a\n    points: double(int(m.received) * 9223372036854775807)\n", "a", "overflow"},
		"NUL in a name":                    {"items:\n  - id: a\n    name: \"x\\0y\"\n    points: 1.0\n", "a", "U+0000"},
		"bidi override in an id":           {"items:\n  - id: \"a\\u202eb\"\n    points: 1.0\n", "a\u202eb", "bidirectional"},
		"NUL in an id":                     {"items:\n  - id: \"a\\0\"\n    points: 1.0\n", "a\x00", "U+0000"},
	} {
		_, err := audit.LoadScheme([]byte(tc.src))
		var se *audit.SchemeError
		if !errors.As(err, &se) || se.Problems[0].Item != tc.item || !strings.Contains(se.Problems[0].Message, tc.word) {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if tc.item != "" && se.Problems[0].Line == 0 {
			t.Errorf("%s: no position: %+v", name, se.Problems[0])
		}
	}
}

// TestAnItemThatFailsForOneUnitNamesItself: a scheme that passes its checks but still
// cannot score some unit's figures fails with the item and the reason, as an *ItemError.
func TestAnItemThatFailsForOneUnitNamesItself(t *testing.T) {
	s, err := audit.LoadScheme([]byte("items:\n  - id: base\n    points: 10.0\n  - id: odd\n    points: double(100 / (int(m.received) - 997))\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Score(audit.Figures{Received: 3}); err != nil {
		t.Fatalf("three received: %v", err)
	}
	_, _, err = s.Score(audit.Figures{Received: 997})
	var ie *audit.ItemError
	if !errors.As(err, &ie) || ie.Item != "odd" || !strings.Contains(ie.Reason, "division by zero") {
		t.Fatalf("997 received: %v", err)
	}
}

func TestEachItemShowsTheCasesOfTheFiguresItsExpressionReads(t *testing.T) {
	s, err := audit.LoadScheme([]byte(audit.DefaultScheme))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"on_time": {"completed", "completed_on_time"}, "satisfied": {"called_back", "satisfied"},
		"signed_on_time": {"signed", "signed_on_time"}, "solved": {"called_back", "solved"},
		"few_returns": {"returned"}, "few_redos": {"redone"}, "yellow_cards": {"yellow"}, "red_cards": {"red"},
	}
	for _, it := range s.Items {
		if !slices.Equal(it.Figures, want[it.ID]) {
			t.Errorf("item %s shows the cases of %v, want %v", it.ID, it.Figures, want[it.ID])
		}
	}
	custom, err := audit.ReadScheme([]byte("items:\n  - id: mix\n    points: double(m[\"returned\"]) + double(m.cards.red) - double(m.cards.blue) * m.redo_rate\n  - id: flat\n    points: 1.0\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := custom.Items[0].Figures; !slices.Equal(got, []string{"blue", "red", "redone", "returned"}) {
		t.Errorf("a custom item shows the cases of %v", got)
	}
	if got := custom.Items[1].Figures; len(got) != 0 {
		t.Errorf("an item that reads no figure shows the cases of %v", got)
	}
}
