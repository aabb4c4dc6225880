package faults

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"golang.org/x/mod/sumdb/note"

	"github.com/abusedesk/abusedesk/bench"
	"github.com/abusedesk/abusedesk/internal/pgtest"
	"github.com/abusedesk/abusedesk/internal/smtpsink"
)

// split is a split deployment on loopback: `abusedesk temporal-server --db
// postgres` as its own process, one `abusedesk server`, two `abusedesk
// worker`, abusedesk's own database on PostgreSQL, shared secrets given
// to each process in ABUSEDESK_* variables (each has a data dir of its own).
type split struct {
	url          string
	temporalAddr string
	sink         *smtpsink.Sink
	temporal     *proc
	server       *proc
	workers      []*proc
}

func startSplit(t *testing.T, workers int) *split {
	t.Helper()
	// A private PostgreSQL cluster: a Temporal server and three abusedesk
	// processes need more connections than a shared server should give one
	// test, and the other packages' tests run beside this one.
	pg := pgtest.StartCluster(t)
	storeURL := pg.CreateDB("abusedesk")
	temporalURL := pg.URL("temporal") // created with temporal_visibility by temporal-server
	sink, err := smtpsink.Start("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(sink.Stop)
	s := &split{sink: sink}

	tAddr, httpAddr := freeAddr(t), freeAddr(t)
	s.url = "http://" + httpAddr
	s.temporalAddr = tAddr
	s.temporal = startProc(t, "temporal-server", map[string]string{
		"ABUSEDESK_DATA_DIR": t.TempDir(), "ABUSEDESK_TEMPORAL_ADDRESS": tAddr, "ABUSEDESK_UI_ADDR": "",
		"ABUSEDESK_LOG_LEVEL": "warn",
	}, "temporal-server", "--db", "postgres", "--postgres-url", temporalURL)
	// The namespace and search attributes exist once it says so.
	waitLog(t, s.temporal, "temporal server on", 2*time.Minute)

	common := sharedSecrets(t)
	for k, v := range map[string]string{
		"ABUSEDESK_TEMPORAL_ADDRESS": tAddr, "ABUSEDESK_TEMPORAL_EMBEDDED": "false", "ABUSEDESK_UI_ADDR": "",
		"ABUSEDESK_DATABASE_URL": storeURL, "ABUSEDESK_SMTP_ADDR": sink.Addr(), "ABUSEDESK_PUBLIC_URL": s.url,
		"ABUSEDESK_HTTP_ADDR": httpAddr, "ABUSEDESK_BOOTSTRAP_ADMIN_KEY": adminKey, "ABUSEDESK_LOG_LEVEL": "warn",
		"ABUSEDESK_REPORTER_MAIL_PER_HOUR": "0",     // the load names one reporter; its receipts are counted too
		"ABUSEDESK_RDAP_ENABLED":           "false", // tests never reach the internet
	} {
		common[k] = v
	}
	withDir := func() map[string]string {
		env := map[string]string{"ABUSEDESK_DATA_DIR": t.TempDir()}
		for k, v := range common {
			env[k] = v
		}
		return env
	}
	runOnce(t, withDir(), "import", "--demo")
	s.server = startProc(t, "server", withDir(), "server")
	waitHealthy(t, s.server, s.url, time.Minute)
	for i := 1; i <= workers; i++ {
		env := withDir()
		env["ABUSEDESK_LOG_LEVEL"] = "info" // for the SDK's "Started Worker"
		s.workers = append(s.workers, startProc(t, fmt.Sprintf("worker-%d", i), env, "worker"))
	}
	// Every worker polls before the load begins (each migrates the database
	// under an advisory lock first, so one can take seconds longer).
	for _, w := range s.workers {
		waitLog(t, w, "Started Worker", time.Minute)
	}
	return s
}

// sharedSecrets are the secrets every process of a split deployment must
// share: the response-link token secret, the payload key ring and the
// audit log's signing key.
func sharedSecrets(t *testing.T) map[string]string {
	t.Helper()
	secret := make([]byte, 32)
	key := make([]byte, 32)
	_, err := rand.Read(secret)
	require.NoError(t, err)
	_, err = rand.Read(key)
	require.NoError(t, err)
	skey, _, err := note.GenerateKey(rand.Reader, "abusedesk/audit")
	require.NoError(t, err)
	return map[string]string{
		"ABUSEDESK_TOKEN_SECRET":      hex.EncodeToString(secret),
		"ABUSEDESK_PAYLOAD_KEYS":      "k1:" + base64.StdEncoding.EncodeToString(key),
		"ABUSEDESK_AUDIT_SIGNING_KEY": skey,
	}
}

// waitLog waits until p's log contains substr.
func waitLog(t *testing.T, p *proc, substr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(p.log)
		if strings.Contains(string(b), substr) {
			return
		}
		require.False(t, p.exited(), "%s exited: %v\n%s", p.name, p.err, tail(p.log, 30))
		time.Sleep(200 * time.Millisecond)
	}
	require.FailNow(t, "not ready in time", "%s: no %q in its log\n%s", p.name, substr, tail(p.log, 30))
}

