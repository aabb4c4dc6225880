package integration

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/cybertipline/cttest"
	"github.com/abusedesk/abusedesk/internal/testenv"
)

// clearinghouseJSON is the clearinghouse of GET /v1/cases/{id}.
type clearinghouseJSON struct {
	Clearinghouse *struct {
		ReportID      string     `json:"report_id"`
		State         string     `json:"state"`
		FiledAt       *time.Time `json:"filed_at"`
		ByHand        bool       `json:"by_hand"`
		PreserveUntil *time.Time `json:"preserve_until"`
		Note          string     `json:"note"`
	} `json:"clearinghouse"`
}

func waitClearinghouse(t *testing.T, env *testenv.Env, caseID string, cond func(clearinghouseJSON) bool) clearinghouseJSON {
	t.Helper()
	var c clearinghouseJSON
	for deadline := time.Now().Add(caseWait); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		c = clearinghouseJSON{}
		require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases/"+caseID, testenv.AnalystKey, nil, &c))
		if c.Clearinghouse != nil && cond(c) {
			return c
		}
	}
	require.FailNow(t, "clearinghouse report did not reach the expected state", "%+v", c.Clearinghouse)
	return c
}

// TestCSAMReportFiledWithTheClearinghouse: with clearinghouse_url set
// (the password in a file only its owner reads) a CSAM report is filed
// through the CyberTipline protocol, and the case shows the report id, its
// state and when it was filed.
func TestCSAMReportFiledWithTheClearinghouse(t *testing.T) {
	srv := cttest.New("esp", "s3cret")
	defer srv.Close()
	secret := filepath.Join(t.TempDir(), "clearinghouse.secret")
	require.NoError(t, os.WriteFile(secret, []byte("s3cret\n"), 0o600))
	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_CLEARINGHOUSE_URL": srv.URL, "ABUSEDESK_CLEARINGHOUSE_USERNAME": "esp",
		"ABUSEDESK_CLEARINGHOUSE_PASSWORD": "file:" + secret,
	}})
	h := env.File(map[string]any{"category": "csam", "urls": []string{"https://pages.example/gallery/1"}, "description": "child abuse imagery"})
	c := waitClearinghouse(t, env, h.CaseID, func(c clearinghouseJSON) bool { return c.Clearinghouse.State == "finished" })
	require.NotEmpty(t, c.Clearinghouse.ReportID)
	require.NotNil(t, c.Clearinghouse.FiledAt)
	require.False(t, c.Clearinghouse.ByHand)
	require.WithinDuration(t, c.Clearinghouse.FiledAt.Add(365*24*time.Hour), *c.Clearinghouse.PreserveUntil, time.Second)
	rep, ok := srv.Report(c.Clearinghouse.ReportID)
	require.True(t, ok)
	require.True(t, rep.Finished)
	require.Contains(t, rep.Document, "<url>https://pages.example/gallery/1</url>")
	require.Equal(t, "GET /status", srv.Calls()[0])
	require.True(t, strings.HasSuffix(strings.Join(srv.Calls(), ","), "POST /finish"))
}

// TestCSAMReportFiledByHand: with no clearinghouse configured the report
// is prepared and the case says so; an analyst records the id of the
// report filed by hand, and the case shows it filed.
func TestCSAMReportFiledByHand(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	h := env.File(map[string]any{"category": "csam", "urls": []string{"https://pages.example/gallery/2"}, "description": "child abuse imagery"})
	c := waitClearinghouse(t, env, h.CaseID, func(c clearinghouseJSON) bool { return c.Clearinghouse.State == "prepared" })
	require.True(t, c.Clearinghouse.ByHand)
	require.Nil(t, c.Clearinghouse.FiledAt)
	require.Contains(t, c.Clearinghouse.Note, "no clearinghouse API is configured")

	var bad map[string]any
	require.Equal(t, http.StatusUnprocessableEntity, env.Do("POST", "/v1/cases/"+h.CaseID+"/clearinghouse/filed", testenv.AnalystKey, map[string]any{"report_id": ""}, &bad))
	require.Equal(t, http.StatusForbidden, env.Do("POST", "/v1/cases/"+h.CaseID+"/clearinghouse/filed", testenv.AuditorKey, map[string]any{"report_id": "1"}, nil))
	require.Equal(t, http.StatusOK, env.Do("POST", "/v1/cases/"+h.CaseID+"/clearinghouse/filed", testenv.AnalystKey, map[string]any{"report_id": "151515"}, nil))
	c = waitClearinghouse(t, env, h.CaseID, func(c clearinghouseJSON) bool { return c.Clearinghouse.State == "finished" })
	require.Equal(t, "151515", c.Clearinghouse.ReportID)
	require.NotNil(t, c.Clearinghouse.FiledAt)
	require.Equal(t, http.StatusConflict, env.Do("POST", "/v1/cases/"+h.CaseID+"/clearinghouse/filed", testenv.AnalystKey, map[string]any{"report_id": "2"}, nil))
	require.Equal(t, http.StatusNotFound, env.Do("POST", "/v1/cases/Cnosuchcase/clearinghouse/filed", testenv.AnalystKey, map[string]any{"report_id": "2"}, nil))
}
