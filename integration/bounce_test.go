package integration

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/temporalserver"
	"github.com/abusedesk/abusedesk/workflows"
)

// bounceCase is the part of GET /v1/cases/{id} about delivery.
type bounceCase struct {
	Status              string `json:"status"`
	Outcome             string `json:"outcome"`
	NeedsAttention      string `json:"needs_attention"`
	ReporterUnreachable bool   `json:"reporter_unreachable"`
	Notices             []struct {
		NoticeID      string `json:"notice_id"`
		Step          string `json:"step"`
		RecipientRole string `json:"recipient_role"`
		To            string `json:"to"`
		DeliveryState string `json:"delivery_state"`
		BounceReason  string `json:"bounce_reason"`
		RedirectedTo  string `json:"redirected_to"`
	} `json:"notices"`
}

func getBounceCase(t *testing.T, env *testenv.Env, id string) bounceCase {
	t.Helper()
	var c bounceCase
	r := call(t, env, "GET", "/v1/cases/"+id, testenv.AnalystKey, nil, nil)
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	r.JSON(t, &c)
	return c
}

// waitBounceCase polls the case until ok holds (or fails after caseWait).
func waitBounceCase(t *testing.T, env *testenv.Env, id string, ok func(bounceCase) bool) bounceCase {
	t.Helper()
	deadline := time.Now().Add(caseWait)
	for {
		c := getBounceCase(t, env, id)
		if ok(c) {
			return c
		}
		require.True(t, time.Now().Before(deadline), "case %s: %+v", id, c)
		time.Sleep(100 * time.Millisecond)
	}
}

// postfixDSN is a delivery status notification as Postfix writes it
// (compare testdata/dsn/sisimai-lhost-postfix-01.eml), returning the
// bounced notice's headers as text/rfc822-headers.
func postfixDSN(to, failed string, notice smtpsink.Message) []byte {
	raw := string(notice.Raw)
	if i := strings.Index(raw, "\r\n\r\n"); i >= 0 {
		raw = raw[:i+2]
	}
	return []byte(strings.ReplaceAll(fmt.Sprintf(`From: MAILER-DAEMON@mx.hosting.example (Mail Delivery System)
To: %s
Subject: Undelivered Mail Returned to Sender
Date: Sun, 6 Dec 2026 01:20:00 +0000
Message-Id: <20261206012000.4B1C0@mx.hosting.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4B1C0.1765000000/mx.hosting.example"

--4B1C0.1765000000/mx.hosting.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.hosting.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--4B1C0.1765000000/mx.hosting.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.hosting.example
X-Postfix-Queue-ID: 4B1C0
Arrival-Date: Sun,  6 Dec 2026 01:19:58 +0000

Final-Recipient: rfc822; %s
Original-Recipient: rfc822;%s
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <%s>: Recipient address rejected: User
    unknown in virtual mailbox table

--4B1C0.1765000000/mx.hosting.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

%s
--4B1C0.1765000000/mx.hosting.example--
`, to, failed, failed, failed, strings.ReplaceAll(raw, "\r\n", "\n")), "\n", "\r\n"))
}

