// Package workflows holds abusedesk's Temporal workflows: orchestration only,
// deterministic, no I/O. Side effects are activities (package activities).
package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/abusedesk/abusedesk/models"
)

// Stable registration and message names. Renaming a Go function must never
// break a running case or a replay, so everything is registered by these.
const (
	WorkflowCase = "AbuseCase"
	// WorkflowCase2 is the type new cases started as before WorkflowCase3: the case workflow
	// with its changes until now pinned (CaseWorkflow2, pinned.go).
	WorkflowCase2 = "AbuseCase2"
	// WorkflowCase3 is the type new cases start as: WorkflowCase2 with
	// changeClassifyForward pinned too (CaseWorkflow3, pinned.go).
	WorkflowCase3 = "AbuseCase3"

	QueryStatus = "status"

	UpdateDecide = "decide"

	SignalOperatorResponse = "operator-response"
	SignalReporterAnswer   = "reporter-answer"
	SignalCourtAction      = "court-action"
	// SignalCopyrightCompleted: the complainant of an incomplete copyright
	// complaint gave the missing 512(c)(3) elements (CopyrightCompleted).
	SignalCopyrightCompleted = "copyright-completed"
)

// TaskQueue is the default task queue of the case workers.
const TaskQueue = "abuse-cases"

const caseIDPrefix = "AbuseCase:"

// CaseWorkflowID is the workflow ID of a case.
func CaseWorkflowID(caseID string) string { return caseIDPrefix + caseID }

// CaseIDFromWorkflowID is the inverse of CaseWorkflowID: false for any
// other workflow's ID. Case IDs never hold a colon, so the IDs of bulk
// batches started before they had their own prefix
// ("AbuseCase:<case>:batch-<n>") are no case either.
func CaseIDFromWorkflowID(id string) (string, bool) {
	rest, ok := strings.CutPrefix(id, caseIDPrefix)
	if !ok || rest == "" || strings.Contains(rest, ":") {
		return "", false
	}
	return rest, true
}

// Typed search attributes, set at start and upserted on every change, so the
// Temporal UI and visibility queries find cases. None carries personal data.
var (
	SACaseStatus   = temporal.NewSearchAttributeKeyKeyword("CaseStatus")
	SACaseCategory = temporal.NewSearchAttributeKeyKeyword("CaseCategory")
	SACaseService  = temporal.NewSearchAttributeKeyKeyword("CaseService")
	SADomain       = temporal.NewSearchAttributeKeyKeyword("Domain")
	SANextDeadline = temporal.NewSearchAttributeKeyTime("CaseNextDeadline")
)

// Timers are the human deadlines of a case, from configuration. They travel
// in the input so a running case keeps the durations it started with.
type Timers struct {
	OperatorReminderAfter  time.Duration
	OperatorResponseWindow time.Duration
	ReporterInfoWindow     time.Duration
	NoticeTokenTTL         time.Duration
	WhoisCorrectionWindow  time.Duration
	// DisputeReviewWindow is the analyst's target for deciding a dispute
	// (shown as the case's next deadline; nothing happens when it passes).
	DisputeReviewWindow time.Duration
	// MitigationReviewWindow is the analyst's deadline for an appeal of a
	// mitigation (0: DefaultMitigationReviewWindow); InterstitialGrace the
	// wait before an interstitial takes effect (config keys
	// mitigation_review_window, interstitial_grace).
	MitigationReviewWindow time.Duration `json:",omitempty"`
	InterstitialGrace      time.Duration `json:",omitempty"`
	// NCSEIEscalateShare is the share of the ncsei removal window
	// (NCSEIRemovalWindow) after which a case no analyst decided
	// escalates (config ncsei_escalate_share; 0: DefaultNCSEIEscalateShare).
	NCSEIEscalateShare float64 `json:",omitempty"`
}

// DefaultTimers are the real-world defaults (days).
var DefaultTimers = Timers{
	OperatorReminderAfter:  72 * time.Hour,
	OperatorResponseWindow: 7 * 24 * time.Hour,
	ReporterInfoWindow:     14 * 24 * time.Hour,
	NoticeTokenTTL:         30 * 24 * time.Hour,
	WhoisCorrectionWindow:  15 * 24 * time.Hour,
	DisputeReviewWindow:    7 * 24 * time.Hour,
}

