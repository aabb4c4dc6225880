package server

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// startedCases records the workflow starts of the intake under test.
type startedCases struct {
	mu  sync.Mutex
	ins []workflows.CaseInput
}

func (s *startedCases) StartCase(_ context.Context, _ string, in workflows.CaseInput) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ins = append(s.ins, in)
	return nil
}

// intakeServer is a server whose intake stores cases in a fresh database
// and records the workflow starts; the public limit is two reports per
// client per hour.
func intakeServer(t *testing.T) (http.Handler, *gorm.DB, *startedCases) {
	db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "i.db"), "")
	require.NoError(t, err)
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	require.NoError(t, store.Migrate(db))
	cfg := &config.Config{MaxBodyBytes: 1 << 20, APIKeys: []config.APIKey{
		{Name: "ana", Hash: config.HashKey("analyst-key"), Role: "analyst"},
		{Name: "one", Hash: config.HashKey("one-key"), Role: "customer", Account: "a1"},
	}, Limits: config.Limits{IntakePerClient: config.Rate{Burst: 2, Per: time.Hour}}}
	started := &startedCases{}
	d := &desk.Desk{Cfg: cfg, DB: db, Intake: &intake.Service{DB: db, Engine: started, TaskQueue: "q"}}
	return (&Server{Cfg: cfg, Desk: d}).Handler(), db, started
}

func formBody(t *testing.T, fields map[string]any) string {
	b, err := json.Marshal(fields)
	require.NoError(t, err)
	return string(b)
}

func phishingForm() map[string]any {
	return map[string]any{"act": "abuse_phishing", "email": "rita@brand.example", "email2": "rita@brand.example",
		"name": "Rita Reporter", "urls": "https://shop.example/login\nhttps://shop.example/pay", "justification": "a fake login page",
		"owner_notification": "send-anon", "host_notification": "send", "company": "Brand Inc", "title": "Analyst"}
}

func decodeV4(t *testing.T, body string) v4Answer {
	var a v4Answer
	require.NoError(t, json.Unmarshal([]byte(body), &a), body)
	return a
}

// TestV4SubmitAccepted (README "Reports in the reference's shape"): a
// public form report is answered 200 in the v4 envelope with the case id
// as result; the case carries the reporter's choice per recipient, and
// forward_to_operator follows owner_notification.
func TestV4SubmitAccepted(t *testing.T) {
	h, db, started := intakeServer(t)
	rec := serve(h, "POST", "/client/v4/accounts/acct-9/abuse-reports/abuse_phishing", "", formBody(t, phishingForm()))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	a := decodeV4(t, rec.Body.String())
	require.True(t, a.Success)
	require.Empty(t, a.Errors)
	id, ok := a.Result.(string)
	require.True(t, ok, "result is the case id: %v", a.Result)
	var cs models.Case
	require.NoError(t, db.First(&cs, "id = ?", id).Error)
	require.Equal(t, models.CategoryPhishing, cs.Category)
	require.Equal(t, models.NotifySendAnon, cs.OwnerNotification)
	require.Equal(t, models.NotifySend, cs.HostNotification)
	require.True(t, cs.ForwardToOperator)
	require.Equal(t, intake.SourceV4, cs.Source)
	require.Equal(t, "Brand Inc", cs.ReporterOrg)
	require.Len(t, started.ins, 1)
	require.Equal(t, id, started.ins[0].CaseID)

	ncsei := map[string]any{"act": "abuse_ncsei", "email": "jane@example.org", "email2": "jane@example.org", "name": "Jane Roe",
		"urls": "https://shop.example/img/1", "ncsei_subject_representation": true, "signature": "Jane Roe", "agree": 1,
		"owner_notification": "send-anon", "host_notification": "send-anon"}
	rec = serve(h, "POST", "/client/v4/accounts/acct-9/abuse-reports/abuse_ncsei", "one-key-wrong", formBody(t, ncsei))
	require.Equal(t, http.StatusUnauthorized, rec.Code, rec.Body.String())
	require.False(t, decodeV4(t, rec.Body.String()).Success)
	rec = serve(h, "POST", "/client/v4/accounts/a1/abuse-reports/abuse_ncsei", "one-key", formBody(t, ncsei))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	cs = models.Case{}
	require.NoError(t, db.First(&cs, "id = ?", decodeV4(t, rec.Body.String()).Result).Error)
	require.Equal(t, models.CategoryNCSEI, cs.Category)
	require.Equal(t, models.NotifySendAnon, cs.HostNotification)
	var n int64
	require.NoError(t, db.Model(&intake.Evidence{}).Where("case_id = ? AND format = ?", cs.ID, "ncsei_request").Count(&n).Error)
	require.EqualValues(t, 1, n, "the TAKE IT DOWN request is kept as evidence")
}

