package workflows

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

func TestCaseWorkflowID(t *testing.T) {
	require.Equal(t, "AbuseCase:abc", CaseWorkflowID("abc"))
	id, ok := CaseIDFromWorkflowID(CaseWorkflowID("abc"))
	require.True(t, ok)
	require.Equal(t, "abc", id)
	_, ok = CaseIDFromWorkflowID("TerminationReview:acct:hosting")
	require.False(t, ok)
	require.Equal(t, "TerminationReview:acct-1:repeat_infringer", ReviewWorkflowID("acct-1", activities.ReviewRepeatInfringer))
}

// No other workflow's ID reads as a case: not a batch (with its own prefix,
// or with the case prefix it had before), a review, or a bounce.
func TestOnlyCaseIDsReadAsCases(t *testing.T) {
	for _, id := range []string{
		BatchWorkflowID("Cabc", 1),
		legacyBatchWorkflowID("Cabc", 1),
		"AbuseCase:Cabc:batch-1",
		ReviewWorkflowID("acct-1", activities.ReviewHosting),
		NoticeBounceWorkflowID("n_1"),
		"AbuseCase:",
		"abc",
	} {
		_, ok := CaseIDFromWorkflowID(id)
		require.False(t, ok, id)
	}
	require.NotEqual(t, CaseWorkflowID("Cabc"), BatchWorkflowID("Cabc", 1)[:len(CaseWorkflowID("Cabc"))])
	id, ok := CaseIDFromWorkflowID(CaseWorkflowID("Cabc"))
	require.True(t, ok)
	require.Equal(t, "Cabc", id)
}

// Notices the CDN path sends, per domain.
func operatorForward(domain string) sent {
	return sent{Step: "operator-forward:" + domain, Role: models.RoleOperator, Kind: activities.NoticeForwardOperator}
}

func hostForward(domain string) sent {
	return sent{Step: "host-forward:" + domain, Role: models.RoleHostingProvider, Kind: activities.NoticeForwardHost, OriginIP: true}
}

var reporterForwarded = sent{Step: "reporter-forwarded", Role: models.RoleReporter, Kind: activities.NoticeReporterForwarded}

func TestNotOurCustomer(t *testing.T) {
	h := newHarness(t)
	h.classify = activities.ClassifyResult{NotOurs: []string{"elsewhere.example"}, URLCount: 1}
	h.start(caseInput(models.CategoryPhishing, true))

	h.requireClosed(models.OutcomeNotOurCustomer)
	h.requireNotices(sent{Step: "reporter-not-ours", Role: models.RoleReporter, Kind: activities.NoticeReporterNotOurs})
	require.Equal(t, models.ServiceNone, h.status().Service)
	require.Empty(t, h.callsOf("FileClearinghouseReport"))
	require.Empty(t, h.callsOf("RecordDecision"))
}

