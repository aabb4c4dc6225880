package activities

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/internal/urlnorm"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// CopiesInput asks for the known identical copies of a case's reported
// hosted objects (the TAKE IT DOWN Act's "known identical copies").
type CopiesInput struct {
	CaseID    string
	ObjectIDs []string
}

// HostedCopy is one hosted object with the same content hash as a
// reported one, of any account. EntityID is the url_pattern entity that
// covers it (its whole URL prefix).
type HostedCopy struct {
	ObjectID    string
	Domain      string
	AccountID   string
	URLPrefix   string
	EntityID    string
	ContentHash string
}

// CopiesResult lists the copies, by object ID, at most
// store.MaxIdenticalCopies.
type CopiesResult struct {
	Copies []HostedCopy
}

// FindIdenticalCopies finds the hosted objects whose content hash is that
// of a reported object (store.IdenticalCopies). Read only.
func (a *Activities) FindIdenticalCopies(ctx context.Context, in CopiesInput) (CopiesResult, error) {
	objs, err := store.IdenticalCopies(ctx, a.DB, in.CaseID, in.ObjectIDs, store.MaxIdenticalCopies)
	if err != nil {
		return CopiesResult{}, err
	}
	var out CopiesResult
	for _, o := range objs {
		out.Copies = append(out.Copies, HostedCopy{ObjectID: o.ObjectID, Domain: o.Domain, AccountID: o.AccountID,
			URLPrefix: o.URLPrefix, EntityID: urlnorm.Prefix(o.URLPrefix) + models.PrefixMark, ContentHash: o.ContentHash})
	}
	return out, nil
}

// EscalationInput escalates a case to the analysts' escalation address.
type EscalationInput struct {
	CaseID string
	Step   string
	// Reason is the audit entry's text ("escalated: ...").
	Reason   string
	Deadline time.Time
}

// EscalateCase journals an escalation (audit kind "escalation", once per
// case and step) and mails it to EscalationEmail when one is configured.
// The mail's Message-ID is derived from the case and step, so a retried
// delivery is recognisably the same message.
func (a *Activities) EscalateCase(ctx context.Context, in EscalationInput) error {
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return a.journal(tx, "system", in.CaseID, "escalation", "escalation:"+in.CaseID+":"+in.Step,
			map[string]any{"step": in.Step, "reason": in.Reason, "deadline": in.Deadline, "mailed_to": a.EscalationEmail})
	})
	if err != nil || a.EscalationEmail == "" || a.Mail == nil {
		return err
	}
	text := fmt.Sprintf("Case %s: %s.\n\nThe removal deadline is %s.\n%s\n", in.CaseID, in.Reason,
		in.Deadline.UTC().Format(time.RFC1123), a.caseLink(in.CaseID))
	return a.Mail.Send(ctx, Message{ID: "esc_" + in.CaseID + "_" + in.Step, CaseID: in.CaseID, To: a.EscalationEmail,
		Subject: "Escalation: case " + in.CaseID + " (ncsei, 48-hour removal deadline)", Text: text,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}})
}

// caseLink is the console page of a case ("" without a public URL).
func (a *Activities) caseLink(caseID string) string {
	if a.PublicURL == "" {
		return ""
	}
	return a.PublicURL + "/console/cases/" + caseID
}
