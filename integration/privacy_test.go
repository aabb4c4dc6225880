package integration

// Privacy (docs/DESIGN.md step 9), proved on the running system:
//   - TestTemporalStoreHoldsNoPersonalData: reports with a distinctive
//     reporter go through the API; one CDN case closes, one hosted case
//     waits on a question that names the reporter. Then every table of
//     Temporal's own SQLite file (and the archive directory) is read raw
//     and holds none of the reporter's bytes, while the same scan does find
//     the case ids and activity names (so it reads the histories at all);
//     every history payload is encrypted with the active key; search
//     attributes and workflow ids carry no personal data; the codec
//     endpoint answers the embedded Web UI's CORS preflight over HTTP.
//   - TestTemporalOnPostgresHoldsNoPersonalData: the same scan over
//     Temporal's PostgreSQL store and visibility databases.
//   - TestPayloadKeyRotation: a case encrypted under k1, a restart with
//     "k2,k1": the old history is served, decodes through the codec endpoint
//     and DecodeHistory, replays; a ring without k1 fails with the key id.
//   - TestPurgeErasesPersonalDataAfterClose (SQLite and PostgreSQL): the
//     daily purge schedule, the legal hold, and the purge activity with the
//     clock moved past purge_after.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver of the PostgreSQL scan
	_ "github.com/mattn/go-sqlite3"    // database/sql driver "sqlite3" of the SQLite scan
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/app"
	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/temporalserver"
	abworker "github.com/abusedesk/abusedesk/worker"
	"github.com/abusedesk/abusedesk/workflows"
)

// The reporter of the privacy tests: every value distinctive, so that a
// byte scan cannot match by chance.
const (
	privName        = "Philippa Quartermaine-Oyelaran"
	privEmail       = "p.quartermaine.oyelaran@privacy-proof.example"
	privOrg         = "Oyelaran Rights Bureau"
	privTitle       = "Chief Rights Officer"
	privSignature   = "/Philippa Q. Oyelaran, signed/"
	privDescription = "privacy marker 7f3e-quartz-lantern: the page copies my photographs"
)

// privNeedles are the personal data that must never be in Temporal's store.
var privNeedles = []string{privName, privEmail, privOrg, privTitle, privSignature, privDescription,
	"Quartermaine", "quartz-lantern"}

// privReport is a report by the distinctive reporter (copyright carries
// the 512(c)(3) statements with the signature).
func privReport(category, u string) map[string]any {
	r := map[string]any{
		"category": category, "urls": []string{u}, "description": privDescription,
		"reporter": map[string]any{"name": privName, "email": privEmail, "organization": privOrg, "title": privTitle},
	}
	if category == "copyright" {
		r["copyright"] = map[string]any{"work": "Harbour photographs 2024", "good_faith": true, "accurate_under_penalty": true, "signature": privSignature}
	}
	return r
}

// fileCases files the reports of the store scans: a copyright notice and a
// phishing report on CDN domains (both close, forwarded), and a hosted
// report that waits for the reporter's answer to a question naming her.
func fileCases(t *testing.T, env *testenv.Env) (closedIDs []string, waiting string) {
	t.Helper()
	for _, r := range []map[string]any{
		privReport("copyright", "https://shop.example/photos/harbour.jpg"),
		privReport("phishing", "https://blog.example/login"),
	} {
		closedIDs = append(closedIDs, env.File(r).CaseID)
	}
	waiting = env.File(privReport("fraud", "https://pages.example/offer")).CaseID
	env.WaitCase(waiting, caseWait, status("awaiting_analyst"))
	r := decide(t, env, testenv.AnalystKey, waiting, map[string]any{"verdict": "need_info",
		"question": "Ms " + privName + ", which of your photographs is on the page?"})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	env.WaitCase(waiting, caseWait, status("awaiting_reporter"))
	for _, id := range closedIDs {
		c := env.WaitCase(id, caseWait, closed)
		require.Equal(t, "forwarded", c.Outcome)
	}
	return closedIDs, waiting
}

