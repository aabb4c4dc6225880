package desk

import (
	"time"

	"github.com/abusedesk/abusedesk/models"
)

// CaseView is the analyst's view of a case (the contract fields of
// docs/DESIGN.md and more).
type CaseView struct {
	CaseID       string          `json:"case_id"`
	Category     models.Category `json:"category"`
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
}

// noticeView is a notice as the views show it, without its body.
func noticeView(n models.Notice) NoticeView {
	return NoticeView{NoticeID: n.ID, Step: n.Step, RecipientRole: n.RecipientRole, To: n.To,
		Subject: n.Subject, IncludesOriginIP: n.IncludesOriginIP, Status: n.Status, CreatedAt: n.CreatedAt, SentAt: n.SentAt,
		DeliveryState: models.DeliveryStateOf(n, nil)}
}

// caseView is a case's row with its notices.
func caseView(cs models.Case, ns []models.Notice) CaseView {
	out := CaseView{CaseID: cs.ID, Category: cs.Category, Service: cs.Service, Domain: cs.Domain, AccountID: cs.AccountID,
		Status: cs.Status, Outcome: cs.Outcome, NextDeadline: cs.NextDeadline, CreatedAt: cs.CreatedAt,
		ClosedAt: cs.ClosedAt, Untrusted: cs.Untrusted, LegalHold: cs.LegalHold, Source: cs.Source, Notices: []NoticeView{}}
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
