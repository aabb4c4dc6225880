package activities

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

// NetworksFile is a local list of networks and their hosting providers
// (rdap_networks_file), asked after the customer records' networks and
// before RDAP: a deployment without internet access, or one that knows
// better abuse contacts than the registries, names them here. The file is
// YAML or JSON in the shape of the customer records' networks, either
// {networks: [{cidr, provider, abuse_email}, ...]} or the bare list, and is
// read again when it changes (a bad edit keeps the list read before).
type NetworksFile struct {
	path string

	mu    sync.Mutex
	mod   time.Time
	size  int64
	nets  []fileNetwork
	check time.Time
}

type fileNetwork struct {
	prefix     netip.Prefix
	provider   string
	abuseEmail string
}

type networksDoc struct {
	Networks []networkEntry `yaml:"networks"`
}

type networkEntry struct {
	CIDR       string `yaml:"cidr"`
	Provider   string `yaml:"provider"`
	AbuseEmail string `yaml:"abuse_email"`
}

// networksRecheck is how often a lookup looks whether the file changed.
const networksRecheck = 5 * time.Second

// LoadNetworksFile reads the networks file at path; an unreadable or
// invalid file is an error.
func LoadNetworksFile(path string) (*NetworksFile, error) {
	f := &NetworksFile{path: path}
	if err := f.reload(true); err != nil {
		return nil, err
	}
	return f, nil
}

// Lookup returns the provider of the longest listed network that holds
// ip; ErrRDAPNotFound when none does.
func (f *NetworksFile) Lookup(_ context.Context, ip string) (Provider, error) {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return Provider{}, fmt.Errorf("networks file: %q is not an IP address", ip)
	}
	addr = addr.Unmap()
	f.mu.Lock()
	if time.Since(f.check) > networksRecheck {
		f.check = time.Now()
		_ = f.reloadLocked(false) // a bad edit keeps the old list
	}
	nets := f.nets
	f.mu.Unlock()
	best := -1
	for i, n := range nets {
		if n.prefix.Contains(addr) && (best < 0 || n.prefix.Bits() > nets[best].prefix.Bits()) {
			best = i
		}
	}
	if best < 0 {
		return Provider{}, ErrRDAPNotFound
	}
	n := nets[best]
	return Provider{Name: n.provider, AbuseEmail: n.abuseEmail, Found: true, Source: SourceNetworksFile}, nil
}

func (f *NetworksFile) reload(force bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.check = time.Now()
	return f.reloadLocked(force)
}

func (f *NetworksFile) reloadLocked(force bool) error {
	fi, err := os.Stat(f.path)
	if err != nil {
		return fmt.Errorf("rdap_networks_file: %w", err)
	}
	if !force && fi.ModTime().Equal(f.mod) && fi.Size() == f.size {
		return nil
	}
	data, err := readCapped(f.path)
	if err != nil {
		return fmt.Errorf("rdap_networks_file %s: %w", f.path, err)
	}
	nets, err := parseNetworks(data)
	if err != nil {
		return fmt.Errorf("rdap_networks_file %s: %w", f.path, err)
	}
	f.nets, f.mod, f.size = nets, fi.ModTime(), fi.Size()
	return nil
}

// parseNetworks reads the document form or the bare list and checks every
// entry.
func parseNetworks(data []byte) ([]fileNetwork, error) {
	var entries []networkEntry
	var doc networksDoc
	if err := yaml.Unmarshal(data, &doc); err == nil && doc.Networks != nil {
		entries = doc.Networks
	} else if err := yaml.Unmarshal(data, &entries); err != nil {
		return nil, errors.New("not a list of {cidr, provider, abuse_email} (or {networks: [...]})")
	}
	var out []fileNetwork
	var problems []string
	for i, e := range entries {
		p, err := netip.ParsePrefix(strings.TrimSpace(e.CIDR))
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("networks[%d].cidr: %q is not a CIDR", i, e.CIDR))
		case strings.TrimSpace(e.Provider) == "":
			problems = append(problems, fmt.Sprintf("networks[%d].provider: empty", i))
		case !strings.Contains(e.AbuseEmail, "@") || strings.ContainsAny(e.AbuseEmail, " \r\n<>,"):
			problems = append(problems, fmt.Sprintf("networks[%d].abuse_email: %q is not an address", i, e.AbuseEmail))
		default:
			out = append(out, fileNetwork{prefix: p.Masked(), provider: strings.TrimSpace(e.Provider), abuseEmail: strings.TrimSpace(e.AbuseEmail)})
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return out, nil
}

// HostLookups asks each lookup in turn (a networks file, then RDAP) and
// returns the first provider found; ErrRDAPNotFound when every lookup
// found none, else the last failure.
type HostLookups []RDAPLookup

// Lookup implements RDAPLookup.
func (h HostLookups) Lookup(ctx context.Context, ip string) (Provider, error) {
	err := ErrRDAPNotFound
	for _, l := range h {
		p, lerr := l.Lookup(ctx, ip)
		if lerr == nil && p.Found {
			return p, nil
		}
		if lerr != nil && !errors.Is(lerr, ErrRDAPNotFound) {
			err = lerr
		}
	}
	return Provider{}, err
}

// All returns the provider each lookup finds for ip, in order (the ones
// that found none or failed left out): a caller whose first contact bounced
// can try the next source, e.g. RDAP after the networks file.
func (h HostLookups) All(ctx context.Context, ip string) []Provider {
	var out []Provider
	for _, l := range h {
		if p, err := l.Lookup(ctx, ip); err == nil && p.Found {
			out = append(out, p)
		}
	}
	return out
}
