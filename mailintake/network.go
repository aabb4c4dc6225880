package mailintake

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/abusedesk/abusedesk/models"
)

// MaxNetworkRows bounds the rows of one mail that are matched against the
// customers' origin IPs and the provider's networks; later rows are
// counted, not examined (a Shadowserver report for a whole ASN may carry
// thousands).
const MaxNetworkRows = 1000

// ReplyKindNetwork is the kind of the one "not our network" answer a
// sender gets per UTC day.
const ReplyKindNetwork = "not_our_network"

// NetworkSubmitter may also be implemented by a Submitter: it makes the
// cases of a report about IP addresses (docs/DESIGN.md step 1). Each
// address that is a customer's origin or in the provider's own networks
// becomes one case of service "network" with its rows as evidence; the
// rows about other addresses are returned, to be answered "not our
// network" once per sender and UTC day (ClaimNetworkAnswer).
type NetworkSubmitter interface {
	SubmitNetworkReport(ctx context.Context, p Parsed, raw []byte) (NetworkResult, error)
	// ClaimNetworkAnswer records the day's "not our network" answer to
	// sender (an authenticated domain) and reports whether it is the
	// first; ReleaseNetworkAnswer undoes a claim whose answer could not
	// be sent.
	ClaimNetworkAnswer(ctx context.Context, sender string) (bool, error)
	ReleaseNetworkAnswer(ctx context.Context, sender string) error
}

// NetworkResult is what a report about IP addresses became.
type NetworkResult struct {
	// CaseIDs are the network cases, one per matching address, in the
	// order of the addresses' first rows (the same cases again for a
	// repeated mail: Replayed).
	CaseIDs  []string
	Replayed bool
	// NotOurs are the rows about addresses that are not ours.
	NotOurs []IPEvent
	// Examined counts the rows matched (at most MaxNetworkRows), Skipped
	// those past the bound.
	Examined, Skipped int
}

// NetworkReplier may also be implemented by a Replier: it sends the one
// "not our network" answer of the day, naming the cases the mail made.
// Without it the answer goes out through ReplyProblems.
type NetworkReplier interface {
	ReplyNotOurNetwork(ctx context.Context, to, subject string, caseIDs []string, notOurs []models.FieldError) error
}

// processNetwork makes the cases of a report about IP addresses and
// answers its rows about other networks once per sender per day, never to
// a sender that may not be answered (replyTarget: robots, Auto-Submitted,
// unauthenticated). A failure to make the cases is answered 451 so that
// the sender retries; a failure to answer is answered 451 only when no
// case was made.
func (s *Server) processNetwork(ctx context.Context, log *slog.Logger, ns NetworkSubmitter, p Parsed, envFrom string, raw []byte) error {
	res, err := ns.SubmitNetworkReport(ctx, p, raw)
	if err != nil {
		log.Error("email intake could not submit network report", "error", redact(err.Error()))
		return errTryLater
	}
	log.Info("email intake took network report", "rows", len(p.IPEvents), "examined", res.Examined,
		"cases", len(res.CaseIDs), "not_ours", len(res.NotOurs), "duplicate", res.Replayed)
	caseID := ""
	if len(res.CaseIDs) > 0 {
		caseID = res.CaseIDs[0]
	}
	problems := notOurNetworkProblems(res)
	if len(res.NotOurs) > 0 && !res.Replayed {
		if err := s.answerNotOurs(ctx, log, ns, p, envFrom, res, problems); err != nil && caseID == "" {
			return err
		}
	}
	s.noteMail(ctx, p, raw, caseID, problems)
	return nil
}

// answerNotOurs sends the day's "not our network" answer to the sender,
// if it may be answered and was not answered today.
func (s *Server) answerNotOurs(ctx context.Context, log *slog.Logger, ns NetworkSubmitter, p Parsed, envFrom string,
	res NetworkResult, problems []models.FieldError) error {
	to, skip := replyTarget(p, envFrom)
	if skip != "" {
		withhold(log, ReplyKindNetwork, skip, "not_ours", len(res.NotOurs))
		return nil
	}
	sender := addrDomain(p.From)
	first, err := ns.ClaimNetworkAnswer(ctx, sender)
	if err != nil {
		log.Error("email intake could not record the network answer", "error", redact(err.Error()))
		return errTryLater
	}
	if !first {
		log.Info("email intake already answered this sender today: not our network", "not_ours", len(res.NotOurs))
		return nil
	}
	subject := replySubject(p.Subject, "Your report about IP addresses")
	if nr, ok := s.rep.(NetworkReplier); ok {
		err = nr.ReplyNotOurNetwork(ctx, to, subject, res.CaseIDs, problems)
	} else {
		err = s.rep.ReplyProblems(ctx, to, subject, problems)
	}
	if err != nil {
		log.Error("email intake could not send the network answer", "error", redact(err.Error()))
		if rerr := ns.ReleaseNetworkAnswer(ctx, sender); rerr != nil {
			log.Error("email intake could not release the network answer", "error", redact(rerr.Error()))
		}
		return errTryLater
	}
	log.Info("email intake answered: not our network", "not_ours", len(res.NotOurs))
	return nil
}

// notOurNetworkProblems is the answer about the rows that are not ours:
// one problem for all of them (never one per row), naming up to three
// addresses, and the cases made of the others.
func notOurNetworkProblems(res NetworkResult) []models.FieldError {
	if len(res.NotOurs) == 0 {
		return nil
	}
	n := len(res.NotOurs)
	msg := fmt.Sprintf("not our network: %d %s about %s %s not in the provider's networks and no customer's origin; no case was made of %s. "+
		"This answer is sent once a day: later reports about addresses that are not ours are not answered again today",
		n, plural(n, "row", "rows"), ipSummary(res.NotOurs), plural(distinctIPs(res.NotOurs), "is", "are"), plural(n, "it", "them"))
	if len(res.CaseIDs) > 0 {
		msg += fmt.Sprintf("; the rows about our customers' addresses made %d %s (%s)", len(res.CaseIDs),
			plural(len(res.CaseIDs), "case", "cases"), strings.Join(res.CaseIDs[:min(5, len(res.CaseIDs))], ", "))
	}
	if res.Skipped > 0 {
		msg += fmt.Sprintf("; only the first %d rows were examined, %d were not", res.Examined, res.Skipped)
	}
	return []models.FieldError{{Field: IPReportField, Message: msg}}
}

func distinctIPs(evs []IPEvent) int {
	seen := map[string]bool{}
	for _, e := range evs {
		seen[e.IP] = true
	}
	return len(seen)
}

// AutoMail reports whether the mail was sent by a robot that reads no
// replies: Auto-Submitted (RFC 3834), a bulk or list Precedence, or a
// robot's From address (mailer-daemon, noreply, ...). Cases made of such
// a mail send its sender no receipts.
func (p Parsed) AutoMail() bool {
	local, _, _ := strings.Cut(normalizeAddr(p.From), "@")
	return (p.autoSubmitted != "" && p.autoSubmitted != "no") || p.precedence == "bulk" || p.precedence == "list" ||
		p.precedence == "junk" || robotLocalParts[local] || strings.HasPrefix(local, "owner-") || strings.HasSuffix(local, "-request")
}
