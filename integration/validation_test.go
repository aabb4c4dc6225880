package integration

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// TestReportValidation: every invalid report is refused with every problem
// named by its field, and nothing is stored (no case, no workflow, no mail).
func TestReportValidation(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	valid := func(mod func(r map[string]any)) map[string]any {
		r := report("phishing", []string{"https://shop.example/login"}, true)
		if mod != nil {
			mod(r)
		}
		return r
	}
	cases := []struct {
		name   string
		body   any
		code   int
		fields []string
	}{
		{"unknown category", valid(func(r map[string]any) { r["category"] = "spam" }), 422, []string{"category"}},
		{"no category", valid(func(r map[string]any) { delete(r, "category") }), 422, []string{"category"}},
		{"no URL", valid(func(r map[string]any) { r["urls"] = []string{} }), 422, []string{"urls"}},
		{"URLs missing", valid(func(r map[string]any) { delete(r, "urls") }), 422, []string{"urls"}},
		{"malformed URL", valid(func(r map[string]any) { r["urls"] = []string{"https://shop.example/ok", "http://[::1"} }), 422, []string{"urls[1]"}},
		{"not a web URL", valid(func(r map[string]any) { r["urls"] = []string{"ftp://shop.example/x", "shop.example/x"} }), 422, []string{"urls[0]", "urls[1]"}},
		{"URL without a host", valid(func(r map[string]any) { r["urls"] = []string{"https:///path"} }), 422, []string{"urls[0]"}},
		{"missing reporter email", valid(func(r map[string]any) { r["reporter"] = map[string]any{"name": "Rita"} }), 422, []string{"reporter.email"}},
		{"bad reporter email", valid(func(r map[string]any) { r["reporter"] = map[string]any{"email": "rita at example"} }), 422, []string{"reporter.email"}},
		{"no description", valid(func(r map[string]any) { r["description"] = "  " }), 422, []string{"description"}},
		{"copyright without statements", func() any {
			r := report("copyright", []string{"https://shop.example/song.mp3"}, true)
			delete(r, "copyright")
			return r
		}(), 422, []string{"copyright"}},
		{"copyright missing every 512(c)(3) element", func() any {
			r := report("copyright", []string{"https://shop.example/song.mp3"}, true)
			r["copyright"] = map[string]any{"work": " ", "good_faith": false, "accurate_under_penalty": false, "signature": ""}
			r["reporter"] = map[string]any{"email": "rita@reporter.example"}
			return r
		}(), 422, []string{"copyright.work", "reporter.name"}}, // issue 14: the statements alone do not refuse (an incomplete complaint)
		{"copyright opted out of forwarding", func() any {
			return report("copyright", []string{"https://shop.example/song.mp3"}, false)
		}(), 422, []string{"forward_to_operator"}},
		{"copyright statements on a phishing report", valid(func(r map[string]any) {
			r["copyright"] = map[string]any{"work": "w", "good_faith": true, "accurate_under_penalty": true, "signature": "s"}
		}), 422, []string{"copyright"}},
		{"everything wrong at once", map[string]any{"category": "spam", "urls": []string{"nope"}, "reporter": map[string]any{"email": "x"}},
			422, []string{"category", "description", "reporter.email", "urls[0]"}},
		{"unknown fields", valid(func(r map[string]any) {
			r["priority"] = "high"
			r["callback"] = "https://x.example"
			r["reporter"] = map[string]any{"name": "Rita", "email": "rita@reporter.example", "phone": "1", "fax": "2"}
		}), 422, []string{"callback", "priority", "reporter.fax", "reporter.phone"}},
		{"unknown fields and invalid values", map[string]any{"categry": "phishing", "urls": []string{"https://shop.example/"}, "description": "d",
			"reporter": map[string]any{"email": "rita@reporter.example"}},
			422, []string{"categry", "category"}},
		{"wrong JSON type", valid(func(r map[string]any) { r["urls"] = "https://shop.example/login" }), 422, []string{"urls"}},
		{"wrong JSON types everywhere", valid(func(r map[string]any) {
			r["forward_to_operator"] = "yes"
			r["description"] = 42
			r["reporter"] = map[string]any{"name": []string{"Rita"}, "email": "rita@reporter.example"}
		}), 422, []string{"description", "forward_to_operator", "reporter.name"}},
		{"not JSON", `{"category": "phishing",`, 400, []string{"body"}},
		{"a JSON array", `[{"category": "phishing"}]`, 400, []string{"body"}},
		{"too large", `{"description":"` + strings.Repeat("x", 4<<20) + `"}`, 413, []string{"body"}},
	}
	// What a type problem says.
	messages := map[string]string{
		"wrong JSON type":              "must be an array of strings, not a string",
		"wrong JSON types everywhere":  "must be true or false, not a string",
		"unknown fields":               "unknown field",
		"copyright without statements": "512(c)(3)",
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := refused(t, call(t, env, "POST", "/v1/reports", "", nil, tc.body), tc.code)
			require.ElementsMatch(t, tc.fields, p.Fields(), "every problem, each once, by field")
			if want := messages[tc.name]; want != "" {
				var msgs []string
				for _, e := range p.Errors {
					msgs = append(msgs, e.Message)
				}
				require.Contains(t, strings.Join(msgs, "\n"), want)
			}
		})
	}
	require.Zero(t, caseCount(t, env), "a refused report stores nothing")
	var urls int64
	require.NoError(t, env.App.DB.Model(&models.CaseURL{}).Count(&urls).Error)
	require.Zero(t, urls)
	settle(t, env, 0)
}

