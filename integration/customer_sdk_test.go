package integration

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/abuse_reports"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
)

// TestCustomerSDK (docs/DESIGN.md "Customer accounts"; issue 17): the
// reference's official Go SDK, pointed at abusedesk with only its base URL
// and an account key an admin issued, lists the account's reports, reads
// one, lists its mitigations (made by a real violates decision: the
// Mitigation workflow) and files an appeal that puts one in review; a key
// of another account gets nothing (404).
func TestCustomerSDK(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	issue := func(name, account string) string {
		var k struct {
			Key string `json:"key"`
		}
		require.Equal(t, http.StatusCreated, env.Do("POST", "/v1/admin/api-keys", testenv.AdminKey,
			map[string]any{"name": name, "role": "customer", "account": account}, &k))
		require.Len(t, k.Key, 64)
		return k.Key
	}
	hostedKey, cdnKey := issue("pages-customer", "acct-hosted"), issue("shop-customer", "acct-cdn")

	c := env.File(report("copyright", []string{"https://pages.example/x"}, true))
	env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))
	violates(t, env, c.CaseID, "ip")
	env.WaitCase(c.CaseID, caseWait, status("awaiting_operator"))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := func(key string) *cloudflare.Client {
		return cloudflare.NewClient(option.WithBaseURL(env.URL+"/client/v4/"), option.WithAPIToken(key), option.WithMaxRetries(0))
	}
	cf := client(hostedKey)

	page, err := cf.AbuseReports.List(ctx, abuse_reports.AbuseReportListParams{AccountID: cloudflare.F("acct-hosted"),
		Type: cloudflare.F(abuse_reports.AbuseReportListParamsTypeDmca), Sort: cloudflare.F("cdate,desc")})
	require.NoError(t, err)
	require.Len(t, page.Result.Items, 1)
	reports := page.Result.Items[0].Reports
	require.Len(t, reports, 1)
	require.Equal(t, c.CaseID, reports[0].ID)
	require.Equal(t, "pages.example", reports[0].Domain)
	require.EqualValues(t, "DMCA", reports[0].Type)
	require.EqualValues(t, "accepted", reports[0].Status)
	require.Equal(t, []string{"https://pages.example/x"}, reports[0].URLs)
	require.Equal(t, "My Song", reports[0].OriginalWork)
	require.Equal(t, "rita@reporter.example", reports[0].Submitter.Email, "the reporter allowed forwarding")
	next, err := page.GetNextPage()
	require.NoError(t, err)
	require.Empty(t, next.Result.Items, "the SDK's paging ends")
	var seen []string
	iter := cf.AbuseReports.ListAutoPaging(ctx, abuse_reports.AbuseReportListParams{AccountID: cloudflare.F("acct-hosted"), PerPage: cloudflare.F(int64(1))})
	for iter.Next() {
		for _, r := range iter.Current().Reports {
			seen = append(seen, r.ID)
		}
	}
	require.NoError(t, iter.Err())
	require.Equal(t, []string{c.CaseID}, seen)

	// The decision's mitigations, from the Mitigation workflow.
	var mID string
	require.Eventually(t, func() bool {
		ms, err := cf.AbuseReports.Mitigations.List(ctx, c.CaseID, abuse_reports.MitigationListParams{AccountID: cloudflare.F("acct-hosted"),
			Status: cloudflare.F(abuse_reports.MitigationListParamsStatusActive)})
		if err != nil || len(ms.Result.Items) == 0 || len(ms.Result.Items[0].Mitigations) == 0 {
			return false
		}
		m := ms.Result.Items[0].Mitigations[0]
		mID = m.ID
		return m.EntityType == "url_pattern" && m.Type == "legal_block" && m.EffectiveDate != ""
	}, caseWait, 200*time.Millisecond, "the violates decision made an active mitigation")

	rep, err := cf.AbuseReports.Get(ctx, c.CaseID, abuse_reports.AbuseReportGetParams{AccountID: cloudflare.F("acct-hosted")})
	require.NoError(t, err)
	require.Equal(t, c.CaseID, rep.ID)
	require.GreaterOrEqual(t, rep.MitigationSummary.ActiveCount, int64(1))
	require.GreaterOrEqual(t, rep.MitigationSummary.AcceptedURLCount, int64(1))

	// Another account's key gets nothing.
	other := client(cdnKey)
	_, err = other.AbuseReports.Get(ctx, c.CaseID, abuse_reports.AbuseReportGetParams{AccountID: cloudflare.F("acct-cdn")})
	requireStatus(t, err, http.StatusNotFound)
	_, err = other.AbuseReports.Get(ctx, c.CaseID, abuse_reports.AbuseReportGetParams{AccountID: cloudflare.F("acct-hosted")})
	requireStatus(t, err, http.StatusNotFound)
	_, err = other.AbuseReports.List(ctx, abuse_reports.AbuseReportListParams{AccountID: cloudflare.F("acct-hosted")})
	requireStatus(t, err, http.StatusNotFound)
	_, err = other.AbuseReports.Mitigations.List(ctx, c.CaseID, abuse_reports.MitigationListParams{AccountID: cloudflare.F("acct-cdn")})
	requireStatus(t, err, http.StatusNotFound)
	_, err = other.AbuseReports.Mitigations.Review(ctx, c.CaseID, abuse_reports.MitigationReviewParams{AccountID: cloudflare.F("acct-cdn"),
		Appeals: cloudflare.F([]abuse_reports.MitigationReviewParamsAppeal{{ID: cloudflare.F(mID),
			Reason: cloudflare.F(abuse_reports.MitigationReviewParamsAppealsReasonRemoved)}})})
	requireStatus(t, err, http.StatusNotFound)
	own, err := other.AbuseReports.List(ctx, abuse_reports.AbuseReportListParams{AccountID: cloudflare.F("acct-cdn")})
	require.NoError(t, err)
	require.Empty(t, own.Result.Items, "acct-cdn has no reports")

	// The appeal: the mitigation goes in review.
	appealed, err := cf.AbuseReports.Mitigations.Review(ctx, c.CaseID, abuse_reports.MitigationReviewParams{AccountID: cloudflare.F("acct-hosted"),
		Appeals: cloudflare.F([]abuse_reports.MitigationReviewParamsAppeal{{ID: cloudflare.F(mID),
			Reason: cloudflare.F(abuse_reports.MitigationReviewParamsAppealsReasonMisclassified)}})})
	require.NoError(t, err)
	require.Len(t, appealed.Result, 1)
	require.Equal(t, mID, appealed.Result[0].ID)
	require.EqualValues(t, "in_review", appealed.Result[0].Status)
	require.Eventually(t, func() bool {
		ms, err := cf.AbuseReports.Mitigations.List(ctx, c.CaseID, abuse_reports.MitigationListParams{AccountID: cloudflare.F("acct-hosted"),
			Status: cloudflare.F(abuse_reports.MitigationListParamsStatusInReview)})
		return err == nil && len(ms.Result.Items) == 1 && ms.Result.Items[0].Mitigations[0].ID == mID
	}, caseWait, 200*time.Millisecond, "the workflow put the mitigation in review")
	_, err = cf.AbuseReports.Mitigations.Review(ctx, c.CaseID, abuse_reports.MitigationReviewParams{AccountID: cloudflare.F("acct-hosted"),
		Appeals: cloudflare.F([]abuse_reports.MitigationReviewParamsAppeal{{ID: cloudflare.F(mID),
			Reason: cloudflare.F(abuse_reports.MitigationReviewParamsAppealsReasonRemoved)}})})
	requireStatus(t, err, http.StatusConflict)

	// The notices to the account, with their delivery state (native API).
	var emails struct {
		Emails []struct {
			To            string `json:"to"`
			DeliveryState string `json:"delivery_state"`
		} `json:"emails"`
	}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/account/reports/"+c.CaseID+"/emails", hostedKey, nil, &emails))
	require.NotEmpty(t, emails.Emails)
	for _, e := range emails.Emails {
		require.Equal(t, operatorHosted, e.To)
		require.Contains(t, []string{"queued", "sent", "bounced", "redirected"}, e.DeliveryState)
	}
	require.Equal(t, http.StatusNotFound, env.Do("GET", "/v1/account/reports/"+c.CaseID+"/emails", cdnKey, nil, nil))
}