func TestTemporalStoreHoldsNoPersonalData(t *testing.T) {
	uiAddr, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_UI_ADDR": uiAddr}})
	closedIDs, waiting := fileCases(t, env)
	ids := append(append([]string(nil), closedIDs...), waiting)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	requireEncryptedHistories(ctx, t, env.App.Temporal, env.App.KeyRing.ActiveKeyID(), ids)
	requireCleanVisibility(ctx, t, env.App.Temporal, ids)

	// Temporal's own stores (history and visibility), read raw while the
	// hosted case waits.
	tables := 0
	for _, file := range []string{"temporal.db", "temporal_visibility.db"} {
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(env.Opts.DataDir, file)+"?mode=ro&_busy_timeout=10000")
		require.NoError(t, err)
		// Virtual (full-text) tables need a module this driver lacks; their
		// contents live in their shadow tables, which are scanned.
		names := queryStrings(t, db, "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'")
		require.NotEmpty(t, names, file)
		found := scanTables(t, db, names, func(name string) string { return `SELECT * FROM "` + name + `"` }, ids)
		requireNoPersonalData(t, found, ids, file, file == "temporal.db")
		tables += len(names)
		db.Close()
	}

	// Closed histories archived under the data dir, when the archiver ran.
	archived := 0
	_ = filepath.WalkDir(filepath.Join(env.Opts.DataDir, "archive"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		archived++
		for _, n := range privNeedles {
			require.False(t, bytes.Contains(b, []byte(n)), "archived history %s holds %q", p, n)
		}
		return nil
	})
	t.Logf("scanned %d tables of temporal.db and temporal_visibility.db and %d archived files", tables, archived)

	t.Run("codec endpoint for the Web UI", func(t *testing.T) { codecEndpoint(t, env, uiAddr) })
}

// requireEncryptedHistories checks that every payload of the cases'
// histories (search attributes aside) is sealed under keyID.
func requireEncryptedHistories(ctx context.Context, t *testing.T, c client.Client, keyID string, ids []string) {
	t.Helper()
	for _, id := range ids {
		h := history(ctx, t, c, workflows.CaseWorkflowID(id))
		n := 0
		require.NoError(t, proxy.VisitPayloads(ctx, h, proxy.VisitPayloadsOptions{SkipSearchAttributes: true,
			Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
				for _, p := range ps {
					n++
					require.Equal(t, codec.EncodingEncrypted, string(p.GetMetadata()[converter.MetadataEncoding]))
					require.Equal(t, keyID, string(p.GetMetadata()[codec.MetadataKeyID]))
				}
				return ps, nil
			}}))
		require.NotZero(t, n, "case %s has payloads", id)
	}
}

// requireCleanVisibility checks the workflow ids, search attributes and
// memos of every execution Temporal lists.
func requireCleanVisibility(ctx context.Context, t *testing.T, c client.Client, ids []string) {
	t.Helper()
	var list *workflowservice.ListWorkflowExecutionsResponse
	listed := func() bool { // every case is visible
		seen := map[string]bool{}
		for _, e := range list.GetExecutions() {
			if caseID, ok := workflows.CaseIDFromWorkflowID(e.GetExecution().GetWorkflowId()); ok {
				seen[caseID] = true
			}
		}
		for _, id := range ids {
			if !seen[id] {
				return false
			}
		}
		return true
	}
	require.Eventually(t, func() bool {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{PageSize: 1000})
		list = resp
		return err == nil && listed()
	}, 20*time.Second, 200*time.Millisecond, "every case is listed")
	dc := converter.GetDefaultDataConverter()
	for _, e := range list.GetExecutions() {
		id := e.GetExecution().GetWorkflowId()
		var text strings.Builder
		text.WriteString(id)
		for name, p := range e.GetSearchAttributes().GetIndexedFields() {
			var v any
			require.NoError(t, dc.FromPayload(p, &v), name)
			fmt.Fprintf(&text, " %s=%v", name, v)
		}
		for _, p := range e.GetMemo().GetFields() {
			text.Write(p.GetData())
		}
		for _, n := range privNeedles {
			require.NotContains(t, text.String(), n, "workflow %s", id)
		}
	}
}

