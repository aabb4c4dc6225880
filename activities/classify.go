package activities

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/abusedesk/abusedesk/internal/urlnorm"
	"github.com/abusedesk/abusedesk/models"
)

// Classify matches the case's URLs against the customer records and the
// network table. It reads; it writes nothing.
func (a *Activities) Classify(ctx context.Context, in ClassifyInput) (ClassifyResult, error) {
	k, err := a.classify(ctx, in.CaseID)
	return k.res, err
}

// classified is a case's classification and what was read to make it.
type classified struct {
	c        models.Case
	urls     []models.CaseURL // in order
	networks []models.Network // nil for a report about an IP address
	res      ClassifyResult
}

// classify reads the case, its URLs and the customer networks and
// classifies the URLs (Classify, ClassifyForward).
func (a *Activities) classify(ctx context.Context, caseID string) (classified, error) {
	db := a.DB.WithContext(ctx)
	var k classified
	if err := db.First(&k.c, "id = ?", caseID).Error; err != nil {
		return classified{}, fmt.Errorf("case %s: %w", caseID, err)
	}
	if err := db.Where("case_id = ?", caseID).Order("seq").Find(&k.urls).Error; err != nil {
		return classified{}, err
	}
	var err error
	if k.c.Service == models.ServiceNetwork {
		k.res, err = a.classifyNetwork(ctx, k.urls) // a report about an IP address (network.go)
		return k, err
	}
	if err := db.Find(&k.networks).Error; err != nil {
		return classified{}, err
	}
	k.res, err = a.classifyURLs(ctx, k.c, k.urls, k.networks)
	return k, err
}

// classifyURLs is Classify on the case, its URLs and the networks read.
func (a *Activities) classifyURLs(ctx context.Context, c models.Case, urls []models.CaseURL, networks []models.Network) (ClassifyResult, error) {
	db := a.DB.WithContext(ctx)
	byHost := map[string][]string{}
	var hosts []string
	for _, u := range urls {
		if _, ok := byHost[u.Host]; !ok {
			hosts = append(hosts, u.Host)
		}
		byHost[u.Host] = append(byHost[u.Host], u.URL)
	}
	res := ClassifyResult{URLCount: len(urls)}
	targets := map[string]*Target{}
	for _, h := range hosts {
		d, ok, err := a.domainFor(ctx, h)
		if err != nil {
			return ClassifyResult{}, err
		}
		if !ok {
			res.NotOurs = append(res.NotOurs, h)
			continue
		}
		t := targets[d.Name]
		if t == nil {
			t = &Target{Domain: d.Name, AccountID: d.AccountID, Services: splitList(d.Services)}
			targets[d.Name] = t
			t.Provider = a.provider(ctx, splitList(d.OriginIPs), networks)
		}
		t.URLCount += len(byHost[h])
		var objs []models.HostedObject
		if err := db.Where("domain = ?", d.Name).Order("object_id").Find(&objs).Error; err != nil {
			return ClassifyResult{}, err
		}
		for _, u := range byHost[h] {
			// Reported URLs and hosted prefixes are compared in the one
			// normal form the edge uses (internal/urlnorm), so a URL
			// spelled differently still finds its hosted object.
			nu := urlnorm.Prefix(u)
			for _, o := range objs {
				if !urlnorm.Under(nu, urlnorm.Prefix(o.URLPrefix)) {
					continue
				}
				if !hasObject(t.Hosted, o.ObjectID) {
					t.Hosted = append(t.Hosted, HostedRef{ObjectID: o.ObjectID, Product: o.Product, URL: u, URLPrefix: o.URLPrefix})
				}
				addObjectURL(t.Hosted, o.ObjectID, u)
			}
		}
	}
	for _, t := range targets {
		t.Service = routeService(c.Category, t)
		res.Targets = append(res.Targets, *t)
	}
	sort.Slice(res.Targets, func(i, j int) bool { return res.Targets[i].Domain < res.Targets[j].Domain })
	return res, nil
}

// routeService decides which service a report about a domain is about.
func routeService(cat models.Category, t *Target) models.Service {
	var cdn, hosting bool
	for _, s := range t.Services {
		switch {
		case s == "cdn":
			cdn = true
		case strings.HasPrefix(s, "hosting:"):
			hosting = true
		case s == "registrar":
			t.HasRegistrar = true
		}
	}
	t.RegistrarOnly = t.HasRegistrar && !cdn && !hosting
	switch {
	case cat.IsRegistrar():
		return models.ServiceRegistrar
	case len(t.Hosted) > 0:
		return models.ServiceHosting
	case cdn:
		return models.ServiceCDN
	case t.HasRegistrar:
		return models.ServiceRegistrar
	}
	return models.ServiceNone
}

func hasObject(hs []HostedRef, id string) bool {
	for _, h := range hs {
		if h.ObjectID == id {
			return true
		}
	}
	return false
}

// domainFor finds the customer domain of a host: the host itself or its
// closest parent domain on record.
func (a *Activities) domainFor(ctx context.Context, host string) (models.Domain, bool, error) {
	labels := strings.Split(host, ".")
	var cands []string
	for i := 0; i < len(labels)-1; i++ {
		cands = append(cands, strings.Join(labels[i:], "."))
	}
	if len(cands) == 0 {
		return models.Domain{}, false, nil
	}
	var ds []models.Domain
	if err := a.DB.WithContext(ctx).Where("name IN ?", cands).Find(&ds).Error; err != nil {
		return models.Domain{}, false, err
	}
	for _, c := range cands { // longest match first
		for _, d := range ds {
			if d.Name == c {
				return d, true, nil
			}
		}
	}
	return models.Domain{}, false, nil
}

// provider finds the hosting provider of the first origin IP a network of
// the customer records (or a.RDAP: the networks file, then RDAP) knows.
func (a *Activities) provider(ctx context.Context, ips []string, networks []models.Network) Provider {
	for _, ip := range ips {
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			continue
		}
		best, bits := -1, -1
		for i, n := range networks {
			p, err := netip.ParsePrefix(n.CIDR)
			if err == nil && p.Contains(addr) && p.Bits() > bits {
				best, bits = i, p.Bits()
			}
		}
		if best >= 0 {
			n := networks[best]
			return Provider{Name: n.Provider, AbuseEmail: n.AbuseEmail, OriginIP: ip, Found: true, Source: SourceCustomer}
		}
		if a.RDAP != nil {
			if p, err := a.RDAP.Lookup(ctx, ip); err == nil && p.Found {
				p.OriginIP = ip
				return p
			}
		}
	}
	if len(ips) > 0 {
		return Provider{OriginIP: ips[0]}
	}
	return Provider{}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// addObjectURL adds a reported URL to the hosted object it lies under
// (HostedRef.URLs, the scope of the object's mitigations).
func addObjectURL(hs []HostedRef, id, u string) {
	for i := range hs {
		if hs[i].ObjectID == id {
			hs[i].URLs = append(hs[i].URLs, u)
		}
	}
}
