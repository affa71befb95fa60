package store_test

import (
	"testing"

	"github.com/putian-fic/caseflow/activities/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var newStore = storetest.New