// history reads a workflow's history as stored.
func history(ctx context.Context, t *testing.T, c client.Client, wfID string) *historypb.History {
	t.Helper()
	it := c.GetWorkflowHistory(ctx, wfID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	return h
}

func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// scanTables reads every column of every row of the tables as bytes and
// returns, for each needle and control string found, where.
func scanTables(t *testing.T, db *sql.DB, tables []string, query func(string) string, controls []string) map[string][]string {
	t.Helper()
	wanted := append(append([]string{historyControl}, controls...), privNeedles...)
	found := map[string][]string{}
	for _, table := range tables {
		rows, err := db.Query(query(table))
		require.NoError(t, err, table)
		cols, err := rows.Columns()
		require.NoError(t, err)
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		for rows.Next() {
			require.NoError(t, rows.Scan(vals...), table)
			for i, v := range vals {
				var b []byte
				switch x := (*v.(*any)).(type) {
				case []byte:
					b = x
				case string:
					b = []byte(x)
				default:
					continue
				}
				for _, w := range wanted {
					if bytes.Contains(b, []byte(w)) || bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(w))) {
						found[w] = append(found[w], table+"."+cols[i])
					}
				}
			}
		}
		require.NoError(t, rows.Err(), table)
		rows.Close()
	}
	return found
}

// historyControl is in clear in every case's history: the marker name of
// its local activities (classification, notices, status), which only the
// history events hold. A scan that does not find it did not read them.
const historyControl = "LocalActivity"

// requireNoPersonalData fails on any personal data found, and on a scan
// that did not see what must be in clear (case ids in workflow ids, the
// marker names in the histories).
func requireNoPersonalData(t *testing.T, found map[string][]string, ids []string, store string, histories bool) {
	t.Helper()
	if histories {
		require.NotEmpty(t, found[historyControl], "%s: the scan reads the histories (marker names are in clear)", store)
	}
	for _, id := range ids {
		require.NotEmpty(t, found[id], "%s: the scan finds case %s in its workflow id", store, id)
	}
	for _, n := range privNeedles {
		require.Empty(t, found[n], "%s holds personal data %q in %v", store, n, found[n])
	}
}

// codecEndpoint checks the codec endpoint over real HTTP as the embedded
// Web UI's browser code calls it.
func codecEndpoint(t *testing.T, env *testenv.Env, uiAddr string) {
	origin := "http://" + uiAddr
	for _, path := range []string{codec.DecodePath, codec.EncodePath} {
		r := call(t, env, "OPTIONS", path, "", map[string]string{"Origin": origin,
			"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-namespace,authorization"}, nil)
		require.Equal(t, http.StatusNoContent, r.Code, "preflight %s: %s", path, r.Body)
		require.Equal(t, origin, r.Header.Get("Access-Control-Allow-Origin"))
		require.Equal(t, "true", r.Header.Get("Access-Control-Allow-Credentials"))
		require.Contains(t, r.Header.Get("Access-Control-Allow-Methods"), "POST")
		for _, h := range []string{"Content-Type", "X-Namespace", "Authorization"} {
			require.Contains(t, r.Header.Get("Access-Control-Allow-Headers"), h)
		}
	}
	evil := call(t, env, "OPTIONS", codec.DecodePath, "", map[string]string{"Origin": "http://evil.example",
		"Access-Control-Request-Method": "POST"}, nil)
	require.Equal(t, http.StatusForbidden, evil.Code)
	require.Empty(t, evil.Header.Get("Access-Control-Allow-Origin"))

	// The UI is configured with this endpoint (the UI address lets in
	// auditors only: trust_temporal_test.go).
	req, err := http.NewRequest(http.MethodGet, origin+"/api/v1/settings", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+testenv.AuditorKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var settings struct {
		Codec struct{ Endpoint string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&settings))
	resp.Body.Close()
	require.Equal(t, env.App.Cfg.PublicURL+codec.EndpointPrefix, settings.Codec.Endpoint)

	// Decode needs the auditor role; the answer carries CORS. Encode is
	// refused even to auditors: a payload sealed by the ring is what the
	// worker acts on (trust_temporal_test.go).
	plain, err := converter.GetDefaultDataConverter().ToPayloads(map[string]string{"hello": "auditor"})
	require.NoError(t, err)
	body, err := protojson.Marshal(plain)
	require.NoError(t, err)
	hdr := map[string]string{"Origin": origin, "X-Namespace": env.App.Cfg.TemporalNamespace}
	require.Equal(t, http.StatusUnauthorized, call(t, env, "POST", codec.EncodePath, "", hdr, body).Code)
	require.Equal(t, http.StatusForbidden, call(t, env, "POST", codec.EncodePath, testenv.AnalystKey, hdr, body).Code)
	require.Equal(t, http.StatusForbidden, call(t, env, "POST", codec.EncodePath, testenv.AuditorKey, hdr, body).Code)
	sealed, err := codec.NewCodec(env.App.KeyRing).Encode(plain.GetPayloads())
	require.NoError(t, err)
	sealedBody, err := protojson.Marshal(&commonpb.Payloads{Payloads: sealed})
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, call(t, env, "POST", codec.DecodePath, "", hdr, sealedBody).Code)
	dec := call(t, env, "POST", codec.DecodePath, testenv.AuditorKey, hdr, sealedBody)
	require.Equal(t, http.StatusOK, dec.Code, string(dec.Body))
	require.Equal(t, origin, dec.Header.Get("Access-Control-Allow-Origin"))
	var opened commonpb.Payloads
	require.NoError(t, protojson.Unmarshal(dec.Body, &opened))
	var got map[string]string
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(&opened, &got))
	require.Equal(t, map[string]string{"hello": "auditor"}, got)
}

