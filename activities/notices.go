package activities

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/links"
	"github.com/abusedesk/abusedesk/models"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

var noticeTemplates = template.Must(template.New("notices").Funcs(template.FuncMap{
	"sub": func(a, b int) int { return a - b },
}).ParseFS(templateFS, "templates/*.txt.tmpl"))

// maxURLsInNotice bounds the URL list printed in one notice.
const maxURLsInNotice = 200

// ErrTypeInvalidNotice marks a notice that can never be rendered.
const ErrTypeInvalidNotice = "InvalidNotice"

// noticeData is what the templates see.
type noticeData struct {
	CaseID, Category, Domain, AccountID, Description string
	ReporterName, ReporterEmail, ReporterOrg         string
	ReporterTitle                                    string
	OriginIP, ResponseLink, StatusLink               string
	URLs                                             []string
	URLCount                                         int
	Copyright                                        *models.CopyrightClaim
	// Complaint is set instead of Copyright for a copyright complaint that
	// lacks some 512(c)(3) elements (copyright.go).
	Complaint     *copyrightComplaint
	CounterNotice *models.OperatorReply
	// Hosts says, in the reporter's reply about a forwarded case, where
	// each website's hosting provider was found (hostsource.go).
	Hosts []HostSource
	// Covered says exactly what the restriction of an operator's notice
	// covers, one line per URL or path prefix (edge_notice.go).
	Covered []string
	// Anonymous: the reporter asked this recipient not to learn who they
	// are (send-anon, or none where a notice goes anyway); the reporter
	// fields are empty and the description has their identity withheld
	// (models.Case.ReporterSeenBy).
	Anonymous bool
	facts     map[string]string
}

// Fact returns one template fact ("" when absent).
func (d noticeData) Fact(k string) string { return d.facts[k] }

// SendNotice renders, stores and delivers one notice for a case step. The
// row is keyed by (case, step): a retry finds it and only finishes the
// delivery, so a step never sends twice.
func (a *Activities) SendNotice(ctx context.Context, in NoticeInput) (NoticeResult, error) {
	db := a.DB.WithContext(ctx)
	var n models.Notice
	err := db.Where("case_id = ? AND step = ?", in.CaseID, in.Step).First(&n).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		n, err = a.createNotice(ctx, in)
		if n.ID == "" && err == nil {
			return NoticeResult{Skipped: true}, nil
		}
	}
	if err != nil {
		return NoticeResult{}, err
	}
	return a.finishNotice(ctx, n)
}

// finishNotice delivers a stored notice unless it went out already, no
// relay is configured or the reporter's mail cap holds it back.
func (a *Activities) finishNotice(ctx context.Context, n models.Notice) (NoticeResult, error) {
	if n.Status == models.NoticeSent || a.Mail == nil {
		return NoticeResult{NoticeID: n.ID}, nil
	}
	send, err := a.admitMail(ctx, n)
	if err != nil {
		return NoticeResult{}, err
	}
	if send {
		if err := a.deliver(ctx, n); err != nil {
			return NoticeResult{}, err
		}
	}
	return NoticeResult{NoticeID: n.ID}, nil
}

// deliver sends a stored notice with its live links and marks it sent.
func (a *Activities) deliver(ctx context.Context, n models.Notice) error {
	l := links.Links{PublicURL: a.PublicURL, Secret: a.TokenSecret}
	msg := Message{ID: n.ID, CaseID: n.CaseID, To: n.To, Subject: n.Subject, Text: l.Body(n), HTML: l.HTML(n)}
	if err := a.Mail.Send(ctx, msg); err != nil {
		return fmt.Errorf("deliver notice %s: %w", n.ID, err)
	}
	return a.markSent(ctx, n.ID)
}

// markSent records a delivered notice. The message is already out, so a
// failure here would make the retried activity deliver it again: keep
// trying (the database may be restarting or out of connections) for most
// of the activity's time before giving up.
func (a *Activities) markSent(ctx context.Context, id string) error {
	wait := 100 * time.Millisecond
	deadline := time.Now().Add(40 * time.Second)
	for {
		err := a.DB.WithContext(context.WithoutCancel(ctx)).Model(&models.Notice{}).Where("id = ?", id).
			Updates(map[string]any{"status": models.NoticeSent, "sent_at": a.now()}).Error
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(wait)
		if wait < 5*time.Second {
			wait *= 2
		}
	}
}

