package activities

import (
	"context"
	"net/netip"
	"sort"
	"strings"

	"github.com/abusedesk/abusedesk/models"
)

// NoticeNetworkForward forwards a report about an IP address to the
// customer whose origin the address is (docs/DESIGN.md step 3, network
// cases; template in templates/network.txt.tmpl).
const NoticeNetworkForward NoticeKind = "network_forward"

// classifyNetwork matches the address of a network case (its one case
// URL row holds the address; intake/network.go) against the customers'
// origin IPs: one target of service network per domain whose origin it
// is, with the address as the provider's origin IP. No domain: no target
// (an address only in the provider's own networks is for the analyst).
func (a *Activities) classifyNetwork(ctx context.Context, urls []models.CaseURL) (ClassifyResult, error) {
	res := ClassifyResult{URLCount: len(urls)}
	for _, u := range urls {
		addr, err := netip.ParseAddr(strings.TrimSpace(u.Host))
		if err != nil {
			res.NotOurs = append(res.NotOurs, u.Host)
			continue
		}
		ip := addr.Unmap().String()
		var ds []models.Domain
		if err := a.DB.WithContext(ctx).Where("LOWER(origin_ips) LIKE ?", "%"+ip+"%").Order("name").Find(&ds).Error; err != nil {
			return ClassifyResult{}, err
		}
		found := false
		for _, d := range ds {
			if !hasOrigin(d.OriginIPs, addr.Unmap()) {
				continue
			}
			found = true
			res.Targets = append(res.Targets, Target{Domain: d.Name, AccountID: d.AccountID, Service: models.ServiceNetwork,
				Services: splitList(d.Services), URLCount: 1, Provider: Provider{OriginIP: ip}})
		}
		if !found {
			res.NotOurs = append(res.NotOurs, ip)
		}
	}
	sort.SliceStable(res.Targets, func(i, j int) bool { return res.Targets[i].Domain < res.Targets[j].Domain })
	return res, nil
}

// hasOrigin reports whether the comma-separated list names addr.
func hasOrigin(list string, addr netip.Addr) bool {
	for _, o := range splitList(list) {
		if a, err := netip.ParseAddr(o); err == nil && a.Unmap() == addr {
			return true
		}
	}
	return false
}
