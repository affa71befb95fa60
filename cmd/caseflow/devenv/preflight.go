package devenv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// The checks `caseflow dev` makes before it starts anything, so that a start that cannot
// succeed ends at once with one line that says what is wrong and how to fix it.

// listenAPI opens the API's listener first: a port in use is the commonest start-up
// failure, and nothing else should be started (or left behind) because of it.
func listenAPI(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("API address %s is in use; pass --addr or stop the other process", addr)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("API address %s may not be used by this user (a port below 1024?); pass --addr with a port above 1024", addr)
	case err != nil:
		return nil, fmt.Errorf("API address %s cannot be used (%v); pass --addr host:port", addr, err)
	}
	return ln, nil
}

// checkTemporalPorts: the embedded server needs the frontend port and the three above it,
// all below 32768.
func checkTemporalPorts(port int) error {
	if port == 0 {
		return nil
	}
	if port < 1024 || port+3 > 32767 {
		return fmt.Errorf("Temporal port %d is out of range; pass --temporal-port between 1024 and 32764 (it uses that port and the next three)", port)
	}
	for p := port; p <= port+3; p++ {
		if !portFree(p) {
			return fmt.Errorf("Temporal port %d is in use (the embedded server needs %d–%d); pass --temporal-port or stop the other process (another caseflow dev?)",
				p, port, port+3)
		}
	}
	return nil
}

// cause is the innermost error, without the operation and path around it.
func cause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// oneLine keeps the first line of an error's text.
func oneLine(err error) string {
	s := err.Error()
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

// absDataDir makes the data directory absolute, so messages name it unambiguously.
func absDataDir(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}
