package domain

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

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
	if ip, err := netip.ParseAddr(host); err == nil {
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

// CheckEmail checks an e-mail address: one plain address (no name, no angle brackets),
// as RFC 5322 allows it.
func CheckEmail(addr string) error {
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr || len(addr) > 254 || strings.ContainsAny(addr, "\r\n") {
		return fmt.Errorf("%q 不是有效的邮箱地址 (not a valid e-mail address)", addr)
	}
	return nil
}
