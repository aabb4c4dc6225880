package integration

// Reports about IP addresses by mail (docs/DESIGN.md steps 1 and 3): a
// Shadowserver-style CSV whose one address is a customer's origin makes
// one network case, forwarded to that customer over SMTP; the other rows
// are answered "not our network" once per sender per UTC day.

import (
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/temporalserver"
)

const (
	netOrigin   = "198.51.100.77"
	netOperator = "noc@netcustomer.example"
	netSender   = "autoreports@scanner.example"
)

// scanMail is a scanner's daily report: a CSV attachment named as
// Shadowserver names its reports, one row per address, with the sender's
// DMARC pass as our mail server in front writes it.
func scanMail(msgID string, rows ...string) []byte {
	csv := "\"timestamp\",\"ip\",\"protocol\",\"port\",\"hostname\",\"tag\"\n" + strings.Join(rows, "\n") + "\n"
	return append([]byte("Authentication-Results: "+intakeAuthserv+"; dmarc=pass header.from=scanner.example\r\n"),
		buildMessage([]string{
			"From: Scanner Reports <" + netSender + ">",
			"To: abuse@abusedesk.test",
			"Subject: Daily scan report: open NTP servers",
			"Date: Sun, 6 Dec 2026 04:00:00 +0000",
			"Message-ID: <" + msgID + ">",
			"MIME-Version: 1.0",
			"Content-Type: multipart/mixed; boundary=\"scan\"",
		}, multipart("scan",
			mailPart{header: []string{"Content-Type: text/plain"}, body: "Attached is the daily report for your network."},
			mailPart{header: []string{"Content-Type: text/csv", "Content-Disposition: attachment; filename=\"2026-12-06-scan_ntp-example-asn.csv\""}, body: csv},
		))...)
}

func TestNetworkReportBecomesCaseAndOneNotOursAnswer(t *testing.T) {
	addr, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_INTAKE_SMTP_ADDR":   addr,
		"ABUSEDESK_INTAKE_ADDRESSES":   "abuse@abusedesk.test",
		"ABUSEDESK_INTAKE_AUTHSERV_ID": intakeAuthserv,
	}})
	_, err = store.LoadCustomers(env.App.DB, &store.CustomerDoc{Accounts: []store.AccountDoc{{ID: "acct-netcust", Name: "Net Customer",
		OperatorEmail: netOperator, Domains: []store.DomainDoc{{Name: "netcustomer.example", Services: []string{"cdn"},
			OriginIPs: []string{netOrigin}}}}}}, nil)
	require.NoError(t, err)

	first := scanMail("scan-1@scanner.example",
		`"2026-12-06 01:02:03","`+netOrigin+`","udp",123,"ntp.netcustomer.example","ntp"`,
		`"2026-12-06 01:02:04","192.0.2.201","udp",123,,"ntp"`,
		`"2026-12-06 01:02:05","192.0.2.202","udp",123,,"ntp"`)
	require.NoError(t, sendMail(t, addr, netSender, "abuse@abusedesk.test", first))

	var cs []models.Case
	require.NoError(t, env.App.DB.Where("service = ? OR source = ?", models.ServiceNetwork, "email").Find(&cs).Error)
	require.Len(t, cs, 1, "one address of ours: one case")
	c := env.WaitCase(cs[0].ID, caseWait, closed)
	require.Equal(t, "forwarded", c.Outcome)
	require.Equal(t, "network", c.Service)
	require.Equal(t, "netcustomer.example", c.Domain)
	var fwd []string
	for _, n := range c.Notices {
		if n.RecipientRole == "operator" {
			fwd = append(fwd, n.To)
			require.True(t, n.IncludesOriginIP, "the forward names the address")
		}
	}
	require.Equal(t, []string{netOperator}, fwd, "forwarded to the customer whose origin it is")
	msgs := waitMail(t, env, netOperator, c.CaseID, 1)
	require.Contains(t, msgs[0].Body, netOrigin)
	require.Contains(t, msgs[0].Body, "ntp.netcustomer.example", "the rows about the address are the evidence")
	require.NotContains(t, msgs[0].Body, "192.0.2.201", "never the rows about other addresses")

	// The analyst sees how the category was chosen.
	r := call(t, env, "GET", "/v1/cases/"+c.CaseID, testenv.AnalystKey, nil, nil)
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	var view struct {
		CategoryBy string `json:"category_by"`
	}
	r.JSON(t, &view)
	require.NotEmpty(t, view.CategoryBy)
	code, page := consoleGet(t, consoleSession(t, env, testenv.AnalystKey), env.URL+"/console/cases/"+c.CaseID)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, page, `id="category-by"`, "the case page shows how the category was chosen")
	require.Contains(t, page, html.EscapeString(view.CategoryBy))

	// The other rows: one "not our network" answer to the sender.
	require.True(t, env.Sink.WaitFor(caseWait, func([]smtpsink.Message) bool { return len(netAnswers(env)) == 1 }))
	answer := netAnswers(env)[0]
	require.Contains(t, answer.Body, "not our network")
	require.Contains(t, answer.Body, "192.0.2.201")
	require.Contains(t, string(answer.Raw), "Auto-Submitted: auto-replied")

	// A second mail the same day, only about other networks: no second answer.
	second := scanMail("scan-2@scanner.example", `"2026-12-06 02:00:00","192.0.2.203","udp",123,,"ntp"`)
	require.NoError(t, sendMail(t, addr, netSender, "abuse@abusedesk.test", second))
	time.Sleep(2 * time.Second)
	require.Len(t, netAnswers(env), 1, "one answer per sender per day, not per mail")
	replies, err := store.IntakeReplies(t.Context(), env.App.DB, "", "", 0)
	require.NoError(t, err)
	require.Len(t, replies, 1, "the one answer is kept in the intake replies outbox")
	require.Equal(t, netSender, replies[0].To)
	require.Equal(t, 1, caseCountOf(t, env, models.ServiceNetwork))
}

// netAnswers are the intake's answers to the scanner (its case's receipt
// goes to the same address).
func netAnswers(env *testenv.Env) []smtpsink.Message {
	var out []smtpsink.Message
	for _, m := range env.Sink.To(netSender) {
		if m.NoticeID == "" && strings.HasPrefix(m.Subject, "Re: Daily scan report") {
			out = append(out, m)
		}
	}
	return out
}

// caseCountOf counts the cases of a service.
func caseCountOf(t *testing.T, env *testenv.Env, svc models.Service) int {
	t.Helper()
	var n int64
	require.NoError(t, env.App.DB.Model(&models.Case{}).Where("service = ?", svc).Count(&n).Error)
	return int(n)
}
