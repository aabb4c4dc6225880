package integration

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
)

// Issue 13, hole 8: nothing was rate-limited, and the desk could be made
// to mail strangers. These tests attack the real server.

// TestIntakeRateLimitedPerClient: 500 reports from one client (each naming
// a reporter of its own) are mostly refused 429 with Retry-After and a
// body naming intake_rate_per_client; the X-ARF endpoint and the report
// form share the client's bucket; a request with an API key is exempt.
// Before the fix all 500 were accepted.
func TestIntakeRateLimitedPerClient(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_INTAKE_RATE_PER_CLIENT": "30/m", "ABUSEDESK_INTAKE_RATE_PER_REPORTER": "60/h"}})
	accepted, limited := 0, 0
	for i := 0; i < 500; i++ {
		r := report("phishing", []string{fmt.Sprintf("https://elsewhere.example/p/%d", i)}, true)
		r["reporter"] = map[string]any{"name": "R", "email": fmt.Sprintf("r%d@reporter.example", i)}
		resp := call(t, env, "POST", "/v1/reports", "", nil, r)
		switch resp.Code {
		case http.StatusAccepted:
			accepted++
		case http.StatusTooManyRequests:
			limited++
			requireLimited(t, resp, "intake_rate_per_client")
		default:
			require.Failf(t, "unexpected answer", "%d %s", resp.Code, resp.Body)
		}
	}
	t.Logf("500 reports from one client: %d accepted, %d refused 429", accepted, limited)
	require.GreaterOrEqual(t, accepted, 30, "the burst goes through")
	require.GreaterOrEqual(t, limited, 450, "most are refused")

	requireLimited(t, call(t, env, "POST", "/v1/reports/xarf", "", nil, map[string]any{}), "intake_rate_per_client")
	form := call(t, env, "POST", "/", "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "category=phishing")
	require.Equal(t, http.StatusTooManyRequests, form.Code, string(form.Body))
	require.NotEmpty(t, form.Header.Get("Retry-After"))

	trusted := call(t, env, "POST", "/v1/reports", testenv.AnalystKey, nil, report("phishing", []string{"https://elsewhere.example/trusted"}, true))
	require.Equal(t, http.StatusAccepted, trusted.Code, "a request with an API key is exempt: %s", trusted.Body)
}

// TestIntakeRateLimitedPerReporter: reports naming one reporter address
// (in any case, through the JSON API or X-ARF) are limited together,
// whatever client sends them; another reporter is not affected.
func TestIntakeRateLimitedPerReporter(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_INTAKE_RATE_PER_CLIENT": "off", "ABUSEDESK_INTAKE_RATE_PER_REPORTER": "5/h"}})
	codes := map[int]int{}
	for i := 0; i < 8; i++ {
		r := report("phishing", []string{fmt.Sprintf("https://elsewhere.example/v/%d", i)}, true)
		r["reporter"] = map[string]any{"name": "V", "email": []string{"victim@stranger.example", "Victim@Stranger.example"}[i%2]}
		resp := call(t, env, "POST", "/v1/reports", "", nil, r)
		codes[resp.Code]++
		if resp.Code == http.StatusTooManyRequests {
			requireLimited(t, resp, "intake_rate_per_reporter")
		}
	}
	require.Equal(t, map[int]int{http.StatusAccepted: 5, http.StatusTooManyRequests: 3}, codes)
	requireLimited(t, call(t, env, "POST", "/v1/reports/xarf", "", nil,
		map[string]any{"reporter": map[string]any{"contact": "VICTIM@stranger.example"}}), "intake_rate_per_reporter")
	env.File(report("phishing", []string{"https://elsewhere.example/other"}, true))
}

// requireLimited checks a 429: Retry-After in whole seconds, and the body
// naming the limit's configuration key.
func requireLimited(t *testing.T, r reply, key string) {
	t.Helper()
	p := refused(t, r, http.StatusTooManyRequests)
	require.Equal(t, []string{key}, p.Fields())
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After: %q", r.Header.Get("Retry-After"))
	require.GreaterOrEqual(t, secs, 1)
}

// TestReporterMailCapped: 12 CDN reports naming one victim address send
// the operator and the hosting provider every notice, but the victim at
// most reporter_mail_per_hour mails; the rest are kept in the outbox as
// suppressed, and the cases close as usual. The count is in the database:
// after a restart (another process) the victim still gets nothing more.
// Before the fix the victim got all 24 mails (a receipt and a reply each).
func TestReporterMailCapped(t *testing.T) {
	const victim, operator, perHour = "victim@stranger.example", "webmaster@shop.example", 5
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_REPORTER_MAIL_PER_HOUR": strconv.Itoa(perHour)}})
	file := func(env *testenv.Env, from, to int) {
		var ids []string
		for i := from; i < to; i++ {
			r := report("phishing", []string{fmt.Sprintf("https://shop.example/flood/%d", i)}, true)
			r["reporter"] = map[string]any{"name": "Not Me", "email": victim}
			ids = append(ids, env.File(r).CaseID)
		}
		for _, id := range ids {
			env.WaitCase(id, caseWait, closed)
		}
		require.True(t, env.Sink.WaitFor(caseWait, func(m []smtpsink.Message) bool { return countTo(m, operator) >= to }),
			"every operator notice is sent")
		time.Sleep(time.Second) // nothing more may arrive
	}
	file(env, 0, 12)
	require.Equal(t, 12, countTo(env.Sink.Messages(), "abuse@hosting.example"), "every hosting provider notice is sent")
	require.Equal(t, perHour, countTo(env.Sink.Messages(), victim))
	require.Equal(t, 24-perHour, suppressedTo(t, env, victim))

	env = env.Restart()
	file(env, 12, 14)
	require.Equal(t, perHour, countTo(env.Sink.Messages(), victim), "the cap holds across processes")
	require.Equal(t, 28-perHour, suppressedTo(t, env, victim))
}

// suppressedTo counts the outbox's suppressed notices, all of them to rcpt.
func suppressedTo(t *testing.T, env *testenv.Env, rcpt string) int {
	t.Helper()
	var out struct {
		Notices []struct {
			To            string `json:"to"`
			RecipientRole string `json:"recipient_role"`
		} `json:"notices"`
	}
	call(t, env, "GET", "/v1/admin/outbox?status=suppressed&limit=1000", testenv.AdminKey, nil, nil).JSON(t, &out)
	for _, n := range out.Notices {
		require.Equal(t, rcpt, n.To)
		require.Equal(t, "reporter", n.RecipientRole)
	}
	return len(out.Notices)
}

// TestSlowBodyCutOff: a request body sent one byte at a time is cut off
// once http_read_timeout has passed since the request began, instead of
// holding the connection for as long as the client likes. Before the fix
// the server was still waiting when the client gave up after 20 s.
func TestSlowBodyCutOff(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_HTTP_READ_TIMEOUT": "2s"}})
	addr := env.App.Server.Addr()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	start := time.Now()
	_, err = fmt.Fprintf(conn, "POST /v1/reports HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", addr)
	require.NoError(t, err)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for i := 0; i < 40; i++ {
			select {
			case <-done:
				return
			case <-time.After(500 * time.Millisecond):
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	elapsed := time.Since(start)
	if err == nil {
		resp.Body.Close()
		t.Logf("answered %s after %s", resp.Status, elapsed.Round(time.Millisecond))
	} else {
		t.Logf("connection closed after %s: %v", elapsed.Round(time.Millisecond), err)
	}
	require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the server was still reading the trickled body after 20 s")
	require.Less(t, elapsed, 10*time.Second, "cut off soon after the 2 s read timeout")
}