// createNotice builds and stores the notice of in; a zero notice (and no
// error) means no recipient is known.
func (a *Activities) createNotice(ctx context.Context, in NoticeInput) (models.Notice, error) {
	look := a.newNoticeLookups(ctx)
	c, err := look.caseRow(in.CaseID)
	if err != nil {
		return models.Notice{}, err
	}
	n, err := a.buildNotice(look, c, in)
	if err != nil || n.ID == "" {
		return models.Notice{}, err
	}
	return n, a.storeNotices(ctx, []models.Notice{n})
}

// buildNotice renders the notice of in for case c, ready to store; a zero
// notice (and no error) means no recipient is known. It reads through
// look, so the notices of one batch share their lookups.
func (a *Activities) buildNotice(look *noticeLookups, c models.Case, in NoticeInput) (models.Notice, error) {
	to, err := look.recipient(c, in)
	if err != nil || to == "" {
		return models.Notice{}, err
	}
	// The reporter as this recipient may see them (README "The
	// reporter's choices").
	rep, anon := c.ReporterSeenBy(in.Role)
	data := noticeData{CaseID: in.CaseID, Category: string(c.Category), Domain: in.Domain, AccountID: in.AccountID,
		Description: c.DescriptionSeenBy(in.Role), ReporterName: rep.Name, ReporterEmail: rep.Email,
		ReporterOrg: rep.Organization, ReporterTitle: rep.Title, Anonymous: anon, facts: noticeFacts(in)}
	a.copyrightData(&data, c)
	if err := a.coveredData(look.ctx, &data, in); err != nil {
		return models.Notice{}, err
	}
	if in.IncludeOriginIP {
		data.OriginIP = in.Facts["origin_ip"]
	}
	if data.URLs, data.URLCount, err = look.caseURLs(in.CaseID, in.Domain); err != nil {
		return models.Notice{}, err
	}
	if in.Kind == NoticeReporterForwarded {
		if data.Hosts, err = look.hostSources(in.CaseID); err != nil {
			return models.Notice{}, err
		}
	}
	if id := in.Facts["counter_notice_id"]; id != "" {
		var r models.OperatorReply
		if err := look.db.Where("notice_id = ?", id).First(&r).Error; err == nil {
			data.CounterNotice = &r
		}
	}
	id, err := randomID("n_")
	if err != nil {
		return models.Notice{}, err
	}
	if in.WithResponseLink {
		data.ResponseLink = links.ResponseLinkPlaceholder
	}
	if in.Kind == NoticeReporterReceipt && len(a.TokenSecret) > 0 {
		data.StatusLink = links.StatusLinkPlaceholder
	}
	subject, body, html, err := renderNotice(string(in.Kind), data)
	if err != nil {
		return models.Notice{}, err
	}
	n := models.Notice{ID: id, CaseID: in.CaseID, Step: in.Step, RecipientRole: in.Role, To: to,
		Subject: strings.TrimSpace(subject), BodyText: strings.TrimSpace(body) + "\n", BodyHTML: html, IncludesOriginIP: in.IncludeOriginIP && data.OriginIP != "",
		Domain: in.Domain, Status: models.NoticeOutbox, CreatedAt: a.now()}
	if in.WithResponseLink {
		exp := a.now().Add(in.TokenTTL)
		n.TokenExpiresAt = &exp
	}
	return n, nil
}

// storeNotices inserts new notice rows and journals them in one
// transaction: one INSERT and one journal call (one audit head lock) for
// all of them.
func (a *Activities) storeNotices(ctx context.Context, ns []models.Notice) error {
	return a.storeNoticesClosing(ctx, ns, nil)
}

// storeNoticesClosing stores ns as storeNotices does and, with closing,
// writes that status of their case in the same transaction (SetStatus's
// row, its audit entry after theirs: one audit head lock for both).
func (a *Activities) storeNoticesClosing(ctx context.Context, ns []models.Notice, closing *StatusInput) error {
	if len(ns) == 0 {
		return nil
	}
	es := make([]JournalEntry, len(ns), len(ns)+1)
	for i, n := range ns {
		es[i] = JournalEntry{Actor: "system", CaseID: n.CaseID, Kind: "notice", DedupKey: "notice:" + n.ID,
			Details: map[string]any{"notice_id": n.ID, "step": n.Step, "role": n.RecipientRole, "origin_ip": n.IncludesOriginIP}}
	}
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&ns).Error; err != nil {
			return err
		}
		if closing != nil {
			e, err := a.writeStatus(tx, *closing)
			if err != nil {
				return err
			}
			if e != nil {
				es = append(es, *e)
			}
		}
		return a.journalAll(tx, es)
	})
}

