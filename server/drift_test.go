package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/store"
)

// TestDriftSendersEndpoint: GET /v1/admin/senders shows analysts (and
// admins, not auditors) the senders' records, the drifting one first,
// within a bounded limit.
func TestDriftSendersEndpoint(t *testing.T) {
	db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "s.db"), "")
	require.NoError(t, err)
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	require.NoError(t, store.Migrate(db))
	cfg := &config.Config{MaxBodyBytes: 1 << 20, APIKeys: []config.APIKey{
		{Name: "ana", Hash: config.HashKey("analyst-key"), Role: "analyst"},
		{Name: "adm", Hash: config.HashKey("admin-key"), Role: "admin"},
		{Name: "aud", Hash: config.HashKey("auditor-key"), Role: "auditor"},
	}}
	s := &Server{Cfg: cfg, Desk: &desk.Desk{Cfg: cfg, DB: db}}
	h := s.Handler()

	tr := &desk.SenderTracker{DB: db}
	at := time.Now().UTC()
	for i := 0; i < 3; i++ {
		tr.RecordMail(context.Background(), mailintake.MailOutcome{Sender: "quiet.example", Format: "arf", Outcome: mailintake.OutcomeCase, URLs: 2, Fingerprint: "f1", At: at})
		tr.RecordMail(context.Background(), mailintake.MailOutcome{Sender: "cert.example", Format: "csv", Outcome: mailintake.OutcomeIPReport, IPRows: 7, Fingerprint: "c1", At: at})
	}
	tr.RecordMail(context.Background(), mailintake.MailOutcome{Sender: "cert.example", Format: "csv", Outcome: mailintake.OutcomeEmpty,
		Problem: "ip_report: the CSV report has an IP column but no row with an IP address", Fingerprint: "c2", At: at.Add(-time.Hour)})

	get := func(key, query string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/v1/admin/senders"+query, nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	require.Equal(t, http.StatusUnauthorized, get("", "").Code)
	require.Equal(t, http.StatusForbidden, get("auditor-key", "").Code)
	require.Equal(t, http.StatusBadRequest, get("analyst-key", "?limit=100000").Code)
	require.Equal(t, http.StatusOK, get("admin-key", "").Code)

	rec := get("analyst-key", "?limit=5")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var ans SendersAnswer
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &ans))
	require.Equal(t, 1, ans.Drifting)
	require.Len(t, ans.Senders, 2)
	first := ans.Senders[0]
	require.Equal(t, "cert.example", first.Sender, "drifting first, though its last mail is older")
	require.True(t, first.Drifting)
	require.Equal(t, "iiie", first.Recent)
	require.Equal(t, int64(21), first.IPRows)
	require.Contains(t, first.DriftReason, "parsed to no URL and no IP row")
	require.Contains(t, first.LastProblem, "no row with an IP address")
	require.Equal(t, "quiet.example", ans.Senders[1].Sender)
	require.Equal(t, 2.0, ans.Senders[1].URLsPerMail)
}
