// Package activities holds every side effect of a case: database writes
// (idempotent, keyed by case and step), notices, hosting and registrar
// actions, lookups. Workflows call them through a nil *Activities.
package activities

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Activities is the dependency struct whose methods are the activities.
type Activities struct {
	DB   *gorm.DB
	Mail Mailer // nil: notices stay in the outbox
	// MailLimit caps the mails to one reporter address per hour (nil: no
	// cap); see maillimit.go.
	MailLimit     *MailLimit
	Hosting       HostingControl
	Registrar     RegistrarControl
	Clearinghouse Clearinghouse
	RDAP          RDAPLookup // nil: RDAP lookups off
	PublicURL     string
	Policy        StrikePolicy
	// TokenSecret derives the operator response-link tokens (HMAC).
	TokenSecret []byte
	// Journal, when set, records each change in the audit log inside the
	// transaction that makes it (exactly once per dedup key).
	Journal Journal
	// EscalationEmail receives the escalations of cases (config
	// ncsei_escalation_email); empty: they are journalled only.
	EscalationEmail string
	// Now is the clock of token expiries; nil means time.Now.
	Now func() time.Time
}

// Journal appends audit entries in the caller's transaction.
type Journal interface {
	Record(tx *gorm.DB, actor, caseID, kind, dedupKey string, details any) error
}

// BatchJournal is a Journal that also appends several entries at once
// (RecordAll, in order, as Record would one by one), taking the audit log's
// head lock once for all of them.
type BatchJournal interface {
	RecordAll(tx *gorm.DB, es []JournalEntry) error
}

// JournalEntry is one change for BatchJournal.RecordAll: the arguments of
// Journal.Record.
type JournalEntry struct {
	Actor, CaseID, Kind, DedupKey string
	Details                       any
}

// RDAPLookup finds the hosting provider of an IP by RDAP.
type RDAPLookup interface {
	Lookup(ctx context.Context, ip string) (Provider, error)
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now().UTC()
	}
	return time.Now().UTC()
}

func (a *Activities) journal(tx *gorm.DB, actor, caseID, kind, dedup string, details any) error {
	if a.Journal == nil {
		return nil
	}
	return a.Journal.Record(tx, actor, caseID, kind, dedup, details)
}

// journalAll records es in tx: at once when the journal is a BatchJournal,
// else one by one.
func (a *Activities) journalAll(tx *gorm.DB, es []JournalEntry) error {
	if a.Journal == nil || len(es) == 0 {
		return nil
	}
	if bj, ok := a.Journal.(BatchJournal); ok {
		return bj.RecordAll(tx, es)
	}
	for _, e := range es {
		if err := a.Journal.Record(tx, e.Actor, e.CaseID, e.Kind, e.DedupKey, e.Details); err != nil {
			return err
		}
	}
	return nil
}
