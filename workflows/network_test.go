package workflows

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

func networkTarget(domain, account, ip string) activities.Target {
	return activities.Target{Domain: domain, AccountID: account, Service: models.ServiceNetwork,
		Services: []string{"cdn"}, URLCount: 1, Provider: activities.Provider{OriginIP: ip}}
}

// TestNetworkCaseForwardsToTheCustomerOnce: a report about an IP address
// that is the origin of two domains of one account and one of another is
// forwarded once to each account's operator, with the address and the
// domains, and closes forwarded as a CDN case does (docs/DESIGN.md step 3).
func TestNetworkCaseForwardsToTheCustomerOnce(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(networkTarget("a.example", "acct-1", "192.0.2.10"),
		networkTarget("b.example", "acct-1", "192.0.2.10"), networkTarget("c.example", "acct-2", "192.0.2.10"))
	h.start(caseInput(models.CategoryOther, true))

	h.requireClosed(models.OutcomeForwarded)
	h.requireNotices(
		sent{Step: "network-forward:acct-1", Role: models.RoleOperator, Kind: activities.NoticeNetworkForward, OriginIP: true},
		sent{Step: "network-forward:acct-2", Role: models.RoleOperator, Kind: activities.NoticeNetworkForward, OriginIP: true},
	)
	n, _ := h.notice("network-forward:acct-1")
	require.Equal(t, "acct-1", n.AccountID)
	require.Equal(t, "192.0.2.10", n.Facts["ip"])
	require.Equal(t, "a.example, b.example", n.Facts["domains"])
	st := h.status()
	require.Equal(t, models.ServiceNetwork, st.Service)
	require.Equal(t, "a.example", st.Domain)
	require.Empty(t, h.callsOf("DisableObjects"))
	require.Empty(t, h.callsOf("RecordStrike"))
}
