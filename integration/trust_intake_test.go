package integration

// Issue 13, intake identity: who may get a case's reporter token back, what
// a duplicate is, and what a request must look like to be read one way
// only. Every test goes through the real HTTP server or the real SMTP
// intake of a whole abusedesk (testenv).

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/temporalserver"
	"github.com/abusedesk/abusedesk/workflows"
)

// postCreated posts a report and requires 202.
func postCreated(t *testing.T, env *testenv.Env, path, key string, hdr map[string]string, body any) (testenv.Created, reply) {
	t.Helper()
	r := call(t, env, "POST", path, key, hdr, body)
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	var c testenv.Created
	r.JSON(t, &c)
	require.NotEmpty(t, c.CaseID)
	require.NotEmpty(t, c.Token)
	return c, r
}

// casesOfURL lists the cases that carry url.
func casesOfURL(t *testing.T, env *testenv.Env, url string) []string {
	t.Helper()
	var ids []string
	require.NoError(t, env.App.DB.Model(&models.CaseURL{}).Where("url = ?", url).Order("case_id").Pluck("case_id", &ids).Error)
	return ids
}

// urlsOfCase lists a case's URLs.
func urlsOfCase(t *testing.T, env *testenv.Env, caseID string) []string {
	t.Helper()
	var urls []string
	require.NoError(t, env.App.DB.Model(&models.CaseURL{}).Where("case_id = ?", caseID).Order("seq").Pluck("url", &urls).Error)
	return urls
}

// TestIdempotencyKeyBoundToRequest: an Idempotency-Key answers the first
// case only to the same request. The same key with another body is refused
// 422 naming the header, and the answer says nothing of the first case.
func TestIdempotencyKeyBoundToRequest(t *testing.T) {
	idempotencyKeyBound(t, testenv.Options{})
}

// TestIdempotencyKeyBoundToRequestPostgres is the same on PostgreSQL.
func TestIdempotencyKeyBoundToRequestPostgres(t *testing.T) {
	idempotencyKeyBound(t, testenv.Options{Postgres: true})
}

func idempotencyKeyBound(t *testing.T, o testenv.Options) {
	env := testenv.Start(t, o)
	hdr := map[string]string{"Idempotency-Key": "shared-key-1"}
	victim := report("phishing", []string{"https://shop.example/victim-login"}, true)
	first, _ := postCreated(t, env, "/v1/reports", "", hdr, victim)

	// The same request again, also spelt differently (key order, spaces):
	// the same case and token, as before.
	again, _ := postCreated(t, env, "/v1/reports", "", hdr, victim)
	require.Equal(t, first, again)
	respelt := `{ "urls": ["https://shop.example/victim-login"], "forward_to_operator": true, "description": "evidence: <b>look</b>",
		"reporter": {"email": "rita@reporter.example", "name": "Rita Reporter"}, "category": "phishing" }`
	again, _ = postCreated(t, env, "/v1/reports", "", hdr, respelt)
	require.Equal(t, first, again)

	// Someone else with the same key and another report: refused, and the
	// answer carries neither the first case's id nor its token.
	attacker := report("phishing", []string{"https://shop.example/attacker"}, true)
	r := call(t, env, "POST", "/v1/reports", "", hdr, attacker)
	p := refused(t, r, http.StatusUnprocessableEntity)
	require.Equal(t, []string{"Idempotency-Key"}, p.Fields())
	require.NotContains(t, string(r.Body), first.CaseID)
	require.NotContains(t, string(r.Body), first.Token)
	require.Empty(t, casesOfURL(t, env, "https://shop.example/attacker"), "nothing was filed")
	require.Equal(t, []string{"https://shop.example/victim-login"}, urlsOfCase(t, env, first.CaseID))
	require.Equal(t, 1, caseCount(t, env))
}

