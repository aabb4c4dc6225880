package activities

import (
	"net/netip"
	"testing"
)

// FuzzParseNetworks: any networks file either fails to parse or yields
// only valid, masked prefixes with a provider and an address.
func FuzzParseNetworks(f *testing.F) {
	f.Add([]byte("networks:\n  - {cidr: 10.0.0.0/8, provider: P, abuse_email: a@p.example}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		nets, err := parseNetworks(data)
		if err != nil {
			return
		}
		for _, n := range nets {
			if !n.prefix.IsValid() || n.prefix != n.prefix.Masked() || n.provider == "" {
				t.Fatalf("bad entry %+v", n)
			}
			if _, err := netip.ParsePrefix(n.prefix.String()); err != nil {
				t.Fatal(err)
			}
		}
	})
}
