package desk

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// CaseView is the analyst's view of a case (the contract fields of
// docs/DESIGN.md and more).
type CaseView struct {
	CaseID       string          `json:"case_id"`
	Category     models.Category `json:"category"`
	CategoryBy   string          `json:"category_by,omitempty"` // how the category was chosen
	Service      models.Service  `json:"service"`
	Domain       string          `json:"domain"`
	AccountID    string          `json:"account_id,omitempty"`
	Status       models.Status   `json:"status"`
	Outcome      models.Outcome  `json:"outcome"`
	NextDeadline *time.Time      `json:"next_deadline,omitempty"`
	CreatedAt    time.Time       `json:"created_at"`
	ClosedAt     *time.Time      `json:"closed_at,omitempty"`
	Untrusted    bool            `json:"untrusted,omitempty"`
	LegalHold    bool            `json:"legal_hold"`
	Source       string          `json:"source"`
	Notices      []NoticeView    `json:"notices"`
	Assignee     string          `json:"assignee,omitempty"` // the analyst who claimed it (console.go)
	AssignedAt   *time.Time      `json:"assigned_at,omitempty"`
	// The reporter's choice per recipient (README "The reporter's
	// choices"): the operator, the hosting provider, the clearinghouse.
	OwnerNotification models.Notification `json:"owner_notification,omitempty"`
	HostNotification  models.Notification `json:"host_notification,omitempty"`
	NcmecNotification models.Notification `json:"ncmec_notification,omitempty"`
	// Detail fields (LoadCase only).
	Description string            `json:"description,omitempty"`
	Reporter    *models.Reporter  `json:"reporter,omitempty"`
	URLs        []string          `json:"urls,omitempty"`
	URLCount    int64             `json:"url_count,omitempty"`
	Decisions   []models.Decision `json:"decisions,omitempty"`
	Blocks      []models.Block    `json:"blocks,omitempty"`
	Awaiting    string            `json:"awaiting,omitempty"`
	DeadlineFor string            `json:"deadline_kind,omitempty"`
	RestoreAt   *time.Time        `json:"restore_at,omitempty"`
	Customer    *CustomerView     `json:"customer,omitempty"`
	// MailReplies are the replies to the case's notices that arrived by
	// mail (mailreplies.go).
	MailReplies []MailReplyView `json:"mail_replies,omitempty"`
	// NeedsAttention is why an analyst must look (a notice bounced with
	// nowhere else to go); ReporterUnreachable: the reporter's mail
	// bounced (delivery.go).
	NeedsAttention      string `json:"needs_attention,omitempty"`
	ReporterUnreachable bool   `json:"reporter_unreachable,omitempty"`
	// Clearinghouse is a CSAM case's clearinghouse report (clearinghouse.go).
	Clearinghouse *ClearinghouseView `json:"clearinghouse,omitempty"`
	// Emergency: the reporter said someone's life or safety is in
	// immediate danger (the case sorts right after CSAM).
	Emergency bool `json:"emergency"`
	// Referrals are the case's referrals to authorities under DSA Art. 18
	// (referrals.go; LoadCase only).
	Referrals []ReferralView `json:"referrals,omitempty"`
}

// CustomerView is the customer record behind a case.
type CustomerView struct {
	Account models.Account        `json:"account"`
	Domain  models.Domain         `json:"domain"`
	Hosted  []models.HostedObject `json:"hosted"`
}

// NoticeView is one notice of a case.
type NoticeView struct {
	NoticeID         string               `json:"notice_id"`
	Step             string               `json:"step"`
	RecipientRole    models.RecipientRole `json:"recipient_role"`
	To               string               `json:"to"`
	Subject          string               `json:"subject"`
	IncludesOriginIP bool                 `json:"includes_origin_ip"`
	Status           models.NoticeStatus  `json:"status"`
	CreatedAt        time.Time            `json:"created_at"`
	SentAt           *time.Time           `json:"sent_at,omitempty"`
	Body             string               `json:"body,omitempty"`
	// DeliveryState: queued, sent, bounced, redirected (or suppressed).
	DeliveryState models.NoticeDeliveryState `json:"delivery_state"`
	BounceReason  string                     `json:"bounce_reason,omitempty"`
	RedirectedTo  string                     `json:"redirected_to,omitempty"`
	// OperatorAnswer is what the notice's recipient answered, in their own
	// words (LoadCase only): the analyst upholds or reverses a dispute
	// knowing what it says.
	OperatorAnswer *OperatorAnswerView `json:"operator_answer,omitempty"`
}

