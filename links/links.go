// Package links derives the token links that notices carry and that the
// front ends check: an operator's response link (one notice) and a
// reporter's status link (one case). The tokens are HMACs of the server's
// secret, derived again whenever they are needed, so neither the database
// nor a workflow history holds a usable token. Front ends import this
// package, not activities.
package links

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	htmltemplate "html/template"
	"strings"

	"github.com/abusedesk/abusedesk/models"
)

// Placeholders stand for the links in stored notice bodies; Body and HTML
// put the live links in at send (or display) time.
const (
	// ResponseLinkPlaceholder marks the operator's response link.
	ResponseLinkPlaceholder = "[[response-link]]"
	// StatusLinkPlaceholder marks the reporter's status link in receipts.
	StatusLinkPlaceholder = "[[status-link]]"
)

// html/template percent-encodes a placeholder used inside an href.
const (
	responseLinkInHref = "%5b%5bresponse-link%5d%5d"
	statusLinkInHref   = "%5b%5bstatus-link%5d%5d"
)

// Links derives the links of one deployment: its public URL and secret.
type Links struct {
	PublicURL string
	Secret    []byte
}

// NoticeToken derives the token of a notice's response link: unguessable,
// scoped to that one notice, never stored.
func (l Links) NoticeToken(noticeID string) string {
	return l.mac("notice:" + noticeID)
}

// ReporterToken derives the reporter token of a case (the token of its
// status link). Intake gives it to the reporter and stores only its hash;
// the receipt derives it again at send time.
func (l Links) ReporterToken(caseID string) string {
	return l.mac("reporter:" + caseID)
}

func (l Links) mac(msg string) string {
	m := hmac.New(sha256.New, l.Secret)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// StatusURL is the reporter's status link of a case.
func (l Links) StatusURL(caseID string) string {
	return fmt.Sprintf("%s/status/%s?token=%s", l.PublicURL, caseID, l.ReporterToken(caseID))
}

// ResponseURL is the operator's response link of a notice.
func (l Links) ResponseURL(noticeID string) string {
	return fmt.Sprintf("%s/respond/%s?token=%s", l.PublicURL, noticeID, l.NoticeToken(noticeID))
}

// Body returns a stored notice's body as it is (or was) sent, with live
// links.
func (l Links) Body(n models.Notice) string {
	out := n.BodyText
	if strings.Contains(out, StatusLinkPlaceholder) {
		out = strings.ReplaceAll(out, StatusLinkPlaceholder, l.StatusURL(n.CaseID))
	}
	if !strings.Contains(out, ResponseLinkPlaceholder) {
		return out
	}
	return strings.ReplaceAll(out, ResponseLinkPlaceholder, l.ResponseURL(n.ID))
}

// HTML returns a stored notice's HTML alternative with live links.
func (l Links) HTML(n models.Notice) string {
	out := n.BodyHTML
	if strings.Contains(out, "status-link") {
		status := htmltemplate.HTMLEscapeString(l.StatusURL(n.CaseID))
		out = strings.ReplaceAll(out, statusLinkInHref, status)
		out = strings.ReplaceAll(out, StatusLinkPlaceholder, status)
	}
	if !strings.Contains(out, ResponseLinkPlaceholder) && !strings.Contains(out, responseLinkInHref) {
		return out
	}
	link := htmltemplate.HTMLEscapeString(l.ResponseURL(n.ID))
	out = strings.ReplaceAll(out, responseLinkInHref, link)
	return strings.ReplaceAll(out, ResponseLinkPlaceholder, link)
}