// TestXARFDuplicatesOverHTTP: POST /v1/reports/xarf treats a document as a
// duplicate only when it is the same document, or when the same API key
// sends it again. (a) Resending a report's ids with another URL gets a case
// of its own, never the first report's token; (b) a report filed first
// under a predicted id does not swallow the real one.
func TestXARFDuplicatesOverHTTP(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	const path = "/v1/reports/xarf"
	doc := func(id, url, desc string) []byte {
		return xarf4(id, "content", "phishing", map[string]any{"url": url, "description": desc})
	}

	// (a) The real report, then an attacker's copy of its ids.
	real := doc("rid-a-0001", "https://shop.example/real-a", "Credential phishing page")
	victim, _ := postCreated(t, env, path, "", nil, real)
	same, _ := postCreated(t, env, path, "", nil, real)
	require.Equal(t, victim, same, "the same document again is the same submission")
	stolen, r := postCreated(t, env, path, "", nil, doc("rid-a-0001", "https://shop.example/decoy-a", "Credential phishing page"))
	require.NotEqual(t, victim.CaseID, stolen.CaseID, "another document is another case")
	require.NotContains(t, string(r.Body), victim.Token)
	require.NotContains(t, string(r.Body), victim.CaseID)
	require.Equal(t, []string{"https://shop.example/real-a"}, urlsOfCase(t, env, victim.CaseID))
	require.Equal(t, []string{"https://shop.example/decoy-a"}, urlsOfCase(t, env, stolen.CaseID))

	// (b) The attacker files first under the id the real reporter will use.
	squat, _ := postCreated(t, env, path, "", nil, doc("rid-b-0002", "https://shop.example/decoy-b", "nothing here"))
	realB, _ := postCreated(t, env, path, "", nil, doc("rid-b-0002", "https://shop.example/real-b", "Credential phishing page"))
	require.NotEqual(t, squat.CaseID, realB.CaseID, "the real report is not merged into the squatter's")
	require.Equal(t, []string{realB.CaseID}, casesOfURL(t, env, "https://shop.example/real-b"))

	// An authenticated sender (an API key) may send a report again with
	// changes: it answers the sender's own case. The same ids from another
	// key, or with no key, are another case.
	own, _ := postCreated(t, env, path, testenv.AnalystKey, nil, doc("rid-c-0003", "https://shop.example/real-c", "first version"))
	fixed, _ := postCreated(t, env, path, testenv.AnalystKey, nil, doc("rid-c-0003", "https://shop.example/real-c", "corrected version"))
	require.Equal(t, own, fixed)
	other, _ := postCreated(t, env, path, "", nil, doc("rid-c-0003", "https://shop.example/real-c", "corrected version"))
	require.NotEqual(t, own.CaseID, other.CaseID)
	otherKey, _ := postCreated(t, env, path, testenv.AuditorKey, nil, doc("rid-c-0003", "https://shop.example/real-c", "third version"))
	require.NotEqual(t, own.CaseID, otherKey.CaseID)
}

