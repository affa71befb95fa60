package activities

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// webhookDialer dials only public addresses unless allowPrivate: the address is checked
// after DNS resolution, at connect time, so a name that resolves differently later (DNS
// rebinding) is caught too.
func webhookDialer(allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if allowPrivate {
		return d
	}
	d.Control = func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !domain.PublicIP(ap.Addr()) {
			return fmt.Errorf("webhook address %s: %w", address, domain.ErrPrivateAddress)
		}
		return nil
	}
	return d
}
