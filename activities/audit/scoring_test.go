package audit_test

import (
	"errors"
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
		"bad CEL":           {"items:\n  - id: a\n    points: m.on_time_rate *\n", "a", "CEL"},
		"not a number":      {"items:\n  - id: a\n    points: '\"forty\"'\n", "a", "number"},
		"duplicate id":      {"items:\n  - id: a\n    points: 1.0\n  - id: a\n    points: 2.0\n", "a", "duplicate"},
		"unknown field":     {"items:\n  - id: a\n    points: 1.0\nbonus: 3\n", "", "unknown field"},
		"wrong example":     {"items:\n  - id: a\n    points: m.on_time_rate * 40.0\nexamples:\n  - figures: {on_time_rate: 1.0}\n    score: 50\n", "", "does not hold"},
		"no items":          {"items: []\n", "", "items"},
		"an unknown figure": {"items:\n  - id: a\n    points: m.speed * 2.0\n", "a", "speed"},
		"not YAML":          {"items: [\n", "", "YAML"},
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
