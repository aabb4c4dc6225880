package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestDashboardEndpoint: GET /v1/dashboard answers analysts and auditors
// (not customers, not without a key) the dashboard's aggregates; days
// outside 1..90 is a 400 naming the field.
func TestDashboardEndpoint(t *testing.T) {
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
		{Name: "aud", Hash: config.HashKey("auditor-key"), Role: "auditor"},
		{Name: "shop", Hash: config.HashKey("customer-key"), Role: "customer", Account: "acct-1"},
	}}
	s := &Server{Cfg: cfg, Desk: &desk.Desk{Cfg: cfg, DB: db}}
	h := s.Handler()
	now := time.Now().UTC()
	due := now.Add(3 * time.Hour)
	require.NoError(t, db.Create(&[]models.Case{
		{ID: "c1", Source: "email", Category: "phishing", Status: "awaiting_operator", CreatedAt: now, NextDeadline: &due},
		{ID: "c2", Source: "xarf", Category: "malware", Status: "closed", CreatedAt: now},
	}).Error)

	get := func(key, query string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/v1/dashboard"+query, nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	require.Equal(t, http.StatusUnauthorized, get("", "").Code)
	require.Equal(t, http.StatusForbidden, get("customer-key", "").Code)
	bad := get("analyst-key", "?days=91")
	require.Equal(t, http.StatusBadRequest, bad.Code)
	require.Contains(t, bad.Body.String(), `"days"`)
	require.Equal(t, http.StatusBadRequest, get("auditor-key", "?days=x").Code)

	for _, key := range []string{"analyst-key", "auditor-key"} {
		rec := get(key, "?days=7")
		require.Equal(t, http.StatusOK, rec.Code, key)
		var v desk.Dashboard
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v))
		require.Equal(t, 7, v.Days)
		require.Len(t, v.Dates, 7)
		require.EqualValues(t, 2, v.Total)
		require.Equal(t, []desk.KeyCount{{Key: "email", N: 1}, {Key: "xarf", N: 1}}, v.Channels.Keys)
		require.EqualValues(t, 1, v.Deadlines.Within24)
		require.Equal(t, "c1", v.Deadlines.Cases[0].ID)
	}
}
