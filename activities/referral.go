package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// Referrals to authorities (DSA Art. 18; docs/DESIGN.md "Threats to life
// or safety"): the Referral workflow records the referral
// (RecordReferral), sends the authority of the member state one notice
// with what the desk knows of the case (SendReferralNotice) and records
// when it went (RecordReferralSent). Each step is idempotent per case and
// member state.

// NoticeAuthorityReferral is the notice to an authority of a referral
// (templates/referral.txt.tmpl; recipient role authority).
const NoticeAuthorityReferral NoticeKind = "authority_referral"

// Audit kinds of a referral: made (by the analyst) and sent.
const (
	JournalReferral     = "referral"
	JournalReferralSent = "referral_sent"
)

// maxEvidenceInReferral bounds the evidence listed in one referral.
const maxEvidenceInReferral = 50

// ReferralStep is the notice step of a case's referral to a member state.
func ReferralStep(memberState string) string { return "referral:" + memberState }

// ReferralInput is one referral as the analyst asked for it; Authority is
// the configured contact of the member state (never anything else).
type ReferralInput struct {
	CaseID      string
	MemberState string
	Authority   string
	Suspicion   string
	Urgent      bool
	By          string
	RequestedAt time.Time
}

// ReferralRef names a case's referral to a member state; NoticeID is the
// notice sent (RecordReferralSent).
type ReferralRef struct {
	CaseID      string
	MemberState string
	NoticeID    string
}

// ReferralSent is when the referral's notice went out; zero while it
// waits in the outbox (no SMTP relay configured).
type ReferralSent struct{ SentAt time.Time }

// RecordReferral stores the referral with its audit entry, once.
func (a *Activities) RecordReferral(ctx context.Context, in ReferralInput) error {
	if in.CaseID == "" || in.MemberState == "" || in.Authority == "" {
		return temporal.NewNonRetryableApplicationError("referral without case, member state or authority", ErrTypeInvalidNotice, nil)
	}
	r := models.Referral{CaseID: in.CaseID, MemberState: in.MemberState, Authority: in.Authority, Suspicion: clipText(in.Suspicion, 5000),
		Urgent: in.Urgent, By: in.By, RequestedAt: in.RequestedAt.UTC(), CreatedAt: a.now()}
	actor := in.By
	if actor == "" {
		actor = "system"
	}
	_, err := store.RecordReferral(ctx, a.DB, r, func(tx *gorm.DB) error {
		return a.journal(tx, actor, in.CaseID, JournalReferral, JournalReferral+":"+in.CaseID+":"+in.MemberState, map[string]any{
			// The statement may name people: the append-only log keeps its
			// digest; the text is in the referral row and the notice, which
			// the personal-data purge erases.
			"member_state": in.MemberState, "authority": in.Authority, "suspicion_sha256": referralDigest(r.Suspicion), "urgent": in.Urgent,
			"requested_at": r.RequestedAt, "legal_basis": "Regulation (EU) 2022/2065 Art. 18",
		})
	})
	return err
}

// SendReferralNotice renders, stores and delivers the referral's notice to
// the authority recorded with it, once per case and member state.
func (a *Activities) SendReferralNotice(ctx context.Context, in ReferralRef) (NoticeResult, error) {
	step := ReferralStep(in.MemberState)
	var have []models.Notice
	if err := a.DB.WithContext(ctx).Where("case_id = ? AND step = ?", in.CaseID, step).Limit(1).Find(&have).Error; err != nil {
		return NoticeResult{}, err
	}
	var n models.Notice
	if len(have) > 0 {
		n = have[0]
	} else {
		var err error
		if n, err = a.createReferralNotice(ctx, in); err != nil {
			return NoticeResult{}, err
		}
	}
	if n.Status == models.NoticeSent || a.Mail == nil {
		return NoticeResult{NoticeID: n.ID}, nil
	}
	if err := a.deliver(ctx, n); err != nil {
		return NoticeResult{}, err
	}
	return NoticeResult{NoticeID: n.ID}, nil
}

// RecordReferralSent records the time the referral's notice was delivered
// (the notice's own), with its audit entry, once.
func (a *Activities) RecordReferralSent(ctx context.Context, in ReferralRef) (ReferralSent, error) {
	var n models.Notice
	if err := a.DB.WithContext(ctx).Where("id = ?", in.NoticeID).Take(&n).Error; err != nil {
		return ReferralSent{}, err
	}
	if n.SentAt == nil {
		return ReferralSent{}, nil
	}
	at, err := store.MarkReferralSent(ctx, a.DB, in.CaseID, in.MemberState, n.ID, n.SentAt.UTC(), func(tx *gorm.DB) error {
		return a.journal(tx, "system", in.CaseID, JournalReferralSent, JournalReferralSent+":"+in.CaseID+":"+in.MemberState,
			map[string]any{"member_state": in.MemberState, "authority": n.To, "notice_id": n.ID, "sent_at": n.SentAt.UTC()})
	})
	return ReferralSent{SentAt: at}, err
}

