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

	"github.com/abusedesk/abusedesk/internal/testenv"
)

// TestFormSDK (README "Reports in the reference's shape"): the
// reference's official Go SDK, pointed at abusedesk by its base URL alone
// and with no key (public intake), files a DMCA report through
// AbuseReports.New; the case is a complete copyright notice, forwarded
// whole with the complainant named. A report the reference's rules refuse
// (email2 differs, the DMCA notice asked to be anonymous) is a 422 the SDK
// reads as an API error.
func TestFormSDK(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cf := cloudflare.NewClient(option.WithBaseURL(env.URL+"/client/v4/"), option.WithMaxRetries(0))
	dmca := abuse_reports.AbuseReportNewParamsBodyAbuseReportsDmcaReport{
		Act:               cloudflare.F(abuse_reports.AbuseReportNewParamsBodyAbuseReportsDmcaReportActAbuseDmca),
		Address1:          cloudflare.F("1 Main Street"),
		AgentName:         cloudflare.F("Rita Records"),
		Agree:             cloudflare.F(abuse_reports.AbuseReportNewParamsBodyAbuseReportsDmcaReportAgree1),
		City:              cloudflare.F("Springfield"),
		Country:           cloudflare.F("US"),
		State:             cloudflare.F("IL"),
		Email:             cloudflare.F("rita.r@brand.example"),
		Email2:            cloudflare.F("rita.r@brand.example"),
		Name:              cloudflare.F("Rita Reporter"),
		OriginalWork:      cloudflare.F("My Song"),
		Signature:         cloudflare.F("Rita Reporter"),
		URLs:              cloudflare.F("https://shop.example/song.mp3\nhttps://shop.example/song2.mp3"),
		HostNotification:  cloudflare.F(abuse_reports.AbuseReportNewParamsBodyAbuseReportsDmcaReportHostNotificationSend),
		OwnerNotification: cloudflare.F(abuse_reports.AbuseReportNewParamsBodyAbuseReportsDmcaReportOwnerNotificationSend),
	}
	res, err := cf.AbuseReports.New(ctx, "abuse_dmca", abuse_reports.AbuseReportNewParams{AccountID: cloudflare.F("acct-7"), Body: dmca})
	require.NoError(t, err)
	require.NotNil(t, res)
	caseID := *res
	c := env.WaitCase(caseID, caseWait, closed)
	require.Equal(t, "copyright", c.Category)
	m := waitMail(t, env, operator, caseID, 1)[0]
	require.Contains(t, m.Body, "17 U.S.C. 512(c)(3), forwarded whole")
	require.Contains(t, m.Body, "Rita Reporter")
	require.Contains(t, m.Body, "My Song (copyright owner: Rita Records)")

	bad := dmca
	bad.Email2 = cloudflare.F("other@brand.example")
	bad.OwnerNotification = cloudflare.F(abuse_reports.AbuseReportNewParamsBodyAbuseReportsDmcaReportOwnerNotification("send-anon"))
	_, err = cf.AbuseReports.New(ctx, "abuse_dmca", abuse_reports.AbuseReportNewParams{AccountID: cloudflare.F("acct-7"), Body: bad})
	var apierr *cloudflare.Error
	require.True(t, errors.As(err, &apierr), "want an API error, got %v", err)
	require.Equal(t, http.StatusUnprocessableEntity, apierr.StatusCode, apierr.Error())
	require.Contains(t, apierr.Error(), "email2: must be the same as email")
	require.Contains(t, apierr.Error(), "owner_notification")
	var cases struct {
		Cases []testenv.CaseJSON `json:"cases"`
	}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases?limit=50", testenv.AdminKey, nil, &cases))
	require.Len(t, cases.Cases, 1, "the refused report left nothing behind")
}
