package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/models"
)

// Replies to notices by mail (issue 20). The email intake hands a mail
// that names a notice to HandleReply, which attaches it to the notice's
// case when its sender may: the address the notice was sent to (From,
// compared case-insensitively) on a mail that did not fail DMARC, or any
// sender whose From domain passed DMARC and is the domain of that address.
// Anything else goes on as an ordinary mail, so that a stranger cannot put
// statements into a case by writing In-Reply-To. The analyst sees the
// replies on the case (mail_replies); a reply whose text clearly says the
// content was removed is offered as the operator's "removed", recorded only
// when the analyst accepts it (POST
// /v1/cases/{id}/mail-replies/{reply_id}/accept) through the same path as
// the operator's link, and audited with the analyst as actor.

// MailReplyJournal appends an entry to the audit log in the caller's
// transaction (the app sets it; nil records nothing).
var MailReplyJournal func(tx *gorm.DB, actor, caseID, kind, dedupKey string, details any) error

// MailReplyJSON is one reply by mail on GET /v1/cases/{id}.
type MailReplyJSON struct {
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

// maxMailRepliesShown bounds the replies one case view lists.
const maxMailRepliesShown = 200

// MailReplies lists the replies by mail of a case, oldest first.
func (s *Server) MailReplies(ctx context.Context, caseID string) ([]MailReplyJSON, error) {
	var rows []models.MailReply
	if err := s.DB.WithContext(ctx).Where("case_id = ?", caseID).Order("id").Limit(maxMailRepliesShown).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]MailReplyJSON, 0, len(rows))
	for _, r := range rows {
		out = append(out, MailReplyJSON{ID: r.ID, NoticeID: r.NoticeID, From: r.FromAddr, Authenticated: r.Authenticated,
			ReceivedAt: r.ReceivedAt, Subject: r.Subject, Text: r.Text, SuggestedAnswer: r.SuggestedAnswer,
			AcceptedBy: r.AcceptedBy, AcceptedAt: r.AcceptedAt})
	}
	return out, nil
}

var _ mailintake.ReplyHandler = (*Server)(nil)

// HandleReply attaches r to the first notice it names whose recipient may
// have sent it (see mayAttach). A mail delivered twice is attached once.
func (s *Server) HandleReply(ctx context.Context, r mailintake.NoticeReply) (bool, error) {
	db := s.DB.WithContext(ctx)
	for _, id := range r.NoticeIDs {
		var n models.Notice
		err := db.Take(&n, "id = ?", id).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		if !mayAttach(r, n) {
			continue
		}
		return true, s.attachReply(ctx, r, n)
	}
	return false, nil
}

// mayAttach reports whether the sender of r may attach it to notice n.
func mayAttach(r mailintake.NoticeReply, n models.Notice) bool {
	to := strings.ToLower(strings.TrimSpace(n.To))
	_, toDomain, ok := strings.Cut(to, "@")
	if to == "" || !ok || r.From == "" {
		return false
	}
	_, fromDomain, _ := strings.Cut(r.From, "@")
	switch {
	case r.Untrusted:
		return false
	case strings.EqualFold(r.From, to):
		return true
	default:
		return r.Authenticated && strings.EqualFold(fromDomain, toDomain)
	}
}

// attachReply stores r for notice n, with an audit entry that names no
// personal data.
func (s *Server) attachReply(ctx context.Context, r mailintake.NoticeReply, n models.Notice) error {
	suggest := ""
	if n.RecipientRole == models.RoleOperator && !r.AutoSubmitted {
		suggest = mailintake.SuggestAnswer(r.Text)
	}
	sum := sha256.Sum256([]byte(n.ID + "\n" + r.DedupKey))
	row := models.MailReply{NoticeID: n.ID, CaseID: n.CaseID, DedupKey: hex.EncodeToString(sum[:]), FromAddr: r.From,
		Authenticated: r.Authenticated, Subject: r.Subject, Text: r.Text, SuggestedAnswer: suggest, ReceivedAt: time.Now().UTC()}
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil || res.RowsAffected == 0 || MailReplyJournal == nil {
			return res.Error
		}
		return MailReplyJournal(tx, "system", n.CaseID, "mail_reply_received", "mail-reply:"+row.DedupKey,
			map[string]any{"mail_reply_id": row.ID, "notice_id": n.ID, "suggested_answer": suggest, "authenticated": r.Authenticated})
	})
}

// AcceptMailReply records the suggested answer of a reply by mail as the
// operator's answer to its notice, for the analyst: in one transaction the
// answer, its delivery state, the reply's acceptance and an audit entry
// with the analyst as actor, then the signal (answerNotice). A reply that
// suggests no answer is a 409; so is a counter-notice, which must carry
// the operator's own 512(g)(3) statement through the notice's link.
func (s *Server) AcceptMailReply(ctx context.Context, caseID, replyID, analyst string) (AnswerResult, error) {
	id, err := strconv.ParseUint(replyID, 10, 64)
	if err != nil {
		return AnswerResult{}, fail(http.StatusNotFound, "reply_id", "no reply by mail %q on this case", replyID)
	}
	var r models.MailReply
	if err := s.DB.WithContext(ctx).Take(&r, "id = ? AND case_id = ?", id, caseID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return AnswerResult{}, fail(http.StatusNotFound, "reply_id", "no reply by mail %d on this case", id)
		}
		return AnswerResult{}, err
	}
	switch r.SuggestedAnswer {
	case models.SuggestRemoved:
	case models.SuggestCounterNotice:
		return AnswerResult{}, fail(http.StatusConflict, "reply_id",
			"a counter-notice needs the operator's own statements under 17 U.S.C. 512(g)(3) (identification of the material, penalty of perjury, consent to jurisdiction, name, address, phone, signature), which a mail rarely carries and an analyst cannot give for them: ask the operator to file it through the response link of notice %s", r.NoticeID)
	default:
		return AnswerResult{}, fail(http.StatusConflict, "reply_id", "this reply suggests no answer; read it and decide, or ask the operator to answer through the notice's link")
	}
	var n models.Notice
	if err := s.DB.WithContext(ctx).Take(&n, "id = ?", r.NoticeID).Error; err != nil {
		return AnswerResult{}, err
	}
	req := ResponseRequest{Response: r.SuggestedAnswer,
		Statement: fmt.Sprintf("Answered by email (reply by mail %d); recorded by analyst %s.", r.ID, analyst)}
	return s.answerNotice(ctx, n, req, func(tx *gorm.DB) error {
		now := time.Now().UTC()
		if err := tx.Model(&models.MailReply{}).Where("id = ?", r.ID).
			Updates(map[string]any{"accepted_by": analyst, "accepted_at": now}).Error; err != nil {
			return err
		}
		if MailReplyJournal == nil {
			return nil
		}
		return MailReplyJournal(tx, analyst, r.CaseID, "mail_reply_accepted", fmt.Sprintf("mail-reply-accepted:%d", r.ID),
			map[string]any{"mail_reply_id": r.ID, "notice_id": r.NoticeID, "response": r.SuggestedAnswer})
	})
}

// postAcceptMailReply serves POST /v1/cases/{id}/mail-replies/{reply_id}/accept.
func (s *Server) postAcceptMailReply(c echo.Context) error {
	res, err := s.AcceptMailReply(c.Request().Context(), c.Param("id"), c.Param("reply_id"), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(res.status(), map[string]any{"case_id": c.Param("id"), "reply_id": c.Param("reply_id"),
		"status": "operator answer recorded", "delivered": res.Delivered})
}