// Channels of an operator's answer (OperatorAnswerView.Via).
const (
	// ViaNoticeLink: through the notice's response link (the response
	// page or its JSON endpoint).
	ViaNoticeLink = "notice_link"
	// ViaEmail: a reply by mail that an analyst recorded as the answer.
	ViaEmail = "email"
)

// MaxAnswerStatement bounds the statement a case view carries (bytes);
// the response page takes at most 20000, a mail may be longer.
const MaxAnswerStatement = 20000

// OperatorAnswerView is the answer to a notice as the analyst and the
// auditor read it. Statement is the answerer's text, untrusted: shown as
// text only, never as markup.
type OperatorAnswerView struct {
	Kind       string    `json:"kind"` // removed, dispute, counter_notice, corrected
	Statement  string    `json:"statement"`
	Truncated  bool      `json:"statement_truncated,omitempty"`
	AnsweredAt time.Time `json:"answered_at"`
	Via        string    `json:"via"`
	// RecordedBy is the analyst who recorded a reply by mail as the answer.
	RecordedBy string `json:"recorded_by,omitempty"`
	// CounterNotice holds the 512(g)(3) elements of a counter-notice.
	CounterNotice *CounterNoticeView `json:"counter_notice,omitempty"`
}

// CounterNoticeView is what a DMCA counter-notice states besides its
// statement (the operator's address and phone go to the complainant with
// the counter-notice and are not repeated here).
type CounterNoticeView struct {
	MaterialIdentified    string `json:"material_identified"`
	UnderPenaltyOfPerjury bool   `json:"under_penalty_of_perjury"`
	ConsentToJurisdiction bool   `json:"consent_to_jurisdiction"`
	Name                  string `json:"name"`
	Signature             string `json:"signature"`
}

// operatorAnswerView is r as the views show it; mail is the reply by mail
// an analyst recorded as this answer, if any (its text is the operator's,
// r.Statement then only says who recorded it).
func operatorAnswerView(r models.OperatorReply, mail *MailReplyView) *OperatorAnswerView {
	v := &OperatorAnswerView{Kind: r.Response, Statement: r.Statement, AnsweredAt: r.CreatedAt, Via: ViaNoticeLink}
	if mail != nil {
		v.Statement, v.AnsweredAt, v.Via, v.RecordedBy = mail.Text, mail.ReceivedAt, ViaEmail, mail.AcceptedBy
	}
	v.Statement, v.Truncated = truncateUTF8(v.Statement, MaxAnswerStatement)
	if r.Response == string(models.ResponseCounterNotice) {
		v.CounterNotice = &CounterNoticeView{MaterialIdentified: r.MaterialIdentified, UnderPenaltyOfPerjury: r.UnderPenalty,
			ConsentToJurisdiction: r.ConsentJurisdiction, Name: r.Name, Signature: r.Signature}
	}
	return v
}

// loadOperatorAnswers puts each notice's answer on it (after the replies
// by mail are loaded: an answer an analyst recorded from a mail shows the
// mail's text).
func (d *Desk) loadOperatorAnswers(ctx context.Context, out *CaseView) error {
	rs, err := store.OperatorReplies(ctx, d.DB, out.CaseID)
	if err != nil {
		return err
	}
	byNotice := make(map[string]models.OperatorReply, len(rs))
	for _, r := range rs {
		byNotice[r.NoticeID] = r
	}
	for i := range out.Notices {
		r, ok := byNotice[out.Notices[i].NoticeID]
		if !ok {
			continue
		}
		var mail *MailReplyView
		for j := range out.MailReplies {
			if m := &out.MailReplies[j]; m.NoticeID == r.NoticeID && m.AcceptedBy != "" {
				mail = m
			}
		}
		out.Notices[i].OperatorAnswer = operatorAnswerView(r, mail)
	}
	return nil
}

// maxTimelineStatement bounds the statement quoted in a timeline entry
// (bytes); the case view has it whole.
const maxTimelineStatement = 500

