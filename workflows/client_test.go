package workflows

import "testing"

func TestOnlyAFrontendOnThisMachineIsSpokenToWithoutGzip(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7233": true, "localhost:7233": true, "[::1]:7233": true, "127.0.0.2:7233": true,
		"temporal:7233": false, "10.0.0.5:7233": false, "caseflow.tmprl.cloud:7233": false, "127.0.0.1": false,
	} {
		if got := onThisMachine(addr); got != want {
			t.Errorf("%s: loopback %v, want %v", addr, got, want)
		}
	}
}
