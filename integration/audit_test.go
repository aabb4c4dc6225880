package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"golang.org/x/mod/sumdb/note"

	"github.com/abusedesk/abusedesk/app"
	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// moduleRoot is the repository root (tests start in integration/; testenv
// changes the directory later).
var moduleRoot = func() string {
	wd, _ := os.Getwd()
	return filepath.Dir(wd)
}()

// quietAudit keeps the exporter from appending while a test reads the log.
var quietAudit = map[string]string{"ABUSEDESK_HISTORY_EXPORT_INTERVAL": "0"}

func TestAuditVerifyNamesTamperedEntrySQLite(t *testing.T) {
	testAuditVerifyNamesTamperedEntry(t, testenv.Start(t, testenv.Options{Env: quietAudit}))
}

func TestAuditVerifyNamesTamperedEntryPostgres(t *testing.T) {
	testAuditVerifyNamesTamperedEntry(t, testenv.Start(t, testenv.Options{Env: quietAudit, Postgres: true}))
}

// testAuditVerifyNamesTamperedEntry files cases through the API, keeps a
// checkpoint as an auditor would, alters one entry in the database and
// runs what `abusedesk audit verify --checkpoint FILE` runs.
func testAuditVerifyNamesTamperedEntry(t *testing.T, env *testenv.Env) {
	a := env.App
	ctx := context.Background()
	fileCDN(t, env, 3)
	_, vkey, err := app.AuditKeys(a.Cfg)
	require.NoError(t, err)
	kept := call(t, env, "GET", "/v1/audit/checkpoint", testenv.AuditorKey, nil, nil)
	require.Equal(t, http.StatusOK, kept.Code, string(kept.Body))
	keptFile := filepath.Join(t.TempDir(), "checkpoint.txt")
	require.NoError(t, os.WriteFile(keptFile, kept.Body, 0o644))

	var out bytes.Buffer
	require.NoError(t, audit.RunVerify(ctx, a.DB, vkey, keptFile, &out), out.String())
	require.Contains(t, out.String(), "audit log verifies")

	var size int64
	require.NoError(t, a.DB.Model(&audit.Entry{}).Count(&size).Error)
	require.Greater(t, size, int64(10))
	victim := size / 2
	require.NoError(t, a.DB.Exec("UPDATE audit_entries SET actor = ? WHERE seq = ?", "analyst:mallory", victim).Error)

	out.Reset()
	err = audit.RunVerify(ctx, a.DB, vkey, keptFile, &out)
	require.ErrorContains(t, err, fmt.Sprintf("entry %d", victim))
	require.Regexp(t, fmt.Sprintf(`FAIL entry %d \(kind "[a-z_]+", case \S+\): leaf hash mismatch: stored [0-9a-f]{64}, recomputed from its fields [0-9a-f]{64}`, victim), out.String())
	require.Contains(t, out.String(), "kept checkpoint", "the auditor's checkpoint no longer matches either")
	require.NotRegexp(t, `\[\d+ \d+ \d+`, out.String(), "hashes are printed in hex, never as byte arrays")
	require.Contains(t, out.String(), "does NOT verify")
}