// CaseInput starts a case. The report itself (URLs, description, contacts)
// is in the database under CaseID.
type CaseInput struct {
	CaseID            string
	Category          models.Category
	ForwardToOperator bool
	Timers            Timers
	// CopyrightIncomplete: a copyright complaint lacking some 512(c)(3)
	// elements; its forwards are complaints until SignalCopyrightCompleted.
	CopyrightIncomplete bool
	// ReceivedAt is when the report was received (the case's creation);
	// the ncsei removal clock runs from it (zero: the workflow's start).
	ReceivedAt time.Time `json:",omitempty"`
}

// CaseResult is how the case ended.
type CaseResult struct {
	Status  models.Status
	Outcome models.Outcome
}

// Verdict is an analyst's decision kind.
type Verdict string

// Verdicts of POST /v1/cases/{id}/decisions.
const (
	VerdictViolates    Verdict = "violates"
	VerdictNoViolation Verdict = "no_violation"
	VerdictNeedInfo    Verdict = "need_info"
	VerdictUphold      Verdict = "uphold"
	VerdictReverse     Verdict = "reverse"
	VerdictTerminate   Verdict = "terminate"
	VerdictDecline     Verdict = "decline"
	VerdictSuspend     Verdict = "suspend"
	VerdictRelease     Verdict = "release"
)

// Terms clauses an analyst cites for "violates" (docs/DESIGN.md step 4.1).
// phishing_fraud (phishing, scams, fraud) is a clause of its own, apart from
// "malware, phishing, command and control" and "otherwise illegal … fraud",
// so that a phishing page is not decided as malware or other_illegal; malware keeps
// malware and command and control. Only the validators read this list (they
// do not run on replay).
var Clauses = []string{"csam", "ip", "defamation", "controlled_substances", "trafficking", "malware", "phishing_fraud", "other_illegal"}

// Decision is the payload of UpdateDecide.
type Decision struct {
	Verdict Verdict
	Reason  string
	// Clause is the terms clause a "violates" cites.
	Clause string
	// Service is the service a review's "terminate" ends (hosting, cdn,
	// registrar; "" is hosting). Decisions recorded before it existed
	// carried the service in Clause, which is still read when Service is
	// empty (terminationService).
	Service    string
	Question   string
	LegalBasis string
	Analyst    string
	// ScopePrefix, on a violates decision, is the URL path prefix the
	// analyst chose as the scope of the content_disabled mitigation
	// (docs/DESIGN.md "Mitigations"); empty: each reported URL.
	ScopePrefix string `json:",omitempty"`
}

// DecisionResult answers an accepted decision.
type DecisionResult struct {
	Status models.Status
}

// OperatorResponseKind is an operator's answer to a hosted-content notice.
type OperatorResponseKind string

// Operator answers.
const (
	ResponseRemoved       OperatorResponseKind = "removed"
	ResponseDispute       OperatorResponseKind = "dispute"
	ResponseCounterNotice OperatorResponseKind = "counter_notice"
)

// OperatorResponse is the payload of SignalOperatorResponse. The statement
// and counter-notice details stay in the database (personal data); the
// signal carries what the workflow branches on.
type OperatorResponse struct {
	NoticeID   string
	Response   OperatorResponseKind
	ReceivedAt time.Time
}

// ReporterAnswer is the payload of SignalReporterAnswer (the answer's text
// is stored in the database).
type ReporterAnswer struct {
	AnsweredAt time.Time
}

// CourtAction is the payload of SignalCourtAction.
type CourtAction struct {
	By        string
	Reference string
}

// CopyrightCompleted is the payload of SignalCopyrightCompleted (the
// statements and signature are stored in the database).
type CopyrightCompleted struct {
	CompletedAt time.Time
}

// CaseStatus is what QueryStatus answers.
type CaseStatus struct {
	Status       models.Status
	Outcome      models.Outcome
	Service      models.Service
	Domain       string
	NextDeadline *time.Time
	DeadlineKind string
	Awaiting     string
	Decisions    []Decision
	RestoreAt    *time.Time
}