func TestCDNForwarding(t *testing.T) {
	for _, tc := range []struct {
		name       string
		cat        models.Category
		forward    bool
		toOperator bool
	}{
		{"phishing forwarded to the operator on request", models.CategoryPhishing, true, true},
		{"phishing not forwarded when the reporter opts out", models.CategoryPhishing, false, false},
		{"copyright always forwarded", models.CategoryCopyright, false, true},
		{"trademark always forwarded", models.CategoryTrademark, false, true},
		{"malware forwarded on request", models.CategoryMalware, true, true},
		{"csam never forwarded to the operator", models.CategoryCSAM, true, false},
		{"csam never forwarded, no request either", models.CategoryCSAM, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.classify = targets(cdnTarget("shop.example", "acct-1", true))
			h.start(caseInput(tc.cat, tc.forward))

			h.requireClosed(models.OutcomeForwarded)
			want := []sent{hostForward("shop.example"), reporterForwarded}
			if tc.toOperator {
				want = append(want, operatorForward("shop.example"))
			}
			h.requireNotices(want...)
			for _, n := range h.noticeInputs() {
				require.Equal(t, testCaseID, n.CaseID)
				require.Equal(t, n.Role == models.RoleHostingProvider, n.IncludeOriginIP, "origin IP only to the hosting provider: %s", n.Step)
				require.Equal(t, DefaultTimers.NoticeTokenTTL, n.TokenTTL)
			}
			host, _ := h.notice("host-forward:shop.example")
			require.Equal(t, "shop.example", host.Domain)
			require.Equal(t, "203.0.113.7", host.Facts["origin_ip"])
			require.Equal(t, "Origin Hosting shop.example", host.Facts["provider"])

			rep, repCall := h.notice("reporter-forwarded")
			require.Equal(t, "shop.example: Origin Hosting shop.example <abuse@origin.example>", rep.Facts["providers"])
			wantFwd := "no"
			if tc.toOperator {
				wantFwd = "yes"
			}
			require.Equal(t, wantFwd, rep.Facts["forwarded_to_operator"])
			// The forwards and the reply go out in one round, without waiting.
			for _, c := range h.callsOf("SendNotice") {
				require.Equal(t, t0, c.At, "forwarding takes no waiting: %s", c.Arg.(activities.NoticeInput).Step)
			}
			require.Equal(t, t0, repCall.At)

			st := h.status()
			require.Equal(t, models.ServiceCDN, st.Service)
			require.Equal(t, "shop.example", st.Domain)
			statuses := h.args("SetStatus")
			require.Len(t, statuses, 1, "a CDN case writes its read model once, when it closes")
			require.Equal(t, models.StatusClosed, statuses[0].(activities.StatusInput).Status)
			require.Equal(t, "acct-1", statuses[0].(activities.StatusInput).AccountID)

			if tc.cat == models.CategoryCSAM {
				require.Equal(t, []any{activities.ClearinghouseInput{CaseID: testCaseID}}, h.args("FileClearinghouseReport"))
			} else {
				require.Empty(t, h.callsOf("FileClearinghouseReport"))
			}
			require.Empty(t, h.callsOf("DisableObjects"))
			require.Empty(t, h.callsOf("RecordStrike"))
		})
	}
}

func TestCDNTwoDomains(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(cdnTarget("a.example", "acct-a", true), cdnTarget("b.example", "acct-b", true))
	h.start(caseInput(models.CategoryPhishing, true))

	h.requireClosed(models.OutcomeForwarded)
	h.requireNotices(
		operatorForward("a.example"), hostForward("a.example"),
		operatorForward("b.example"), hostForward("b.example"),
		reporterForwarded,
	)
	rep, _ := h.notice("reporter-forwarded")
	require.Equal(t,
		"a.example: Origin Hosting a.example <abuse@origin.example>\nb.example: Origin Hosting b.example <abuse@origin.example>",
		rep.Facts["providers"])
	op, _ := h.notice("operator-forward:b.example")
	require.Equal(t, "b.example", op.Domain)
}

func TestCDNProviderNotFound(t *testing.T) {
	for _, forward := range []bool{true, false} {
		h := newHarness(t)
		h.classify = targets(cdnTarget("shop.example", "acct-1", false))
		h.start(caseInput(models.CategoryMalware, forward))

		h.requireClosed(models.OutcomeForwarded)
		want := []sent{reporterForwarded}
		if forward {
			want = append(want, operatorForward("shop.example"))
		}
		h.requireNotices(want...)
		rep, _ := h.notice("reporter-forwarded")
		require.Equal(t, "shop.example: hosting provider unknown", rep.Facts["providers"])
	}
}

func TestHostedTargetWaitsForAnAnalyst(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(hostedTarget("site.example", "acct-1", "obj-1"))
	st := h.statusAt(10 * day)
	var completed bool
	h.at(10*day+1, func() {
		completed = h.env.IsWorkflowCompleted()
		h.env.CancelWorkflow()
	})
	h.start(caseInput(models.CategoryPhishing, true))

	require.False(t, completed, "a hosted case does not close on its own")
	require.Equal(t, models.StatusAwaitingAnalyst, st.Status)
	require.Equal(t, string(PhaseAnalyst), st.Awaiting)
	require.Equal(t, models.ServiceHosting, st.Service)
	require.Equal(t, "site.example", st.Domain)
	require.Equal(t, []sent{receipt}, h.sent(), "only the receipt is sent before the analyst decides")
	require.Empty(t, h.callsOf("DisableObjects"))
	require.True(t, temporal.IsCanceledError(h.env.GetWorkflowError()), "%v", h.env.GetWorkflowError())
}