func (a *Activities) createReferralNotice(ctx context.Context, in ReferralRef) (models.Notice, error) {
	db := a.DB.WithContext(ctx)
	ref, err := store.Referral(ctx, a.DB, in.CaseID, in.MemberState)
	if err != nil {
		return models.Notice{}, fmt.Errorf("referral %s %s: %w", in.CaseID, in.MemberState, err)
	}
	var c models.Case
	if err := db.Where("id = ?", in.CaseID).Take(&c).Error; err != nil {
		return models.Notice{}, err
	}
	data := noticeData{CaseID: c.ID, Category: string(c.Category), Domain: c.Domain, AccountID: c.AccountID,
		Description: c.Description, ReporterName: c.ReporterName, ReporterEmail: c.ReporterEmail,
		ReporterOrg: c.ReporterOrg, ReporterTitle: c.ReporterTitle}
	if err := a.loadURLs(db, &data, NoticeInput{CaseID: c.ID}); err != nil {
		return models.Notice{}, err
	}
	if data.facts, err = a.referralFacts(ctx, c, ref); err != nil {
		return models.Notice{}, err
	}
	subject, body, html, err := renderNotice(string(NoticeAuthorityReferral), data)
	if err != nil {
		return models.Notice{}, err
	}
	id, err := randomID("n_")
	if err != nil {
		return models.Notice{}, err
	}
	n := models.Notice{ID: id, CaseID: c.ID, Step: ReferralStep(in.MemberState), RecipientRole: models.RoleAuthority, To: ref.Authority,
		Subject: strings.TrimSpace(subject), BodyText: strings.TrimSpace(body) + "\n", BodyHTML: html, Domain: c.Domain,
		IncludesOriginIP: data.facts["origin_ips"] != "", Status: models.NoticeOutbox, CreatedAt: a.now()}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&n).Error; err != nil {
			return err
		}
		return a.journal(tx, "system", c.ID, "notice", "notice:"+n.ID,
			map[string]any{"notice_id": n.ID, "step": n.Step, "role": n.RecipientRole, "member_state": in.MemberState})
	})
	return n, err
}

// referralFacts are what the authority is told besides the report: the
// referral, the customer account and origin involved, the evidence kept
// (by hash) and the times.
func (a *Activities) referralFacts(ctx context.Context, c models.Case, ref models.Referral) (map[string]string, error) {
	utc := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }
	f := map[string]string{"member_state": ref.MemberState, "suspicion": ref.Suspicion, "by": ref.By,
		"requested_at": utc(ref.RequestedAt), "received_at": utc(c.CreatedAt), "status": string(c.Status),
		"service": string(c.Service), "source": c.Source}
	if ref.Urgent {
		f["urgent"] = "yes"
	}
	if c.Emergency {
		f["emergency"] = "yes"
	}
	if c.ClosedAt != nil {
		f["closed_at"] = utc(*c.ClosedAt)
	}
	if err := a.referralCustomer(ctx, c, f); err != nil {
		return nil, err
	}
	ev, err := store.EvidenceDigests(ctx, a.DB, c.ID, maxEvidenceInReferral)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for _, e := range ev {
		fmt.Fprintf(&b, "  %s report (%s, %d bytes) kept %s, SHA-256 %s\n", e.Source, e.Format, e.Size, utc(e.CreatedAt), e.SHA256)
	}
	f["evidence"] = b.String()
	return f, nil
}

// referralCustomer adds the customer account, domain, services, origin
// IPs and hosted objects of the case (none when the case is not a
// customer's).
func (a *Activities) referralCustomer(ctx context.Context, c models.Case, f map[string]string) error {
	if c.Domain == "" {
		return nil
	}
	db := a.DB.WithContext(ctx)
	var d models.Domain
	if err := db.Where("name = ?", c.Domain).Take(&d).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	f["services"], f["origin_ips"] = d.Services, d.OriginIPs
	var ac models.Account
	if err := db.Where("id = ?", d.AccountID).Limit(1).Find(&ac).Error; err != nil {
		return err
	}
	if ac.ID != "" {
		f["account"] = fmt.Sprintf("%s (%s), operator %s", ac.Name, ac.ID, ac.OperatorEmail)
	}
	var objs []models.HostedObject
	if err := db.Where("domain = ?", d.Name).Order("object_id").Limit(50).Find(&objs).Error; err != nil {
		return err
	}
	var b strings.Builder
	for _, o := range objs {
		fmt.Fprintf(&b, "  %s %s at %s\n", o.Product, o.ObjectID, o.URLPrefix)
	}
	f["hosted"] = b.String()
	return nil
}

// referralDigest is the hex SHA-256 of s.
func referralDigest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
