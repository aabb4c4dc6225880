package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestConsoleRoutesRoles (issue 15): claims, the summary and bulk
// decisions are the analyst's; an auditor and a key of any other role get
// 403 and change nothing. An analyst claims, sees 409 for another's claim,
// filters ?assignee=me|none, reads the summary.
func TestConsoleRoutesRoles(t *testing.T) {
	db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "c.db"), "")
	require.NoError(t, err)
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	require.NoError(t, store.Migrate(db))
	cfg := &config.Config{MaxBodyBytes: 1 << 20, APIKeys: []config.APIKey{
		{Name: "ana", Hash: config.HashKey("analyst-key"), Role: "analyst"},
		{Name: "ben", Hash: config.HashKey("analyst2-key"), Role: "analyst"},
		{Name: "aud", Hash: config.HashKey("auditor-key"), Role: "auditor"},
		{Name: "cus", Hash: config.HashKey("customer-key"), Role: "customer"},
	}}
	h := (&Server{Cfg: cfg, Desk: &desk.Desk{Cfg: cfg, DB: db}}).Handler()
	for _, id := range []string{"s1", "s2"} {
		require.NoError(t, db.Create(&models.Case{ID: id, Category: models.CategoryPhishing, Status: models.StatusAwaitingAnalyst,
			CreatedAt: time.Now().UTC().Add(-2 * time.Hour)}).Error)
	}
	call := func(method, path, key, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	bulk := `{"case_ids":["s1","s2"],"verdict":"no_violation","reason":"ok"}`
	for _, key := range []string{"auditor-key", "customer-key"} {
		require.Equal(t, http.StatusForbidden, call("POST", "/v1/cases/s1/claim", key, "").Code, key)
		require.Equal(t, http.StatusForbidden, call("POST", "/v1/cases/s1/release", key, "").Code, key)
		require.Equal(t, http.StatusForbidden, call("POST", "/v1/decisions/bulk", key, bulk).Code, key)
		require.Equal(t, http.StatusForbidden, call("GET", "/v1/cases/summary", key, "").Code, key)
	}
	require.Equal(t, http.StatusUnauthorized, call("POST", "/v1/cases/s1/claim", "wrong", "").Code)

	rec := call("POST", "/v1/cases/s1/claim", "analyst-key", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var ca desk.ClaimAnswer
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &ca))
	require.Equal(t, "ana", ca.Assignee)
	require.Equal(t, http.StatusConflict, call("POST", "/v1/cases/s1/claim", "analyst2-key", "").Code)
	require.Equal(t, http.StatusConflict, call("POST", "/v1/cases/s1/release", "analyst2-key", `{}`).Code)
	require.Equal(t, http.StatusBadRequest, call("POST", "/v1/cases/s1/claim", "analyst2-key", `{"forse":true}`).Code)

	list := func(key, q string) []desk.CaseView {
		rec := call("GET", "/v1/cases?assignee="+q, key, "")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var out struct{ Cases []desk.CaseView }
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		return out.Cases
	}
	mine := list("analyst-key", "me")
	require.Len(t, mine, 1)
	require.Equal(t, "s1", mine[0].CaseID)
	require.Equal(t, "ana", mine[0].Assignee)
	require.Empty(t, list("analyst2-key", "me"))
	none := list("analyst2-key", "none")
	require.Len(t, none, 1)
	require.Equal(t, "s2", none[0].CaseID)
	require.Len(t, list("analyst2-key", "ana"), 1)

	rec = call("POST", "/v1/cases/s1/claim", "analyst2-key", `{"force":true}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	rec = call("GET", "/v1/cases/summary", "analyst-key", "")
	require.Equal(t, http.StatusOK, rec.Code)
	var sum desk.QueueSummary
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &sum))
	require.EqualValues(t, 2, sum.Open)
	require.GreaterOrEqual(t, sum.OldestOpenAgeSeconds, int64(7100))

	// A malformed bulk decision is refused as a whole.
	require.Equal(t, http.StatusUnprocessableEntity, call("POST", "/v1/decisions/bulk", "analyst-key", `{"case_ids":["s1"],"verdict":"violates"}`).Code)
}