// withAnswerStatements quotes, in each "Operator answered" entry of a
// case's timeline, the operator's statement (the signal carries only the
// kind; the text is in the database), so that the auditor, who reads the
// timeline and not the case page, reads what the analyst read.
func (d *Desk) withAnswerStatements(ctx context.Context, caseID string, es []TimelineEntry) ([]TimelineEntry, error) {
	rs, err := store.OperatorReplies(ctx, d.DB, caseID)
	if err != nil || len(rs) == 0 {
		return es, err
	}
	mails, err := d.MailReplies(ctx, caseID)
	if err != nil {
		return es, err
	}
	quote := make(map[string]string, len(rs))
	for _, r := range rs {
		var mail *MailReplyView
		for j := range mails {
			if mails[j].NoticeID == r.NoticeID && mails[j].AcceptedBy != "" {
				mail = &mails[j]
			}
		}
		v := operatorAnswerView(r, mail)
		if v.Statement == "" {
			continue
		}
		q, cut := truncateUTF8(v.Statement, maxTimelineStatement)
		if cut || v.Truncated {
			q += " …"
		}
		quote["notice "+r.NoticeID] = " · " + v.Via + ": “" + q + "”"
	}
	for i, e := range es {
		if strings.HasPrefix(e.What, "Operator answered: ") {
			es[i].Extra += quote[e.Extra]
		}
	}
	return es, nil
}

// truncateUTF8 cuts s to at most n bytes on a rune boundary.
func truncateUTF8(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

// noticeView is a notice as the views show it, without its body.
func noticeView(n models.Notice) NoticeView {
	return NoticeView{NoticeID: n.ID, Step: n.Step, RecipientRole: n.RecipientRole, To: n.To,
		Subject: n.Subject, IncludesOriginIP: n.IncludesOriginIP, Status: n.Status, CreatedAt: n.CreatedAt, SentAt: n.SentAt,
		DeliveryState: models.DeliveryStateOf(n, nil)}
}

// caseView is a case's row with its notices.
func caseView(cs models.Case, ns []models.Notice) CaseView {
	out := CaseView{CaseID: cs.ID, Category: cs.Category, CategoryBy: cs.CategoryBy, Service: cs.Service, Domain: cs.Domain, AccountID: cs.AccountID,
		Status: cs.Status, Outcome: cs.Outcome, NextDeadline: cs.NextDeadline, CreatedAt: cs.CreatedAt,
		ClosedAt: cs.ClosedAt, Untrusted: cs.Untrusted, LegalHold: cs.LegalHold, Source: cs.Source, Notices: []NoticeView{},
		Emergency: cs.Emergency}
	out.OwnerNotification, out.HostNotification, out.NcmecNotification = cs.OwnerNotification, cs.HostNotification, cs.NcmecNotification
	if out.Service == "" {
		out.Service = models.ServiceNone
	}
	for _, n := range ns {
		out.Notices = append(out.Notices, noticeView(n))
	}
	return out
}

// MailReplyView is one reply by mail on a case.
type MailReplyView struct {
	ID              uint       `json:"id"`
	NoticeID        string     `json:"notice_id"`
	From            string     `json:"from"`
	Authenticated   bool       `json:"authenticated"`
	ReceivedAt      time.Time  `json:"received_at"`
	Subject         string     `json:"subject"`
	Text            string     `json:"text"`
	SuggestedAnswer string     `json:"suggested_answer"`
	AcceptedBy      string     `json:"accepted_by,omitempty"`
	AcceptedAt      *time.Time `json:"accepted_at,omitempty"`
}

// ReviewView is one termination review as the analyst lists it.
type ReviewView struct {
	ID            string    `json:"id"`
	AccountID     string    `json:"account_id"`
	Kind          string    `json:"kind"`
	Status        string    `json:"status"`
	TriggerCaseID string    `json:"trigger_case_id"`
	Verdict       string    `json:"verdict,omitempty"`
	Reason        string    `json:"reason,omitempty"`
	Analyst       string    `json:"analyst,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func reviewView(r models.Review) ReviewView {
	return ReviewView{ID: r.ID, AccountID: r.AccountID, Kind: r.Kind, Status: r.Status, TriggerCaseID: r.TriggerCaseID,
		Verdict: r.Verdict, Reason: r.Reason, Analyst: r.Analyst, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// OutboxNotice is a stored notice with its deliverable body (live link).
type OutboxNotice struct {
	NoticeView
	CaseID string `json:"case_id"`
}