// noticeFacts are the input's facts with its deadline, if any, as the
// "deadline" fact.
func noticeFacts(in NoticeInput) map[string]string {
	if in.Deadline == nil {
		return in.Facts
	}
	f := make(map[string]string, len(in.Facts)+1)
	for k, v := range in.Facts {
		f[k] = v
	}
	f["deadline"] = in.Deadline.UTC().Format(time.RFC1123)
	return f
}

// loadURLs fills the case's URLs (those under in.Domain, when named) and
// their count. The count is a second query only when the list is cut.
func (a *Activities) loadURLs(db *gorm.DB, data *noticeData, in NoticeInput) error {
	q := db.Model(&models.CaseURL{}).Where("case_id = ?", in.CaseID)
	if in.Domain != "" {
		q = q.Where("host = ? OR host LIKE ?", in.Domain, "%."+in.Domain)
	}
	data.URLs = nil
	if err := q.Session(&gorm.Session{}).Order("seq").Limit(maxURLsInNotice).Pluck("url", &data.URLs).Error; err != nil {
		return err
	}
	data.URLCount = len(data.URLs)
	if data.URLCount < maxURLsInNotice {
		return nil
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return err
	}
	data.URLCount = int(n)
	return nil
}

// findRecipient finds the address of a notice's recipient; "" means none
// known.
func (l *noticeLookups) findRecipient(c models.Case, in NoticeInput) (string, error) {
	switch in.Role {
	case models.RoleReporter, models.RoleComplainant:
		return c.ReporterEmail, nil
	case models.RoleOperator:
		acct := in.AccountID
		if acct == "" {
			d, err := l.domain(in.Domain)
			if err != nil {
				return "", err
			}
			acct = d.AccountID
		}
		// The account and its abuse contact (at most one) in one read.
		var ac struct {
			OperatorEmail, ContactEmail string
		}
		if err := l.db.Model(&models.Account{}).
			Select("accounts.operator_email, abuse_contacts.email AS contact_email").
			Joins("LEFT JOIN abuse_contacts ON abuse_contacts.account_id = accounts.id").
			Where("accounts.id = ?", acct).Take(&ac).Error; err != nil {
			return "", err
		}
		// The account's abuse contact first, then the operator address on
		// record; with neither, the forward goes to the hosting provider
		// (docs/DESIGN.md "Customer accounts", the reference's rule).
		if ac.ContactEmail != "" {
			return ac.ContactEmail, nil
		}
		if ac.OperatorEmail != "" || in.Domain == "" {
			return ac.OperatorEmail, nil
		}
		return l.hostingAbuseEmail(in.Domain)
	case models.RoleRegistrant:
		d, err := l.domain(in.Domain)
		if err != nil {
			return "", err
		}
		return d.RegistrantEmail, nil
	case models.RoleHostingProvider:
		return l.hostingAbuseEmail(in.Domain)
	}
	return "", temporal.NewNonRetryableApplicationError("unknown recipient role "+string(in.Role), ErrTypeInvalidNotice, nil)
}

// hostingAbuseEmail is the abuse address of the hosting provider of a
// customer domain's origin.
func (l *noticeLookups) hostingAbuseEmail(domain string) (string, error) {
	d, err := l.domain(domain)
	if err != nil {
		return "", err
	}
	networks, err := l.networks()
	if err != nil {
		return "", err
	}
	return l.a.provider(l.ctx, splitList(d.OriginIPs), networks).AbuseEmail, nil
}

// renderNotice renders the subject, text and HTML of a notice of kind; an
// HTML rendering that fails is an InvalidNotice (never retried).
func renderNotice(kind string, data noticeData) (subject, text, html string, err error) {
	if subject, err = render(kind+".subject", data); err != nil {
		return "", "", "", err
	}
	if text, err = render(kind+".text", data); err != nil {
		return "", "", "", err
	}
	if html, err = renderHTML(strings.TrimSpace(subject), text); err != nil {
		return "", "", "", temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalidNotice, err)
	}
	return subject, text, html, nil
}

func render(name string, data noticeData) (string, error) {
	var b bytes.Buffer
	if err := noticeTemplates.ExecuteTemplate(&b, name, data); err != nil {
		return "", temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalidNotice, err)
	}
	return b.String(), nil
}

func randomID(prefix string) (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + hex.EncodeToString(b), nil
}
