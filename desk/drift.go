package desk

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/store"
)

// SenderTracker keeps the per-sender record of the email intake's
// outcomes (issue 14, format drift) in the database and raises a drift to
// the analysts (the senders page, GET /v1/admin/senders, the metrics) from
// the one mail that shows it. It implements mailintake.DriftRecorder.
type SenderTracker struct {
	DB  *gorm.DB
	Log *slog.Logger
}

var _ mailintake.DriftRecorder = (*SenderTracker)(nil)

// recoveredAfter is how many working mails in a row end a drift.
const recoveredAfter = 3

// RecordMail adds one mail's outcome to its sender's record. A failure is
// logged only: the mail was handled, and its bookkeeping must not make the
// sending server retry it.
func (t *SenderTracker) RecordMail(ctx context.Context, o mailintake.MailOutcome) {
	log := t.Log
	if log == nil {
		log = slog.Default()
	}
	if o.At.IsZero() {
		o.At = time.Now().UTC()
	}
	var reason string
	row, created, err := store.UpdateIntakeSender(ctx, t.DB, o.Sender, o.Format, o.At,
		func(r *store.IntakeSender, all []store.IntakeSender) {
			reason = mailintake.DriftReason(o, senderStates(all))
			applyOutcome(r, o, reason)
		})
	if err != nil {
		log.Error("email intake could not record the sender's outcome", "sender", o.Sender, "format", o.Format, "error", err)
		return
	}
	labels.observe(o.Sender, o.Format, o.Outcome, reason != "", row.Drifting)
	if reason != "" {
		log.Warn("email intake sender format drift", "sender", o.Sender, "format", o.Format,
			"outcome", o.Outcome, "fingerprint", o.Fingerprint, "reason", reason)
	}
	if created {
		if _, err := store.PruneIntakeSenders(ctx, t.DB, store.MaxIntakeSenders); err != nil {
			log.Error("email intake could not prune sender records", "error", err)
		}
	}
}

// RestoreGauges sets the drifting gauges from the stored records, so that
// a restarted process reports the drifts raised before it started. The
// composition root calls it once, after migrating.
func (t *SenderTracker) RestoreGauges(ctx context.Context) error {
	rows, err := store.IntakeSenders(ctx, t.DB, store.MaxIntakeSenders)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if !r.Drifting {
			break // drifting ones come first
		}
		labels.setDrifting(r.Sender, r.Format, labels.sender(r.Sender), formatLabel(r.Format), true)
	}
	return nil
}

// senderStates is what the drift rule reads of a sender's records.
func senderStates(all []store.IntakeSender) []mailintake.SenderState {
	out := make([]mailintake.SenderState, 0, len(all))
	for _, r := range all {
		out = append(out, mailintake.SenderState{Format: r.Format, Recent: r.Recent, Fingerprints: splitList(r.Fingerprints)})
	}
	return out
}

// applyOutcome counts o in r and marks or clears the drift.
func applyOutcome(r *store.IntakeSender, o mailintake.MailOutcome, reason string) {
	at := o.At
	r.Mails++
	switch o.Outcome {
	case mailintake.OutcomeCase:
		r.Cases++
	case mailintake.OutcomeIPReport:
		r.IPReports++
	case mailintake.OutcomeEmpty:
		r.Empty++
	default:
		r.Refusals++
	}
	r.URLs += int64(o.URLs)
	r.IPRows += int64(o.IPRows)
	r.Recent = lastBytes(r.Recent+string(o.Letter()), mailintake.RecentMails)
	r.Layout, r.LastAt = o.Layout, at
	if o.Problem != "" {
		r.LastProblem, r.LastProblemAt = o.Problem, &at
	}
	if o.Good() {
		r.Fingerprints = addKnown(r.Fingerprints, o.Fingerprint)
	}
	switch {
	case reason != "":
		r.Drifting, r.DriftReason, r.DriftAt = true, reason, &at
	case r.Drifting && recovered(r.Recent):
		r.Drifting = false
	}
}

// recovered: the last recoveredAfter mails all worked.
func recovered(recent string) bool {
	if len(recent) < recoveredAfter {
		return false
	}
	tail := recent[len(recent)-recoveredAfter:]
	return strings.Trim(tail, "ci") == ""
}

func lastBytes(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// addKnown appends fp to the known fingerprints, keeping the newest
// mailintake.MaxFingerprints.
func addKnown(list, fp string) string {
	known := splitList(list)
	for _, k := range known {
		if k == fp {
			return list
		}
	}
	known = append(known, fp)
	if len(known) > mailintake.MaxFingerprints {
		known = known[len(known)-mailintake.MaxFingerprints:]
	}
	return strings.Join(known, ",")
}

// SenderView is one sender's record in one format, as the analysts see it.
type SenderView struct {
	Sender        string     `json:"sender"`
	Format        string     `json:"format"`
	Mails         int64      `json:"mails"`
	Cases         int64      `json:"cases"`
	IPReports     int64      `json:"ip_reports"`
	Refusals      int64      `json:"refusals"`
	Empty         int64      `json:"empty"`
	URLsPerMail   float64    `json:"urls_per_mail"`
	IPRows        int64      `json:"ip_rows"`
	Recent        string     `json:"recent"`
	Fingerprints  []string   `json:"fingerprints"`
	Layout        string     `json:"layout"`
	LastProblem   string     `json:"last_problem,omitempty"`
	LastProblemAt *time.Time `json:"last_problem_at,omitempty"`
	Drifting      bool       `json:"drifting"`
	DriftReason   string     `json:"drift_reason,omitempty"`
	DriftAt       *time.Time `json:"drift_at,omitempty"`
	FirstAt       time.Time  `json:"first_at"`
	LastAt        time.Time  `json:"last_at"`
}

// MaxSendersPage bounds one read of the senders' records.
const MaxSendersPage = 1000

// Senders lists up to limit (1 to MaxSendersPage) senders' records,
// drifting ones first.
func (d *Desk) Senders(ctx context.Context, limit int) ([]SenderView, error) {
	if limit < 1 || limit > MaxSendersPage {
		return nil, BadRequest("limit", "must be a number from 1 to %d", MaxSendersPage)
	}
	rows, err := store.IntakeSenders(ctx, d.DB, limit)
	if err != nil {
		return nil, err
	}
	out := make([]SenderView, 0, len(rows))
	for _, r := range rows {
		v := SenderView{Sender: r.Sender, Format: r.Format, Mails: r.Mails, Cases: r.Cases, IPReports: r.IPReports,
			Refusals: r.Refusals, Empty: r.Empty, IPRows: r.IPRows, Recent: r.Recent, Fingerprints: splitList(r.Fingerprints),
			Layout: r.Layout, LastProblem: r.LastProblem, LastProblemAt: r.LastProblemAt, Drifting: r.Drifting,
			DriftReason: r.DriftReason, DriftAt: r.DriftAt, FirstAt: r.FirstAt, LastAt: r.LastAt}
		if r.Mails > 0 {
			v.URLsPerMail = float64(r.URLs) / float64(r.Mails)
		}
		out = append(out, v)
	}
	return out, nil
}