func TestMixedCDNAndHostedTargets(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(cdnTarget("a-cdn.example", "acct-1", true), hostedTarget("b-hosted.example", "acct-1", "obj-1"))
	st := h.statusAt(day)
	h.decide(day+1, Decision{Verdict: VerdictNoViolation, Reason: "satire"})
	h.start(caseInput(models.CategoryPhishing, true))

	h.requireClosed(models.OutcomeNoViolation)
	require.Equal(t, models.ServiceHosting, st.Service)
	require.Equal(t, "b-hosted.example", st.Domain)
	h.requireNotices(
		operatorForward("a-cdn.example"), hostForward("a-cdn.example"), reporterForwarded,
		sent{Step: "reporter-decision", Role: models.RoleReporter, Kind: activities.NoticeReporterDecision},
	)
}

func TestRegistrarTargetIsAnswered(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(registrarTarget("parked.example", "acct-1"))
	h.start(caseInput(models.CategoryPhishing, true))

	h.requireClosed(models.OutcomeRegistrarAnswered)
	h.requireNotices(sent{Step: "reporter-registrar:parked.example", Role: models.RoleReporter, Kind: activities.NoticeReporterRegistrar})
	require.Equal(t, models.ServiceRegistrar, h.status().Service)
}

func TestValidateDecisionShape(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    Decision
		ok   bool
	}{
		{"violates with clause and reason", Decision{Verdict: VerdictViolates, Clause: "ip", Reason: "r"}, true},
		{"violates without clause", Decision{Verdict: VerdictViolates, Reason: "r"}, false},
		{"violates with an unknown clause", Decision{Verdict: VerdictViolates, Clause: "spam", Reason: "r"}, false},
		{"violates without reason", Decision{Verdict: VerdictViolates, Clause: "malware"}, false},
		{"no_violation", Decision{Verdict: VerdictNoViolation, Reason: "r"}, true},
		{"no_violation without reason", Decision{Verdict: VerdictNoViolation}, false},
		{"need_info with question", Decision{Verdict: VerdictNeedInfo, Question: "which page?"}, true},
		{"need_info without question", Decision{Verdict: VerdictNeedInfo, Reason: "r"}, false},
		{"uphold", Decision{Verdict: VerdictUphold, Reason: "r"}, true},
		{"reverse", Decision{Verdict: VerdictReverse, Reason: "r"}, true},
		{"decline", Decision{Verdict: VerdictDecline, Reason: "r"}, true},
		{"unknown verdict", Decision{Verdict: "maybe", Reason: "r"}, false},
		{"empty verdict", Decision{Reason: "r"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateDecisionShape(tc.d)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			var appErr *temporal.ApplicationError
			require.ErrorAs(t, err, &appErr)
			require.Equal(t, ErrTypeMalformedDecision, appErr.Type())
			require.True(t, appErr.NonRetryable())
		})
	}
	for _, c := range Clauses {
		require.NoError(t, ValidateDecisionShape(Decision{Verdict: VerdictViolates, Clause: c, Reason: "r"}), c)
	}
}

func TestReceiptConfirmedFirst(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(cdnTarget("shop.example", "acct-1", true))
	h.install()
	h.start(caseInput(models.CategoryPhishing, true))
	h.requireClosed(models.OutcomeForwarded)
	got := h.sent()
	require.NotEmpty(t, got)
	require.Equal(t, receipt, got[0], "the receipt is the first notice of a case")
	n := 0
	for _, s := range got {
		if s == receipt {
			n++
		}
	}
	require.Equal(t, 1, n)
}