// TestIDNHostNormalised: a report on https://bücher.example/ is matched to
// the customer domain in punycode and forwarded (CDN) with the origin IP to
// the hosting provider.
func TestIDNHostNormalised(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	for _, u := range []string{"https://bücher.example/x", "https://BÜCHER.example./y"} {
		c := env.File(report("phishing", []string{u}, true))
		cs := env.WaitCase(c.CaseID, caseWait, closed)
		require.Equal(t, "xn--bcher-kva.example", cs.Domain, u)
		require.Equal(t, "cdn", cs.Service)
		require.Equal(t, "forwarded", cs.Outcome)
		var full struct {
			URLs []string `json:"urls"`
		}
		require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases/"+c.CaseID, testenv.AnalystKey, nil, &full))
		require.Len(t, full.URLs, 1)
		require.True(t, strings.HasPrefix(full.URLs[0], "https://xn--bcher-kva.example/"), full.URLs)
		roles := map[string]string{}
		for _, n := range cs.Notices {
			roles[n.RecipientRole+":"+n.Step] = n.To
			require.Equal(t, n.RecipientRole == "hosting_provider", n.IncludesOriginIP)
		}
		require.Equal(t, "abuse@hosting.example", roles["hosting_provider:host-forward:xn--bcher-kva.example"])
		require.Equal(t, "registrant@parked.example", roles["operator:operator-forward:xn--bcher-kva.example"])
	}
	// Filtering the queue by the Unicode name finds the punycode cases.
	var list struct {
		Cases []testenv.CaseJSON `json:"cases"`
	}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases?domain=b%C3%BCcher.example", testenv.AnalystKey, nil, &list))
	require.Len(t, list.Cases, 2)
	msgs := settle(t, env, 2*4) // receipt, operator, host, reporter reply
	host := env.Sink.To("abuse@hosting.example")
	require.Len(t, host, 2)
	for _, m := range host {
		require.Contains(t, m.Body, "203.0.113.99")
	}
	require.Equal(t, 2, countTo(msgs, "registrant@parked.example"))
}

// TestIdempotencyKey: the same submission retried (sequentially and
// concurrently) answers the same case and token, with one workflow and one
// set of notices.
func TestIdempotencyKey(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	body := report("phishing", []string{"https://shop.example/login"}, true)
	post := func(key string) testenv.Created {
		r := call(t, env, "POST", "/v1/reports", "", map[string]string{"Idempotency-Key": key}, body)
		require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
		var c testenv.Created
		r.JSON(t, &c)
		return c
	}
	first := post("retry-1")
	second := post("retry-1")
	require.Equal(t, first, second, "same case id, same token")
	env.WaitCase(first.CaseID, caseWait, closed)
	third := post("retry-1")
	require.Equal(t, first, third, "a retry after the case closed still answers the same case")
	// The replayed token works.
	require.Equal(t, http.StatusOK, call(t, env, "GET", "/v1/reports/"+first.CaseID+"?token="+third.Token, "", nil, nil).Code)

	// Concurrent retries of one submission.
	var wg sync.WaitGroup
	got := make([]testenv.Created, 4)
	for i := range got {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			got[i] = post("retry-2")
		}(i)
	}
	wg.Wait()
	for _, c := range got[1:] {
		require.Equal(t, got[0], c)
	}
	require.NotEqual(t, first.CaseID, got[0].CaseID, "another key is another case")
	env.WaitCase(got[0].CaseID, caseWait, closed)

	// A different key for the same body is a new case (the key decides).
	other := post("retry-3")
	require.NotEqual(t, first.CaseID, other.CaseID)
	env.WaitCase(other.CaseID, caseWait, closed)
	require.Equal(t, 3, caseCount(t, env))

	// One workflow per case: one run of AbuseCase:<id>, of the type new
	// cases start as, which asks no version of the changes it pins: no
	// version marker, no TemporalChangeVersion upsert, and no other.
	for _, id := range []string{first.CaseID, got[0].CaseID, other.CaseID} {
		it := env.App.Temporal.GetWorkflowHistory(t.Context(), "AbuseCase:"+id, "", false, 0)
		starts := 0
		for it.HasNext() {
			ev, err := it.Next()
			require.NoError(t, err)
			if a := ev.GetWorkflowExecutionStartedEventAttributes(); a != nil {
				starts++
				require.Equal(t, workflows.WorkflowCase3, a.GetWorkflowType().GetName(), id)
			}
			require.NotEqual(t, "Version", ev.GetMarkerRecordedEventAttributes().GetMarkerName(), id)
			// A CDN case closed in its first workflow task upserts no
			// search attribute at all (its close record is written from
			// the start's).
			require.Nil(t, ev.GetUpsertWorkflowSearchAttributesEventAttributes(), id)
		}
		require.Equal(t, 1, starts, id)
	}
	var n int64
	require.NoError(t, env.App.DB.Model(&models.Notice{}).Where("case_id = ?", first.CaseID).Count(&n).Error)
	require.EqualValues(t, 4, n)
	// 3 cases x (receipt, operator, host, reporter reply).
	msgs := settle(t, env, 12)
	require.Equal(t, 3, countTo(msgs, "webmaster@shop.example"))
	require.Equal(t, 6, countTo(msgs, reporterEmail))

	// The key is bounded.
	p := refused(t, call(t, env, "POST", "/v1/reports", "", map[string]string{"Idempotency-Key": strings.Repeat("k", 201)}, body), http.StatusBadRequest)
	require.Equal(t, []string{"Idempotency-Key"}, p.Fields())
}
