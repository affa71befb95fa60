package benchmark

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// userHZ is the unit of /proc's CPU times (USER_HZ, 100 on every Linux caseflow runs on).
const userHZ = 100

// machineCPU is the CPU time the whole machine has spent (all processes: caseflow, the
// Temporal server, PostgreSQL), from /proc/stat.
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var ticks int64
	for i, v := range f[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		var n int64
		fmt.Sscan(v, &n)
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ
}

// processCPU is the CPU time process pid has spent, user and system, all its threads (0 when
// it cannot be read).
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	return parseProcessCPU(string(b))
}

// parseProcessCPU reads utime and stime from a /proc/PID/stat line. The command's name comes
// second, in parentheses, and may hold spaces and parentheses itself: the fields are counted
// from the last ')'.
func parseProcessCPU(stat string) time.Duration {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(stat[i+1:]) // f[0] is the state, the 3rd field of the line
	if len(f) < 13 {
		return 0
	}
	var utime, stime int64
	if _, err := fmt.Sscan(f[11], &utime); err != nil {
		return 0
	}
	if _, err := fmt.Sscan(f[12], &stime); err != nil {
		return 0
	}
	return time.Duration(utime+stime) * time.Second / userHZ
}

// cpuSample is the CPU the machine, the server bench started (caseflow dev) and bench itself
// had spent at one moment.
type cpuSample struct {
	machine, server, self time.Duration
	serverKnown           bool
}

// sampleCPU samples the machine, the server (0 when bench did not start it) and this process.
func sampleCPU(serverPID int) cpuSample {
	s := cpuSample{machine: machineCPU(), self: processCPU(os.Getpid()), serverKnown: serverPID > 0}
	if s.serverKnown {
		s.server = processCPU(serverPID)
	}
	return s
}

// cpuSpent is the CPU spent between two samples, per unit of work (n units).
type cpuSpent struct {
	machine, server, self, rest time.Duration
	serverKnown                 bool
}

func (s cpuSample) to(later cpuSample, n int) cpuSpent {
	// A process that is gone reads as 0: its share is then none rather than below none.
	per := func(d time.Duration) time.Duration { return max(d, 0) / time.Duration(max(n, 1)) }
	c := cpuSpent{machine: per(later.machine - s.machine), server: per(later.server - s.server), self: per(later.self - s.self),
		serverKnown: s.serverKnown}
	c.rest = max(c.machine-c.server-c.self, 0)
	return c
}

// split says where the machine's CPU went: to the server process, to bench, and to the rest
// (PostgreSQL and the system, on a machine that runs nothing else), each named by the caller;
// "" when bench did not start the server (its process is not known).
func (c cpuSpent) split(server, self string) string {
	if !c.serverKnown {
		return ""
	}
	return fmt.Sprintf(": %s %.1f, %s %.1f, PostgreSQL and the rest %.1f ms", server, msf(c.server), self, msf(c.self), msf(c.rest))
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
