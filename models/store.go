package models

import "time"

// Account is a customer account of the provider.
type Account struct {
	ID            string `gorm:"primaryKey"`
	Name          string
	OperatorEmail string
	Terminated    bool
	TerminatedAt  *time.Time
	UpdatedAt     time.Time
}

// Domain is one customer domain and the services it uses.
type Domain struct {
	Name            string `gorm:"primaryKey"` // punycode, lower case
	AccountID       string `gorm:"index"`
	Services        string // comma-separated: cdn, hosting:pages, registrar
	OriginIPs       string // comma-separated
	RegistrantEmail string
	RegistrarStatus string // e.g. serverHold, clientTransferProhibited
	UpdatedAt       time.Time
}

// HostedObject is content the provider stores for a domain.
type HostedObject struct {
	ObjectID  string `gorm:"primaryKey"`
	Domain    string `gorm:"index"`
	AccountID string `gorm:"index"`
	URLPrefix string
	Product   string
	// ContentHash is the hex SHA-256 of the object's content, when the
	// customer records give it: identical copies share it (ncsei).
	ContentHash string `gorm:"size:64;index"`
	UpdatedAt   time.Time
}

// Network maps a CIDR to the hosting provider that announces it.
type Network struct {
	CIDR       string `gorm:"primaryKey;column:cidr"`
	Provider   string
	AbuseEmail string
	UpdatedAt  time.Time
}

// Case is the read model of one abuse case. The workflow is the source of
// truth for the process; activities keep this row in step for queries.
type Case struct {
	ID                string   `gorm:"primaryKey"`
	Category          Category `gorm:"index:idx_cases_queue,priority:3"`
	Priority          int      `gorm:"index:idx_cases_queue,priority:1"` // queue rank: 0 CSAM, 1 emergency, 2 ncsei, 5 others (intake.priority)
	Service           Service  `gorm:"index"`
	Domain            string   `gorm:"index"`
	AccountID         string   `gorm:"index"`
	Status            Status   `gorm:"index"`
	Outcome           Outcome
	Description       string
	ReporterName      string
	ReporterEmail     string
	ReporterOrg       string
	ReporterTitle     string
	ForwardToOperator bool
	// OwnerNotification, HostNotification and NcmecNotification are the
	// reporter's choice per recipient (models.Notification; README "The
	// reporter's choices"): send, send-anon or none for the operator
	// (ForwardToOperator is false exactly when it is none), send or
	// send-anon for the hosting provider, and for CSAM the clearinghouse.
	OwnerNotification Notification
	HostNotification  Notification
	NcmecNotification Notification
	CopyrightWork     string
	CopyrightSig      string
	// CopyrightIncomplete marks a copyright complaint that lacks some 17
	// U.S.C. 512(c)(3) elements (CopyrightMissing, comma-separated names
	// of the report's fields): it is forwarded as a complaint, never as a
	// DMCA notice, and is no repeat-infringer strike until the complainant
	// completes it (512(c)(3)(B)(ii)).
	CopyrightIncomplete  bool
	CopyrightMissing     string
	CopyrightCompletedAt *time.Time
	Source               string
	Untrusted            bool
	TokenHash            string
	TokenSealed          string // the reporter token sealed for idempotent replays
	LegalHold            bool
	IdempotencyKey       *string    `gorm:"uniqueIndex"`
	NextDeadline         *time.Time `gorm:"index:idx_cases_queue,priority:2"`
	WorkflowStarted      bool
	// StartClaimedAt: when the process that starts the case's workflow
	// took it; nil while a worker may still claim it (a split
	// deployment's server stores cases unclaimed: store.ClaimUnstarted).
	StartClaimedAt *time.Time
	CreatedAt      time.Time `gorm:"index"`
	UpdatedAt      time.Time
	ClosedAt       *time.Time

	// CategoryBy says how the category was chosen (a mail's format, its
	// recipient, its subject, or the default), for the analyst.
	CategoryBy string

	// Emergency: the reporter said someone's life or safety is in
	// immediate danger; the case sorts right after CSAM (Priority 1).
	Emergency bool
}

// CaseURL is one reported URL of a case (a bulk notice may carry thousands,
// so they live in their own table, never in a workflow payload).
type CaseURL struct {
	ID     uint   `gorm:"primaryKey"`
	CaseID string `gorm:"index"`
	Seq    int
	URL    string
	Host   string `gorm:"index"`
}

// Notice is one message sent (or kept in the outbox) for a case step.
type Notice struct {
	ID               string `gorm:"primaryKey"`
	CaseID           string `gorm:"index;uniqueIndex:idx_notice_step,priority:1"`
	Step             string `gorm:"uniqueIndex:idx_notice_step,priority:2"`
	RecipientRole    RecipientRole
	To               string
	Subject          string
	BodyText         string
	BodyHTML         string
	IncludesOriginIP bool
	Domain           string
	Status           NoticeStatus
	TokenHash        string // operator response link token (hosted notices)
	TokenExpiresAt   *time.Time
	CreatedAt        time.Time
	SentAt           *time.Time
}
