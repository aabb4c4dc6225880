package statements

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/internal/pgtest"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// quiet drops the submitter's log lines in tests.
var quiet = slog.New(slog.DiscardHandler)

// openDB is a fresh SQLite database with the statements table.
func openDB(t *testing.T) *gorm.DB {
	t.Helper()
	db, err := store.Open("", t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	require.NoError(t, store.Migrate(db))
	require.NoError(t, Migrate(db))
	return db
}

// storeN stores n valid statements and returns their puids in order.
func storeN(t *testing.T, db *gorm.DB, n int) []string {
	t.Helper()
	var puids []string
	for i := 0; i < n; i++ {
		f := Facts{Kind: KindRestriction, CaseID: fmt.Sprintf("C%03d", i), DedupKey: fmt.Sprintf("restriction:C%03d:disable:o", i),
			Category: models.CategoryPhishing, At: applied, ReportedAt: reported,
			Decision: &models.Decision{Verdict: "violates", Clause: "malware", Reason: "phishing kit"},
			Object:   &models.HostedObject{ObjectID: "o", Product: "pages"}}
		s := Build(f)
		require.NoError(t, db.Transaction(func(tx *gorm.DB) error { return Store(tx, f, s) }))
		puids = append(puids, s.PUID)
	}
	// Stored once per puid.
	f := Facts{Kind: KindRestriction, CaseID: "C000", DedupKey: "restriction:C000:disable:o", At: applied}
	require.NoError(t, db.Transaction(func(tx *gorm.DB) error { return Store(tx, f, Build(f)) }))
	var count int64
	require.NoError(t, db.Model(&Statement{}).Count(&count).Error)
	require.EqualValues(t, n, count)
	return puids
}

// TestSubmitterAgainstTransparencyDatabase runs the submitter against a
// stand-in for the Transparency Database that first rate-limits (429 with
// Retry-After), then refuses one statement of the batch (422, so none of
// the batch is stored) and reports another as already stored, fails once
// with a 500, and stores the rest (201).
func TestSubmitterAgainstTransparencyDatabase(t *testing.T) {
	db := openDB(t)
	puids := storeN(t, db, 150)

	var mu sync.Mutex
	var calls []int // batch sizes, in order
	var rateLimitedAt, retriedAt time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		require.Equal(t, SubmitPath, r.URL.Path)
		require.Equal(t, "Bearer tdb-token", r.Header.Get("Authorization"))
		var body struct {
			Statements []map[string]any `json:"statements"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		require.NotEmpty(t, body.Statements)
		require.LessOrEqual(t, len(body.Statements), 100)
		for _, s := range body.Statements {
			require.Contains(t, s, "puid")
			require.Contains(t, s, "decision_ground")
			require.NotContains(t, s, "submit_status", "abusedesk's own fields stay home")
		}
		calls = append(calls, len(body.Statements))
		w.Header().Set("Content-Type", "application/json")
		switch len(calls) {
		case 1:
			rateLimitedAt = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			retriedAt = time.Now()
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprintf(w, `{"message":"invalid","errors":{"statement_7":{"category":["The selected category is invalid."]},`+
				`"statement_9":{"puid":["The identifier given is not unique within this platform."]}},"existing":{"uuid":"existing-9"}}`)
		case 4:
			w.WriteHeader(http.StatusInternalServerError)
		default:
			out := []map[string]any{}
			for _, s := range body.Statements {
				out = append(out, map[string]any{"uuid": "uuid-" + s["puid"].(string), "puid": s["puid"]})
			}
			w.WriteHeader(http.StatusCreated)
			require.NoError(t, json.NewEncoder(w).Encode(map[string]any{"statements": out}))
		}
	}))
	defer srv.Close()

	sub := &Submitter{DB: db, URL: srv.URL, Token: "tdb-token", Backoff: 10 * time.Millisecond, Log: quiet}
	res, err := sub.SubmitPending(context.Background())
	require.NoError(t, err)
	require.Equal(t, SubmitResult{Submitted: 149, Rejected: 1, Batches: 5}, res)
	require.Equal(t, []int{100, 100, 100, 48, 48}, calls)
	require.GreaterOrEqual(t, retriedAt.Sub(rateLimitedAt), time.Second, "waited out Retry-After")

	var rows []Statement
	require.NoError(t, db.Order("id").Find(&rows).Error)
	for i, r := range rows {
		require.Equal(t, puids[i], r.PUID)
		switch i {
		case 7:
			require.Equal(t, StatusRejected, r.SubmitStatus)
			require.Equal(t, "category: The selected category is invalid.", r.SubmitError)
			require.Empty(t, r.RemoteID)
		case 9:
			require.Equal(t, StatusSubmitted, r.SubmitStatus)
			require.Equal(t, "existing-9", r.RemoteID)
		default:
			require.Equal(t, StatusSubmitted, r.SubmitStatus, i)
			require.Equal(t, "uuid-"+r.PUID, r.RemoteID)
			require.NotNil(t, r.SubmittedAt)
		}
	}

	// The refusal is what GET /v1/statements shows an analyst.
	items, more, err := List(context.Background(), db, time.Time{}, time.Time{}, 1)
	require.NoError(t, err)
	require.True(t, more)
	require.Len(t, items, PageSize)
	require.Equal(t, StatusRejected, items[7].SubmitStatus)
	require.Contains(t, items[7].SubmitError, "category")
	items, more, err = List(context.Background(), db, applied.Truncate(24*time.Hour), applied.Add(24*time.Hour), 2)
	require.NoError(t, err)
	require.False(t, more)
	require.Len(t, items, 50)
	items, _, err = List(context.Background(), db, applied.Add(time.Hour), time.Time{}, 1)
	require.NoError(t, err)
	require.Empty(t, items)

	// Nothing is pending: the next round sends nothing.
	res, err = sub.SubmitPending(context.Background())
	require.NoError(t, err)
	require.Zero(t, res.Batches)
}

// TestSubmitterKeepsStatementsWhenTheDatabaseIsDown gives up after its
// attempts and leaves every statement pending.
func TestSubmitterKeepsStatementsWhenTheDatabaseIsDown(t *testing.T) {
	db := openDB(t)
	storeN(t, db, 3)
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	sub := &Submitter{DB: db, URL: srv.URL, Token: "t", Backoff: time.Millisecond, Attempts: 3, Log: quiet}
	_, err := sub.SubmitPending(context.Background())
	require.ErrorContains(t, err, "502")
	require.Equal(t, 3, calls)
	var pending int64
	require.NoError(t, db.Model(&Statement{}).Where("submit_status = ?", StatusPending).Count(&pending).Error)
	require.EqualValues(t, 3, pending)
}

// TestSubmitterRoundTakesTheLockOnPostgres: of two processes, only the one
// holding the advisory lock submits.
func TestSubmitterRoundTakesTheLockOnPostgres(t *testing.T) {
	db, err := store.Open(pgtest.DB(t), "")
	require.NoError(t, err)
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	require.NoError(t, store.Migrate(db))
	require.NoError(t, Migrate(db))
	storeN(t, db, 3)
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"statements":[]}`)
	}))
	defer srv.Close()
	sub := &Submitter{DB: db, URL: srv.URL, Token: "t", Log: quiet}

	// Another process holds the lock: this round submits nothing.
	other, err := db.DB()
	require.NoError(t, err)
	conn, err := other.Conn(context.Background())
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(context.Background(), "SELECT pg_advisory_lock($1)", submitLock)
	require.NoError(t, err)
	require.NoError(t, sub.round(context.Background()))
	require.Zero(t, calls)

	_, err = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", submitLock)
	require.NoError(t, err)
	require.NoError(t, sub.round(context.Background()))
	require.Equal(t, 1, calls)
	var submitted int64
	require.NoError(t, db.Model(&Statement{}).Where("submit_status = ?", StatusSubmitted).Count(&submitted).Error)
	require.EqualValues(t, 3, submitted)
}
