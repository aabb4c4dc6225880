package app

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/statements"
)

// Statements of reasons (DSA Art. 17): every restriction an activity
// journals (disabled or removed hosted content, a suspended domain, a
// terminated service) gets its statement of reasons in the same
// transaction (statementJournal, the activities' journal), and processes
// that serve HTTP submit them to the DSA Transparency Database when
// dsa_submit_url is set. Auditors read them through the desk.

// statementJournal stores the statement of reasons of each restriction,
// then journals the change in the audit log (last, as audit.Append asks,
// to hold the log's head lock briefly).
type statementJournal struct{ next activities.Journal }

// Record implements activities.Journal.
func (j statementJournal) Record(tx *gorm.DB, actor, caseID, kind, dedupKey string, details any) error {
	if err := statements.Record(tx, time.Now().UTC(), caseID, kind, dedupKey, details); err != nil {
		return err
	}
	if j.next == nil {
		return nil
	}
	return j.next.Record(tx, actor, caseID, kind, dedupKey, details)
}

// RecordAll implements activities.BatchJournal: every entry's statement of
// reasons first, then the entries to the next journal, at once when it can.
func (j statementJournal) RecordAll(tx *gorm.DB, es []activities.JournalEntry) error {
	now := time.Now().UTC()
	for _, e := range es {
		if err := statements.Record(tx, now, e.CaseID, e.Kind, e.DedupKey, e.Details); err != nil {
			return err
		}
	}
	if j.next == nil {
		return nil
	}
	if bj, ok := j.next.(activities.BatchJournal); ok {
		return bj.RecordAll(tx, es)
	}
	for _, e := range es {
		if err := j.next.Record(tx, e.Actor, e.CaseID, e.Kind, e.DedupKey, e.Details); err != nil {
			return err
		}
	}
	return nil
}

// startStatementSubmitter submits statements to the DSA Transparency
// Database every dsa_submit_interval (on PostgreSQL an advisory lock keeps
// two processes from submitting at once).
func (a *App) startStatementSubmitter(cfg config.Audit) {
	sub := &statements.Submitter{DB: a.DB, URL: cfg.DSASubmitURL, Token: cfg.DSASubmitToken,
		Log: a.Log.With("component", "dsa-submitter")}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	a.AddStop(func() { cancel(); <-done })
	go func() {
		defer close(done)
		sub.Run(ctx, cfg.DSASubmitInterval)
	}()
}