func TestTemporalOnPostgresHoldsNoPersonalData(t *testing.T) {
	base := os.Getenv("ABUSEDESK_TEST_POSTGRES_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() }) // after the drops below
	if err := admin.Ping(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI=true: %v", err)
		}
		t.Skipf("PostgreSQL unavailable: %v", err)
	}
	name := fmt.Sprintf("adk_tpriv_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		for _, db := range []string{name, name + "_visibility"} {
			if _, err := admin.Exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)"); err != nil {
				t.Logf("drop test database %s: %v", db, err)
			}
		}
	})
	u, err := url.Parse(base)
	require.NoError(t, err)
	u.Path = "/" + name
	addr, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv, err := temporalserver.Start(ctx, temporalserver.Options{Address: addr, Namespace: "default",
		DB: temporalserver.DBPostgres, PostgresURL: u.String(), SearchAttributes: app.SearchAttributes(), LogLevel: "error"})
	require.NoError(t, err)
	t.Cleanup(srv.Stop)

	env := testenv.Start(t, testenv.Options{TemporalAddr: addr, Env: map[string]string{"ABUSEDESK_TEMPORAL_EMBEDDED": "false"}})
	closedIDs, waiting := fileCases(t, env)
	ids := append(append([]string(nil), closedIDs...), waiting)
	requireEncryptedHistories(ctx, t, env.App.Temporal, env.App.KeyRing.ActiveKeyID(), ids)
	requireCleanVisibility(ctx, t, env.App.Temporal, ids)

	for _, dbName := range []string{name, name + "_visibility"} {
		du := *u
		du.Path = "/" + dbName
		db, err := sql.Open("pgx", du.String())
		require.NoError(t, err)
		tables := queryStrings(t, db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
		found := scanTables(t, db, tables, func(n string) string { return `SELECT * FROM "` + n + `"` }, ids)
		if dbName == name {
			requireNoPersonalData(t, found, ids, dbName, true)
		} else {
			for _, id := range ids {
				require.NotEmpty(t, found[id], "%s lists case %s", dbName, id)
			}
			for _, n := range privNeedles {
				require.Empty(t, found[n], "%s holds personal data %q in %v", dbName, n, found[n])
			}
		}
		t.Logf("scanned %d tables of %s", len(tables), dbName)
		db.Close()
	}
}