// TestV4SubmitProblems: every problem of a form report is listed in the
// v4 envelope, each naming its field; nothing is stored.
func TestV4SubmitProblems(t *testing.T) {
	h, db, _ := intakeServer(t)
	f := phishingForm()
	f["email2"] = "other@brand.example"
	f["urls"] = "https://shop.example/a\nhttps://elsewhere.example/b"
	f["tele"] = strings.Repeat("1", 21)
	f["owner_notification"] = "none"
	delete(f, "justification")
	f["colour"] = "red"
	rec := serve(h, "POST", "/client/v4/accounts/a1/abuse-reports/abuse_phishing", "analyst-key", formBody(t, f))
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	a := decodeV4(t, rec.Body.String())
	require.False(t, a.Success)
	var fields []string
	for _, e := range a.Errors {
		require.Equal(t, http.StatusUnprocessableEntity, e.Code)
		name, _, ok := strings.Cut(e.Message, ": ")
		require.True(t, ok, e.Message)
		fields = append(fields, name)
	}
	require.Equal(t, []string{"colour", "email2", "justification", "owner_notification", "tele", "urls"}, fields)
	var n int64
	require.NoError(t, db.Model(&models.Case{}).Count(&n).Error)
	require.Zero(t, n)
}

// TestV4SubmitAccounts: a customer key files only for its own account
// (another is 404, as an account that does not exist); a trusted key is
// exempt from the public limit, which a client without a key meets on
// its third report (429, in the envelope).
func TestV4SubmitAccounts(t *testing.T) {
	h, _, _ := intakeServer(t)
	body := formBody(t, phishingForm())
	rec := serve(h, "POST", "/client/v4/accounts/a2/abuse-reports/abuse_phishing", "one-key", body)
	require.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())
	require.False(t, decodeV4(t, rec.Body.String()).Success)
	for i := 0; i < 3; i++ {
		rec = serve(h, "POST", "/client/v4/accounts/a1/abuse-reports/abuse_phishing", "one-key", body)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	}
	for i := 0; i < 2; i++ {
		rec = serve(h, "POST", "/client/v4/accounts/anyone/abuse-reports/abuse_phishing", "", body)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	}
	rec = serve(h, "POST", "/client/v4/accounts/anyone/abuse-reports/abuse_phishing", "", body)
	require.Equal(t, http.StatusTooManyRequests, rec.Code, rec.Body.String())
	a := decodeV4(t, rec.Body.String())
	require.False(t, a.Success)
	require.Contains(t, a.Errors[0].Message, "intake_rate_per_client")
	require.NotEmpty(t, rec.Header().Get("Retry-After"))
}

// TestReportsChoices: POST /v1/reports takes the choices and the ncsei
// statements; forward_to_operator keeps working, and disagreeing with
// owner_notification is a 422 naming both fields.
func TestReportsChoices(t *testing.T) {
	h, db, _ := intakeServer(t)
	rep := `"urls":["https://shop.example/x"],"description":"d","reporter":{"name":"R","email":"r@reporter.example"}`
	rec := serve(h, "POST", "/v1/reports", "analyst-key", `{"category":"phishing",`+rep+`,"forward_to_operator":true,"owner_notification":"none"}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	var e struct{ Errors []models.FieldError }
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
	require.Equal(t, []string{"forward_to_operator", "owner_notification"}, []string{e.Errors[0].Field, e.Errors[1].Field})

	rec = serve(h, "POST", "/v1/reports", "analyst-key", `{"category":"phishing",`+rep+`,"forward_to_operator":false}`)
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	var created intake.Created
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &created))
	var cs models.Case
	require.NoError(t, db.First(&cs, "id = ?", created.CaseID).Error)
	require.Equal(t, models.NotifyNone, cs.OwnerNotification)
	require.False(t, cs.ForwardToOperator)

	rec = serve(h, "POST", "/v1/reports", "analyst-key", `{"category":"ncsei",`+rep+`,"ncsei":{"signature":"R","good_faith_not_consensual":true}}`)
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &created))
	cs = models.Case{}
	require.NoError(t, db.First(&cs, "id = ?", created.CaseID).Error)
	require.Equal(t, models.NotifySendAnon, cs.OwnerNotification)
	require.Equal(t, models.NotifySendAnon, cs.HostNotification)

	rec = serve(h, "POST", "/v1/reports", "analyst-key", `{"category":"ncsei",`+rep+`,"ncsei":{"signature":1,"extra":true}}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	require.Contains(t, rec.Body.String(), `"ncsei.signature"`)
	require.Contains(t, rec.Body.String(), `"ncsei.extra"`)
}
