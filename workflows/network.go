package workflows

import (
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// changeNetworkCases: a case about an IP address that is a customer's
// origin (service network) is forwarded to the customer and closes
// forwarded (docs/DESIGN.md step 3). Only cases whose targets are network
// targets take this path, which no case recorded before it took.
const changeNetworkCases = "network-cases-20261206"

// isNetworkCase reports whether every target is a network target (a
// report about an IP address, activities.classifyNetwork).
func isNetworkCase(targets []activities.Target) bool { return activities.NetworkTargets(targets) }

// network forwards the report about an IP address to the operator of each
// account whose domains name it as their origin, once per account with
// its domains named, and closes the case forwarded, as a CDN case does.
func (s *caseState) network(ctx workflow.Context) error {
	if getVersion(ctx, changeNetworkCases, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return s.notOurCustomer(ctx) // no history took this path before the change
	}
	lead := s.targets[0]
	s.st.Service, s.st.Domain = models.ServiceNetwork, lead.Domain
	var accounts []string
	domains := map[string][]string{}
	for _, t := range s.targets {
		if _, ok := domains[t.AccountID]; !ok {
			accounts = append(accounts, t.AccountID)
		}
		domains[t.AccountID] = append(domains[t.AccountID], t.Domain)
	}
	var fs []workflow.Future
	for _, acct := range accounts {
		fs = append(fs, s.notice(ctx, networkForward(lead.Provider.OriginIP, acct, domains[acct])))
	}
	if err := waitAll(ctx, fs...); err != nil {
		return err
	}
	return s.close(ctx, models.OutcomeForwarded)
}

// networkForward is the forward of a report about ip to the operator of
// account, whose domains name ip as their origin.
func networkForward(ip, account string, domains []string) activities.NoticeInput {
	return activities.NoticeInput{
		Step: "network-forward:" + account, Kind: activities.NoticeNetworkForward, Role: models.RoleOperator,
		Domain: domains[0], AccountID: account, IncludeOriginIP: true,
		Facts: map[string]string{"ip": ip, "origin_ip": ip, "domains": strings.Join(domains, ", ")},
	}
}