func TestPayloadKeyRotation(t *testing.T) {
	k1, err := codec.GenerateKeyEntry("k1")
	require.NoError(t, err)
	k2, err := codec.GenerateKeyEntry("k2")
	require.NoError(t, err)
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_PAYLOAD_KEYS": k1}})
	old := env.File(privReport("phishing", "https://shop.example/rotate")).CaseID
	env.WaitCase(old, caseWait, closed)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	requireEncryptedHistories(ctx, t, env.App.Temporal, "k1", []string{old})
	// The run must be complete before the restart: replay needs the whole
	// history.
	require.NoError(t, env.App.Temporal.GetWorkflow(ctx, workflows.CaseWorkflowID(old), "").Get(ctx, nil))

	// Rotate: k2 encrypts from now on, k1 still decrypts.
	env.Opts.Env["ABUSEDESK_PAYLOAD_KEYS"] = k2 + "," + k1
	env = env.Restart()
	require.Equal(t, "k2", env.App.KeyRing.ActiveKeyID())
	ring2, err := codec.ParseKeyRing(k2 + "," + k1)
	require.NoError(t, err)

	// The auditor reads the old history as served (encoded: ?encoded=1
	// once the endpoint decodes by default) ...
	r := call(t, env, "GET", "/v1/cases/"+old+"/history?encoded=1", testenv.AuditorKey, nil, nil)
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	h, err := client.HistoryFromJSON(bytes.NewReader(r.Body), client.HistoryJSONOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, h.GetEvents())
	start := h.GetEvents()[0].GetWorkflowExecutionStartedEventAttributes()
	require.NotNil(t, start)
	in := start.GetInput()
	if string(in.GetPayloads()[0].GetMetadata()[converter.MetadataEncoding]) == codec.EncodingEncrypted {
		require.Equal(t, "k1", string(in.GetPayloads()[0].GetMetadata()[codec.MetadataKeyID]))

		// ... and decodes its payloads through the codec endpoint, as the
		// Web UI does.
		body, err := protojson.Marshal(in)
		require.NoError(t, err)
		dec := call(t, env, "POST", codec.DecodePath, testenv.AuditorKey, map[string]string{"X-Namespace": "default"}, body)
		require.Equal(t, http.StatusOK, dec.Code, string(dec.Body))
		var opened commonpb.Payloads
		require.NoError(t, protojson.Unmarshal(dec.Body, &opened))
		var input workflows.CaseInput
		require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(&opened, &input))
		require.Equal(t, old, input.CaseID)
	} else {
		t.Log("the history endpoint already serves decoded payloads; checking them")
	}

	// The whole old history decodes with the rotated ring.
	hDecoded, err := client.HistoryFromJSON(bytes.NewReader(r.Body), client.HistoryJSONOptions{})
	require.NoError(t, err)
	require.NoError(t, codec.DecodeHistory(ctx, hDecoded, codec.NewCodec(ring2)))
	var input workflows.CaseInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(
		hDecoded.GetEvents()[0].GetWorkflowExecutionStartedEventAttributes().GetInput(), &input))
	require.Equal(t, old, input.CaseID)

	// It replays with the rotated ring's data converter, by the SDK's
	// replayer directly and through worker.ReplayHistory.
	require.NoError(t, replay(h, ring2), "the k1 history replays under k2,k1")
	require.NoError(t, abworker.ReplayHistory(ctx, h, ring2))

	// A ring without k1 fails. The SDK's replayer alone only reports the
	// state the unreadable input left; worker.ReplayHistory names the key.
	k2only, err := codec.ParseKeyRing(k2)
	require.NoError(t, err)
	require.Error(t, replay(h, k2only))
	err = abworker.ReplayHistory(ctx, h, k2only)
	require.ErrorIs(t, err, codec.ErrUnknownKeyID)
	require.Contains(t, err.Error(), `"k1"`, "the error names the missing key id")
	hMissing, err := client.HistoryFromJSON(bytes.NewReader(r.Body), client.HistoryJSONOptions{})
	require.NoError(t, err)
	err = codec.DecodeHistory(ctx, hMissing, codec.NewCodec(k2only))
	require.ErrorIs(t, err, codec.ErrUnknownKeyID)
	require.Contains(t, err.Error(), `"k1"`)

	// A failure whose text the failure converter sealed gets it back.
	sealed := codec.FailureConverter(ring2).ErrorToFailure(fmt.Errorf("550 mailbox %s unknown", privEmail))
	require.NotContains(t, sealed.String(), privEmail)
	hf := &historypb.History{Events: []*historypb.HistoryEvent{{EventId: 1,
		EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED,
		Attributes: &historypb.HistoryEvent_ActivityTaskFailedEventAttributes{
			ActivityTaskFailedEventAttributes: &historypb.ActivityTaskFailedEventAttributes{Failure: sealed}}}}}
	require.NoError(t, codec.DecodeHistory(ctx, hf, codec.NewCodec(ring2)))
	require.Equal(t, "550 mailbox "+privEmail+" unknown", hf.GetEvents()[0].GetActivityTaskFailedEventAttributes().GetFailure().GetMessage())

	// New cases are sealed under k2.
	fresh := env.File(privReport("phishing", "https://shop.example/rotated")).CaseID
	env.WaitCase(fresh, caseWait, closed)
	requireEncryptedHistories(ctx, t, env.App.Temporal, "k2", []string{fresh})
}

