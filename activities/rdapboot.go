package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/openrdap/rdap/bootstrap"
)

// DefaultRDAPBootstrap is IANA's RDAP bootstrap service registry (RFC
// 9224): the directory of ipv4.json and ipv6.json.
const DefaultRDAPBootstrap = "https://data.iana.org/rdap/"

// rdapBootTTL is how long a bootstrap registry is used before it is read
// again (IANA's files change a few times a year).
const rdapBootTTL = 24 * time.Hour

// rdapBootstrap chooses the RDAP server of an IP from the RFC 9224 IP
// registries: the entry with the longest prefix that covers the IP. The
// registries are read from a base URL (IANA's by default) or a local file or
// directory, parsed by github.com/openrdap/rdap/bootstrap, kept a day and,
// when a refresh fails, kept longer; a failed first read is remembered for
// rdapFailTTL. Only the configured location is ever read.
type rdapBootstrap struct {
	base string // http(s) URL of a directory, or a local file or directory
	hc   *http.Client
	now  func() time.Time
	// sem lets one lookup read a registry at a time; the others wait no
	// longer than their own deadline.
	sem  chan struct{}
	mu   sync.Mutex
	regs map[int]*bootReg
}

type bootReg struct {
	reg     *bootstrap.NetRegistry
	err     error
	expires time.Time
}

func newRDAPBootstrap(base string, hc *http.Client) (*rdapBootstrap, error) {
	if strings.HasPrefix(base, "http://") || strings.HasPrefix(base, "https://") {
		if u, err := url.Parse(base); err != nil || u.Host == "" {
			return nil, fmt.Errorf("rdap_bootstrap_url %q: not an http(s) URL", base)
		}
	} else if _, err := os.Stat(base); err != nil {
		return nil, fmt.Errorf("rdap_bootstrap_url %q: neither an http(s) URL nor a readable file: %w", base, err)
	}
	return &rdapBootstrap{base: base, hc: hc, sem: make(chan struct{}, 1), regs: map[int]*bootReg{}}, nil
}

// server returns the RDAP base URL for addr; ErrRDAPNotFound when no entry
// covers it or the address is not one a public registry holds (private,
// loopback, documentation, ...).
func (b *rdapBootstrap) server(ctx context.Context, addr netip.Addr) (*url.URL, error) {
	if !publicAddr(addr) {
		return nil, ErrRDAPNotFound
	}
	v, rt := 4, bootstrap.IPv4
	if addr.Is6() {
		v, rt = 6, bootstrap.IPv6
	}
	reg, err := b.registry(ctx, v)
	if err != nil {
		return nil, err
	}
	ans, err := reg.Lookup(&bootstrap.Question{RegistryType: rt, Query: addr.String()})
	if err != nil || ans == nil || len(ans.URLs) == 0 {
		return nil, ErrRDAPNotFound
	}
	// RFC 9224 section 3: prefer https when a service lists several URLs.
	pick := ans.URLs[0]
	for _, u := range ans.URLs {
		if u.Scheme == "https" {
			pick = u
			break
		}
	}
	if pick.Scheme != "https" && pick.Scheme != "http" {
		return nil, ErrRDAPNotFound
	}
	u := *pick
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return &u, nil
}

// registry returns the parsed registry of IP version v, reading it when
// absent or expired.
func (b *rdapBootstrap) registry(ctx context.Context, v int) (*bootstrap.NetRegistry, error) {
	now := b.clock()
	b.mu.Lock()
	r := b.regs[v]
	b.mu.Unlock()
	if r != nil && now.Before(r.expires) {
		return r.reg, r.err
	}
	select {
	case b.sem <- struct{}{}:
		defer func() { <-b.sem }()
	case <-ctx.Done():
		return nil, fmt.Errorf("rdap bootstrap: %w", ctx.Err())
	}
	b.mu.Lock()
	r = b.regs[v]
	b.mu.Unlock()
	if r != nil && now.Before(r.expires) { // read by the lookup we waited for
		return r.reg, r.err
	}
	reg, err := b.read(ctx, v)
	next := &bootReg{reg: reg, err: err, expires: now.Add(rdapBootTTL)}
	if err != nil {
		next.expires = now.Add(rdapFailTTL)
		if r != nil && r.reg != nil { // keep the registry we had
			next.reg, next.err = r.reg, nil
		}
	}
	b.mu.Lock()
	b.regs[v] = next
	b.mu.Unlock()
	return next.reg, next.err
}

func (b *rdapBootstrap) read(ctx context.Context, v int) (*bootstrap.NetRegistry, error) {
	name := fmt.Sprintf("ipv%d.json", v)
	var data []byte
	var err error
	if strings.HasPrefix(b.base, "http://") || strings.HasPrefix(b.base, "https://") {
		data, err = b.fetch(ctx, strings.TrimSuffix(b.base, "/")+"/"+name)
	} else {
		path := b.base
		if fi, serr := os.Stat(path); serr == nil && fi.IsDir() {
			path = filepath.Join(path, name)
		}
		data, err = readCapped(path)
	}
	if err != nil {
		return nil, fmt.Errorf("rdap bootstrap %s: %w", name, err)
	}
	reg, err := bootstrap.NewNetRegistry(data, v)
	if err != nil {
		return nil, fmt.Errorf("rdap bootstrap %s: %w", name, err)
	}
	return reg, nil
}

func (b *rdapBootstrap) fetch(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, http.NoBody)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "abusedesk")
	resp, err := b.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return io.ReadAll(resp.Body) // capped by limitedTransport
}

func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, rdapMaxBody+1))
	if err == nil && len(data) > rdapMaxBody {
		err = errors.New("larger than 1 MiB")
	}
	return data, err
}

func (b *rdapBootstrap) clock() time.Time {
	if b.now != nil {
		return b.now()
	}
	return time.Now()
}

// specialPrefixes are the IANA special-purpose blocks (RFC 6890 and its
// updates) that no regional registry answers for usefully: documentation,
// shared address space, benchmarking, and the like.
var specialPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001::/23"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("3fff::/20"),
}

// publicAddr reports whether addr is a global unicast address outside the
// special-purpose blocks: the only kind a bootstrap registry can route.
func publicAddr(addr netip.Addr) bool {
	if !addr.IsGlobalUnicast() || addr.IsPrivate() {
		return false
	}
	for _, p := range specialPrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}
