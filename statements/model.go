// Package statements makes the statement of reasons (DSA Art. 17) of every
// restriction abusedesk applies: disabling or removing hosted content,
// suspending a domain, terminating an account's service. A statement is
// built from the case in the same database transaction as the restriction
// (Record), in the shape of the EU DSA Transparency Database
// (reference/compliance.md), checked by Validate, stored in the statements
// table, served to auditors (List) and, when configured, submitted to the
// Transparency Database in batches of at most 100 (Submitter).
//
// Statements carry no personal data: no reporter identity, no URL, no
// domain name; content is named by the hosted object's id and the case id.
package statements

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// SOR is one statement of reasons in the DSA Transparency Database's shape:
// the JSON of one item of POST /api/v1/statements. Empty optional fields are
// left out.
type SOR struct {
	DecisionVisibility             []string `json:"decision_visibility,omitempty"`
	DecisionVisibilityOther        string   `json:"decision_visibility_other,omitempty"`
	DecisionMonetary               string   `json:"decision_monetary,omitempty"`
	DecisionMonetaryOther          string   `json:"decision_monetary_other,omitempty"`
	DecisionProvision              string   `json:"decision_provision,omitempty"`
	DecisionAccount                string   `json:"decision_account,omitempty"`
	AccountType                    string   `json:"account_type,omitempty"`
	DecisionGround                 string   `json:"decision_ground"`
	DecisionGroundReferenceURL     string   `json:"decision_ground_reference_url,omitempty"`
	IllegalContentLegalGround      string   `json:"illegal_content_legal_ground,omitempty"`
	IllegalContentExplanation      string   `json:"illegal_content_explanation,omitempty"`
	IncompatibleContentGround      string   `json:"incompatible_content_ground,omitempty"`
	IncompatibleContentExplanation string   `json:"incompatible_content_explanation,omitempty"`
	IncompatibleContentIllegal     string   `json:"incompatible_content_illegal,omitempty"`
	ContentType                    []string `json:"content_type"`
	ContentTypeOther               string   `json:"content_type_other,omitempty"`
	Category                       string   `json:"category"`
	CategoryAddition               []string `json:"category_addition,omitempty"`
	CategorySpecification          []string `json:"category_specification,omitempty"`
	CategorySpecificationOther     string   `json:"category_specification_other,omitempty"`
	TerritorialScope               []string `json:"territorial_scope,omitempty"`
	ContentLanguage                string   `json:"content_language,omitempty"`
	ContentDate                    string   `json:"content_date"`
	ApplicationDate                string   `json:"application_date"`
	EndDateVisibilityRestriction   string   `json:"end_date_visibility_restriction,omitempty"`
	EndDateMonetaryRestriction     string   `json:"end_date_monetary_restriction,omitempty"`
	EndDateServiceRestriction      string   `json:"end_date_service_restriction,omitempty"`
	EndDateAccountRestriction      string   `json:"end_date_account_restriction,omitempty"`
	DecisionFacts                  string   `json:"decision_facts"`
	SourceType                     string   `json:"source_type"`
	SourceIdentity                 string   `json:"source_identity,omitempty"`
	AutomatedDetection             string   `json:"automated_detection"`
	AutomatedDecision              string   `json:"automated_decision"`
	PUID                           string   `json:"puid"`
}

// Submission states of a stored statement.
const (
	// StatusPending: not submitted yet (also the state of every statement
	// when no submitter is configured).
	StatusPending = "pending"
	// StatusSubmitted: the Transparency Database stored it (RemoteID).
	StatusSubmitted = "submitted"
	// StatusRejected: the Transparency Database refused it (422); the
	// reason is in SubmitError for an analyst to act on. Never retried
	// automatically: the same body would be refused again.
	StatusRejected = "rejected"
	// StatusInvalid: Validate found problems when it was built (a bug in
	// Build); kept and served with the problems, never submitted.
	StatusInvalid = "invalid"
)

// Statement is one stored statement of reasons. Body is the SOR as JSON,
// exactly as served and submitted.
type Statement struct {
	ID uint `gorm:"primaryKey;index:idx_statements_submit,priority:2"`
	// PUID is the statement's platform unique identifier (SOR.PUID).
	PUID string `gorm:"column:puid;not null;uniqueIndex"`
	// CaseID is the case of the restriction, or the termination review's
	// workflow id for a termination.
	CaseID string `gorm:"not null;index"`
	// Kind is the audit journal kind of the restriction: restriction,
	// removal, termination or domain_restriction.
	Kind string `gorm:"not null"`
	// DedupKey is the audit journal's key of the restriction (one statement
	// per key).
	DedupKey     string `gorm:"not null"`
	Body         string `gorm:"not null"`
	SubmitStatus string `gorm:"not null;index:idx_statements_submit,priority:1"`
	RemoteID     string
	// SubmitError is why the Transparency Database refused the statement,
	// or the problems Validate found; empty otherwise.
	SubmitError string
	SubmittedAt *time.Time
	CreatedAt   time.Time `gorm:"not null;index"`
	UpdatedAt   time.Time
}

// TableName keeps the table name stable whatever GORM's naming strategy.
func (Statement) TableName() string { return "statements" }

// Migrate creates the statements table. It is idempotent; store.Migrate
// runs it (app registers it in store.Extra).
func Migrate(db *gorm.DB) error {
	if err := db.AutoMigrate(&Statement{}); err != nil {
		return fmt.Errorf("statements: migrate: %w", err)
	}
	return nil
}