// TestAuditInclusionProofVerifiesWithThePublicKeyAlone checks, as an
// auditor holding only audit.pub, that every entry of a case is in the
// tree of the signed checkpoint the API serves.
func TestAuditInclusionProofVerifiesWithThePublicKeyAlone(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Env: quietAudit})
	ids := fileCDN(t, env, 2)
	pub, err := os.ReadFile(filepath.Join(env.Opts.DataDir, audit.PubFile))
	require.NoError(t, err)
	vkey := strings.TrimSpace(string(pub))

	cp := call(t, env, "GET", "/v1/audit/checkpoint", testenv.AuditorKey, nil, nil)
	require.Equal(t, http.StatusOK, cp.Code, string(cp.Body))
	v, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	body, err := audit.OpenCheckpoint(v, cp.Body)
	require.NoError(t, err)

	var entries struct {
		Entries []audit.Entry `json:"entries"`
	}
	call(t, env, "GET", "/v1/audit/entries?case_id="+ids[1], testenv.AuditorKey, nil, nil).JSON(t, &entries)
	require.NotEmpty(t, entries.Entries)
	kinds := map[string]bool{}
	for _, e := range entries.Entries {
		kinds[e.Kind] = true
		r := call(t, env, "GET", fmt.Sprintf("/v1/audit/proof/inclusion?index=%d&size=%d", e.Seq, body.Size), testenv.AuditorKey, nil, nil)
		require.Equal(t, http.StatusOK, r.Code, string(r.Body))
		var p audit.InclusionResult
		r.JSON(t, &p)
		// The auditor hashes the entry's fields itself; it trusts no hash
		// the server sent.
		leaf := e.ComputeLeafHash()
		require.NoError(t, audit.VerifyInclusionWithKey(vkey, cp.Body, leaf, uint64(e.Seq), p.Hashes), "entry %d", e.Seq)

		forged := e
		forged.Actor = "analyst:mallory"
		require.Error(t, audit.VerifyInclusionWithKey(vkey, cp.Body, forged.ComputeLeafHash(), uint64(e.Seq), p.Hashes))
	}
	require.True(t, kinds["notice"] && kinds["closed"], "%v", kinds)

	// A checkpoint is only as good as the key: another log's key refuses it.
	_, otherKey, err := audit.LoadOrCreateKey(t.TempDir(), audit.DefaultOrigin)
	require.NoError(t, err)
	e := entries.Entries[0]
	var p audit.InclusionResult
	call(t, env, "GET", fmt.Sprintf("/v1/audit/proof/inclusion?index=%d&size=%d", e.Seq, body.Size), testenv.AuditorKey, nil, nil).JSON(t, &p)
	require.Error(t, audit.VerifyInclusionWithKey(otherKey, cp.Body, e.ComputeLeafHash(), uint64(e.Seq), p.Hashes))
}

// TestAuditTwoWorkerProcessesOnPostgres runs 200 cases through two worker
// processes (the test's all-in-one abusedesk and a second `abusedesk
// worker` process built from cmd/abusedesk) sharing one PostgreSQL
// database and one Temporal server, so appends to the audit log race
// across processes and connection pools. Afterwards the log is dense,
// holds every change once, and `abusedesk audit verify` exits 0; after one
// entry is altered it exits 1 naming it.
func TestAuditTwoWorkerProcessesOnPostgres(t *testing.T) {
	const cases = 200
	bin := filepath.Join(t.TempDir(), "abusedesk")
	build := exec.Command("go", "build", "-o", bin, "./cmd/abusedesk")
	build.Dir = moduleRoot
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	// The HTTP server starts cases without eager dispatch, as a server
	// process without a worker does in production: each case's workflow
	// tasks (which send its notices as local activities and so append to
	// the audit log) go through the task queue to either worker.
	env := testenv.Start(t, testenv.Options{Env: quietAudit, Postgres: true,
		ServerTemporal: func(c client.Client) client.Client { return noEagerStart{c} }})
	a := env.App
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	// The second worker: another process, its own pool and client. It
	// inherits the test's ABUSEDESK_* settings (same database, Temporal,
	// SMTP sink and data dir, so the same payload keys).
	var logs bytes.Buffer
	worker := exec.Command(bin, "worker")
	worker.Dir, worker.Stdout, worker.Stderr = env.Opts.DataDir, &logs, &logs
	require.NoError(t, worker.Start())
	stopped := make(chan error, 1)
	go func() { stopped <- worker.Wait() }()
	t.Cleanup(func() {
		_ = worker.Process.Signal(syscall.SIGTERM)
		select {
		case <-stopped:
		case <-time.After(15 * time.Second):
			_ = worker.Process.Kill()
		}
		if t.Failed() {
			t.Logf("worker process output:\n%s", lastLines(logs.String(), 40))
		}
	})
	require.Eventually(t, func() bool {
		d, err := a.Temporal.DescribeTaskQueue(ctx, a.Cfg.TaskQueue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
		if err != nil {
			return false
		}
		ids := map[string]bool{}
		for _, p := range d.GetPollers() {
			ids[p.GetIdentity()] = true
		}
		return len(ids) >= 2
	}, time.Minute, 250*time.Millisecond, "the worker process never polled")

	start := time.Now()
	ids := fileConcurrently(t, env, cases, 8)
	require.Eventually(t, func() bool {
		var n int64
		a.DB.Model(&models.Case{}).Where("status = ?", models.StatusClosed).Count(&n)
		return n == cases
	}, 4*time.Minute, 500*time.Millisecond, "not every case closed")
	t.Logf("%d cases filed and closed by two worker processes in %s", cases, time.Since(start).Round(time.Millisecond))

	// Both processes did the work.
	identities := map[string]int{}
	for _, id := range ids {
		it := a.Temporal.GetWorkflowHistory(ctx, workflows.CaseWorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			require.NoError(t, err)
			if s := ev.GetWorkflowTaskStartedEventAttributes(); s != nil {
				identities[s.GetIdentity()]++
			}
		}
	}
	require.Len(t, identities, 2, "workflow tasks ran on both workers: %v", identities)

	// Every change once, in a dense sequence.
	var seqs []int64
	require.NoError(t, a.DB.Model(&audit.Entry{}).Order("seq").Pluck("seq", &seqs).Error)
	for i, s := range seqs {
		require.Equal(t, int64(i), s)
	}
	countOf := func(q string) (n int64) {
		require.NoError(t, a.DB.Raw(q).Scan(&n).Error)
		return n
	}
	require.EqualValues(t, cases, countOf("SELECT COUNT(*) FROM audit_entries WHERE kind = 'closed'"))
	require.Equal(t, countOf("SELECT COUNT(*) FROM notices"), countOf("SELECT COUNT(*) FROM audit_entries WHERE kind = 'notice'"))

	_, vkey, err := app.AuditKeys(a.Cfg)
	require.NoError(t, err)
	var report bytes.Buffer
	require.NoError(t, audit.RunVerify(ctx, a.DB, vkey, "", &report), report.String())

	// The command an auditor runs, against the same database.
	code, stdout := runCLI(t, bin, env, "audit", "verify")
	require.Equal(t, 0, code, stdout)
	require.Contains(t, stdout, fmt.Sprintf("audit log %s: %d entries", audit.DefaultOrigin, len(seqs)))
	require.Contains(t, stdout, "audit log verifies")

	victim := len(seqs) - 7
	require.NoError(t, a.DB.Exec("UPDATE audit_entries SET details_digest = ? WHERE seq = ?", strings.Repeat("0", 64), victim).Error)
	code, stdout = runCLI(t, bin, env, "audit", "verify")
	require.Equal(t, 1, code, stdout)
	require.Regexp(t, fmt.Sprintf(`FAIL entry %d \(kind "[a-z_]+", case \S+\): leaf hash mismatch`, victim), stdout)
}

// runCLI runs the abusedesk binary with the test's configuration and
// returns its exit code and standard output.
func runCLI(t *testing.T, bin string, env *testenv.Env, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = env.Opts.DataDir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), stdout.String() + stderr.String()
	}
	require.NoError(t, err, stderr.String())
	return 0, stdout.String()
}

