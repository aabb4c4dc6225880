package models

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// MitigationType is what a mitigation does. The first seven are the
// reference's customer API enumeration (docs/DESIGN.md "Mitigations"); the
// rest are what the desk itself does, under its own names.
type MitigationType string

// Mitigation types.
const (
	MitigationLegalBlock             MitigationType = "legal_block"
	MitigationPhishingInterstitial   MitigationType = "phishing_interstitial"
	MitigationMisleadingInterstitial MitigationType = "misleading_interstitial"
	MitigationNetworkBlock           MitigationType = "network_block"
	MitigationRateLimitCache         MitigationType = "rate_limit_cache"
	MitigationAccountSuspend         MitigationType = "account_suspend"
	MitigationRedirectVideoStream    MitigationType = "redirect_video_stream"
	MitigationContentDisabled        MitigationType = "content_disabled"
	MitigationContentRemoved         MitigationType = "content_removed"
	MitigationDomainHold             MitigationType = "domain_hold"
	MitigationDomainLock             MitigationType = "domain_lock"
	MitigationServiceTermination     MitigationType = "service_termination"
)

// MitigationTypes lists every type in a stable order.
var MitigationTypes = []MitigationType{
	MitigationLegalBlock, MitigationPhishingInterstitial, MitigationMisleadingInterstitial,
	MitigationNetworkBlock, MitigationRateLimitCache, MitigationAccountSuspend,
	MitigationRedirectVideoStream, MitigationContentDisabled, MitigationContentRemoved,
	MitigationDomainHold, MitigationDomainLock, MitigationServiceTermination,
}

// Valid reports whether t is one of MitigationTypes.
func (t MitigationType) Valid() bool {
	for _, k := range MitigationTypes {
		if k == t {
			return true
		}
	}
	return false
}

// MitigationEntity is what a mitigation covers.
type MitigationEntity string

// Mitigation entity types.
const (
	EntityURLPattern MitigationEntity = "url_pattern"
	EntityZone       MitigationEntity = "zone"
	EntityAccount    MitigationEntity = "account"
)

// MitigationStatus is where a mitigation is in its lifecycle:
// pending -> active -> in_review -> (active | removed); pending ->
// cancelled; active -> removed.
type MitigationStatus string

// Mitigation statuses.
const (
	MitigationPending   MitigationStatus = "pending"
	MitigationActive    MitigationStatus = "active"
	MitigationInReview  MitigationStatus = "in_review"
	MitigationCancelled MitigationStatus = "cancelled"
	MitigationRemoved   MitigationStatus = "removed"
)

// Ended reports whether the mitigation no longer restricts anything.
func (s MitigationStatus) Ended() bool {
	return s == MitigationCancelled || s == MitigationRemoved
}

// Mitigation is one restriction the desk applies (issue 17). It is unique
// per case and step, so an activity retried or replayed writes it once.
// The edge and the blocklist serve only active and in_review mitigations
// (a mitigation under review keeps restricting until an analyst lifts it).
type Mitigation struct {
	ID         string           `gorm:"primaryKey;size:64"`
	CaseID     string           `gorm:"size:64;index;uniqueIndex:idx_mitigation_step,priority:1"`
	Step       string           `gorm:"size:300;uniqueIndex:idx_mitigation_step,priority:2"`
	AccountID  string           `gorm:"size:200;index"`
	Domain     string           `gorm:"size:255;index"`
	Type       MitigationType   `gorm:"size:40"`
	EntityType MitigationEntity `gorm:"size:20"`
	// EntityID is the URL pattern (normal form, internal/urlnorm; a
	// trailing "*" marks a path prefix the analyst chose), the zone or the
	// account it covers.
	EntityID string `gorm:"size:2100"`
	// Countries are the ISO 3166-1 alpha-2 codes a legal block applies
	// in, comma-separated; empty means everywhere.
	Countries     string           `gorm:"size:800"`
	Status        MitigationStatus `gorm:"size:20;index"`
	EffectiveDate time.Time
	// StatementID is the statement of reasons that explains it.
	StatementID string `gorm:"size:64"`
	Reason      string `gorm:"size:2000"`
	// Appeal: the customer's request for review.
	AppealReason    string `gorm:"size:20"` // removed | misclassified
	AppealStatement string `gorm:"size:5000"`
	AppealedAt      *time.Time
	ReviewDeadline  *time.Time
	// ReviewOverdue: the review deadline passed without an analyst's
	// decision; such mitigations come first in the analysts' list.
	ReviewOverdue bool
	// ReviewDecision is the analyst's answer to the appeal: uphold | lift.
	ReviewDecision string `gorm:"size:20"`
	EndedAt        *time.Time
	UpdatedBy      string `gorm:"size:200"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// MitigationEvent is one change of a mitigation's status, who made it and
// why; each is also an audit entry.
type MitigationEvent struct {
	ID           uint   `gorm:"primaryKey"`
	MitigationID string `gorm:"size:64;index"`
	// Kind is what happened: MitigationEventStatus (a change of status),
	// MitigationEventAppeal (the customer asked for review: in_review) or
	// MitigationEventOverdue (the review deadline passed; From == To).
	Kind   string           `gorm:"size:20"`
	From   MitigationStatus `gorm:"size:20"`
	To     MitigationStatus `gorm:"size:20"`
	Actor  string           `gorm:"size:200"`
	Reason string           `gorm:"size:2000"`
	At     time.Time
}

// Kinds of MitigationEvent.
const (
	MitigationEventStatus  = "status"
	MitigationEventAppeal  = "appeal"
	MitigationEventOverdue = "overdue"
)

// MitigationID is the id of the mitigation a case's step makes: the same
// id for every retry and replay of that step.
func MitigationID(caseID, step string) string {
	sum := sha256.Sum256([]byte(caseID + "\x00" + step))
	return "mit_" + hex.EncodeToString(sum[:12])
}

// MitigationStep is the step of a mitigation of type typ on entity (entities
// can be long; the step is short and unique within the case).
func MitigationStep(typ MitigationType, entity string) string {
	sum := sha256.Sum256([]byte(entity))
	return string(typ) + ":" + hex.EncodeToString(sum[:8])
}
