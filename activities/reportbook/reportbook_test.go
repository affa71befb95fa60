package reportbook_test

import (
	"testing"

	"github.com/putian-fic/caseflow/activities/reportbook"
)

// TestIdsAreListedByTheirNamesAndAnUnknownOneByItsId: a cell of several units, leaders or
// enterprises reads as their names joined with 、, an id without a name as the id itself.
func TestIdsAreListedByTheirNamesAndAnUnknownOneByItsId(t *testing.T) {
	n := reportbook.Names{Units: map[string]string{"power-supply": "国网莆田供电公司", "land": "市自然资源局"},
		Users: map[string]string{"leader1": "班子成员一", "leader2": ""}, Enterprises: map[string]string{"ent-001": "莆田市华兴鞋业有限公司"}}
	for _, c := range []struct{ got, want string }{
		{reportbook.Join([]string{"power-supply", "land", "gone"}, n.Unit), "国网莆田供电公司、市自然资源局、gone"},
		{reportbook.Join([]string{"leader1", "leader2"}, n.User), "班子成员一、leader2"},
		{reportbook.Join([]string{"ent-001", "ent-404"}, n.Enterprise), "莆田市华兴鞋业有限公司、ent-404"},
		{reportbook.Join(nil, n.Unit), ""},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}
