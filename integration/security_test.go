package integration

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
)

// TestOperatorTokenScope: a response-link token opens its own notice only,
// expires, and is no API key. With a 2s token TTL the order of the checks
// does not matter: a token for another notice is a 404 whether or not it
// expired (the scope is checked first), so the own notice answering 410
// while the other answers 404 shows both the scope and the expiry.
func TestOperatorTokenScope(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_NOTICE_TOKEN_TTL": "2s"}})
	a := env.File(report("phishing", []string{"https://pages.example/a"}, true))
	b := env.File(report("phishing", []string{"https://img.pages.example/b"}, true))
	for _, c := range []testenv.Created{a, b} {
		env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))
		violates(t, env, c.CaseID, "other_illegal")
	}
	nA, tokA := responseLink(t, env, operatorHosted, a.CaseID)
	nB, tokB := responseLink(t, env, operatorHosted, b.CaseID)
	require.NotEqual(t, nA, nB)
	require.NotEqual(t, tokA, tokB)

	removed := map[string]any{"response": "removed"}
	// Scope: A's token does not open B's notice (nor answer it).
	p := refused(t, call(t, env, "GET", "/v1/notices/"+nB+"?token="+tokA, "", nil, nil), http.StatusNotFound)
	require.Equal(t, []string{"token"}, p.Fields())
	refused(t, respond(t, env, nB, tokA, removed), http.StatusNotFound)
	refused(t, respond(t, env, "n_doesnotexist", tokA, removed), http.StatusNotFound)
	refused(t, respond(t, env, nA, tokA[:len(tokA)-2]+"xx", removed), http.StatusNotFound)
	refused(t, call(t, env, "GET", "/v1/notices/"+nA, "", nil, nil), http.StatusUnauthorized)
	// A token is no API key: it cannot read or decide a case.
	refused(t, decide(t, env, tokA, a.CaseID, map[string]any{"verdict": "no_violation", "reason": "operator says so"}), http.StatusUnauthorized)
	refused(t, call(t, env, "GET", "/v1/cases/"+a.CaseID, tokA, nil, nil), http.StatusUnauthorized)
	refused(t, call(t, env, "GET", "/v1/cases/"+a.CaseID+"?token="+tokA, "", nil, nil), http.StatusUnauthorized)

	// Expiry: after the TTL the own notice answers 410, the other still 404.
	var n models.Notice
	require.NoError(t, env.App.DB.First(&n, "id = ?", nA).Error)
	require.NotNil(t, n.TokenExpiresAt)
	require.WithinDuration(t, n.CreatedAt.Add(2*time.Second), *n.TokenExpiresAt, time.Second)
	time.Sleep(time.Until(*n.TokenExpiresAt) + 300*time.Millisecond)
	env.WaitCase(a.CaseID, caseWait, status("awaiting_operator"))
	p = refused(t, call(t, env, "GET", "/v1/notices/"+nA+"?token="+tokA, "", nil, nil), http.StatusGone)
	require.Equal(t, []string{"token"}, p.Fields())
	refused(t, respond(t, env, nA, tokA, removed), http.StatusGone)
	refused(t, respond(t, env, nB, tokA, removed), http.StatusNotFound)
	var nb models.Notice
	require.NoError(t, env.App.DB.First(&nb, "id = ?", nB).Error)
	time.Sleep(time.Until(*nb.TokenExpiresAt) + 300*time.Millisecond)
	refused(t, respond(t, env, nB, tokB, removed), http.StatusGone)

	// Nothing reached the workflows: both still wait on the operator.
	require.Equal(t, "awaiting_operator", env.Case(a.CaseID).Status)
	require.Equal(t, "awaiting_operator", env.Case(b.CaseID).Status)
	var replies int64
	require.NoError(t, env.App.DB.Model(&models.OperatorReply{}).Count(&replies).Error)
	require.Zero(t, replies)
	settle(t, env, 6) // per case: receipt, decision, operator notice
}

