package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

var _ mailintake.NetworkReplier = (*ProblemReplier)(nil)

// ReplyNotOurNetwork is the day's one answer to a sender of reports about
// IP addresses: the cases its mail made, then the addresses that are not
// on the provider's networks (docs/DESIGN.md step 1, "IP reports").
func (r *ProblemReplier) ReplyNotOurNetwork(ctx context.Context, to, subject string, caseIDs []string, notOurs []models.FieldError) error {
	return r.send(ctx, store.IntakeReply{To: to, Subject: subject, Body: notOurNetworkText(caseIDs, notOurs),
		Kind: store.IntakeReplyNotOurNetwork})
}

// notOurNetworkText is the body of that answer.
func notOurNetworkText(caseIDs []string, notOurs []models.FieldError) string {
	var b strings.Builder
	b.WriteString("Your report about IP addresses was read.\n")
	if len(caseIDs) > 0 {
		fmt.Fprintf(&b, "The addresses on our customers' services became abuse reports %s.\n", strings.Join(caseIDs, ", "))
	}
	if len(notOurs) > 0 {
		b.WriteString("These addresses are not on our network, and nothing was done about them:\n\n")
		writeProblems(&b, notOurs)
		b.WriteString("\nYou get this answer once a day at most, however many such rows you send.\n")
	}
	b.WriteString("\nThis is an automatic reply.\n")
	return b.String()
}
