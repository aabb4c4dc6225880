package integration

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/transparency"
	"github.com/abusedesk/abusedesk/workflows"
)

// TestStatementsOfReasonsForEveryRestriction drives every restriction
// abusedesk applies through the real stack and requires a statement of
// reasons for each, in the DSA Transparency Database's shape, checked by
// sorRules below (written from reference/compliance.md, independently of
// the statements package):
//   - hosted content disabled on a decision, then removed when the
//     operator does not answer (fraud on pages.example);
//   - CSAM disabled on receipt (automated), then removed on the decision;
//   - a domain suspended for inaccurate WHOIS data;
//   - a hosting account terminated by a repeat-infringer review;
//   - and none for a hijacking lock, which protects the registrant.
//
// It runs on SQLite and on PostgreSQL.
func TestStatementsOfReasonsForEveryRestriction(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { statementsForEveryRestriction(t, false) })
	t.Run("postgres", func(t *testing.T) { statementsForEveryRestriction(t, true) })
}

func statementsForEveryRestriction(t *testing.T, postgres bool) {
	env := testenv.Start(t, testenv.Options{Postgres: postgres, Env: map[string]string{
		"ABUSEDESK_OPERATOR_REMINDER_AFTER":  "1s",
		"ABUSEDESK_OPERATOR_RESPONSE_WINDOW": "3s",
		"ABUSEDESK_WHOIS_CORRECTION_WINDOW":  "2s",
		"ABUSEDESK_COPYRIGHT_STRIKES":        "1",
	}})
	fraud := env.File(report("fraud", []string{"https://pages.example/scam"}, true)).CaseID
	csam := env.File(report("csam", []string{"https://img.pages.example/x.jpg"}, false)).CaseID
	whois := env.File(report("registrar_whois", []string{"https://parked.example/"}, true)).CaseID
	hijack := env.File(report("registrar_hijacking", []string{"https://parked.example/"}, true)).CaseID

	for _, id := range []string{fraud, csam} {
		env.WaitCase(id, caseWait, status("awaiting_analyst"))
	}
	violates(t, env, fraud, "other_illegal")
	violates(t, env, csam, "csam")
	env.WaitCase(whois, caseWait, status("awaiting_registrar_review"))
	require.Equal(t, http.StatusOK, decide(t, env, testenv.AnalystKey, whois, map[string]any{"verdict": "uphold", "reason": "the registrant did not correct the data"}).Code)
	env.WaitCase(hijack, caseWait, status("awaiting_registrar_review"))
	require.Equal(t, http.StatusOK, decide(t, env, testenv.AnalystKey, hijack, map[string]any{"verdict": "uphold", "reason": "transfer was not authorised"}).Code)
	for _, id := range []string{fraud, csam, whois, hijack} {
		env.WaitCase(id, caseWait, closed)
	}

	// A copyright strike opens the repeat-infringer review (one strike is
	// the policy here); the analyst terminates the hosting account.
	cp := env.File(report("copyright", []string{"https://pages.example/song.mp3"}, true)).CaseID
	env.WaitCase(cp, caseWait, status("awaiting_analyst"))
	violates(t, env, cp, "ip")
	env.WaitCase(cp, caseWait, status("awaiting_operator"))
	reviewID := workflows.ReviewWorkflowID("acct-hosted", "repeat_infringer")
	require.Eventually(t, func() bool {
		var out struct {
			Reviews []struct{ ID, Status string } `json:"reviews"`
		}
		call(t, env, "GET", "/v1/reviews?status=awaiting_analyst", testenv.AnalystKey, nil, nil).JSON(t, &out)
		return slices.ContainsFunc(out.Reviews, func(r struct{ ID, Status string }) bool { return r.ID == reviewID })
	}, caseWait, 200*time.Millisecond)
	r := call(t, env, "POST", "/v1/reviews/acct-hosted/repeat_infringer/decisions", testenv.AnalystKey, nil,
		map[string]any{"verdict": "terminate", "reason": "the account infringed again after a warning"})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))

	type item = map[string]any
	var all []item
	require.Eventually(t, func() bool {
		all = statementsOf(t, env, "")
		return slices.ContainsFunc(all, func(s item) bool { return s["case_id"] == reviewID })
	}, caseWait, 200*time.Millisecond, "no statement for the termination")

	byCase := map[string][]item{}
	puids := map[string]bool{}
	for _, s := range all {
		require.Empty(t, sorRules(s), "statement %v", s)
		require.Equal(t, "pending", s["submit_status"], "no submitter configured: kept, not sent")
		require.False(t, puids[s["puid"].(string)], "puid %s twice", s["puid"])
		puids[s["puid"].(string)] = true
		facts := s["decision_facts"].(string)
		for _, personal := range []string{"rita@reporter.example", "Rita", "pages.example", "parked.example"} {
			require.NotContains(t, facts, personal, "a statement names no person, URL or domain")
		}
		byCase[s["case_id"].(string)] = append(byCase[s["case_id"].(string)], s)
	}

	// Fraud: disabled on the decision, removed when nobody answered.
	f := byCase[fraud]
	require.Len(t, f, 2)
	require.Equal(t, []any{"DECISION_VISIBILITY_CONTENT_DISABLED"}, f[0]["decision_visibility"])
	require.Equal(t, []any{"DECISION_VISIBILITY_CONTENT_REMOVED"}, f[1]["decision_visibility"])
	for _, s := range f {
		// An analyst's decision is under the terms of service; fraud is
		// also illegal, which the statement says (issue 18).
		require.Equal(t, "DECISION_GROUND_INCOMPATIBLE_CONTENT", s["decision_ground"])
		require.Equal(t, "Yes", s["incompatible_content_illegal"])
		require.Equal(t, "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", s["category"])
		require.Equal(t, []any{"CONTENT_TYPE_TEXT"}, s["content_type"])
		require.Equal(t, "SOURCE_ARTICLE_16", s["source_type"])
		require.Equal(t, "AUTOMATED_DECISION_NOT_AUTOMATED", s["automated_decision"])
		require.Equal(t, "No", s["automated_detection"])
		require.Contains(t, s["decision_facts"], "pages-site-1")
	}
	require.Contains(t, f[1]["decision_facts"], "no answer came by the deadline")

	// CSAM: disabled on receipt without a human decision, then removed.
	c := byCase[csam]
	require.Len(t, c, 2)
	require.Equal(t, []any{"DECISION_VISIBILITY_CONTENT_DISABLED"}, c[0]["decision_visibility"])
	require.Equal(t, "AUTOMATED_DECISION_FULLY", c[0]["automated_decision"])
	require.Equal(t, []any{"DECISION_VISIBILITY_CONTENT_REMOVED"}, c[1]["decision_visibility"])
	require.Equal(t, "AUTOMATED_DECISION_NOT_AUTOMATED", c[1]["automated_decision"])
	for _, s := range c {
		require.Equal(t, "STATEMENT_CATEGORY_PROTECTION_OF_MINORS", s["category"])
		require.Equal(t, []any{"KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"}, s["category_specification"])
		require.Equal(t, []any{"CONTENT_TYPE_IMAGE"}, s["content_type"])
	}

	// WHOIS: the domain suspended, on the registration agreement.
	w := byCase[whois]
	require.Len(t, w, 1)
	require.Equal(t, "DECISION_PROVISION_TOTAL_SUSPENSION", w[0]["decision_provision"])
	require.Equal(t, "DECISION_GROUND_INCOMPATIBLE_CONTENT", w[0]["decision_ground"])
	require.Contains(t, w[0]["incompatible_content_ground"], "registration")

	// The hijacking lock restricts nobody for their content.
	require.Empty(t, byCase[hijack])

	// Copyright: disabled; the termination has its own statement.
	require.Len(t, byCase[cp], 1)
	require.Equal(t, "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS", byCase[cp][0]["category"])
	term := byCase[reviewID]
	require.Len(t, term, 1)
	// Hosting ended; the account keeps its CDN service: a partial
	// termination, as the statement must say (issue 18).
	require.Equal(t, "DECISION_PROVISION_PARTIAL_TERMINATION", term[0]["decision_provision"])
	require.Empty(t, term[0]["decision_account"])
	require.Equal(t, []any{"DECISION_VISIBILITY_CONTENT_DISABLED"}, term[0]["decision_visibility"])
	require.Equal(t, "SOURCE_VOLUNTARY", term[0]["source_type"])
	require.Equal(t, "DECISION_GROUND_INCOMPATIBLE_CONTENT", term[0]["decision_ground"])
	require.Equal(t, "Yes", term[0]["incompatible_content_illegal"])
	require.Equal(t, "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS", term[0]["category"])
	require.Len(t, all, 7)

	// Reads: by period and page, auditors only.
	today := time.Now().UTC().Format(time.DateOnly)
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	require.Len(t, statementsOf(t, env, "?from="+today+"&to="+today), 7)
	require.Empty(t, statementsOf(t, env, "?from="+tomorrow))
	require.Empty(t, statementsOf(t, env, "?page=2"))
	refused(t, call(t, env, "GET", "/v1/statements?from=yesterday", testenv.AuditorKey, nil, nil), http.StatusBadRequest)
	require.Equal(t, http.StatusForbidden, call(t, env, "GET", "/v1/statements", testenv.AnalystKey, nil, nil).Code)

	// The transparency report counts the same restrictions: JSON and CSV
	// for auditors, the public page for everyone.
	month := time.Now().UTC().Format("2006-01")
	var rep transparency.Report
	tr := call(t, env, "GET", "/v1/transparency?from="+month+"&to="+month, testenv.AuditorKey, nil, nil)
	require.Equal(t, http.StatusOK, tr.Code, string(tr.Body))
	tr.JSON(t, &rep)
	require.Len(t, rep.Months, 1)
	total := rep.Months[0].Total
	require.EqualValues(t, 5, total.ReportsReceived)
	require.EqualValues(t, 3, total.DecisionsViolates)
	require.EqualValues(t, 3, total.ContentDisabled)
	require.EqualValues(t, 2, total.ContentRemoved)
	require.EqualValues(t, 1, total.DomainsSuspended)
	require.EqualValues(t, 1, total.Terminations)
	require.Equal(t, []transparency.TerminationCount{{Service: "hosting", Reason: "repeat_infringer", Count: 1}}, rep.Months[0].Terminations)
	require.EqualValues(t, 1, rep.Months[0].ByCategory["csam"].ContentRemoved)
	require.EqualValues(t, 2, rep.Months[0].ByService["registrar"].ReportsReceived)
	require.NotNil(t, total.MedianFirstActionSeconds)
	csvR := call(t, env, "GET", "/v1/transparency?format=csv", testenv.AuditorKey, nil, nil)
	require.Equal(t, http.StatusOK, csvR.Code)
	require.Contains(t, csvR.Header.Get("Content-Type"), "text/csv")
	require.Contains(t, string(csvR.Body), month+",total,,content_removed,2")
	require.Equal(t, http.StatusForbidden, call(t, env, "GET", "/v1/transparency", testenv.AnalystKey, nil, nil).Code)
	p := refused(t, call(t, env, "GET", "/v1/transparency?from=June", testenv.AuditorKey, nil, nil), http.StatusBadRequest)
	require.Equal(t, []string{"from"}, p.Fields())
	page := call(t, env, "GET", "/transparency", "", nil, nil)
	require.Equal(t, http.StatusOK, page.Code)
	require.Contains(t, page.Header.Get("Content-Type"), "text/html")
	require.Contains(t, string(page.Body), "<h2>"+month+"</h2>")
	require.NotContains(t, string(page.Body), fraud, "the public page names no case")

	// The exporter keeps the termination review's history as well as the
	// cases' (it runs every minute by default; a round is run here).
	var exportErr error
	require.Eventually(t, func() bool {
		if _, exportErr = env.App.ExportHistories(context.Background()); exportErr != nil {
			return false
		}
		_, err := store.ExportedHistory(context.Background(), env.App.DB, reviewID)
		return err == nil
	}, caseWait, 200*time.Millisecond, "review history not exported: %v", exportErr)
	for _, id := range []string{fraud, csam, whois, hijack} {
		_, err := store.ExportedHistory(context.Background(), env.App.DB, workflows.CaseWorkflowID(id))
		require.NoError(t, err, id)
	}
}

