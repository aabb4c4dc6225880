package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/bench"
	"github.com/abusedesk/abusedesk/internal/smtpsink"
)

// adminKey is the bootstrap admin key of every desk under test.
const adminKey = "faults-admin-key-0123456789"

// desk is an all-in-one `abusedesk serve` on loopback: embedded Temporal
// on free ports, UI off, data in a temp dir, notices to an SMTP server in
// this test process.
type desk struct {
	t      *testing.T
	env    map[string]string
	url    string
	sink   *smtpsink.Sink
	proc   *proc
	starts int
}

func newDesk(t *testing.T, extra map[string]string) *desk {
	t.Helper()
	sink, err := smtpsink.Start("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(sink.Stop)
	httpAddr := freeAddr(t)
	env := map[string]string{
		"ABUSEDESK_DATA_DIR": t.TempDir(), "ABUSEDESK_HTTP_ADDR": httpAddr,
		"ABUSEDESK_TEMPORAL_ADDRESS": freeAddr(t), "ABUSEDESK_UI_ADDR": "",
		"ABUSEDESK_SMTP_ADDR": sink.Addr(), "ABUSEDESK_BOOTSTRAP_ADMIN_KEY": adminKey,
		"ABUSEDESK_LOG_LEVEL": "warn",
		// The load names one reporter; its receipts are counted too.
		"ABUSEDESK_REPORTER_MAIL_PER_HOUR": "0",
		// Tests never reach the internet (RDAP is on by default).
		"ABUSEDESK_RDAP_ENABLED": "false",
	}
	for k, v := range extra {
		env[k] = v
	}
	runOnce(t, env, "import", "--demo")
	d := &desk{t: t, env: env, url: "http://" + httpAddr, sink: sink}
	d.proc = d.startProc()
	waitHealthy(t, d.proc, d.url, 90*time.Second)
	return d
}

func (d *desk) startProc() *proc {
	d.starts++
	return startProc(d.t, fmt.Sprintf("serve-%d", d.starts), d.env, "serve")
}

// restartAsync starts the desk again on the same data and ports; the
// channel answers once it is healthy (or with why not). It runs on a
// goroutine of its own, so it must not fail the test itself.
func (d *desk) restartAsync() <-chan error {
	out := make(chan error, 1)
	p := d.startProc()
	d.proc = p
	go func() {
		deadline := time.Now().Add(90 * time.Second)
		for time.Now().Before(deadline) {
			if p.exited() {
				out <- fmt.Errorf("%s exited: %v\n%s", p.name, p.err, tail(p.log, 30))
				return
			}
			if resp, err := http.Get(d.url + "/healthz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					out <- nil
					return
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
		out <- fmt.Errorf("%s not healthy after 90s", p.name)
	}()
	return out
}

// loadConfig is the load of a fault test: reporters that retry a failed
// report with its Idempotency-Key (as a well-behaved client does), and a
// check of every accepted case's state at the end.
func loadConfig(url string, reports int) bench.Config {
	return bench.Config{URL: url, Key: adminKey, Concurrency: 10, Reports: reports, Baseline: -1,
		RetryFor: 3 * time.Minute, Settle: 3 * time.Minute}
}

func runLoad(t *testing.T, cfg bench.Config) *bench.Summary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	sum, err := bench.Run(ctx, cfg)
	require.NoError(t, err)
	return sum
}

// requireAllDone asserts the counts of a fault test: every report of the
// load accepted once and in its expected state, and the SMTP server holding
// exactly the notices those states send, none twice.
func requireAllDone(t *testing.T, sum *bench.Summary, reports int, sink *smtpsink.Sink) {
	t.Helper()
	require.Len(t, sum.Cases, reports, "every report accepted (errors on the way: %v)", sum.Errors)
	ids := map[string]bool{}
	for _, c := range sum.Cases {
		require.False(t, ids[c.CaseID], "case %s accepted twice", c.CaseID)
		ids[c.CaseID] = true
	}
	require.NotNil(t, sum.Outcomes)
	require.Equal(t, reports, sum.Outcomes.Expected, "cases not in their expected state: %v (by state %v)", sum.Outcomes.Wrong, sum.Outcomes.ByState)
	requireNotices(t, sum.Cases, sink)
}

// requireNotices waits for the notices the cases' states send and then
// requires exactly those, each notice id once.
func requireNotices(t *testing.T, cases []bench.Accepted, sink *smtpsink.Sink) {
	t.Helper()
	want := 0
	for _, c := range cases {
		want += c.Expect.Notices
	}
	sink.WaitFor(2*time.Minute, func(m []smtpsink.Message) bool { return len(m) >= want })
	time.Sleep(2 * time.Second) // nothing more may arrive
	msgs := sink.Messages()
	byCase := map[string][]smtpsink.Message{}
	for _, m := range msgs {
		byCase[caseOf(m)] = append(byCase[caseOf(m)], m)
	}
	var wrong []string
	for _, c := range cases {
		if got := byCase[c.CaseID]; len(got) != c.Expect.Notices {
			w := fmt.Sprintf("case %s (%s): %d notices, want %d:", c.CaseID, c.Template, len(got), c.Expect.Notices)
			for _, m := range got {
				w += fmt.Sprintf("\n    %s to %v: %s", m.NoticeID, m.To, m.Subject)
			}
			wrong = append(wrong, w)
		}
	}
	require.Empty(t, wrong, "notices per case (duplicates: %d)", sink.Duplicates())
	require.Len(t, msgs, want, "notices sent = notices expected")
	require.Zero(t, sink.Duplicates(), "no notice delivered twice")
}

// caseOf reads the case id from a notice's subject "[abusedesk <case>] ...".
func caseOf(m smtpsink.Message) string {
	var id string
	_, _ = fmt.Sscanf(m.Subject, "[abusedesk %s", &id)
	if n := len(id); n > 0 && id[n-1] == ']' {
		id = id[:n-1]
	}
	return id
}

// outbox counts notices waiting for delivery.
func outbox(t *testing.T, url string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url+"/v1/admin/outbox?status=outbox&limit=1000", nil)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out struct {
		Notices []json.RawMessage `json:"notices"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return len(out.Notices)
}

// quietRelay stops the SMTP server just before a process is killed and
// returns the function that starts it again.
//
// SMTP has no idempotent submission: a SIGKILL after the relay accepted a
// notice (250) but before SendNotice recorded it as sent makes the retried
// activity send that notice a second time (with the same Message-ID and
// X-Abusedesk-Notice, so a receiver can drop the copy). No sender can close
// that window; with the relay up at a random kill it was hit in 1 of 14
// runs. Stopping the relay half a second first lets the deliveries in
// flight finish or fail, so the kill lands outside that window while the
// rest (intake, workflow and activity tasks, the notices' retries) is
// killed mid-flight.
func quietRelay(sink *smtpsink.Sink) func() error {
	sink.Stop()
	time.Sleep(500 * time.Millisecond)
	return sink.Restart
}

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("fault tests run the binary for minutes; skipped with -short")
	}
}