// requireStatus requires an SDK error with the HTTP status code.
func requireStatus(t *testing.T, err error, code int) {
	t.Helper()
	var apierr *cloudflare.Error
	require.True(t, errors.As(err, &apierr), "want an API error, got %v", err)
	require.Equal(t, code, apierr.StatusCode, apierr.Error())
}

// TestCustomerAbuseContact (docs/DESIGN.md "Customer accounts"): the
// account's abuse contact gets the operator's forward instead of the
// address on record, and the account reads that mail with its delivery
// state; an account with neither gets its forward sent to its hosting
// provider (the reference's rule).
func TestCustomerAbuseContact(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	var k struct {
		Key string `json:"key"`
	}
	require.Equal(t, http.StatusCreated, env.Do("POST", "/v1/admin/api-keys", testenv.AdminKey,
		map[string]any{"name": "shop", "role": "customer", "account": "acct-cdn"}, &k))
	var contact struct {
		Email string `json:"email"`
	}
	require.Equal(t, http.StatusOK, env.Do("PUT", "/v1/account/abuse-contact", k.Key, map[string]any{"email": "abuse-desk@shop.example"}, &contact))
	require.Equal(t, "abuse-desk@shop.example", contact.Email)

	require.Equal(t, http.StatusOK, env.Do("POST", "/v1/admin/customers", testenv.AdminKey, map[string]any{"accounts": []any{
		map[string]any{"id": "acct-silent", "domains": []any{map[string]any{"name": "silent.example", "services": []string{"cdn"}, "origin_ips": []string{"203.0.113.77"}}}},
	}}, nil))

	a := env.File(report("phishing", []string{"https://shop.example/login"}, true))
	env.WaitCase(a.CaseID, caseWait, closed)
	b := env.File(report("phishing", []string{"https://silent.example/login"}, true))
	env.WaitCase(b.CaseID, caseWait, closed)
	require.True(t, env.Sink.WaitFor(10*time.Second, func(m []smtpsink.Message) bool {
		return countTo(m, "abuse-desk@shop.example") == 1 && countTo(m, "abuse@hosting.example") >= 3
	}), "shop's forward to its abuse contact; silent's forward and host notice, and shop's host notice, to the hosting provider")
	require.Zero(t, countTo(env.Sink.Messages(), "webmaster@shop.example"), "the contact replaces the address on record")

	var emails struct {
		Emails []struct {
			To            string `json:"to"`
			DeliveryState string `json:"delivery_state"`
		} `json:"emails"`
	}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/account/reports/"+a.CaseID+"/emails", k.Key, nil, &emails))
	require.Len(t, emails.Emails, 1)
	require.Equal(t, "abuse-desk@shop.example", emails.Emails[0].To)
	require.Equal(t, "sent", emails.Emails[0].DeliveryState)
}
