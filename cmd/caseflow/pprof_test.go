package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProfilesAreServedOnALoopbackAddressOnly(t *testing.T) {
	for addr, want := range map[string]string{
		"0.0.0.0:6060":     "loopback address only",
		"192.168.1.5:6060": "loopback address only",
		"example.org:6060": "loopback address only",
		"6060":             "not host:port",
	} {
		if err := servePprof(addr); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", addr, err, want)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := servePprof(ln.Addr().String()); err == nil || !strings.Contains(err.Error(), "pick another port") {
		t.Errorf("a port in use: %v", err)
	}
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	if err := servePprof(addr); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the profiles answer %d", resp.StatusCode)
	}
}

func TestOnlyTheLongRunningCommandsServeProfiles(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	t.Setenv("CASEFLOW_PPROF_ADDR", taken.Addr().String())
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer healthy.Close()
	// A health check run beside an API with the same environment does not need the port.
	root := rootCommand()
	root.SetArgs([]string{"probe", healthy.URL})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Errorf("caseflow probe with CASEFLOW_PPROF_ADDR set: %v", err)
	}
	// The API does, and says so before it starts.
	root = rootCommand()
	root.SetArgs([]string{"api"})
	if err := root.ExecuteContext(context.Background()); err == nil || !strings.Contains(err.Error(), "pick another port") {
		t.Errorf("caseflow api with its profiles' port taken: %v", err)
	}
}