// TestXARFDuplicatesOverMail: the same rules for X-ARF v4 by mail. A mail
// whose From passed DMARC at the configured mail server may send its
// report again with changes; any other resend with another document is a
// case of its own, and cannot claim an id before the real reporter.
func TestXARFDuplicatesOverMail(t *testing.T) {
	addr, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_INTAKE_SMTP_ADDR":   addr,
		"ABUSEDESK_INTAKE_ADDRESSES":   "abuse@abusedesk.test",
		"ABUSEDESK_INTAKE_AUTHSERV_ID": intakeAuthserv,
	}})
	doc := func(id, url, desc string) []byte {
		return xarf4(id, "content", "phishing", map[string]any{"url": url, "description": desc})
	}
	// xarfAttachmentMail carries dmarc=pass from our mail server; forged
	// drops that header (nothing vouches for the From).
	forged := func(msgID string, d []byte) []byte {
		m := string(xarfAttachmentMail(msgID, d))
		_, rest, ok := strings.Cut(m, "\r\n")
		require.True(t, ok)
		require.True(t, strings.HasPrefix(m, "Authentication-Results: "))
		return []byte(rest)
	}
	send := func(msg []byte) {
		require.NoError(t, sendMail(t, addr, "takedown@brand-protect.example", "abuse@abusedesk.test", msg))
	}

	// (a) The real, authenticated report; then a forged mail with its ids
	// and another URL: a case of its own, the real case untouched.
	send(xarfAttachmentMail("m-a-1@brand-protect.example", doc("mail-a-0001", "https://shop.example/mail-real-a", "phishing")))
	realA := casesOfURL(t, env, "https://shop.example/mail-real-a")
	require.Len(t, realA, 1)
	send(forged("m-a-2@brand-protect.example", doc("mail-a-0001", "https://shop.example/mail-decoy-a", "phishing")))
	decoyA := casesOfURL(t, env, "https://shop.example/mail-decoy-a")
	require.Len(t, decoyA, 1, "the forged resend is filed")
	require.NotEqual(t, realA, decoyA, "and not merged into the real report")
	require.Equal(t, []string{"https://shop.example/mail-real-a"}, urlsOfCase(t, env, realA[0]))
	// Nor does the same trick over HTTP hand out the mailed case's token.
	stolen, r := postCreated(t, env, "/v1/reports/xarf", "", nil, doc("mail-a-0001", "https://shop.example/http-decoy-a", "phishing"))
	require.NotEqual(t, realA[0], stolen.CaseID)
	require.NotContains(t, string(r.Body), realA[0])

	// (b) A forged mail claims an id first; the real report still becomes
	// its own case with its own URL.
	send(forged("m-b-1@brand-protect.example", doc("mail-b-0002", "https://shop.example/mail-decoy-b", "nothing")))
	send(xarfAttachmentMail("m-b-2@brand-protect.example", doc("mail-b-0002", "https://shop.example/mail-real-b", "phishing")))
	realB := casesOfURL(t, env, "https://shop.example/mail-real-b")
	require.Len(t, realB, 1, "the real report is filed")
	require.NotEqual(t, casesOfURL(t, env, "https://shop.example/mail-decoy-b"), realB)

	// The authenticated sender corrects its report (same id, another
	// document): its own case answers, no second case.
	before := caseCount(t, env)
	send(xarfAttachmentMail("m-a-3@brand-protect.example", doc("mail-a-0001", "https://shop.example/mail-real-a", "phishing, corrected")))
	require.Equal(t, before, caseCount(t, env))
}

// TestReportJSONDuplicateKeys: a JSON body that names a field twice is
// refused, at any depth, on POST /v1/reports and POST /v1/reports/xarf.
func TestReportJSONDuplicateKeys(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	before := caseCount(t, env)
	body := `{"category":"phishing","urls":["https://shop.example/dup"],"description":"d",` +
		`"reporter":{"name":"R","email":"r@reporter.example"},"category":"csam"}`
	p := refused(t, call(t, env, "POST", "/v1/reports", "", nil, body), http.StatusUnprocessableEntity)
	require.Contains(t, p.Fields(), "category")
	nested := `{"category":"phishing","urls":["https://shop.example/dup"],"description":"d",` +
		`"reporter":{"name":"R","email":"r@reporter.example","email":"s@reporter.example"}}`
	p = refused(t, call(t, env, "POST", "/v1/reports", "", nil, nested), http.StatusUnprocessableEntity)
	require.Equal(t, []string{"reporter.email"}, p.Fields())

	doc := string(xarf4("dup-1", "content", "phishing", map[string]any{"url": "https://shop.example/dup"}))
	twice := strings.Replace(doc, `"category": "content"`, `"category": "content", "category": "copyright"`, 1)
	require.NotEqual(t, doc, twice)
	p = refused(t, call(t, env, "POST", "/v1/reports/xarf", "", nil, twice), http.StatusUnprocessableEntity)
	require.Contains(t, p.Fields(), "category")
	deep := strings.Replace(doc, `"description": "Screenshot of the page"`, `"description": "a", "description": "b"`, 1)
	require.NotEqual(t, doc, deep)
	p = refused(t, call(t, env, "POST", "/v1/reports/xarf", "", nil, deep), http.StatusUnprocessableEntity)
	require.Equal(t, []string{"evidence[0].description"}, p.Fields())
	require.Equal(t, before, caseCount(t, env))
}

