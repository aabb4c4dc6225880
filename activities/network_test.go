package activities_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/models"
)

// newNetworkCase stores a case about one IP address as the email intake
// does (intake/network.go): service network, the address as its one URL row.
func newNetworkCase(t *testing.T, db *gorm.DB, id, ip, rows string) {
	require.NoError(t, db.Create(&models.Case{ID: id, Category: models.CategoryOther, Service: models.ServiceNetwork,
		Status: models.StatusReceived, Priority: 1, Description: rows, ReporterOrg: "scanner.example"}).Error)
	require.NoError(t, db.Create(&models.CaseURL{CaseID: id, Seq: 0, URL: ip, Host: ip}).Error)
}

// A network case's address is matched against the customers' origin IPs
// (docs/DESIGN.md step 3): one network target per domain whose origin it
// is; an address no customer names has none.
func TestClassifyNetworkCase(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &activities.Activities{DB: db}
		newNetworkCase(t, db, "n1", "203.0.113.10", "rows")
		res, err := a.Classify(context.Background(), activities.ClassifyInput{CaseID: "n1"})
		require.NoError(t, err)
		require.Len(t, res.Targets, 1)
		tg := res.Targets[0]
		require.Equal(t, "shop.example", tg.Domain)
		require.Equal(t, "cdn", tg.AccountID)
		require.Equal(t, models.ServiceNetwork, tg.Service)
		require.Equal(t, "203.0.113.10", tg.Provider.OriginIP)

		// 203.0.113.1 is in the customer records' networks but no origin:
		// only LIKE-similar to 203.0.113.10, never matched by it.
		newNetworkCase(t, db, "n2", "203.0.113.1", "rows")
		res, err = a.Classify(context.Background(), activities.ClassifyInput{CaseID: "n2"})
		require.NoError(t, err)
		require.Empty(t, res.Targets)
		require.Equal(t, []string{"203.0.113.1"}, res.NotOurs)
	})
}

// The network forward names the address, the customer's domains and the
// reporter's rows, and goes to the account's operator.
func TestNetworkForwardNotice(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		sink, err := smtpsink.Start("127.0.0.1:0")
		require.NoError(t, err)
		defer sink.Stop()
		a := &activities.Activities{DB: db, Mail: &activities.SMTPMailer{Addr: sink.Addr(), From: "a@d.example"}, PublicURL: "http://desk"}
		newNetworkCase(t, db, "n3", "203.0.113.10", "  - timestamp=2026-12-06 ip=203.0.113.10 port=123\n")
		_, err = a.SendNotice(context.Background(), activities.NoticeInput{CaseID: "n3", Step: "network-forward:cdn",
			Kind: activities.NoticeNetworkForward, Role: models.RoleOperator, Domain: "shop.example", AccountID: "cdn",
			IncludeOriginIP: true, Facts: map[string]string{"ip": "203.0.113.10", "domains": "shop.example"}})
		require.NoError(t, err)
		msgs := sink.Messages()
		require.Len(t, msgs, 1)
		require.Equal(t, []string{"op@shop.example"}, msgs[0].To)
		require.Contains(t, msgs[0].Subject, "203.0.113.10")
		require.Contains(t, msgs[0].Body, "origin of shop.example")
		require.Contains(t, msgs[0].Body, "ip=203.0.113.10 port=123")
		require.Contains(t, msgs[0].Body, "scanner.example")
	})
}
