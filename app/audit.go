package app

import (
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/config"
)

// auditJournal appends activity changes to the audit log.
type auditJournal struct{}

// Record appends one entry in the caller's transaction.
func (auditJournal) Record(tx *gorm.DB, actor, caseID, kind, dedupKey string, details any) error {
	_, err := audit.Append(tx, audit.NewEntry{Actor: actor, CaseID: caseID, Kind: kind, DedupKey: dedupKey, Details: details})
	return err
}

// RecordAll appends entries in the caller's transaction under one lock of
// the audit head (activities.BatchJournal).
func (auditJournal) RecordAll(tx *gorm.DB, es []activities.JournalEntry) error {
	entries := make([]audit.NewEntry, len(es))
	for i, e := range es {
		entries[i] = audit.NewEntry{Actor: e.Actor, CaseID: e.CaseID, Kind: e.Kind, DedupKey: e.DedupKey, Details: e.Details}
	}
	_, err := audit.AppendMany(tx, entries)
	return err
}

// AuditKeys returns the audit log's signing and verifier keys: from
// configuration, or generated into the data dir on first start.
func AuditKeys(cfg *config.Config) (skey, vkey string, err error) {
	if cfg.AuditSigningKey != "" {
		vkey, err = audit.VerifierKey(cfg.AuditSigningKey)
		return cfg.AuditSigningKey, vkey, err
	}
	return audit.LoadOrCreateKey(cfg.DataDir, audit.DefaultOrigin)
}
