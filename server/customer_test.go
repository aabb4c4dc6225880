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

// customerServer serves two accounts (a1: one.example with case c1, a2:
// two.example with case c2) with a configured customer key per account.
func customerServer(t *testing.T) http.Handler {
	db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "c.db"), "")
	require.NoError(t, err)
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	require.NoError(t, store.Migrate(db))
	doc := &store.CustomerDoc{Accounts: []store.AccountDoc{
		{ID: "a1", Domains: []store.DomainDoc{{Name: "one.example", Services: []string{"cdn"}}}},
		{ID: "a2", Domains: []store.DomainDoc{{Name: "two.example", Services: []string{"cdn"}}}},
	}}
	require.Empty(t, store.ValidateCustomers(doc))
	_, err = store.LoadCustomers(db, doc, nil)
	require.NoError(t, err)
	now := time.Now().UTC()
	require.NoError(t, db.Create(&[]models.Case{
		{ID: "c1", AccountID: "a1", Domain: "one.example", Category: models.CategoryCopyright, Status: models.StatusClosed, CreatedAt: now},
		{ID: "c2", AccountID: "a2", Domain: "two.example", Category: models.CategoryPhishing, Status: models.StatusClosed, CreatedAt: now},
	}).Error)
	require.NoError(t, db.Create(&models.Mitigation{ID: "m2", CaseID: "c2", Step: "s", AccountID: "a2", Domain: "two.example",
		Type: models.MitigationLegalBlock, EntityType: models.EntityZone, EntityID: "two.example", Status: models.MitigationActive, EffectiveDate: now}).Error)
	cfg := &config.Config{MaxBodyBytes: 1 << 20, APIKeys: []config.APIKey{
		{Name: "adm", Hash: config.HashKey("admin-key"), Role: "admin"},
		{Name: "ana", Hash: config.HashKey("analyst-key"), Role: "analyst"},
		{Name: "one", Hash: config.HashKey("one-key"), Role: "customer", Account: "a1"},
		{Name: "two", Hash: config.HashKey("two-key"), Role: "customer", Account: "a2"},
	}}
	return (&Server{Cfg: cfg, Desk: &desk.Desk{Cfg: cfg, DB: db}}).Handler()
}

type v4Answer struct {
	Success bool      `json:"success"`
	Errors  []V4Error `json:"errors"`
	Result  any       `json:"result"`
}

func serve(h http.Handler, method, path, key, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestCustomerRoutesScope (docs/DESIGN.md "Customer accounts"): another
// account's report, mitigations or appeal is 404 on the native and the v4
// routes alike, an account in the v4 path that is not the key's is 404;
// a customer key reaches no analyst route, other roles no customer route.
func TestCustomerRoutesScope(t *testing.T) {
	h := customerServer(t)
	for _, p := range []string{"/v1/account/reports/c2", "/v1/account/reports/c2/mitigations", "/v1/account/reports/c2/emails", "/v1/account/reports/nope"} {
		rec := serve(h, "GET", p, "one-key", "")
		require.Equal(t, http.StatusNotFound, rec.Code, p)
	}
	require.Equal(t, http.StatusNotFound, serve(h, "POST", "/v1/account/reports/c2/appeal", "one-key", `{"appeals":[{"id":"m2","reason":"removed"}]}`).Code)
	for _, p := range []string{"/client/v4/accounts/a1/abuse-reports/c2", "/client/v4/accounts/a1/abuse-reports/c2/mitigations",
		"/client/v4/accounts/a2/abuse-reports", "/client/v4/accounts/a2/abuse-reports/c2", "/client/v4/accounts/nope/abuse-reports"} {
		rec := serve(h, "GET", p, "one-key", "")
		require.Equal(t, http.StatusNotFound, rec.Code, p)
		var a v4Answer
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &a), rec.Body.String())
		require.False(t, a.Success)
		require.Equal(t, 7003, a.Errors[0].Code)
	}
	rec := serve(h, "POST", "/client/v4/accounts/a1/abuse-reports/c2/mitigations/appeal", "one-key", `{"appeals":[{"id":"m2","reason":"removed"}]}`)
	require.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())

	rec = serve(h, "GET", "/client/v4/accounts/a1/abuse-reports", "one-key", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.JSONEq(t, `{"page":1,"per_page":20}`, string(mustField(t, rec.Body.Bytes(), "result_info")))
	require.Contains(t, rec.Body.String(), `"type":"DMCA"`)
	require.NotContains(t, rec.Body.String(), "c2")
	rec = serve(h, "GET", "/client/v4/accounts/a1/abuse-reports?page=2", "one-key", "")
	require.JSONEq(t, `{"items":[]}`, string(mustField(t, rec.Body.Bytes(), "result")), "past the last page: no items, the SDK stops")

	// Roles.
	require.Equal(t, http.StatusForbidden, serve(h, "GET", "/v1/cases", "one-key", "").Code)
	require.Equal(t, http.StatusForbidden, serve(h, "GET", "/v1/account/reports", "analyst-key", "").Code)
	require.Equal(t, http.StatusForbidden, serve(h, "GET", "/client/v4/accounts/a1/abuse-reports", "admin-key", "").Code)
	rec = serve(h, "GET", "/client/v4/accounts/a1/abuse-reports", "wrong-key", "")
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	var a v4Answer
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &a), rec.Body.String())
	require.Equal(t, 10000, a.Errors[0].Code)

	// The admin issues a key; it works for its account; revoked, it does not.
	rec = serve(h, "POST", "/v1/admin/api-keys", "admin-key", `{"name":"two-issued","role":"customer","account":"a2"}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	var k desk.IssuedKey
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &k))
	require.Equal(t, http.StatusOK, serve(h, "GET", "/client/v4/accounts/a2/abuse-reports/c2", k.Key, "").Code)
	require.Equal(t, http.StatusNotFound, serve(h, "GET", "/client/v4/accounts/a1/abuse-reports/c1", k.Key, "").Code)
	require.Equal(t, http.StatusForbidden, serve(h, "POST", "/v1/admin/api-keys", "one-key", `{}`).Code)
	require.Equal(t, http.StatusUnprocessableEntity, serve(h, "POST", "/v1/admin/api-keys", "admin-key", `{"name":"x","role":"customer","account":"zz"}`).Code)
	require.Equal(t, http.StatusOK, serve(h, "DELETE", "/v1/admin/api-keys/two-issued", "admin-key", "").Code)
	require.Equal(t, http.StatusUnauthorized, serve(h, "GET", "/client/v4/accounts/a2/abuse-reports/c2", k.Key, "").Code)

	// The abuse contact.
	require.Equal(t, http.StatusUnprocessableEntity, serve(h, "PUT", "/v1/account/abuse-contact", "one-key", `{"email":"nope"}`).Code)
	rec = serve(h, "PUT", "/v1/account/abuse-contact", "one-key", `{"email":"abuse@one.example"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.JSONEq(t, `{"email":"abuse@one.example"}`, rec.Body.String())
	require.JSONEq(t, `{"email":""}`, serve(h, "GET", "/v1/account/abuse-contact", "two-key", "").Body.String())
}

func mustField(t *testing.T, body []byte, field string) json.RawMessage {
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &m), string(body))
	return m[field]
}