// fileCDN files n phishing reports on a CDN domain and waits until they
// close; it returns their case ids.
func fileCDN(t *testing.T, env *testenv.Env, n int) []string {
	t.Helper()
	var ids []string
	for i := 0; i < n; i++ {
		ids = append(ids, env.File(report("phishing", []string{fmt.Sprintf("https://shop.example/login/%d", i)}, true)).CaseID)
	}
	for _, id := range ids {
		env.WaitCase(id, caseWait, closed)
	}
	return ids
}

// fileConcurrently files n CDN reports from workers goroutines.
func fileConcurrently(t *testing.T, env *testenv.Env, n, workers int) []string {
	t.Helper()
	var mu sync.Mutex
	var ids []string
	var firstErr error
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				id, err := postReport(env, report("phishing", []string{fmt.Sprintf("https://shop.example/p/%d", i)}, i%2 == 0))
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					ids = append(ids, id)
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	require.NoError(t, firstErr)
	require.Len(t, ids, n)
	return ids
}

// postReport files a report without testing.T (safe in goroutines).
func postReport(env *testenv.Env, r map[string]any) (string, error) {
	raw, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	resp, err := http.Post(env.URL+"/v1/reports", "application/json", bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var c testenv.Created
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != http.StatusAccepted {
		return "", fmt.Errorf("POST /v1/reports: %s (%v)", resp.Status, err)
	}
	return c.CaseID, nil
}

// lastLines is the tail of a log.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// noEagerStart starts workflows without asking for eager dispatch.
type noEagerStart struct{ client.Client }

func (c noEagerStart) ExecuteWorkflow(ctx context.Context, o client.StartWorkflowOptions, wf interface{}, args ...interface{}) (client.WorkflowRun, error) {
	o.EnableEagerStart = false
	return c.Client.ExecuteWorkflow(ctx, o, wf, args...)
}