// TestSplitWorkerKilled runs the split deployment on PostgreSQL and kills
// one of its two workers with SIGKILL in the middle of a load: the other
// worker finishes every case (the dead one's activities time out and are
// retried there), each notice delivered once. As in TestKillNineAllInOne,
// the SMTP relay is stopped just before the kill (quietRelay).
func TestSplitWorkerKilled(t *testing.T) {
	skipShort(t)
	const reports = 150
	s := startSplit(t, 2)

	var once sync.Once
	var killErr error
	killed := make(chan struct{})
	cfg := loadConfig(s.url, reports)
	cfg.OnAccepted = func(n int) {
		if n >= reports/3 {
			once.Do(func() {
				go func() {
					relayBack := quietRelay(s.sink)
					s.workers[0].kill9()
					killErr = relayBack()
					close(killed)
				}()
			})
		}
	}
	sum := runLoad(t, cfg)
	<-killed
	require.NoError(t, killErr)
	t.Logf("load: %d accepted, failed attempts %v, outcomes %v", len(sum.Cases), sum.Errors, sum.Outcomes.ByState)
	requireAllDone(t, sum, reports, s.sink)
	require.False(t, s.workers[1].exited(), "the other worker kept running")
	require.False(t, s.server.exited())

	// Both workers did the work of the cases: the killed one before its
	// death, the other all the rest.
	done := tasksByWorker(t, s.temporalAddr, sum.Cases)
	t.Logf("tasks by worker process: %v (worker pids %d, %d; server %d)", done, s.workers[0].cmd.Process.Pid, s.workers[1].cmd.Process.Pid, s.server.cmd.Process.Pid)
	require.Positive(t, done[s.workers[0].cmd.Process.Pid], "the killed worker had taken tasks")
	require.Positive(t, done[s.workers[1].cmd.Process.Pid])
}

// tasksByWorker counts the workflow and activity tasks of the cases'
// histories by the process id in the worker identity ("<pid>@<host>@").
func tasksByWorker(t *testing.T, addr string, cases []bench.Accepted) map[int]int {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: addr, Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	require.NoError(t, err)
	defer c.Close()
	out := map[int]int{}
	for _, cs := range cases {
		iter := c.GetWorkflowHistory(t.Context(), "AbuseCase:"+cs.CaseID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for iter.HasNext() {
			ev, err := iter.Next()
			require.NoError(t, err)
			id := ev.GetWorkflowTaskStartedEventAttributes().GetIdentity() + ev.GetActivityTaskStartedEventAttributes().GetIdentity()
			if pid, _, ok := strings.Cut(id, "@"); ok {
				n, _ := strconv.Atoi(pid)
				out[n]++
			}
		}
	}
	return out
}
