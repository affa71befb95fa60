//go:build !nodev

package main

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	uiconfig "github.com/temporalio/ui-server/v2/server/config"

	uiserver "github.com/temporalio/ui-server/v2/server"
	"github.com/temporalio/ui-server/v2/server/server_options"
)

// The Temporal Web UI beside `caseflow dev` (github.com/temporalio/ui-server, its assets
// embedded: nothing loaded from the network), on 127.0.0.1 only, so that an operator can
// open any case's workflow history (a case's workflow id is case-<number>).

// reserveUIPort takes the UI port before anything starts, so that a port another process
// holds is refused at once, and holds it while the rest starts (seconds, in which another
// process could take it): the UI server ends the whole process when it cannot listen. nil
// for port 0 (no UI).
func reserveUIPort(port int) (net.Listener, error) {
	if port == 0 {
		return nil, nil
	}
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("--ui-port %d is not a port; pass 1–65535, or 0 for no UI", port)
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("Temporal UI port %d is in use; pass --ui-port with a free port, or --ui-port 0 for no UI", port)
	}
	if err != nil {
		return nil, fmt.Errorf("Temporal UI port %d cannot be used (%v); pass --ui-port, or 0 for no UI", port, err)
	}
	return ln, nil
}

// startTemporalUI serves the UI for the Temporal frontend at hostPort on the port reserved
// (reserveUIPort), which it gives up to the UI server only now; stop ends it.
func startTemporalUI(hostPort string, reserved net.Listener) (stop func()) {
	port := reserved.Addr().(*net.TCPAddr).Port
	cfg := &uiconfig.Config{TemporalGRPCAddress: hostPort, Host: "127.0.0.1", Port: port, EnableUI: true,
		DisableNewsFetch: true, DefaultNamespace: "default", CORS: uiconfig.CORS{CookieInsecure: true},
		Distribution: "caseflow", HideLogs: true}
	s := uiserver.NewServer(server_options.WithConfigProvider(cfg))
	_ = reserved.Close() // the UI server listens on it itself, at once
	go func() { _ = s.Start() }()
	return s.Stop
}