// TestReportURLHosts: an IPv6 literal keeps its brackets (lower case), and
// a host with a label over 63 octets or a name over 253 is refused naming
// the URL.
func TestReportURLHosts(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	c := env.File(report("phishing", []string{"https://[2001:DB8::1]/x", "http://[2001:DB8::2]:8080/y", "https://Shop.Example/z"}, true))
	require.Equal(t, []string{"https://[2001:db8::1]/x", "http://[2001:db8::2]:8080/y", "https://shop.example/z"}, urlsOfCase(t, env, c.CaseID))

	label := strings.Repeat("a", 64)
	long := strings.TrimSuffix(strings.Repeat(strings.Repeat("b", 60)+".", 5), ".") // 304 octets
	okLabel := strings.Repeat("c", 63) + ".example"
	r := call(t, env, "POST", "/v1/reports", "", nil, report("phishing", []string{
		"https://" + okLabel + "/", "https://" + label + ".example/", "https://" + long + "/"}, true))
	p := refused(t, r, http.StatusUnprocessableEntity)
	require.Equal(t, []string{"urls[1]", "urls[2]"}, p.Fields())
}

// failingStart is a Temporal client whose ExecuteWorkflow answers
// deadline exceeded, after really starting the workflow (started) or
// without starting it.
type failingStart struct {
	client.Client
	started bool
}

func (f failingStart) ExecuteWorkflow(ctx context.Context, o client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
	if f.started {
		if _, err := f.Client.ExecuteWorkflow(ctx, o, wf, args...); err != nil {
			return nil, err
		}
	}
	return nil, serviceerror.NewDeadlineExceeded("context deadline exceeded")
}

// TestSubmitKeepsCaseWhenStartFails: a start that fails (a timeout may mean
// it started) never deletes the case. The reporter gets the case, and the
// reconciler starts whatever did not start.
func TestSubmitKeepsCaseWhenStartFails(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	for _, started := range []bool{true, false} {
		svc := *env.App.Intake
		svc.Engine = desk.Temporal{Client: failingStart{Client: env.App.Temporal, started: started}}
		r := models.ReportRequest{Category: models.CategoryPhishing, URLs: []string{"https://shop.example/timeout"},
			Description: "phishing", Reporter: models.Reporter{Name: "R", Email: "r@reporter.example"}}
		created, err := svc.Submit(ctx, r, "")
		require.NoError(t, err, "started=%v", started)
		require.Equal(t, "received", created.Status)
		require.NotEmpty(t, created.Token)
		var c models.Case
		require.NoError(t, env.App.DB.First(&c, "id = ?", created.CaseID).Error, "the case row stands (started=%v)", started)
		require.Equal(t, []string{"https://shop.example/timeout"}, urlsOfCase(t, env, created.CaseID))
		if !started {
			require.False(t, c.WorkflowStarted)
			_, err := env.App.Temporal.DescribeWorkflowExecution(ctx, workflows.CaseWorkflowID(created.CaseID), "")
			require.Error(t, err, "nothing started yet")
			n, err := env.App.Intake.Reconcile(ctx, 0)
			require.NoError(t, err)
			require.GreaterOrEqual(t, n, 1)
		}
		cs := env.WaitCase(created.CaseID, caseWait, closed)
		require.Equal(t, "forwarded", cs.Outcome)
		require.Equal(t, http.StatusOK, call(t, env, "GET", "/v1/reports/"+created.CaseID+"?token="+created.Token, "", nil, nil).Code)
	}
}