// statementsOf reads GET /v1/statements as an auditor.
func statementsOf(t *testing.T, env *testenv.Env, query string) []map[string]any {
	t.Helper()
	r := call(t, env, "GET", "/v1/statements"+query, testenv.AuditorKey, nil, nil)
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	var out struct {
		Statements []map[string]any `json:"statements"`
	}
	r.JSON(t, &out)
	require.LessOrEqual(t, len(out.Statements), 100)
	return out.Statements
}

// The Transparency Database's rules (reference/compliance.md).
var (
	sorVisibility = []string{"DECISION_VISIBILITY_CONTENT_REMOVED", "DECISION_VISIBILITY_CONTENT_DISABLED",
		"DECISION_VISIBILITY_CONTENT_DEMOTED", "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
		"DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED", "DECISION_VISIBILITY_CONTENT_LABELLED", "DECISION_VISIBILITY_OTHER"}
	sorProvision = []string{"DECISION_PROVISION_PARTIAL_SUSPENSION", "DECISION_PROVISION_TOTAL_SUSPENSION",
		"DECISION_PROVISION_PARTIAL_TERMINATION", "DECISION_PROVISION_TOTAL_TERMINATION"}
	sorAccount     = []string{"DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED"}
	sorMonetary    = []string{"DECISION_MONETARY_SUSPENSION", "DECISION_MONETARY_TERMINATION", "DECISION_MONETARY_OTHER"}
	sorGround      = []string{"DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"}
	sorContentType = []string{"CONTENT_TYPE_APP", "CONTENT_TYPE_AUDIO", "CONTENT_TYPE_IMAGE", "CONTENT_TYPE_PRODUCT",
		"CONTENT_TYPE_SYNTHETIC_MEDIA", "CONTENT_TYPE_TEXT", "CONTENT_TYPE_VIDEO", "CONTENT_TYPE_OTHER"}
	sorSource    = []string{"SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY"}
	sorAutomated = []string{"AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED"}
	sorCategory  = []string{"ANIMAL_WELFARE", "CONSUMER_INFORMATION", "CYBER_VIOLENCE", "CYBER_VIOLENCE_AGAINST_WOMEN",
		"DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", "ILLEGAL_OR_HARMFUL_SPEECH", "INTELLECTUAL_PROPERTY_INFRINGEMENTS",
		"NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS", "NOT_SPECIFIED_NOTICE", "OTHER_VIOLATION_TC",
		"PROTECTION_OF_MINORS", "RISK_FOR_PUBLIC_SECURITY", "SCAMS_AND_FRAUD", "SELF_HARM",
		"UNSAFE_AND_PROHIBITED_PRODUCTS", "VIOLENCE"}
	sorScope = strings.Fields("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK")
	sorPUID  = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// sorRules lists every rule of the Transparency Database a statement (as
// JSON) breaks.
func sorRules(s map[string]any) []string {
	var bad []string
	fail := func(f string, a ...any) { bad = append(bad, fmt.Sprintf(f, a...)) }
	str := func(k string) string { v, _ := s[k].(string); return v }
	list := func(k string) []string {
		var out []string
		if _, ok := s[k]; ok {
			arr, isArr := s[k].([]any)
			if !isArr {
				fail("%s is not an array", k)
			}
			for _, v := range arr {
				x, _ := v.(string)
				out = append(out, x)
			}
		}
		return out
	}
	in := func(k, v string, set []string) {
		if v != "" && !slices.Contains(set, v) {
			fail("%s: %q not allowed", k, v)
		}
	}
	maxLen := func(k string, n int) {
		if utf8.RuneCountInString(str(k)) > n {
			fail("%s longer than %d", k, n)
		}
	}
	date := func(k string, required bool) {
		v := str(k)
		if v == "" {
			if required {
				fail("%s required", k)
			}
			return
		}
		if _, err := time.Parse("2006-01-02", v); err != nil {
			fail("%s: %q is not YYYY-MM-DD", k, v)
		}
	}
	for _, k := range []string{"decision_ground", "category", "decision_facts", "source_type", "automated_detection", "automated_decision", "puid"} {
		if str(k) == "" {
			fail("%s required", k)
		}
	}
	date("content_date", true)
	date("application_date", true)
	for _, k := range []string{"end_date_visibility_restriction", "end_date_service_restriction", "end_date_account_restriction", "end_date_monetary_restriction"} {
		date(k, false)
	}
	maxLen("decision_facts", 5000)
	maxLen("puid", 500)
	if p := str("puid"); p != "" && !sorPUID.MatchString(p) {
		fail("puid %q outside [A-Za-z0-9_-]", p)
	}
	vis := list("decision_visibility")
	if len(vis) == 0 && str("decision_monetary") == "" && str("decision_provision") == "" && str("decision_account") == "" {
		fail("none of decision_visibility, decision_monetary, decision_provision, decision_account")
	}
	for _, v := range vis {
		in("decision_visibility", v, sorVisibility)
	}
	if slices.Contains(vis, "DECISION_VISIBILITY_OTHER") && str("decision_visibility_other") == "" {
		fail("decision_visibility_other required")
	}
	in("decision_monetary", str("decision_monetary"), sorMonetary)
	if str("decision_monetary") == "DECISION_MONETARY_OTHER" && str("decision_monetary_other") == "" {
		fail("decision_monetary_other required")
	}
	in("decision_provision", str("decision_provision"), sorProvision)
	in("decision_account", str("decision_account"), sorAccount)
	in("decision_ground", str("decision_ground"), sorGround)
	switch str("decision_ground") {
	case "DECISION_GROUND_ILLEGAL_CONTENT":
		if str("illegal_content_legal_ground") == "" || str("illegal_content_explanation") == "" {
			fail("illegal content needs illegal_content_legal_ground and illegal_content_explanation")
		}
	case "DECISION_GROUND_INCOMPATIBLE_CONTENT":
		if str("incompatible_content_ground") == "" || str("incompatible_content_explanation") == "" {
			fail("incompatible content needs incompatible_content_ground and incompatible_content_explanation")
		}
		in("incompatible_content_illegal", str("incompatible_content_illegal"), []string{"Yes", "No"})
	}
	maxLen("illegal_content_legal_ground", 500)
	maxLen("illegal_content_explanation", 2000)
	ct := list("content_type")
	if len(ct) == 0 {
		fail("content_type required")
	}
	for _, v := range ct {
		in("content_type", v, sorContentType)
	}
	if slices.Contains(ct, "CONTENT_TYPE_OTHER") && str("content_type_other") == "" {
		fail("content_type_other required")
	}
	in("category", strings.TrimPrefix(str("category"), "STATEMENT_CATEGORY_"), sorCategory)
	if !strings.HasPrefix(str("category"), "STATEMENT_CATEGORY_") {
		fail("category %q", str("category"))
	}
	for _, v := range list("category_addition") {
		in("category_addition", strings.TrimPrefix(v, "STATEMENT_CATEGORY_"), sorCategory)
	}
	spec := list("category_specification")
	for _, v := range spec {
		if !strings.HasPrefix(v, "KEYWORD_") {
			fail("category_specification %q", v)
		}
	}
	if slices.Contains(spec, "KEYWORD_OTHER") && str("category_specification_other") == "" {
		fail("category_specification_other required")
	}
	in("source_type", str("source_type"), sorSource)
	maxLen("source_identity", 500)
	in("automated_detection", str("automated_detection"), []string{"Yes", "No"})
	in("automated_decision", str("automated_decision"), sorAutomated)
	for _, v := range list("territorial_scope") {
		in("territorial_scope", v, sorScope)
	}
	if l := str("content_language"); l != "" && !regexp.MustCompile(`^[A-Z]{2}$`).MatchString(l) {
		fail("content_language %q", l)
	}
	in("account_type", str("account_type"), []string{"ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE"})
	return bad
}
