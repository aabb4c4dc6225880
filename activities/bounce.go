package activities

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/models"
)

// VERP is the envelope sender of notice id: local+id@domain of from
// (RFC 5321 return path), or "" when local is empty or from has no domain.
func VERP(local, id, from string) string {
	from = bare(strings.TrimSpace(from))
	if i := strings.LastIndex(from, "<"); i >= 0 {
		from = bare(from[i:])
	}
	at := strings.LastIndexByte(from, '@')
	if local == "" || id == "" || at < 0 || at == len(from)-1 {
		return ""
	}
	return local + "+" + id + "@" + from[at+1:]
}

// BounceInput is one failed delivery of a notice, from a delivery status
// notification (RFC 3464).
type BounceInput struct {
	NoticeID  string
	Recipient string // Final-Recipient
	Status    string // e.g. 5.1.1
	Reason    string // Diagnostic-Code, or the Status when none
	MatchedBy string // verp, header or message-id
	At        time.Time
}

// BounceRecord is the bounced notice as RecordBounce found it.
type BounceRecord struct {
	Found    bool
	NoticeID string
	CaseID   string
	Role     models.RecipientRole
	To       string
	Domain   string
	// Redirected: the notice was already sent elsewhere (a second DSN).
	Redirected bool
}

// BounceOutcome is what the case did about a bounce.
type BounceOutcome struct {
	// Action: redirected, needs_attention or reporter_unreachable.
	Action string
	// NewNoticeID is the notice sent to the other address (redirected).
	NewNoticeID string
	To          string
}

// Outcomes of HandleBouncedNotice.
const (
	BounceRedirected          = "redirected"
	BounceNeedsAttention      = "needs_attention"
	BounceReporterUnreachable = "reporter_unreachable"
)

// maxBounceReason bounds the stored reason (a Diagnostic-Code is the remote
// server's text).
const maxBounceReason = 500

// RecordBounce marks a notice bounced with the reason. An unknown notice is
// not an error: the result says Found false. A redirected notice stays
// redirected.
func (a *Activities) RecordBounce(ctx context.Context, in BounceInput) (BounceRecord, error) {
	db := a.DB.WithContext(ctx)
	var n models.Notice
	err := db.First(&n, "id = ?", in.NoticeID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return BounceRecord{}, nil
	}
	if err != nil {
		return BounceRecord{}, err
	}
	rec := BounceRecord{Found: true, NoticeID: n.ID, CaseID: n.CaseID, Role: n.RecipientRole, To: n.To, Domain: n.Domain}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		reason = in.Status
	}
	if len(reason) > maxBounceReason {
		reason = reason[:maxBounceReason]
	}
	at := in.At
	if at.IsZero() {
		at = a.now()
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		var d models.NoticeDelivery
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&d, "notice_id = ?", n.ID).Error; err == nil {
			rec.Redirected = d.State == models.NoticeRedirected
			return nil
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		d = models.NoticeDelivery{NoticeID: n.ID, CaseID: n.CaseID, State: models.NoticeBounced,
			BounceReason: reason, BouncedAt: &at, UpdatedAt: a.now()}
		if err := tx.Create(&d).Error; err != nil {
			return err
		}
		return a.journal(tx, "system", n.CaseID, "notice_bounced", "bounce:"+n.ID,
			map[string]any{"notice_id": n.ID, "role": n.RecipientRole, "status": in.Status, "matched_by": in.MatchedBy})
	})
	return rec, err
}

