//go:build tools

// Package deploy holds what runs caseflow beyond one process. This file keeps the Temporal
// server's own binary and its SQL schema tool in go.mod (at the go.temporal.io/server
// version caseflow already requires), so that deploy/cluster builds them with
// `go build go.temporal.io/server/cmd/server` and `go build go.temporal.io/server/cmd/tools/sql`.
package deploy

import (
	_ "go.temporal.io/server/cmd/server"
	_ "go.temporal.io/server/cmd/tools/sql"
)
