package integration

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
)

// TestIncompleteCopyrightCompleted (issue 14, 17 U.S.C. 512(c)(3)(B)(ii)):
// a standard X-ARF v4 copyright report, which carries none of the 512(c)(3)
// statements, about a CDN customer's page is accepted as an incomplete
// complaint: the operator gets it as a complaint (no statements, no
// counter-notice text), the complainant's receipt names what is missing and
// how to complete it; completing it through the status token sends the
// operator the DMCA notice, after the case closed.
func TestIncompleteCopyrightCompleted(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	const complainant, operator = "takedown@brand-protect.example", "webmaster@shop.example"
	doc := xarf4("7f1c2d3e-0000-4a4a-8b8b-000000000014", "copyright", "copyright", map[string]any{
		"infringing_url": "https://shop.example/movie.mp4", "work_title": "The Harbour (2024 film)", "rights_holder": "Harbour Films"})
	r := call(t, env, "POST", "/v1/reports/xarf", "", nil, doc)
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	var c testenv.Created
	r.JSON(t, &c)
	env.WaitCase(c.CaseID, caseWait, closed)

	// The operator's forward is a complaint, not a DMCA notice.
	fwd := waitMail(t, env, operator, c.CaseID, 1)
	require.Len(t, fwd, 1)
	complaint := lf(fwd[0].Body)
	require.Contains(t, complaint, "It is NOT a notification under\n17 U.S.C. 512(c)(3)")
	require.Contains(t, complaint, "good-faith belief")
	for _, s := range []string{"Good-faith statement: yes", "penalty of perjury: yes", "counter-notice", "forwarded whole"} {
		require.NotContains(t, complaint, s)
	}

	// The receipt, by mail and on the status page, names the missing
	// elements and the way to complete them.
	mails := waitMail(t, env, complainant, c.CaseID, 1)
	var receipt string
	for _, m := range mails {
		if strings.Contains(m.Subject, "We received your report") {
			receipt = lf(m.Body)
		}
	}
	require.Contains(t, receipt, "not a complete notice under 17 U.S.C. 512(c)(3)")
	require.Contains(t, receipt, "/v1/reports/"+c.CaseID+"/complete?token=")
	for _, s := range []string{"good-faith belief", "penalty of perjury", "electronic signature"} {
		require.Contains(t, receipt, s)
	}
	var view struct {
		Messages []struct{ Body string } `json:"messages"`
	}
	call(t, env, "GET", "/v1/reports/"+c.CaseID+"?token="+c.Token, "", nil, nil).JSON(t, &view)
	var onPage bool
	for _, m := range view.Messages {
		onPage = onPage || strings.Contains(m.Body, "/v1/reports/"+c.CaseID+"/complete")
	}
	require.True(t, onPage, "the status page shows the receipt with the way to complete")

	complete := func(token string, body any) reply {
		return call(t, env, "POST", "/v1/reports/"+c.CaseID+"/complete?token="+token, "", nil, body)
	}
	// A wrong token is no case; what is still missing is named.
	refused(t, complete("wrong", map[string]any{"good_faith": true, "accurate_under_penalty": true, "signature": "/J/"}), http.StatusNotFound)
	p := refused(t, complete(c.Token, map[string]any{"good_faith": true, "signature": " "}), http.StatusUnprocessableEntity)
	require.ElementsMatch(t, []string{"accurate_under_penalty", "signature"}, p.Fields())

	ok := complete(c.Token, map[string]any{"good_faith": true, "accurate_under_penalty": true, "signature": "/Jane Doe/, Harbour Films"})
	require.Equal(t, http.StatusAccepted, ok.Code, string(ok.Body))
	var ans struct {
		Status     string `json:"status"`
		DMCANotice string `json:"dmca_notice"`
	}
	ok.JSON(t, &ans)
	require.Equal(t, "complete", ans.Status)
	require.Equal(t, "pending", ans.DMCANotice)

	// The operator now gets the DMCA notice, with the statements.
	fwd = waitMail(t, env, operator, c.CaseID, 2)
	dmca := lf(fwd[len(fwd)-1].Body)
	require.Contains(t, dmca, "This is a copyright notice under 17 U.S.C. 512(c)(3), forwarded whole")
	require.Contains(t, dmca, "Good-faith statement: yes. Accuracy under penalty of perjury: yes.")
	require.Contains(t, dmca, "Signature: /Jane Doe/, Harbour Films")
	require.Contains(t, dmca, "Work: The Harbour (2024 film)")

	// The same completion again is answered, not applied twice; another
	// signature is a conflict.
	again := complete(c.Token, map[string]any{"good_faith": true, "accurate_under_penalty": true, "signature": "/Jane Doe/, Harbour Films"})
	require.Equal(t, http.StatusOK, again.Code, string(again.Body))
	refused(t, complete(c.Token, map[string]any{"good_faith": true, "accurate_under_penalty": true, "signature": "/Other/"}), http.StatusConflict)
	require.Len(t, mailFor(env, operator, c.CaseID), 2, "the operator got the complaint and one DMCA notice")
}

// lf is a mail body with LF line ends, as the templates write it.
func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// TestRecordCopyrightHistory records the history of an incomplete
// copyright complaint completed after its CDN case closed, which
// workflows/replay_test.go replays (the copyright-completion change). It
// runs only with ABUSEDESK_RECORD_COPYRIGHT=1, so the other recorded
// histories stay as they are:
//
//	ABUSEDESK_RECORD_COPYRIGHT=1 go test ./integration -run TestRecordCopyrightHistory -count=1
func TestRecordCopyrightHistory(t *testing.T) {
	if os.Getenv("ABUSEDESK_RECORD_COPYRIGHT") != "1" {
		t.Skip("set ABUSEDESK_RECORD_COPYRIGHT=1 to record workflows/testdata/copyright-incomplete-completed.history.json")
	}
	dir, err := filepath.Abs("../workflows/testdata")
	require.NoError(t, err)
	keys, err := os.ReadFile(filepath.Join(dir, "payload.keys"))
	require.NoError(t, err)
	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_PAYLOAD_KEYS":         strings.TrimSpace(string(keys)),
		"ABUSEDESK_REPORTER_INFO_WINDOW": "30s",
	}})
	rec := &recorder{t: t, env: env, dir: dir}
	doc := xarf4("7f1c2d3e-0000-4a4a-8b8b-000000000015", "copyright", "copyright", map[string]any{
		"infringing_url": "https://shop.example/film.mp4", "work_title": "A film"})
	r := call(t, env, "POST", "/v1/reports/xarf", "", nil, doc)
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	var c testenv.Created
	r.JSON(t, &c)
	env.WaitCase(c.CaseID, caseWait, closed)
	ok := call(t, env, "POST", "/v1/reports/"+c.CaseID+"/complete?token="+c.Token, "", nil,
		map[string]any{"good_faith": true, "accurate_under_penalty": true, "signature": "/A/"})
	require.Equal(t, http.StatusAccepted, ok.Code, string(ok.Body))
	waitMail(t, env, "webmaster@shop.example", c.CaseID, 2)
	rec.save("copyright-incomplete-completed", c.CaseID)
}
