// Package datadir takes a caseflow data directory for one process at a time: `caseflow dev`
// for as long as it runs, or an administrative command (caseflow user create, caseflow unit
// create) that starts the directory's private PostgreSQL itself and stops it when done. Two
// devs would run two Temporal servers on one SQLite file — taking the same cases' shard from
// each other — and either would stop the PostgreSQL the other uses on its way out; so would
// a command that started it under a dev. The lock is the operating system's (flock on the
// file dev.lock), so a process that dies, however, leaves none behind; the file says which
// process holds it.
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gofrs/flock"
)

// InUseError: another process holds the data directory.
type InUseError struct{ Dir, Holder string }

func (e *InUseError) Error() string {
	return fmt.Sprintf("data directory %s is in use by %s; stop it, or pass another --data-dir", e.Dir, e.Holder)
}

// Lock is a data directory held by this process.
type Lock struct{ f *flock.Flock }

// Take takes dir for this process, which what names ("caseflow dev"), creating it if missing
// and checking that caseflow can write in it; held by another, the error is an *InUseError
// naming it and its process.
func Take(dir, what string) (*Lock, error) {
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
	ok, err := f.TryLock()
	if err != nil {
		return nil, notWritable(err)
	}
	if !ok {
		holder := "another caseflow process"
		if b, err := os.ReadFile(file); err == nil {
			if pid, name, found := strings.Cut(strings.TrimSpace(string(b)), " "); found {
				if _, err := strconv.Atoi(pid); err == nil {
					holder = name + " (process " + pid + ")"
				}
			}
		}
		return nil, &InUseError{Dir: dir, Holder: holder}
	}
	if err := os.WriteFile(file, []byte(strconv.Itoa(os.Getpid())+" "+what+"\n"), 0o644); err != nil {
		_ = f.Unlock()
		return nil, notWritable(err)
	}
	return &Lock{f}, nil
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
