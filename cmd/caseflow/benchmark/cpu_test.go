package benchmark

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestAProcessCPUIsReadAfterItsNameEvenWhenTheNameHoldsSpacesAndParentheses(t *testing.T) {
	// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
	line := "4242 (cf (dev) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 566 7 8 20 0 30 0 99 0 0\n"
	if got, want := parseProcessCPU(line), 18*time.Second; got != want {
		t.Errorf("utime 1234 + stime 566 ticks: got %s, want %s", got, want)
	}
	for _, bad := range []string{"", "4242 cf S 1", "4242 (cf) S 1 2 3"} {
		if got := parseProcessCPU(bad); got != 0 {
			t.Errorf("%q: got %s, want 0", bad, got)
		}
	}
	for spin := time.Now(); time.Since(spin) < 50*time.Millisecond; {
	}
	if processCPU(os.Getpid()) <= 0 {
		t.Error("this process's CPU reads as none after 50 ms of work")
	}
}

func TestTheLifecyclesCPUIsSplitBetweenTheServerBenchAndTheRestOnlyWhenBenchStartedTheServer(t *testing.T) {
	before := cpuSample{machine: 10 * time.Second, server: 4 * time.Second, self: time.Second, serverKnown: true}
	after := cpuSample{machine: 20 * time.Second, server: 11 * time.Second, self: 1500 * time.Millisecond, serverKnown: true}
	c := before.to(after, 100)
	if c.machine != 100*time.Millisecond || c.server != 70*time.Millisecond || c.self != 5*time.Millisecond || c.rest != 25*time.Millisecond {
		t.Fatalf("per case: %+v", c)
	}
	got := c.split("caseflow dev", "the load generator")
	if want := ": caseflow dev 70.0, the load generator 5.0, PostgreSQL and the rest 25.0 ms"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	before.serverKnown, after.serverKnown = false, false
	before.server, after.server = 0, 0
	if got := before.to(after, 100).split("caseflow dev", "bench"); got != "" {
		t.Errorf("a server bench did not start (--api) has no share of its own: got %q", got)
	}
	// A server gone before the second sample reads as 0: its share is none, not below none.
	if c := (cpuSample{server: 5 * time.Second, serverKnown: true}).to(cpuSample{machine: time.Second, serverKnown: true}, 1); c.server != 0 || c.rest != time.Second {
		t.Errorf("a server gone: %+v", c)
	}
	// Samples taken apart from each other can make the machine's count lag its processes'.
	if c := (cpuSample{serverKnown: true}).to(cpuSample{machine: time.Second, server: 2 * time.Second, serverKnown: true}, 1); c.rest != 0 || !strings.Contains(c.split("a", "b"), "the rest 0.0 ms") {
		t.Errorf("the rest went below nothing: %+v", c)
	}
}