// TestCustomerBadQueries: every bad query parameter is a 400 naming it,
// all of them at once; in the v4 envelope under /client/v4/.
func TestCustomerBadQueries(t *testing.T) {
	h := customerServer(t)
	cases := []struct{ query, fields string }{
		{"page=0", "page"}, {"page=x", "page"}, {"per_page=101", "per_page"}, {"per_page=-1", "per_page"},
		{"created_after=yesterday", "created_after"}, {"created_before=2026-13-01", "created_before"},
		{"created_after=2026-12-02&created_before=2026-12-01", "created_before"},
		{"type=SPAM", "type"}, {"status=open", "status"}, {"mitigation_status=gone", "mitigation_status"},
		{"sort=size", "sort"}, {"sort=cdate,up", "sort"}, {"domain=a%20b", "domain"}, {"page=1&page=2", "page"},
		{"colour=red", "colour"}, {"type=SPAM&status=open&sort=size", "type,status,sort"},
	}
	fieldsOf := func(ps []models.FieldError) string {
		var fs []string
		for _, p := range ps {
			fs = append(fs, p.Field)
		}
		return strings.Join(fs, ",")
	}
	for _, c := range cases {
		rec := serve(h, "GET", "/v1/account/reports?"+c.query, "one-key", "")
		require.Equal(t, http.StatusBadRequest, rec.Code, c.query)
		var body struct{ Errors []models.FieldError }
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		require.Equal(t, c.fields, fieldsOf(body.Errors), c.query)

		rec = serve(h, "GET", "/client/v4/accounts/a1/abuse-reports?"+c.query, "one-key", "")
		require.Equal(t, http.StatusBadRequest, rec.Code, c.query)
		var a v4Answer
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &a), rec.Body.String())
		require.False(t, a.Success)
		require.Len(t, a.Errors, len(strings.Split(c.fields, ",")), rec.Body.String())
		for i, f := range strings.Split(c.fields, ",") {
			require.True(t, strings.HasPrefix(a.Errors[i].Message, f+": "), a.Errors[i].Message)
			require.Equal(t, http.StatusBadRequest, a.Errors[i].Code)
		}
	}
	for _, q := range []string{"type=nope", "entity_type=host", "status=x", "sort=id,asc", "effective_after=x", "per_page=0x"} {
		rec := serve(h, "GET", "/client/v4/accounts/a1/abuse-reports/c1/mitigations?"+q, "one-key", "")
		require.Equal(t, http.StatusBadRequest, rec.Code, q+" "+rec.Body.String())
		require.Contains(t, rec.Body.String(), `"success":false`)
	}
	rec := serve(h, "GET", "/client/v4/accounts/a1/abuse-reports/c1/mitigations?type=legal_block&type=account_suspend&sort=status,desc", "one-key", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rec = serve(h, "POST", "/client/v4/accounts/a1/abuse-reports/c1/mitigations/appeal", "one-key", `{"appeals":[{"id":"","reason":"because"}]}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	require.Contains(t, rec.Body.String(), "appeals[0].id: ")
	require.Contains(t, rec.Body.String(), "appeals[0].reason: ")
}
