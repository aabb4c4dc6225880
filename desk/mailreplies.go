package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
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
// when the analyst accepts it (AcceptMailReply) through the same path as
// the operator's link, and audited with the analyst as actor.

var _ mailintake.ReplyHandler = (*Desk)(nil)

// MailReplies lists the replies by mail of a case, oldest first.
func (d *Desk) MailReplies(ctx context.Context, caseID string) ([]MailReplyView, error) {
	rows, err := store.MailReplies(ctx, d.DB, caseID, maxMailRepliesShown)
	if err != nil {
		return nil, err
	}
	out := make([]MailReplyView, 0, len(rows))
	for _, r := range rows {
		out = append(out, MailReplyView{ID: r.ID, NoticeID: r.NoticeID, From: r.FromAddr, Authenticated: r.Authenticated,
			ReceivedAt: r.ReceivedAt, Subject: r.Subject, Text: r.Text, SuggestedAnswer: r.SuggestedAnswer,
			AcceptedBy: r.AcceptedBy, AcceptedAt: r.AcceptedAt})
	}
	return out, nil
}

// HandleReply attaches r to the first notice it names whose recipient may
// have sent it (see mayAttach). A mail delivered twice is attached once.
func (d *Desk) HandleReply(ctx context.Context, r mailintake.NoticeReply) (bool, error) {
	for _, id := range r.NoticeIDs {
		n, err := store.Notice(ctx, d.DB, id)
		if errors.Is(err, gorm.ErrRecordNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		if !mayAttach(r, n) {
			continue
		}
		return true, d.attachReply(ctx, r, n)
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
func (d *Desk) attachReply(ctx context.Context, r mailintake.NoticeReply, n models.Notice) error {
	suggest := ""
	if n.RecipientRole == models.RoleOperator && !r.AutoSubmitted {
		suggest = mailintake.SuggestAnswer(r.Text)
	}
	sum := sha256.Sum256([]byte(n.ID + "\n" + r.DedupKey))
	row := models.MailReply{NoticeID: n.ID, CaseID: n.CaseID, DedupKey: hex.EncodeToString(sum[:]), FromAddr: r.From,
		Authenticated: r.Authenticated, Subject: r.Subject, Text: r.Text, SuggestedAnswer: suggest, ReceivedAt: time.Now().UTC()}
	return store.AddMailReply(ctx, d.DB, &row, func(tx *gorm.DB) error {
		return d.journal(tx, "system", n.CaseID, "mail_reply_received", "mail-reply:"+row.DedupKey,
			map[string]any{"mail_reply_id": row.ID, "notice_id": n.ID, "suggested_answer": suggest, "authenticated": r.Authenticated})
	})
}

// journal appends to the audit log when there is one.
func (d *Desk) journal(tx *gorm.DB, actor, caseID, kind, dedupKey string, details any) error {
	if d.Journal == nil {
		return nil
	}
	return d.Journal.Record(tx, actor, caseID, kind, dedupKey, details)
}

// AcceptMailReply records the suggested answer of a reply by mail as the
// operator's answer to its notice, for the analyst: in one transaction the
// answer, its delivery state, the reply's acceptance and an audit entry
// with the analyst as actor, then the signal (answerNotice). A reply that
// suggests no answer is a conflict; so is a counter-notice, which must
// carry the operator's own 512(g)(3) statement through the notice's link.
func (d *Desk) AcceptMailReply(ctx context.Context, caseID, replyID, analyst string) (AnswerResult, error) {
	id, err := strconv.ParseUint(replyID, 10, 64)
	if err != nil {
		return AnswerResult{}, NotFound("reply_id", "no reply by mail %q on this case", replyID)
	}
	r, err := store.MailReply(ctx, d.DB, caseID, id)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return AnswerResult{}, NotFound("reply_id", "no reply by mail %d on this case", id)
	}
	if err != nil {
		return AnswerResult{}, err
	}
	switch r.SuggestedAnswer {
	case models.SuggestRemoved:
	case models.SuggestCounterNotice:
		return AnswerResult{}, Conflict("reply_id",
			"a counter-notice needs the operator's own statements under 17 U.S.C. 512(g)(3) (identification of the material, penalty of perjury, consent to jurisdiction, name, address, phone, signature), which a mail rarely carries and an analyst cannot give for them: ask the operator to file it through the response link of notice %s", r.NoticeID)
	default:
		return AnswerResult{}, Conflict("reply_id", "this reply suggests no answer; read it and decide, or ask the operator to answer through the notice's link")
	}
	n, err := store.Notice(ctx, d.DB, r.NoticeID)
	if err != nil {
		return AnswerResult{}, err
	}
	req := ResponseRequest{Response: r.SuggestedAnswer,
		Statement: fmt.Sprintf("Answered by email (reply by mail %d); recorded by analyst %s.", r.ID, analyst)}
	return d.answerNotice(ctx, n, req, func(tx *gorm.DB) error {
		if err := store.AcceptMailReply(tx, r.ID, analyst, time.Now().UTC()); err != nil {
			return err
		}
		return d.journal(tx, analyst, r.CaseID, "mail_reply_accepted", fmt.Sprintf("mail-reply-accepted:%d", r.ID),
			map[string]any{"mail_reply_id": r.ID, "notice_id": r.NoticeID, "response": r.SuggestedAnswer})
	})
}
