package app

import (
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/server"
)

// Replies to notices by mail (issue 20): the email intake hands a mail
// that names a notice to the HTTP server's HandleReply (server/mailreplies.go),
// which attaches it to the case; receiving it and an analyst's acceptance
// of its suggested answer are entries of the audit log.
func init() {
	server.MailReplyJournal = func(tx *gorm.DB, actor, caseID, kind, dedupKey string, details any) error {
		_, err := audit.Append(tx, audit.NewEntry{Actor: actor, CaseID: caseID, Kind: kind, DedupKey: dedupKey, Details: details})
		return err
	}
}

// replyHandler is the email intake's handler of replies to notices, nil
// in a process without the HTTP server (replies are then read as mail).
func (a *App) replyHandler() mailintake.ReplyHandler {
	if a.Server == nil {
		return nil
	}
	return a.Server
}
