package service

import (
	"testing"

	"github.com/putian-fic/caseflow/activities/store/storetest"
)

// The tests that read and write the store run on a PostgreSQL of their own.
func TestMain(m *testing.M) { storetest.Main(m) }
