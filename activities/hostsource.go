package activities

import (
	"context"
	"slices"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// maxHostSources bounds the websites whose host the reporter's reply
// explains; a longer (bulk) case gets the summary by provider only.
const maxHostSources = 20

// HostSource tells the reporter where the hosting provider of one website
// of the case was found: the customer records, the local networks file or
// RDAP (and which RDAP server answered).
type HostSource struct {
	Domain     string
	Found      bool
	Name       string
	AbuseEmail string
	Source     string // SourceCustomer, SourceNetworksFile or SourceRDAP
	Via        string // the RDAP server that answered
}

// hostSources finds again, for each pass-through website of the case, the
// hosting provider of its origin the way Classify did (a lookup the RDAP
// client answers from its cache in the same process). It names no origin
// IP: the reporter learns the provider and how it was found. hosts are the
// case's distinct URL hosts in order (caseHosts); networks reads the
// customer networks (once per notice call: noticeLookups).
func (a *Activities) hostSources(ctx context.Context, hosts []string, networks func() ([]models.Network, error)) ([]HostSource, error) {
	if len(hosts) > 4*maxHostSources {
		return nil, nil
	}
	nets, err := networks()
	if err != nil {
		return nil, err
	}
	var out []HostSource
	var seen []string
	for _, h := range hosts {
		d, ok, err := a.domainFor(ctx, h)
		if err != nil {
			return nil, err
		}
		if !ok || slices.Contains(seen, d.Name) || !slices.Contains(splitList(d.Services), "cdn") {
			continue
		}
		seen = append(seen, d.Name)
		if len(out) == maxHostSources {
			return nil, nil
		}
		p := a.provider(ctx, splitList(d.OriginIPs), nets)
		out = append(out, HostSource{Domain: d.Name, Found: p.Found, Name: p.Name,
			AbuseEmail: p.AbuseEmail, Source: p.Source, Via: p.Via})
	}
	return out, nil
}

// caseHosts reads the case's distinct URL hosts in order, one more than
// hostSources takes (so that it can tell a list too long).
func caseHosts(db *gorm.DB, caseID string) ([]string, error) {
	var hosts []string
	err := db.Model(&models.CaseURL{}).Where("case_id = ?", caseID).Distinct("host").
		Order("host").Limit(4*maxHostSources+1).Pluck("host", &hosts).Error
	return hosts, err
}
