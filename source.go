package basicauthbypass

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// errSourceRange is wrapped by bypassSourceRange and ipStrategy configuration errors.
var errSourceRange = errors.New("invalid IP range")

// IPStrategy chooses the client address that bypassSourceRange and the failure throttle use.
// It means exactly what it means in Traefik's ipAllowList. Without it (both fields zero) the
// client is the connection's address, which a client cannot forge.
type IPStrategy struct {
	// Depth, when above 0, takes the client address from X-Forwarded-For: the Depth-th entry
	// counted from the right. Only for a chain of proxies you trust. Default: 0.
	Depth int `json:"depth,omitempty" yaml:"depth,omitempty" toml:"depth,omitempty"`
	// ExcludedIPs, when Depth is 0, takes the client address from X-Forwarded-For: the
	// rightmost entry not in these IPs or CIDRs (your own proxies). Default: none.
	ExcludedIPs []string `json:"excludedIPs,omitempty" yaml:"excludedIPs,omitempty" toml:"excludedIPs,omitempty"`
}

// clientAddress picks the client address of a request as Traefik's IP strategies do.
type clientAddress struct {
	depth    int
	excluded *ipRanges
}

// newClientAddress validates an IP strategy.
func newClientAddress(s IPStrategy) (*clientAddress, error) {
	if s.Depth < 0 {
		return nil, fmt.Errorf("option ipStrategy.depth %d: %w: want 0 or more", s.Depth, errSourceRange)
	}
	excluded, err := newIPRanges("ipStrategy.excludedIPs", s.ExcludedIPs)
	if err != nil {
		return nil, err
	}
	return &clientAddress{depth: s.Depth, excluded: excluded}, nil
}

// of returns the client address of req; "" when the strategy finds none.
func (c *clientAddress) of(req *http.Request) string {
	if c.depth > 0 {
		entries := strings.Split(req.Header.Get("X-Forwarded-For"), ",")
		if len(entries) < c.depth {
			return ""
		}
		return normalIP(entries[len(entries)-c.depth])
	}
	if !c.excluded.empty() {
		entries := strings.Split(req.Header.Get("X-Forwarded-For"), ",")
		for i := len(entries) - 1; i >= 0; i-- {
			entry := strings.TrimSpace(entries[i])
			if entry != "" && !c.excluded.contains(entry) {
				return normalIP(entry)
			}
		}
		return ""
	}
	return connectionAddress(req)
}

// normalIP returns the canonical form of an IP address taken from a header, or "" when it is
// not one, so that a forged header can neither match a range nor grow the failure table with
// long keys.
func normalIP(s string) string {
	ip := net.ParseIP(strings.TrimSpace(s))
	if ip == nil {
		return ""
	}
	return ip.String()
}

// key returns the address the failure throttle and the logs know a client by: the strategy's
// choice, or the connection's address when the strategy finds none (no X-Forwarded-For, as
// when Traefik strips it from an untrusted peer), so that such clients do not share one count.
func (c *clientAddress) key(req *http.Request) string {
	if ip := c.of(req); ip != "" {
		return ip
	}
	return connectionAddress(req)
}

// connectionAddress is the IP address of the connection req came on.
func connectionAddress(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return req.RemoteAddr
	}
	return host
}

// ipRanges is a list of IP networks; a single IP is a network of one address.
type ipRanges struct {
	networks []*net.IPNet
}

// newIPRanges parses IPs and CIDRs (IPv4 and IPv6) given for option.
func newIPRanges(option string, values []string) (*ipRanges, error) {
	r := &ipRanges{}
	for i, v := range values {
		s := strings.TrimSpace(v)
		if ip := net.ParseIP(s); ip != nil {
			bits := 8 * net.IPv6len
			if ip.To4() != nil {
				ip = ip.To4()
				bits = 8 * net.IPv4len
			}
			r.networks = append(r.networks, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, network, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("option %s[%d] %q: %w: want an IP or a CIDR such as 192.0.2.0/24 or 2001:db8::/32", option, i, v, errSourceRange)
		}
		r.networks = append(r.networks, network)
	}
	return r, nil
}

// empty reports whether there are no ranges.
func (r *ipRanges) empty() bool {
	return len(r.networks) == 0
}

// contains reports whether the address ip (no port) is in one of the ranges. An address that
// does not parse is in none.
func (r *ipRanges) contains(ip string) bool {
	addr := net.ParseIP(ip)
	if addr == nil {
		return false
	}
	for _, network := range r.networks {
		if network.Contains(addr) {
			return true
		}
	}
	return false
}
