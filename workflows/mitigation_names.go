package workflows

import (
	"time"

	"github.com/abusedesk/abusedesk/models"
)

// Names of the Mitigation workflow (issue 17; docs/DESIGN.md
// "Mitigations"). One workflow per mitigation carries it from pending to an
// end: a timer makes it active at its effective date, the customer can make
// it unnecessary first, an appeal puts it in review until an analyst
// upholds or lifts it.
const (
	WorkflowMitigation = "Mitigation"

	// SignalMitigationCancel: the customer fixed the problem before the
	// effective date, or an analyst withdrew the mitigation (MitigationCancel).
	SignalMitigationCancel = "mitigation-cancel"
	// SignalMitigationAppeal: the customer asked for a review (MitigationAppeal).
	SignalMitigationAppeal = "mitigation-appeal"
	// SignalMitigationEnd: the restriction ended elsewhere (the operator
	// removed the content, the case restored it): MitigationEnd.
	SignalMitigationEnd = "mitigation-end"
	// UpdateMitigationReview: an analyst's answer to an appeal
	// (MitigationReview), validated before it enters history.
	UpdateMitigationReview = "mitigation-review"
	// QueryMitigation answers the mitigation's current status.
	QueryMitigation = "mitigation-status"
)

const mitigationIDPrefix = "Mitigation:"

// MitigationWorkflowID is the workflow ID of a mitigation.
func MitigationWorkflowID(mitigationID string) string { return mitigationIDPrefix + mitigationID }

// MitigationCancel is the payload of SignalMitigationCancel.
type MitigationCancel struct {
	By     string
	Reason string
}

// MitigationAppeal is the payload of SignalMitigationAppeal.
type MitigationAppeal struct {
	Reason    string // removed | misclassified
	Statement string
	By        string
	At        time.Time
}

// MitigationEnd is the payload of SignalMitigationEnd.
type MitigationEnd struct {
	By     string
	Reason string
}

// MitigationReview is the payload of UpdateMitigationReview.
type MitigationReview struct {
	Decision string // uphold | lift
	Analyst  string
	Note     string
}

// Answers of an analyst to an appeal (MitigationReview.Decision).
const (
	ReviewUphold = "uphold"
	ReviewLift   = "lift"
)

// Reasons a customer gives for an appeal (MitigationAppeal.Reason).
const (
	AppealRemoved       = "removed"
	AppealMisclassified = "misclassified"
)

// DefaultMitigationReviewWindow is the analyst's deadline for an appeal
// when the input names none (config mitigation_review_window).
const DefaultMitigationReviewWindow = 72 * time.Hour

// MitigationInput starts a MitigationWorkflow: the mitigation to apply and
// how long an analyst has to answer an appeal.
type MitigationInput struct {
	// MitigationID is the id of the mitigation (and of its workflow,
	// MitigationWorkflowID).
	MitigationID string
	CaseID       string
	// Step is unique within the case: the mitigation is stored once per
	// case and step.
	Step       string
	AccountID  string
	Domain     string
	Type       models.MitigationType
	EntityType models.MitigationEntity
	EntityID   string
	// Countries: a legal block's ISO 3166-1 alpha-2 codes.
	Countries []string
	Reason    string
	// StatementKey: the audit key of the restriction whose statement of
	// reasons explains the mitigation; empty: it gets a statement of its own.
	StatementKey string
	By           string
	// Pending: the mitigation becomes active at EffectiveDate (the
	// customer may fix the problem first); otherwise it is active at once.
	Pending       bool
	EffectiveDate time.Time
	// ReviewWindow is the analyst's deadline for an appeal (0: the default).
	ReviewWindow time.Duration
}

// MitigationState answers QueryMitigation.
type MitigationState struct {
	MitigationID   string
	Status         models.MitigationStatus
	EffectiveDate  time.Time
	ReviewDeadline *time.Time
	ReviewOverdue  bool
	Appealed       bool
}

// MitigationResult is how a mitigation ended.
type MitigationResult struct {
	Status models.MitigationStatus
}
