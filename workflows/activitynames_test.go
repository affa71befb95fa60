package workflows

import (
	"reflect"
	"testing"

	"github.com/putian-fic/caseflow/activities"
)

func TestEveryActivityNameIsAnActivity(t *testing.T) {
	acts := reflect.TypeOf(&activities.Activities{})
	for _, name := range activityNames {
		if _, ok := acts.MethodByName(name); !ok {
			t.Errorf("the workflows call activity %q, which activities.Activities does not have", name)
		}
	}
}