// HandleBouncedNotice acts on a bounced notice: a hosting provider's notice
// goes to the network's abuse contact found by RDAP (or a customer network
// record) when that differs from the bounced address, as a new notice, and
// the bounced one is marked redirected; otherwise the case is flagged for
// an analyst. A reporter's bounced mail marks the reporter unreachable.
// Idempotent: a retry finds the new notice by its step.
func (a *Activities) HandleBouncedNotice(ctx context.Context, rec BounceRecord) (BounceOutcome, error) {
	switch rec.Role {
	case models.RoleReporter, models.RoleComplainant:
		err := a.flagCase(ctx, rec, models.FlagReporterUnreachable, "the mail to the reporter bounced")
		return BounceOutcome{Action: BounceReporterUnreachable}, err
	case models.RoleHostingProvider:
		to, err := a.otherAbuseContact(ctx, rec)
		if err != nil {
			return BounceOutcome{}, err
		}
		if to != "" {
			id, err := a.redirectNotice(ctx, rec, to)
			return BounceOutcome{Action: BounceRedirected, NewNoticeID: id, To: to}, err
		}
		err = a.flagCase(ctx, rec, models.FlagNeedsAttention,
			"the hosting provider's notice bounced and no other abuse contact was found")
		return BounceOutcome{Action: BounceNeedsAttention}, err
	}
	err := a.flagCase(ctx, rec, models.FlagNeedsAttention, fmt.Sprintf("the %s notice bounced", rec.Role))
	return BounceOutcome{Action: BounceNeedsAttention}, err
}

// otherAbuseContact is the abuse address of the domain's origin network,
// by RDAP first and then the customer network records, that is not the
// bounced one ("" when none).
func (a *Activities) otherAbuseContact(ctx context.Context, rec BounceRecord) (string, error) {
	db := a.DB.WithContext(ctx)
	var d models.Domain
	if err := db.First(&d, "name = ?", rec.Domain).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return "", nil
		}
		return "", err
	}
	ips := splitList(d.OriginIPs)
	usable := func(addr string) bool {
		return addr != "" && !strings.EqualFold(strings.TrimSpace(addr), strings.TrimSpace(rec.To))
	}
	if a.RDAP != nil {
		for _, ip := range ips {
			if p, err := a.RDAP.Lookup(ctx, ip); err == nil && p.Found && usable(p.AbuseEmail) {
				return p.AbuseEmail, nil
			}
		}
	}
	var networks []models.Network
	if err := db.Find(&networks).Error; err != nil {
		return "", err
	}
	for _, ip := range ips {
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			continue
		}
		for _, n := range networks {
			if p, err := netip.ParsePrefix(n.CIDR); err == nil && p.Contains(addr) && usable(n.AbuseEmail) {
				return n.AbuseEmail, nil
			}
		}
	}
	return "", nil
}

// redirectNotice sends a copy of the bounced notice to addr as a new
// notice (step "<step>:redirect") and marks the bounced one redirected.
func (a *Activities) redirectNotice(ctx context.Context, rec BounceRecord, addr string) (string, error) {
	db := a.DB.WithContext(ctx)
	var old models.Notice
	if err := db.First(&old, "id = ?", rec.NoticeID).Error; err != nil {
		return "", err
	}
	step := old.Step + ":redirect"
	var n models.Notice
	err := db.Where("case_id = ? AND step = ?", old.CaseID, step).First(&n).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		var id string
		if id, err = randomID("n_"); err != nil {
			return "", err
		}
		n = old
		n.ID, n.Step, n.To, n.Status, n.SentAt, n.CreatedAt = id, step, addr, models.NoticeOutbox, nil, a.now()
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&n).Error; err != nil {
				return err
			}
			return a.journal(tx, "system", n.CaseID, "notice", "notice:"+n.ID,
				map[string]any{"notice_id": n.ID, "step": step, "role": n.RecipientRole, "redirects": old.ID})
		})
	}
	if err != nil {
		return "", err
	}
	if n.Status != models.NoticeSent && a.Mail != nil {
		if err := a.deliver(ctx, n); err != nil {
			return "", err
		}
	}
	return n.ID, db.Model(&models.NoticeDelivery{}).Where("notice_id = ?", old.ID).
		Updates(map[string]any{"state": models.NoticeRedirected, "redirected_to": n.ID, "updated_at": a.now()}).Error
}

// flagCase sets a flag on the case for the analyst (once per kind).
func (a *Activities) flagCase(ctx context.Context, rec BounceRecord, kind models.CaseFlagKind, reason string) error {
	f := models.CaseFlag{CaseID: rec.CaseID, Kind: kind, Reason: reason, NoticeID: rec.NoticeID, CreatedAt: a.now()}
	return a.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&f).Error
}