// TestBouncedNoticesAreNoticed: a CDN report is forwarded; every notice
// leaves with the VERP envelope sender bounces+<notice id>@ and the case
// id header. A DSN for the host notice sent to its VERP address through
// the real SMTP intake marks it bounced and then redirected, and the same
// notice goes as a new hosting_provider notice to the abuse contact the
// local RDAP server names; a second DSN for it starts nothing; a DSN for
// an unknown notice makes no case and no reply; a DSN for the reporter's
// receipt, matched by its returned X-Abusedesk-Notice header, marks the
// reporter unreachable. The case itself stays closed "forwarded".
func TestBouncedNoticesAreNoticed(t *testing.T) {
	body, err := os.ReadFile("../activities/testdata/rdap/ipnetwork.json")
	require.NoError(t, err)
	rdap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/rdap/ip/203.0.113.") {
			w.Header().Set("Content-Type", "application/rdap+json")
			_, _ = w.Write(body)
			return
		}
		http.NotFound(w, r)
	}))
	defer rdap.Close()
	addr, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_INTAKE_SMTP_ADDR": addr, "ABUSEDESK_INTAKE_ADDRESSES": "abuse@abusedesk.test",
		"ABUSEDESK_INTAKE_AUTHSERV_ID": intakeAuthserv, "ABUSEDESK_SMTP_FROM": "abuse@abusedesk.test",
		"ABUSEDESK_RDAP_ENABLED": "true", "ABUSEDESK_RDAP_URL": rdap.URL + "/rdap/ip/", "ABUSEDESK_RDAP_TIMEOUT": "2s"}})

	a := env.File(report("phishing", []string{"https://shop.example/login"}, true))
	require.Equal(t, "forwarded", env.WaitCase(a.CaseID, caseWait, closed).Outcome)
	host := waitMail(t, env, "abuse@hosting.example", a.CaseID, 1)[0]
	require.NotEmpty(t, host.NoticeID)
	require.Equal(t, "bounces+"+host.NoticeID+"@abusedesk.test", host.From, "VERP envelope sender")
	require.Contains(t, string(host.Raw), "X-Abusedesk-Case: "+a.CaseID+"\r\n")
	c := getBounceCase(t, env, a.CaseID)
	for _, n := range c.Notices {
		require.Equal(t, "sent", n.DeliveryState, n.To)
	}

	// The host's mail server bounces the notice to its VERP address.
	verp := "bounces+" + host.NoticeID + "@abusedesk.test"
	require.NoError(t, sendMail(t, addr, "", verp, postfixDSN(verp, "abuse@hosting.example", host)))
	c = waitBounceCase(t, env, a.CaseID, func(c bounceCase) bool {
		for _, n := range c.Notices {
			if n.NoticeID == host.NoticeID && n.DeliveryState == "redirected" {
				return true
			}
		}
		return false
	})
	again := waitMail(t, env, "abuse@example-hosting.example.net", a.CaseID, 1)
	require.Len(t, again, 1)
	require.NotEqual(t, host.NoticeID, again[0].NoticeID)
	require.Equal(t, host.Subject, again[0].Subject)
	for _, n := range c.Notices {
		switch n.NoticeID {
		case host.NoticeID:
			require.Contains(t, n.BounceReason, "550 5.1.1")
			require.Equal(t, again[0].NoticeID, n.RedirectedTo)
		case again[0].NoticeID:
			require.Equal(t, "hosting_provider", n.RecipientRole)
			require.Equal(t, "abuse@example-hosting.example.net", n.To)
			require.Equal(t, "sent", n.DeliveryState)
		}
	}
	require.Len(t, c.Notices, 5, "operator, host, two to the reporter, and the redirected host notice")
	require.Empty(t, c.NeedsAttention)
	require.Equal(t, "closed", c.Status)
	require.Equal(t, "forwarded", c.Outcome)

	// A second DSN for the same notice starts no second handling.
	wid := workflows.NoticeBounceWorkflowID(host.NoticeID)
	d, err := env.App.Temporal.DescribeWorkflowExecution(t.Context(), wid, "")
	require.NoError(t, err)
	require.NoError(t, sendMail(t, addr, "", verp, postfixDSN(verp, "abuse@hosting.example", host)))
	d2, err := env.App.Temporal.DescribeWorkflowExecution(t.Context(), wid, "")
	require.NoError(t, err)
	require.Equal(t, d.WorkflowExecutionInfo.Execution.RunId, d2.WorkflowExecutionInfo.Execution.RunId)
	require.Len(t, getBounceCase(t, env, a.CaseID).Notices, 5)

	// A DSN for a notice the desk never sent: accepted, no case, no reply,
	// no bounce handling.
	cases, mails := caseCount(t, env), len(env.Sink.Messages())
	unknown := "bounces+n_000000000000000000000000@abusedesk.test"
	require.NoError(t, sendMail(t, addr, "", unknown, postfixDSN(unknown, "abuse@hosting.example", smtpsink.Message{})))
	require.Equal(t, cases, caseCount(t, env))
	_, err = env.App.Temporal.DescribeWorkflowExecution(t.Context(), workflows.NoticeBounceWorkflowID("n_000000000000000000000000"), "")
	var nf *serviceerror.NotFound
	require.True(t, errors.As(err, &nf), "no bounce workflow: %v", err)

	// The reporter's receipt bounces, its DSN sent to the abuse address
	// (matched by the returned X-Abusedesk-Notice header).
	receipt := waitMail(t, env, "rita@reporter.example", a.CaseID, 1)[0]
	require.NoError(t, sendMail(t, addr, "", "abuse@abusedesk.test", postfixDSN("abuse@abusedesk.test", "rita@reporter.example", receipt)))
	c = waitBounceCase(t, env, a.CaseID, func(c bounceCase) bool { return c.ReporterUnreachable })
	for _, n := range c.Notices {
		if n.NoticeID == receipt.NoticeID {
			require.Equal(t, "bounced", n.DeliveryState)
		}
	}
	require.Equal(t, cases, caseCount(t, env), "a DSN never becomes a case")
	require.Len(t, env.Sink.Messages(), mails, "nothing answers a DSN")
}
