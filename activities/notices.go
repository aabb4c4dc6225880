package activities

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

var noticeTemplates = template.Must(template.New("notices").Funcs(template.FuncMap{
	"sub": func(a, b int) int { return a - b },
}).ParseFS(templateFS, "templates/*.txt.tmpl"))

// responseLinkPlaceholder stands for the operator's response link in stored
// bodies: the link's token is derived at send time, so the database never
// holds a usable token.
const responseLinkPlaceholder = ResponseLinkPlaceholder

// ResponseLinkPlaceholder marks the response link in stored notice bodies.
const ResponseLinkPlaceholder = "[[response-link]]"

// StatusLinkPlaceholder marks the reporter's status link in stored
// receipts: like the response link, its token is derived at send time.
const StatusLinkPlaceholder = "[[status-link]]"

// maxURLsInNotice bounds the URL list printed in one notice.
const maxURLsInNotice = 200

// ErrTypeInvalidNotice marks a notice that can never be rendered.
const ErrTypeInvalidNotice = "InvalidNotice"

// noticeData is what the templates see.
type noticeData struct {
	CaseID, Category, Domain, AccountID, Description string
	ReporterName, ReporterEmail, ReporterOrg         string
	OriginIP, ResponseLink, StatusLink               string
	URLs                                             []string
	URLCount                                         int
	Copyright                                        *models.CopyrightClaim
	CounterNotice                                    *models.OperatorReply
	// Hosts says, in the reporter's reply about a forwarded case, where
	// each website's hosting provider was found (hostsource.go).
	Hosts []HostSource
	facts map[string]string
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
	if n.Status == models.NoticeSent || a.Mail == nil {
		return NoticeResult{NoticeID: n.ID}, nil
	}
	if send, err := a.admitMail(ctx, n); err != nil || !send {
		if err != nil {
			return NoticeResult{}, err
		}
		return NoticeResult{NoticeID: n.ID}, nil
	}
	links := Links{PublicURL: a.PublicURL, Secret: a.TokenSecret}
	msg := Message{ID: n.ID, CaseID: n.CaseID, To: n.To, Subject: n.Subject, Text: links.Body(n), HTML: links.HTML(n)}
	if err := a.Mail.Send(ctx, msg); err != nil {
		return NoticeResult{}, fmt.Errorf("deliver notice %s: %w", n.ID, err)
	}
	if err := a.markSent(ctx, n.ID); err != nil {
		return NoticeResult{}, err
	}
	return NoticeResult{NoticeID: n.ID}, nil
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

func (a *Activities) createNotice(ctx context.Context, in NoticeInput) (models.Notice, error) {
	db := a.DB.WithContext(ctx)
	var c models.Case
	if err := db.First(&c, "id = ?", in.CaseID).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Notice{}, err
	}
	to, err := a.recipient(ctx, c, in)
	if err != nil || to == "" {
		return models.Notice{}, err
	}
	data := noticeData{CaseID: in.CaseID, Category: string(c.Category), Domain: in.Domain, AccountID: in.AccountID,
		Description: c.Description, ReporterName: c.ReporterName, ReporterEmail: c.ReporterEmail,
		ReporterOrg: c.ReporterOrg, facts: in.Facts}
	if c.Category == models.CategoryCopyright {
		data.Copyright = &models.CopyrightClaim{Work: c.CopyrightWork, Signature: c.CopyrightSig, GoodFaith: true, AccurateUnderPenalty: true}
	}
	if in.IncludeOriginIP {
		data.OriginIP = in.Facts["origin_ip"]
	}
	if err := a.loadURLs(db, &data, in); err != nil {
		return models.Notice{}, err
	}
	if in.Kind == NoticeReporterForwarded {
		if data.Hosts, err = a.hostSources(ctx, in.CaseID); err != nil {
			return models.Notice{}, err
		}
	}
	if id := in.Facts["counter_notice_id"]; id != "" {
		var r models.OperatorReply
		if err := db.Where("notice_id = ?", id).First(&r).Error; err == nil {
			data.CounterNotice = &r
		}
	}
	id, err := randomID("n_")
	if err != nil {
		return models.Notice{}, err
	}
	if in.WithResponseLink {
		data.ResponseLink = responseLinkPlaceholder
	}
	if in.Kind == NoticeReporterReceipt && len(a.TokenSecret) > 0 {
		data.StatusLink = StatusLinkPlaceholder
	}
	subject, err := render(string(in.Kind)+".subject", data)
	if err != nil {
		return models.Notice{}, err
	}
	body, err := render(string(in.Kind)+".text", data)
	if err != nil {
		return models.Notice{}, err
	}
	html, err := renderHTML(strings.TrimSpace(subject), body)
	if err != nil {
		return models.Notice{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalidNotice, err)
	}
	n := models.Notice{ID: id, CaseID: in.CaseID, Step: in.Step, RecipientRole: in.Role, To: to,
		Subject: strings.TrimSpace(subject), BodyText: strings.TrimSpace(body) + "\n", BodyHTML: html, IncludesOriginIP: in.IncludeOriginIP && data.OriginIP != "",
		Domain: in.Domain, Status: models.NoticeOutbox, CreatedAt: a.now()}
	if in.WithResponseLink {
		exp := a.now().Add(in.TokenTTL)
		n.TokenExpiresAt = &exp
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&n).Error; err != nil {
			return err
		}
		return a.journal(tx, "system", in.CaseID, "notice", "notice:"+n.ID,
			map[string]any{"notice_id": n.ID, "step": in.Step, "role": in.Role, "origin_ip": n.IncludesOriginIP})
	})
	return n, err
}

