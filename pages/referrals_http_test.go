package pages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
)

// TestEmergencyFormAndReferralOverHTTP: the report form files the
// emergency flag; the analyst sees the badge on the case page and refers
// the case from its form to a configured authority, which gets the mail;
// the page then lists the referral.
func TestEmergencyFormAndReferralOverHTTP(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_THREAT_AUTHORITIES": "DE=lka@polizei.example"}})
	rep := newClient(t, env.URL)
	form := url.Values{"category": {"violent_threat"}, "urls": {"https://pages.example/threat"}, "description": {"He says he will hurt her tonight."},
		"email": {"r@reporter.example"}, "emergency": {"yes"}, "csrf_token": {rep.token("/?category=violent_threat")}}
	res, body := rep.do(http.MethodPost, "/", form, nil)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	i := strings.Index(body, "/status/")
	require.Positive(t, i, body)
	caseID := strings.SplitN(body[i+len("/status/"):], "?", 2)[0]

	var c struct {
		Emergency bool `json:"emergency"`
	}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases/"+caseID, testenv.AnalystKey, nil, &c))
	require.True(t, c.Emergency)

	an := newClient(t, env.URL)
	res, _ = an.do(http.MethodPost, "/console/login", url.Values{"api_key": {testenv.AnalystKey}, "csrf_token": {an.token("/console/login")}}, nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, page := an.do(http.MethodGet, "/console/cases/"+caseID, nil, nil)
	require.Contains(t, page, `id="emergency-badge"`)
	require.Contains(t, page, `action="/console/cases/`+caseID+`/referrals"`)
	_, queue := an.do(http.MethodGet, "/console", nil, nil)
	require.Contains(t, queue, `<tr class="emergency" data-case="`+caseID+`">`)

	ref := url.Values{"member_state": {"DE"}, "suspicion": {"A threat to kill a named person tonight."}, "urgent": {"yes"},
		"csrf_token": {an.token("/console/cases/" + caseID)}}
	res, body = an.do(http.MethodPost, "/console/cases/"+caseID+"/referrals", ref, nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body)
	ok := env.Sink.WaitFor(30*time.Second, func([]smtpsink.Message) bool { return len(env.Sink.To("lka@polizei.example")) == 1 })
	require.True(t, ok, "the authority got no mail")
	require.Contains(t, env.Sink.To("lka@polizei.example")[0].Body, "He says he will hurt her tonight.")
	_, page = an.do(http.MethodGet, "/console/cases/"+caseID, nil, nil)
	require.Contains(t, page, `<li data-member-state="DE"><strong>DE</strong> · lka@polizei.example`)
}