// TestReporterViewAndRoles: the reporter's token shows no operator details;
// each role reaches its own endpoints only; oversized bodies are a 413.
func TestReporterViewAndRoles(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	cdn := env.File(report("phishing", []string{"https://shop.example/login"}, true))
	hosted := env.File(report("phishing", []string{"https://pages.example/login"}, true))
	env.WaitCase(cdn.CaseID, caseWait, closed)
	env.WaitCase(hosted.CaseID, caseWait, status("awaiting_analyst"))
	violates(t, env, hosted.CaseID, "other_illegal")
	env.WaitCase(hosted.CaseID, caseWait, status("awaiting_operator"))
	waitMail(t, env, reporterEmail, hosted.CaseID, 2)

	// The reporter's view: messages to the reporter, no operator, no origin IP.
	for _, c := range []testenv.Created{cdn, hosted} {
		r := call(t, env, "GET", "/v1/reports/"+c.CaseID+"?token="+c.Token, "", nil, nil)
		require.Equal(t, http.StatusOK, r.Code, string(r.Body))
		var v struct {
			CaseID   string `json:"case_id"`
			Messages []struct {
				Subject string `json:"subject"`
			} `json:"messages"`
		}
		r.JSON(t, &v)
		require.Equal(t, c.CaseID, v.CaseID)
		require.GreaterOrEqual(t, len(v.Messages), 2)
		body := string(r.Body)
		for _, secret := range []string{"webmaster@shop.example", "owner@pages.example", "203.0.113.10", "192.0.2.30", "acct-", "Pages Customer", "Example Shop"} {
			require.NotContains(t, body, secret)
		}
	}
	// The analyst sees what the reporter does not.
	var full struct {
		Notices []struct {
			To string `json:"to"`
		} `json:"notices"`
	}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases/"+cdn.CaseID, testenv.AnalystKey, nil, &full))
	var tos []string
	for _, n := range full.Notices {
		tos = append(tos, n.To)
	}
	require.Contains(t, tos, "webmaster@shop.example")

	// A reporter token opens its own case only.
	refused(t, call(t, env, "GET", "/v1/reports/"+hosted.CaseID+"?token="+cdn.Token, "", nil, nil), http.StatusNotFound)
	refused(t, call(t, env, "GET", "/v1/reports/"+hosted.CaseID, "", nil, nil), http.StatusUnauthorized)
	refused(t, call(t, env, "GET", "/v1/reports/Cnosuchcase?token="+cdn.Token, "", nil, nil), http.StatusNotFound)
	refused(t, decide(t, env, hosted.Token, hosted.CaseID, map[string]any{"verdict": "no_violation", "reason": "r"}), http.StatusUnauthorized)

	// Roles.
	customers := map[string]any{"accounts": []any{map[string]any{"id": "acct-evil", "operator_email": "x@evil.example"}}}
	cases := []struct {
		name, method, path, key string
		body                    any
		want                    int
	}{
		{"no key", "GET", "/v1/cases", "", nil, http.StatusUnauthorized},
		{"unknown key", "GET", "/v1/cases", "not-a-key", nil, http.StatusUnauthorized},
		{"no key decides", "POST", "/v1/cases/" + hosted.CaseID + "/decisions", "", map[string]any{"verdict": "no_violation", "reason": "r"}, http.StatusUnauthorized},
		{"analyst loads customers", "POST", "/v1/admin/customers", testenv.AnalystKey, customers, http.StatusForbidden},
		{"analyst reads the outbox", "GET", "/v1/admin/outbox", testenv.AnalystKey, nil, http.StatusForbidden},
		{"auditor loads customers", "POST", "/v1/admin/customers", testenv.AuditorKey, customers, http.StatusForbidden},
		{"auditor decides", "POST", "/v1/cases/" + hosted.CaseID + "/decisions", testenv.AuditorKey, map[string]any{"verdict": "no_violation", "reason": "r"}, http.StatusForbidden},
		{"auditor decides a review", "POST", "/v1/reviews/acct-hosted/repeat_infringer/decisions", testenv.AuditorKey, map[string]any{"verdict": "terminate", "reason": "r"}, http.StatusForbidden},
		{"auditor lists cases", "GET", "/v1/cases", testenv.AuditorKey, nil, http.StatusForbidden},
		{"analyst reads a history", "GET", "/v1/cases/" + hosted.CaseID + "/history", testenv.AnalystKey, nil, http.StatusForbidden},
		{"no key loads customers", "POST", "/v1/admin/customers", "", customers, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, env, tc.method, tc.path, tc.key, nil, tc.body)
			p := refused(t, r, tc.want)
			require.Equal(t, []string{"Authorization"}, p.Fields())
			if tc.want == http.StatusUnauthorized {
				require.Contains(t, r.Header.Get("WWW-Authenticate"), "Bearer")
			}
		})
	}
	var acct models.Account
	require.Error(t, env.App.DB.First(&acct, "id = ?", "acct-evil").Error, "a refused load wrote nothing")
	require.Equal(t, "awaiting_operator", env.Case(hosted.CaseID).Status, "a refused decision changed nothing")
	// The roles that own them get through.
	require.Equal(t, http.StatusOK, call(t, env, "GET", "/v1/cases", testenv.AnalystKey, nil, nil).Code)
	require.Equal(t, http.StatusOK, call(t, env, "GET", "/v1/cases", testenv.AdminKey, nil, nil).Code)
	require.Equal(t, http.StatusOK, call(t, env, "GET", "/v1/cases/"+hosted.CaseID+"/history", testenv.AuditorKey, nil, nil).Code)
	require.Equal(t, http.StatusOK, call(t, env, "GET", "/v1/admin/outbox", testenv.AdminKey, nil, nil).Code)

	// Bodies over max_body_bytes (4 MiB): 413 with the problem listed,
	// whether the length is announced or the body is chunked.
	before := caseCount(t, env)
	big := `{"category":"phishing","urls":["https://shop.example/"],"description":"` + strings.Repeat("a", 4<<20) + `"}`
	for name, body := range map[string]func() any{
		"content-length": func() any { return []byte(big) },
		"chunked":        func() any { return io.MultiReader(bytes.NewReader([]byte(big))) },
	} {
		t.Run("too large "+name, func(t *testing.T) {
			p := refused(t, call(t, env, "POST", "/v1/reports", "", nil, body()), http.StatusRequestEntityTooLarge)
			require.Equal(t, []string{"body"}, p.Fields())
			p = refused(t, call(t, env, "POST", "/v1/cases/"+hosted.CaseID+"/decisions", testenv.AnalystKey, nil, body()), http.StatusRequestEntityTooLarge)
			require.Equal(t, []string{"body"}, p.Fields())
		})
	}
	require.Equal(t, before, caseCount(t, env), "an oversized report stored nothing")
	settle(t, env, 4+3) // CDN: receipt, operator, host, reply; hosted: receipt, decision, operator
}
