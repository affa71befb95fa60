// Package datadir takes a caseflow data directory for one process at a time: `caseflow dev`
// for as long as it runs, or an administrative command (caseflow user create, caseflow unit
// create) that starts the directory's private PostgreSQL itself and stops it when done. Two
// devs would run two Temporal servers on one SQLite file — taking the same cases' shard from
// each other — and either would stop the PostgreSQL the other uses on its way out; so would
// a command that started it under a dev. The lock is the operating system's (flock on the
// file dev.lock), so a process that dies, however, leaves none behind; the file says which
// process holds it. A process that finds the directory held by an administrative command
// waits for it to finish (they take a second or two); held by a dev, it is refused at once.
package datadir

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gofrs/flock"
)

// Dev is the name `caseflow dev` takes a data directory under: it holds it for as long as it
// runs, so no one waits for it.
const Dev = "caseflow dev"

// CommandWait is how long Take waits for an administrative command that holds the
// directory to finish.
var CommandWait = 30 * time.Second

// InUseError: another process holds the data directory. Name and PID are the holder's
// (Name empty and PID 0 when it is not known).
type InUseError struct {
	Dir, Name string
	PID       int
}

func (e *InUseError) Error() string {
	holder := "another caseflow process"
	if e.Name != "" {
		holder = fmt.Sprintf("%s (process %d)", e.Name, e.PID)
	}
	return fmt.Sprintf("data directory %s is in use by %s; stop it, or pass another --data-dir", e.Dir, holder)
}

// Lock is a data directory held by this process.
type Lock struct{ f *flock.Flock }

// Take takes dir for this process, which what names (Dev, "caseflow user create"), creating
// it if missing and checking that caseflow can write in it. Held by an administrative
// command, it waits until the command is done (at most CommandWait, or until ctx ends);
// held by a dev, or still held after that, the error is an *InUseError naming the holder.
func Take(ctx context.Context, dir, what string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory %s cannot be created (%v); pass --data-dir with a directory you can write", dir, cause(err))
	}
	notWritable := func(err error) error {
		return fmt.Errorf("data directory %s is not writable (%v); pass --data-dir with a directory you can write, or fix its permissions", dir, cause(err))
	}
	probe, err := os.CreateTemp(dir, ".write-test-")
	if err != nil {
		return nil, notWritable(err)
	}
	probe.Close()
	if err := os.Remove(probe.Name()); err != nil {
		return nil, notWritable(err)
	}
	file := filepath.Join(dir, "dev.lock")
	f := flock.New(file)
	deadline := time.Now().Add(CommandWait)
	for waiting := false; ; waiting = true {
		ok, err := f.TryLock()
		if err != nil {
			return nil, notWritable(err)
		}
		if ok {
			break
		}
		inUse := holder(dir, file)
		if inUse.Name == Dev || time.Now().After(deadline) {
			return nil, inUse
		}
		if !waiting {
			slog.Info("waiting for the data directory: another caseflow command is using it", "data_dir", dir,
				"holder", inUse.Name, "pid", inUse.PID, "at_most", CommandWait)
		}
		select {
		case <-ctx.Done():
			return nil, inUse
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err := os.WriteFile(file, []byte(strconv.Itoa(os.Getpid())+" "+what+"\n"), 0o644); err != nil {
		_ = f.Unlock()
		return nil, notWritable(err)
	}
	return &Lock{f}, nil
}

// holder reads who holds the lock from its file: the process id and name its holder wrote,
// unless that process is gone (a holder that has just taken the lock has not written its own
// yet; the file still names the one before), when it is not known.
func holder(dir, file string) *InUseError {
	e := &InUseError{Dir: dir}
	b, err := os.ReadFile(file)
	if err != nil {
		return e
	}
	pidText, name, found := strings.Cut(strings.TrimSpace(string(b)), " ")
	pid, err := strconv.Atoi(pidText)
	if !found || err != nil || pid <= 0 {
		return e
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return e
	}
	e.Name, e.PID = name, pid
	return e
}

// Release gives the directory up (nil: nothing to give up).
func (l *Lock) Release() {
	if l != nil {
		_ = l.f.Unlock()
	}
}

// cause is the innermost error, without the operation and path around it.
func cause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
