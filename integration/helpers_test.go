package integration

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
)

// Shared helpers of the hosted, escalation, security, validation and
// restart integration tests. report(), closed() and countTo() live in
// cdn_test.go.

// caseWait bounds every wait for a case to reach a state.
const caseWait = 30 * time.Second

// reply is a raw HTTP answer: status, headers and body.
type reply struct {
	Code   int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r reply) JSON(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), string(r.Body))
}

// problems is the error body of every refusal: {"errors": [{field, message}]}.
type problems struct {
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// Fields lists the fields named by the problems, in answer order.
func (p problems) Fields() []string {
	out := []string{}
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// call sends a request through net/http. body may be nil, a string, []byte,
// an io.Reader (sent chunked: no Content-Length) or a value sent as JSON.
func call(t testing.TB, env *testenv.Env, method, path, key string, hdr map[string]string, body any) reply {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	case io.Reader:
		r = b
	default:
		raw, err := json.Marshal(b)
		require.NoError(t, err)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, env.URL+path, r)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return reply{Code: resp.StatusCode, Header: resp.Header, Body: raw}
}

// refused requires a refusal with the given status whose body lists
// problems, and returns them.
func refused(t testing.TB, r reply, code int) problems {
	t.Helper()
	require.Equal(t, code, r.Code, string(r.Body))
	var p problems
	r.JSON(t, &p)
	require.NotEmpty(t, p.Errors, "a refusal lists its problems: %s", r.Body)
	for _, e := range p.Errors {
		require.NotEmpty(t, e.Message, string(r.Body))
	}
	return p
}

// status is a WaitCase condition on the case status.
func status(s string) func(testenv.CaseJSON) bool {
	return func(c testenv.CaseJSON) bool { return c.Status == s }
}

// decide posts an analyst decision and returns the raw answer.
func decide(t testing.TB, env *testenv.Env, key, caseID string, d map[string]any) reply {
	t.Helper()
	return call(t, env, "POST", "/v1/cases/"+caseID+"/decisions", key, nil, d)
}

// violates decides a hosted case violates the terms under clause.
func violates(t testing.TB, env *testenv.Env, caseID, clause string) {
	t.Helper()
	r := decide(t, env, testenv.AnalystKey, caseID, map[string]any{"verdict": "violates", "clause": clause, "reason": "the content infringes clause " + clause})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
}

// edge answers GET /edge/{host}{path} as an edge node would and returns the
// status code.
func edge(t testing.TB, env *testenv.Env, host, path string) int {
	t.Helper()
	return call(t, env, "GET", "/edge/"+host+path, "", nil, nil).Code
}

// blockJSON is one entry of GET /v1/blocklist.
type blockJSON struct {
	ObjectID  string `json:"object_id"`
	URLPrefix string `json:"url_prefix"`
	Removed   bool   `json:"removed"`
	CaseID    string `json:"case_id"`
}

// blocklist reads GET /v1/blocklist: the blocks by object id and the ETag.
func blocklist(t testing.TB, env *testenv.Env) (map[string]blockJSON, string) {
	t.Helper()
	r := call(t, env, "GET", "/v1/blocklist", "", nil, nil)
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	var out struct {
		Blocks []blockJSON `json:"blocks"`
	}
	r.JSON(t, &out)
	m := map[string]blockJSON{}
	for _, b := range out.Blocks {
		m[b.ObjectID] = b
	}
	etag := r.Header.Get("ETag")
	require.NotEmpty(t, etag)
	return m, etag
}

// mailFor returns the messages to rcpt about a case (its id in the
// subject), in arrival order.
func mailFor(env *testenv.Env, rcpt, caseID string) []smtpsink.Message {
	var out []smtpsink.Message
	for _, m := range env.Sink.To(rcpt) {
		if caseID == "" || strings.Contains(m.Subject, caseID) {
			out = append(out, m)
		}
	}
	return out
}

// waitMail waits until rcpt received n messages about caseID (n or more)
// and returns them.
func waitMail(t testing.TB, env *testenv.Env, rcpt, caseID string, n int) []smtpsink.Message {
	t.Helper()
	ok := env.Sink.WaitFor(caseWait, func([]smtpsink.Message) bool { return len(mailFor(env, rcpt, caseID)) >= n })
	require.True(t, ok, "%s: %d messages about %s, want %d", rcpt, len(mailFor(env, rcpt, caseID)), caseID, n)
	return mailFor(env, rcpt, caseID)
}

// responseLink waits for the notice to rcpt about caseID that carries a
// response link and returns the notice id and token from the email body.
func responseLink(t testing.TB, env *testenv.Env, rcpt, caseID string) (noticeID, token string) {
	t.Helper()
	var found bool
	ok := env.Sink.WaitFor(caseWait, func([]smtpsink.Message) bool {
		for _, m := range mailFor(env, rcpt, caseID) {
			if noticeID, token, found = testenv.ResponseLink(m.Body); found {
				return true
			}
		}
		return false
	})
	require.True(t, ok, "no response link to %s about %s", rcpt, caseID)
	require.NotEmpty(t, noticeID)
	require.NotEmpty(t, token)
	return noticeID, token
}

// respond posts an operator's (or registrant's) answer through the link.
func respond(t testing.TB, env *testenv.Env, noticeID, token string, body any) reply {
	t.Helper()
	return call(t, env, "POST", "/v1/notices/"+noticeID+"/response?token="+token, "", nil, body)
}

// settle waits until the sink holds exactly want messages, then a moment
// more to catch a late duplicate, and requires that none came and no
// notice arrived twice.
func settle(t testing.TB, env *testenv.Env, want int) []smtpsink.Message {
	t.Helper()
	env.Sink.WaitFor(caseWait, func(m []smtpsink.Message) bool { return len(m) >= want })
	time.Sleep(700 * time.Millisecond)
	msgs := env.Sink.Messages()
	if len(msgs) != want {
		for _, m := range msgs {
			t.Logf("received: %v %q", m.To, m.Subject)
		}
	}
	require.Equal(t, want, len(msgs), "messages received: %q", subjects(msgs))
	require.Zero(t, env.Sink.Duplicates(), "a notice arrived twice")
	return msgs
}

// caseCount counts every case as an admin sees GET /v1/cases.
func caseCount(t testing.TB, env *testenv.Env) int {
	t.Helper()
	var out struct {
		Cases []testenv.CaseJSON `json:"cases"`
	}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases?limit=500", testenv.AdminKey, nil, &out))
	return len(out.Cases)
}

// subjects lists the subjects of messages.
func subjects(msgs []smtpsink.Message) []string {
	out := []string{}
	for _, m := range msgs {
		out = append(out, m.Subject)
	}
	return out
}
