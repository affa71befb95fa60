package activities

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Addresses people give for their notifications: checked when saved (here, with name
// resolution) and again at delivery (webhookDialer).

// ErrPrivateAddress: a webhook aimed at this machine or the local network, which caseflow
// refuses unless the administrator allows it (CASEFLOW_WEBHOOK_ALLOW_PRIVATE=1): a webhook
// must never turn the worker into a scanner of the Federation's own network.
var ErrPrivateAddress = errors.New("loopback, link-local and private addresses are not allowed")

// PublicIP reports whether ip may receive webhooks: not loopback, link-local, private
// (RFC 1918, unique local), unspecified, multicast, CGNAT or IPv4-mapped forms of those.
func PublicIP(ip netip.Addr) bool {
	ip = ip.Unmap()
	cgnat := netip.MustParsePrefix("100.64.0.0/10")
	return ip.IsValid() && !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() &&
		!ip.IsLinkLocalMulticast() && !ip.IsInterfaceLocalMulticast() && !ip.IsMulticast() &&
		!ip.IsUnspecified() && !cgnat.Contains(ip) && ip != netip.MustParseAddr("255.255.255.255")
}

// CheckWebhookURL checks a webhook address a user gives: an http(s) URL with a host, and,
// unless allowPrivate, one whose host is not (and does not resolve to) a loopback,
// link-local or private address. A name that does not resolve now is accepted: delivery
// checks the address it resolves to then.
func CheckWebhookURL(ctx context.Context, raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil || len(raw) > 2000 {
		return fmt.Errorf("%q 不是 http(s) 地址 (must be an http or https URL without credentials)", raw)
	}
	if allowPrivate {
		return nil
	}
	host := u.Hostname()
	ip, err := netip.ParseAddr(host)
	if err != nil {
		ip, err = inetAton(host)
	}
	if err == nil {
		if !PublicIP(ip) {
			return fmt.Errorf("%s 是本机或内网地址 (%w)", host, ErrPrivateAddress)
		}
		return nil
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return fmt.Errorf("%s 是本机地址 (%w)", host, ErrPrivateAddress)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, ip := range addrs {
		if !PublicIP(ip) {
			return fmt.Errorf("%s 解析为本机或内网地址 %s (%w)", host, ip, ErrPrivateAddress)
		}
	}
	return nil
}

// inetAton reads an IPv4 address in the other spellings the C library (and so curl, a
// browser or a proxy) accepts: one to four parts, each decimal, octal (a leading 0) or
// hexadecimal (0x), the last filling the remaining bytes — 127.1, 2130706433, 0x7f000001,
// 017700000001 are all 127.0.0.1.
func inetAton(host string) (netip.Addr, error) {
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, errors.New("not an address")
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 0, 32) // base 0: 0x… hexadecimal, 0… octal
		if err != nil || p == "" || strings.ContainsAny(p, "_bBoO") {
			return netip.Addr{}, errors.New("not an address")
		}
		vals[i] = v
	}
	var n uint64
	for i, v := range vals[:len(vals)-1] {
		if v > 255 {
			return netip.Addr{}, errors.New("not an address")
		}
		n |= v << (24 - 8*i)
	}
	last := vals[len(vals)-1]
	if last >= 1<<(8*(5-len(vals))) {
		return netip.Addr{}, errors.New("not an address")
	}
	n |= last
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), nil
}

// CheckEmail checks an e-mail address: one plain address (no name, no angle brackets),
// as RFC 5322 allows it.
func CheckEmail(addr string) error {
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr || len(addr) > 254 || strings.ContainsAny(addr, "\r\n") {
		return fmt.Errorf("%q 不是有效的邮箱地址 (not a valid e-mail address)", addr)
	}
	return nil
}

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
		if err != nil || !PublicIP(ap.Addr()) {
			return fmt.Errorf("webhook address %s: %w", address, ErrPrivateAddress)
		}
		return nil
	}
	return d
}