// replay replays a history with the worker's registrations and the codec
// of ring.
func replay(h *historypb.History, ring *codec.KeyRing) error {
	rp, err := sdkworker.NewWorkflowReplayerWithOptions(sdkworker.WorkflowReplayerOptions{
		DataConverter: codec.DataConverter(ring), FailureConverter: codec.FailureConverter(ring)})
	if err != nil {
		return err
	}
	abworker.RegisterWorkflows(rp)
	return rp.ReplayWorkflowHistory(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), h)
}

// TestPurgeErasesPersonalDataAfterClose: the daily purge schedule exists
// and its run erases nothing of cases closed minutes ago; the purge
// activity with the clock moved past purge_after erases the personal data
// of every closed case without a legal hold, keeps the cases, their
// outcomes, the counts and the audit log (which still verifies against a
// checkpoint taken before), and erases nothing the second time; lifting
// the hold lets the next purge erase that case too.
func TestPurgeErasesPersonalDataAfterClose(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { purgeAfterClose(t, testenv.Options{}) })
	t.Run("postgres", func(t *testing.T) { purgeAfterClose(t, testenv.Options{Postgres: true}) })
}

func purgeAfterClose(t *testing.T, opts testenv.Options) {
	env := testenv.Start(t, opts)
	db := env.App.DB
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// a: a CDN copyright notice (signature, forwarded whole to the operator).
	a := env.File(privReport("copyright", "https://shop.example/photos/a.jpg"))
	// b: hosted, violates, the operator removes and signs its answer.
	b := env.File(privReport("phishing", "https://pages.example/fake-login"))
	// c: hosted, the analyst asks, the reporter answers, no violation.
	c := env.File(privReport("fraud", "https://img.pages.example/x.png"))
	// d: a CDN case that an analyst puts under a legal hold.
	d := env.File(privReport("phishing", "https://blog.example/hold"))
	// e: hosted and still open.
	e := env.File(privReport("fraud", "https://pages.example/still-open"))

	env.WaitCase(b.CaseID, caseWait, status("awaiting_analyst"))
	violates(t, env, b.CaseID, "malware")
	env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))
	r := decide(t, env, testenv.AnalystKey, c.CaseID, map[string]any{"verdict": "need_info", "question": "Which picture?"})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	env.WaitCase(c.CaseID, caseWait, status("awaiting_reporter"))
	r = call(t, env, "POST", "/v1/reports/"+c.CaseID+"/answer?token="+c.Token, "", nil,
		map[string]any{"answer": "Picture 3 of my portfolio, " + privName})
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))
	r = decide(t, env, testenv.AnalystKey, c.CaseID, map[string]any{"verdict": "no_violation", "reason": "an original work of the operator"})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	env.WaitCase(b.CaseID, caseWait, status("awaiting_operator"))
	noticeID, token := responseLink(t, env, operatorHosted, b.CaseID)
	r = respond(t, env, noticeID, token, map[string]any{"response": "removed", "statement": "Removed at once. Oswin Fairweather-Operator",
		"name": "Oswin Fairweather-Operator", "address": "1 Operator Way", "phone": "+1 555 0100", "signature": "/Oswin F-O/"})
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	for _, id := range []string{a.CaseID, b.CaseID, c.CaseID, d.CaseID} {
		env.WaitCase(id, caseWait, closed)
	}
	env.WaitCase(e.CaseID, caseWait, status("awaiting_analyst"))
	erasable := []string{a.CaseID, b.CaseID, c.CaseID}
	// Case b's mitigations end in their own workflows, which may finish
	// just after the case closed: wait for them, so that the audit log
	// read below is the whole story before the purge.
	require.Eventually(t, func() bool {
		var open int64
		require.NoError(t, db.Model(&models.Mitigation{}).Where("case_id = ? AND status NOT IN ?", b.CaseID,
			[]string{string(models.MitigationRemoved), string(models.MitigationCancelled)}).Count(&open).Error)
		return open == 0
	}, caseWait, 100*time.Millisecond)

	// The legal hold: analysts only, a known case, a boolean.
	hold := func(key, id string, body any) reply {
		return call(t, env, "POST", "/v1/cases/"+id+"/legal-hold", key, nil, body)
	}
	refused(t, hold("", d.CaseID, map[string]any{"hold": true}), http.StatusUnauthorized)
	refused(t, hold(testenv.AuditorKey, d.CaseID, map[string]any{"hold": true}), http.StatusForbidden)
	refused(t, hold(testenv.AnalystKey, "Cnope", map[string]any{"hold": true}), http.StatusNotFound)
	refused(t, hold(testenv.AnalystKey, d.CaseID, map[string]any{"hold": "yes"}), http.StatusBadRequest)
	require.Equal(t, []string{"hold"}, refused(t, hold(testenv.AnalystKey, d.CaseID, map[string]any{}), http.StatusUnprocessableEntity).Fields())
	r = hold(testenv.AnalystKey, d.CaseID, map[string]any{"hold": true})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	var held desk.LegalHoldAnswer
	r.JSON(t, &held)
	require.Equal(t, desk.LegalHoldAnswer{CaseID: d.CaseID, LegalHold: true}, held)

	// What must survive the purge.
	counts := func() map[string]int64 {
		out := map[string]int64{}
		for _, tbl := range []string{"cases", "case_urls", "notices", "decisions", "operator_replies", "reporter_replies", "blocks", "strikes"} {
			var n int64
			require.NoError(t, db.Table(tbl).Count(&n).Error)
			out[tbl] = n
		}
		return out
	}
	before := counts()
	var entriesBefore []audit.Entry
	require.NoError(t, db.Order("seq").Find(&entriesBefore).Error)
	cp := call(t, env, "GET", "/v1/audit/checkpoint", testenv.AuditorKey, nil, nil)
	require.Equal(t, http.StatusOK, cp.Code, string(cp.Body))
	cpFile := filepath.Join(t.TempDir(), "checkpoint")
	require.NoError(t, os.WriteFile(cpFile, cp.Body, 0o600))
	var noticesOfErasable int64
	require.NoError(t, db.Model(&models.Notice{}).Where("case_id IN ?", erasable).Count(&noticesOfErasable).Error)

	// The daily schedule exists; run it now: nothing closed 180 days ago.
	h := env.App.Temporal.ScheduleClient().GetHandle(ctx, workflows.PurgeScheduleID)
	desc, err := h.Describe(ctx)
	require.NoError(t, err)
	action, ok := desc.Schedule.Action.(*client.ScheduleWorkflowAction)
	require.True(t, ok)
	require.Equal(t, workflows.WorkflowPurge, action.Workflow)
	require.Len(t, desc.Schedule.Spec.Calendars, 1)
	require.NoError(t, h.Trigger(ctx, client.ScheduleTriggerOptions{}))
	var run *client.ScheduleWorkflowExecution
	require.Eventually(t, func() bool {
		desc, err := h.Describe(ctx)
		if err != nil || len(desc.Info.RecentActions) == 0 {
			return false
		}
		run = desc.Info.RecentActions[len(desc.Info.RecentActions)-1].StartWorkflowResult
		return run != nil
	}, caseWait, 200*time.Millisecond)
	var scheduled workflows.PurgeResult
	require.NoError(t, env.App.Temporal.GetWorkflow(ctx, run.WorkflowID, run.FirstExecutionRunID).Get(ctx, &scheduled))
	require.Zero(t, scheduled.Erased.Cases)
	require.WithinDuration(t, time.Now().Add(-workflows.DefaultPurgeAfter), scheduled.ClosedBefore, time.Minute)
	require.Equal(t, before, counts())

	// Move the clock past purge_after.
	purge := func() activities.PurgeResult {
		var total activities.PurgeResult
		for {
			res, err := env.App.Acts.ErasePersonalData(ctx, activities.PurgeInput{ClosedBefore: time.Now().Add(workflows.DefaultPurgeAfter + 24*time.Hour), Limit: 2})
			require.NoError(t, err)
			total.Add(res)
			if !res.More {
				return total
			}
		}
	}
	got := purge()
	require.Equal(t, activities.PurgeResult{Cases: 3, Notices: int(noticesOfErasable), OperatorReplies: 1, ReporterReplies: 1, Held: 1}, got)

	for _, id := range erasable {
		var cs models.Case
		require.NoError(t, db.First(&cs, "id = ?", id).Error)
		require.Equal(t, models.StatusClosed, cs.Status)
		require.NotEmpty(t, cs.Outcome, "the outcome stays")
		require.Empty(t, cs.ReporterName+cs.ReporterEmail+cs.ReporterOrg+cs.ReporterTitle+cs.CopyrightSig)
		require.Equal(t, activities.ErasedText, cs.Description)
		var ns []models.Notice
		require.NoError(t, db.Where("case_id = ?", id).Find(&ns).Error)
		require.NotEmpty(t, ns)
		for _, n := range ns {
			require.Equal(t, activities.ErasedText, n.BodyText, "%s %s", id, n.Step)
			if n.RecipientRole == models.RoleHostingProvider {
				require.NotEmpty(t, n.To, "a provider's role address stays")
			} else {
				require.Empty(t, n.To, "%s %s", id, n.Step)
			}
		}
	}
	var op models.OperatorReply
	require.NoError(t, db.First(&op, "case_id = ?", b.CaseID).Error)
	require.Equal(t, "removed", op.Response)
	require.Empty(t, op.Name+op.Address+op.Phone+op.Signature+op.Statement)
	var rr models.ReporterReply
	require.NoError(t, db.First(&rr, "case_id = ?", c.CaseID).Error)
	require.Equal(t, activities.ErasedText, rr.Answer)
	for _, id := range []string{d.CaseID, e.CaseID} {
		var cs models.Case
		require.NoError(t, db.First(&cs, "id = ?", id).Error)
		require.Equal(t, privEmail, cs.ReporterEmail, "held or open: %s keeps its data", id)
		require.Equal(t, privDescription, cs.Description)
	}
	var view map[string]any
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/reports/"+a.CaseID+"?token="+a.Token, "", nil, &view), "the reporter's link still works")
	require.Equal(t, activities.ErasedText, view["description"])

	// Counts and the audit log intact: the old entries unchanged, one
	// erasure entry per case added, the log verifying against the
	// checkpoint taken before.
	require.Equal(t, before, counts())
	var entriesAfter []audit.Entry
	require.NoError(t, db.Order("seq").Find(&entriesAfter).Error)
	require.Len(t, entriesAfter, len(entriesBefore)+3)
	require.Equal(t, entriesBefore, entriesAfter[:len(entriesBefore)])
	for _, en := range entriesAfter[len(entriesBefore):] {
		require.Equal(t, "personal_data_erased", en.Kind)
		require.Contains(t, erasable, en.CaseID)
	}
	_, vkey, err := app.AuditKeys(env.App.Cfg)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, audit.RunVerify(ctx, db, vkey, cpFile, &out), out.String())

	// Idempotent: nothing more to erase.
	require.Equal(t, activities.PurgeResult{Held: 1}, purge())

	// Lifting the hold lets the next purge erase that case.
	r = hold(testenv.AnalystKey, d.CaseID, map[string]any{"hold": false})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	got = purge()
	require.Equal(t, 1, got.Cases)
	require.Zero(t, got.Held)
	r = hold(testenv.AnalystKey, d.CaseID, map[string]any{"hold": true})
	r.JSON(t, &held)
	require.NotNil(t, held.ErasedAt, "a hold after the erasure says so")
	var entries []audit.Entry
	require.NoError(t, db.Where("case_id = ? AND kind LIKE ?", d.CaseID, "legal_hold%").Order("seq").Find(&entries).Error)
	require.Len(t, entries, 3, "set, lifted, set: each change is in the audit log")
	require.NoError(t, audit.RunVerify(ctx, db, vkey, cpFile, &out), out.String())
}
