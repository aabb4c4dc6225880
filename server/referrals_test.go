package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// referralEngine starts referrals (once per workflow ID) and nothing else.
type referralEngine struct{ started []workflows.ReferralInput }

func (e *referralEngine) Signal(context.Context, string, string, any) error      { return nil }
func (e *referralEngine) Query(context.Context, string, string, any) error       { return nil }
func (e *referralEngine) Update(context.Context, string, string, any, any) error { return nil }
func (e *referralEngine) History(context.Context, string) (*historypb.History, error) {
	return nil, nil
}
func (e *referralEngine) Closed(context.Context, string) (bool, error) { return true, nil }
func (e *referralEngine) Healthy(context.Context) error                { return nil }
func (e *referralEngine) StartMitigation(context.Context, string, workflows.MitigationInput) error {
	return nil
}
func (e *referralEngine) StartReferral(_ context.Context, in workflows.ReferralInput) (bool, error) {
	for _, s := range e.started {
		if s.CaseID == in.CaseID && s.MemberState == in.MemberState {
			return false, nil
		}
	}
	e.started = append(e.started, in)
	return true, nil
}

// TestReferralEndpoint: POST /v1/cases/{id}/referrals is the analyst's
// (auditor, customer and authority keys get 403, no key 401); an unknown
// case is 404; a bad body is 422 with every problem; a member state
// without a configured authority names the configured ones; a good one is
// 201 and mails only the configured address; the same again is 200.
func TestReferralEndpoint(t *testing.T) {
	db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "r.db"), "")
	require.NoError(t, err)
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	require.NoError(t, store.Migrate(db))
	cfg := &config.Config{MaxBodyBytes: 1 << 20, APIKeys: []config.APIKey{
		{Name: "ana", Hash: config.HashKey("analyst-key"), Role: "analyst"},
		{Name: "aud", Hash: config.HashKey("auditor-key"), Role: "auditor"},
		{Name: "cus", Hash: config.HashKey("customer-key"), Role: "customer", Account: "acct-1"},
		{Name: "bka", Hash: config.HashKey("authority-key"), Role: "authority"},
	}, ThreatAuthorities: []config.ThreatAuthority{{MemberState: "DE", Contact: "lka@polizei.example"}, {MemberState: "FR", Contact: "pharos@interieur.example"}}}
	eng := &referralEngine{}
	h := (&Server{Cfg: cfg, Desk: &desk.Desk{Cfg: cfg, DB: db, Engine: eng}}).Handler()
	require.NoError(t, db.Create(&models.Case{ID: "c1", Category: models.CategoryViolentThreat, Status: models.StatusAwaitingAnalyst,
		CreatedAt: time.Now().UTC()}).Error)
	call := func(path, key, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	good := `{"member_state":"DE","suspicion":"The post names a school and a date for an attack.","urgent":true}`
	for _, key := range []string{"auditor-key", "customer-key", "authority-key"} {
		require.Equal(t, http.StatusForbidden, call("/v1/cases/c1/referrals", key, good).Code, key)
	}
	require.Equal(t, http.StatusUnauthorized, call("/v1/cases/c1/referrals", "", good).Code)
	require.Empty(t, eng.started)

	require.Equal(t, http.StatusNotFound, call("/v1/cases/nope/referrals", "analyst-key", good).Code)
	require.Equal(t, http.StatusBadRequest, call("/v1/cases/c1/referrals", "analyst-key", `{"member_state":"DE","authority":"x@evil.example"}`).Code,
		"the authority is never the caller's to choose")

	rec := call("/v1/cases/c1/referrals", "analyst-key", `{"member_state":"IT","suspicion":"`+strings.Repeat("s", desk.MaxSuspicion+1)+`"}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	var errs struct{ Errors []models.FieldError }
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &errs))
	require.Len(t, errs.Errors, 2)
	require.Equal(t, "member_state", errs.Errors[0].Field)
	require.Contains(t, errs.Errors[0].Message, "configured: DE, FR")
	require.Equal(t, "suspicion", errs.Errors[1].Field)
	rec = call("/v1/cases/c1/referrals", "analyst-key", `{}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &errs))
	require.Len(t, errs.Errors, 2)
	require.Empty(t, eng.started)

	rec = call("/v1/cases/c1/referrals", "analyst-key", good)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	var v desk.ReferralView
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v))
	require.Equal(t, "lka@polizei.example", v.Authority)
	require.Equal(t, "ana", v.By)
	require.Equal(t, "Referral:c1:DE", v.WorkflowID)
	require.Len(t, eng.started, 1)
	require.Equal(t, "lka@polizei.example", eng.started[0].Authority)
	require.True(t, eng.started[0].Urgent)

	// Recorded by the workflow; the same referral again answers it.
	_, err = store.RecordReferral(context.Background(), db, models.Referral{CaseID: "c1", MemberState: "DE", Authority: "lka@polizei.example",
		By: "ana", RequestedAt: eng.started[0].RequestedAt}, nil)
	require.NoError(t, err)
	rec = call("/v1/cases/c1/referrals", "analyst-key", good)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Len(t, eng.started, 1)
}