func (a *Activities) loadURLs(db *gorm.DB, data *noticeData, in NoticeInput) error {
	q := db.Model(&models.CaseURL{}).Where("case_id = ?", in.CaseID)
	if in.Domain != "" {
		q = q.Where("host = ? OR host LIKE ?", in.Domain, "%."+in.Domain)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return err
	}
	data.URLCount = int(n)
	return q.Order("seq").Limit(maxURLsInNotice).Pluck("url", &data.URLs).Error
}

// recipient finds the address of a notice's recipient; "" means none known.
func (a *Activities) recipient(ctx context.Context, c models.Case, in NoticeInput) (string, error) {
	db := a.DB.WithContext(ctx)
	switch in.Role {
	case models.RoleReporter, models.RoleComplainant:
		return c.ReporterEmail, nil
	case models.RoleOperator:
		acct := in.AccountID
		if acct == "" {
			var d models.Domain
			if err := db.First(&d, "name = ?", in.Domain).Error; err != nil {
				return "", err
			}
			acct = d.AccountID
		}
		var ac models.Account
		if err := db.First(&ac, "id = ?", acct).Error; err != nil {
			return "", err
		}
		return ac.OperatorEmail, nil
	case models.RoleRegistrant:
		var d models.Domain
		if err := db.First(&d, "name = ?", in.Domain).Error; err != nil {
			return "", err
		}
		return d.RegistrantEmail, nil
	case models.RoleHostingProvider:
		var d models.Domain
		if err := db.First(&d, "name = ?", in.Domain).Error; err != nil {
			return "", err
		}
		var networks []models.Network
		if err := db.Find(&networks).Error; err != nil {
			return "", err
		}
		return a.provider(ctx, splitList(d.OriginIPs), networks).AbuseEmail, nil
	}
	return "", temporal.NewNonRetryableApplicationError("unknown recipient role "+string(in.Role), ErrTypeInvalidNotice, nil)
}

func render(name string, data noticeData) (string, error) {
	var b bytes.Buffer
	if err := noticeTemplates.ExecuteTemplate(&b, name, data); err != nil {
		return "", temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalidNotice, err)
	}
	return b.String(), nil
}

// Links derives the operator response links of notices. The server and
// the notice activity share it.
type Links struct {
	PublicURL string
	Secret    []byte
}

// NoticeToken derives the token of a notice's response link from the
// server's secret: unguessable, scoped to that one notice, never stored.
func (l Links) NoticeToken(noticeID string) string {
	m := hmac.New(sha256.New, l.Secret)
	m.Write([]byte("notice:" + noticeID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ReporterToken derives the reporter token of a case (the token of its
// status link) from the server's secret. Intake gives it to the reporter
// and stores only its hash; the receipt derives it again at send time, so
// neither the database nor the workflow history holds it.
func (l Links) ReporterToken(caseID string) string {
	m := hmac.New(sha256.New, l.Secret)
	m.Write([]byte("reporter:" + caseID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// StatusURL is the reporter's status link of a case.
func (l Links) StatusURL(caseID string) string {
	return fmt.Sprintf("%s/status/%s?token=%s", l.PublicURL, caseID, l.ReporterToken(caseID))
}

// Body returns a stored notice's body as it is (or was) sent, with a live
// response link.
func (l Links) Body(n models.Notice) string {
	out := n.BodyText
	if strings.Contains(out, StatusLinkPlaceholder) {
		out = strings.ReplaceAll(out, StatusLinkPlaceholder, l.StatusURL(n.CaseID))
	}
	if !strings.Contains(out, responseLinkPlaceholder) {
		return out
	}
	link := fmt.Sprintf("%s/respond/%s?token=%s", l.PublicURL, n.ID, l.NoticeToken(n.ID))
	return strings.ReplaceAll(out, responseLinkPlaceholder, link)
}

// HTML returns the HTML alternative with a live response link.
func (l Links) HTML(n models.Notice) string {
	out := n.BodyHTML
	if strings.Contains(out, "status-link") {
		status := htmltemplate.HTMLEscapeString(l.StatusURL(n.CaseID))
		out = strings.ReplaceAll(out, "%5b%5bstatus-link%5d%5d", status)
		out = strings.ReplaceAll(out, StatusLinkPlaceholder, status)
	}
	if !strings.Contains(out, responseLinkPlaceholder) && !strings.Contains(out, "%5b%5bresponse-link%5d%5d") {
		return out
	}
	link := fmt.Sprintf("%s/respond/%s?token=%s", l.PublicURL, n.ID, l.NoticeToken(n.ID))
	// html/template percent-encodes the placeholder inside href.
	out = strings.ReplaceAll(out, "%5b%5bresponse-link%5d%5d", htmltemplate.HTMLEscapeString(link))
	return strings.ReplaceAll(out, responseLinkPlaceholder, htmltemplate.HTMLEscapeString(link))
}

func randomID(prefix string) (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + hex.EncodeToString(b), nil
}
