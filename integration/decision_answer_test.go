package integration

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/workflows"
)

// TestDecisionAnswersStateAfter (issue 15, analyst): POST
// /v1/cases/{id}/decisions answers in snake_case the case's state after the
// decision; a violates decision without a terms clause, or with a clause
// that is not a terms clause, is refused against the field clause;
// phishing_fraud is a clause; the OpenAPI clause list is exactly the
// clauses violates takes.
func TestDecisionAnswersStateAfter(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	c := env.File(map[string]any{"category": "phishing", "urls": []string{"https://pages.example/login"}, "description": "A fake bank login.",
		"reporter": map[string]any{"name": "Rita", "email": "rita@reporter.example"}, "forward_to_operator": true})
	env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))

	for _, clause := range []any{nil, "", "hosting"} {
		d := map[string]any{"verdict": "violates", "reason": "phishing"}
		if clause != nil {
			d["clause"] = clause
		}
		p := refused(t, decide(t, env, testenv.AnalystKey, c.CaseID, d), http.StatusUnprocessableEntity)
		require.Equal(t, []string{"clause"}, p.Fields(), "clause %v", clause)
	}

	before := time.Now()
	r := decide(t, env, testenv.AnalystKey, c.CaseID, map[string]any{"verdict": "violates", "clause": "phishing_fraud", "reason": "credential phishing"})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	var raw map[string]any
	r.JSON(t, &raw)
	require.Equal(t, c.CaseID, raw["case_id"], string(r.Body))
	require.Equal(t, "awaiting_operator", raw["status"], "the state after the decision: %s", r.Body)
	require.Equal(t, "violates", raw["verdict"])
	require.NotContains(t, raw, "Status")
	var ans struct {
		NextDeadline time.Time `json:"next_deadline"`
	}
	r.JSON(t, &ans)
	require.True(t, ans.NextDeadline.After(before), "the operator's deadline: %s", r.Body)

	// The OpenAPI document lists the clauses a violates decision takes.
	doc := call(t, env, "GET", "/openapi.json", "", nil, nil)
	require.Equal(t, http.StatusOK, doc.Code)
	var api struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(doc.Body, &api))
	enum := api.Components.Schemas["Decision"].Properties["clause"].Enum
	require.Equal(t, workflows.Clauses, enum)
	require.True(t, slices.Contains(enum, "phishing_fraud"))
	require.False(t, slices.Contains(enum, "hosting"))
}
