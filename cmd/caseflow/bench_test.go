package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBenchRefusesAnAloneBinaryThatCannotRunOrSizesNoMeasureCanTakeBeforeMeasuringAnything(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "caseflow-server")
	if err := os.WriteFile(notExec, []byte("not a program"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--alone-bin", filepath.Join(dir, "missing")}, "is not an executable file"},
		{[]string{"--alone-bin", notExec}, "is not an executable file"},
		{[]string{"--alone-bin", dir}, "is not an executable file"},
		{[]string{"--alone-bin", "/bin/sh", "--api", "http://127.0.0.1:1", "--temporal", "127.0.0.1:2"}, "leave out --api"},
		// Sizes no measure can take (--cases 0 divided by zero once the writes were measured).
		{[]string{"--cases", "-1"}, "--cases -1: give 0 (no read measures) or more"},
		{[]string{"--lifecycles", "0"}, "--lifecycles 0: it needs at least 1"},
		{[]string{"--intakes", "-3"}, "--intakes -3: it needs at least 1"},
		{[]string{"--read-concurrency", "0"}, "--read-concurrency 0: it needs at least 1"},
		{[]string{"--reads", "0"}, "--reads 0: it needs at least 1"},
	} {
		cmd := benchCommand()
		cmd.SetArgs(tc.args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := cmd.ExecuteContext(context.Background())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}
