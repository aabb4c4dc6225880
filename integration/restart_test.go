package integration

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
)

// restartWait bounds the recovery of a case whose activity was running when
// the process stopped: the worker's stop does not wait for (or report) an
// activity in flight, so Temporal retries it only when its start-to-close
// timeout passes (60s for SendNotice, workflows/options.go).
const restartWait = 100 * time.Second

// TestRestartMidCase stops the whole process (HTTP, worker, embedded
// Temporal, database) while a hosted case waits on the operator and CDN
// cases are in flight, starts it again on the same data dir and ports, and
// requires every case to finish with every notice received exactly once.
func TestRestartMidCase(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})

	h := env.File(report("copyright", []string{"https://pages.example/song.mp3"}, true))
	env.WaitCase(h.CaseID, caseWait, status("awaiting_analyst"))
	violates(t, env, h.CaseID, "ip")
	env.WaitCase(h.CaseID, caseWait, status("awaiting_operator"))
	noticeID, token := responseLink(t, env, operatorHosted, h.CaseID)

	// CDN cases filed just before the stop: some notices go out before it,
	// the rest after the restart.
	var cdn []testenv.Created
	for i := range 4 {
		cdn = append(cdn, env.File(report("phishing", []string{fmt.Sprintf("https://shop.example/p%d", i)}, true)))
	}
	before := len(env.Sink.Messages())
	env = env.Restart()
	t.Logf("%d messages before the restart", before)

	for _, c := range cdn {
		cs := env.WaitCase(c.CaseID, restartWait, closed)
		require.Equal(t, "forwarded", cs.Outcome)
	}
	// The hosted case kept its state, its block and its link.
	cs := env.Case(h.CaseID)
	require.Equal(t, "awaiting_operator", cs.Status)
	require.Equal(t, http.StatusUnavailableForLegalReasons, edge(t, env, "pages.example", "/song.mp3"))
	r := call(t, env, "GET", "/v1/reports/"+h.CaseID+"?token="+h.Token, "", nil, nil)
	require.Equal(t, http.StatusOK, r.Code, "the reporter token survives the restart")
	r = respond(t, env, noticeID, token, map[string]any{"response": "removed"})
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	cs = env.WaitCase(h.CaseID, caseWait, closed)
	require.Equal(t, "content_removed", cs.Outcome)

	// Hosted: receipt, decision, operator notice. CDN: receipt, operator,
	// host, reporter reply each.
	msgs := settle(t, env, 3+4*4)
	require.Equal(t, 4, countTo(msgs, "webmaster@shop.example"), subjects(msgs))
	require.Equal(t, 4, countTo(msgs, "abuse@hosting.example"), subjects(msgs))
	require.Equal(t, 1, countTo(msgs, operatorHosted), subjects(msgs))
	require.Equal(t, 2+4*2, countTo(msgs, reporterEmail), subjects(msgs))
}
