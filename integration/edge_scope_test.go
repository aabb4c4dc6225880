package integration

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
)

// TestEdgeScopeOneURL (issue 17): a hosted case decided violates on one
// reported URL of a hosted site restricts that URL, not its siblings or
// the rest of the site; the operator's notice says exactly what is
// covered; once the operator answers `removed`, the mitigation ends and
// the URL answers 200 again.
func TestEdgeScopeOneURL(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})

	c := env.File(report("phishing", []string{"https://pages.example/secure-bank/login.html"}, true))
	env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))
	violates(t, env, c.CaseID, "phishing_fraud")
	env.WaitCase(c.CaseID, caseWait, status("awaiting_operator"))

	waitEdge(t, env, "pages.example", "/secure-bank/login.html", http.StatusUnavailableForLegalReasons)
	require.Equal(t, http.StatusOK, edge(t, env, "pages.example", "/index.html"), "the rest of the site stays up")
	require.Equal(t, http.StatusOK, edge(t, env, "pages.example", "/secure-bank/logout.html"), "a sibling stays up")

	r := call(t, env, "GET", "/v1/blocklist", "", nil, nil)
	require.Contains(t, string(r.Body), `"entity_id":"https://pages.example/secure-bank/login.html"`)
	require.Contains(t, string(r.Body), `"type":"content_disabled"`)

	noticeID, token := responseLink(t, env, operatorHosted, c.CaseID)
	var notice string
	require.Eventually(t, func() bool {
		for _, m := range mailFor(env, operatorHosted, c.CaseID) {
			if strings.Contains(m.Body, "What the restriction covers") {
				notice = m.Body
			}
		}
		return notice != ""
	}, caseWait, 50*time.Millisecond, "the operator's violation notice arrives")
	require.Contains(t, notice, "https://pages.example/secure-bank/login.html (with any query)")

	rr := respond(t, env, noticeID, token, map[string]any{"response": "removed"})
	require.Equal(t, http.StatusAccepted, rr.Code, string(rr.Body))
	env.WaitCase(c.CaseID, caseWait, status("closed"))
	waitEdge(t, env, "pages.example", "/secure-bank/login.html", http.StatusOK)
}

// waitEdge waits until the edge answers want for host/path (the
// mitigation's status is written by its own workflow, a moment after the
// case moves on).
func waitEdge(t *testing.T, env *testenv.Env, host, path string, want int) {
	t.Helper()
	deadline := time.Now().Add(caseWait)
	for {
		got := edge(t, env, host, path)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			require.Equal(t, want, got, "edge %s%s", host, path)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
