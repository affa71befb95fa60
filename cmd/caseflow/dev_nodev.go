//go:build nodev

package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// devCommand, in a build with -tags nodev (the server image's: caseflow api, worker and the
// tools, without the embedded Temporal server and its Web UI, a binary a third the size whose
// processes hold a third less memory), says where `caseflow dev` is.
func devCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "dev",
		Short: "Not in this build (-tags nodev): build caseflow without the tag to run everything in one process",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("this caseflow was built with -tags nodev, without the embedded Temporal server: " +
				"run `go run ./cmd/caseflow dev`, or build without the tag")
		},
	}
}
