package activities

import (
	"context"
	"strings"
	"time"

	"github.com/abusedesk/abusedesk/models"
)

// InlineTargetsMax is the largest target list a case forwards inline; a
// longer one (a bulk notice) fans out into batches (workflows.BulkInlineMax).
const InlineTargetsMax = 20

// The notices of a CDN case are built here, as plain values, so that the
// case workflow and ClassifyForward build the same ones (the same steps:
// a notice is idempotent per step, whichever of the two sent it).

// ReceiptNotice confirms the report to the reporter.
func ReceiptNotice() NoticeInput {
	return NoticeInput{Step: "reporter-receipt", Kind: NoticeReporterReceipt, Role: models.RoleReporter}
}

// ForwardNotices are the forwards of a pass-through domain: to the
// operator when toOperator, to the hosting provider with the origin IP
// when one is known.
func ForwardNotices(t Target, toOperator bool) []NoticeInput {
	var out []NoticeInput
	if toOperator {
		out = append(out, NoticeInput{
			Step: "operator-forward:" + t.Domain, Kind: NoticeForwardOperator,
			Role: models.RoleOperator, Domain: t.Domain,
		})
	}
	if t.Provider.Found {
		out = append(out, NoticeInput{
			Step: "host-forward:" + t.Domain, Kind: NoticeForwardHost,
			Role: models.RoleHostingProvider, Domain: t.Domain, IncludeOriginIP: true,
			Facts: map[string]string{"provider": t.Provider.Name, "origin_ip": t.Provider.OriginIP},
		})
	}
	return out
}

// ProviderLine names the hosting provider of a target for the reporter.
func ProviderLine(t Target) string {
	if !t.Provider.Found {
		return t.Domain + ": hosting provider unknown"
	}
	p := t.Domain + ": " + t.Provider.Name
	if t.Provider.AbuseEmail != "" {
		p += " <" + t.Provider.AbuseEmail + ">"
	}
	return p
}

// ReplyForwardedNotice tells the reporter whom the complaint went to and
// whom to contact next.
func ReplyForwardedNotice(domain, providers string, toOperator bool) NoticeInput {
	fwd := "no"
	if toOperator {
		fwd = "yes"
	}
	return NoticeInput{
		Step: "reporter-forwarded", Kind: NoticeReporterForwarded, Role: models.RoleReporter,
		Domain: domain,
		Facts:  map[string]string{"providers": providers, "forwarded_to_operator": fwd},
	}
}

// ForwardsToOperator says whether a report of the category goes to the
// website's operator, given the reporter's choice.
func ForwardsToOperator(cat models.Category, reporterChose bool) bool {
	return !cat.NeverForwarded() && (cat.AlwaysForwarded() || reporterChose)
}

// NetworkTargets reports whether the targets are a report about IP
// addresses (every target of the network service).
func NetworkTargets(targets []Target) bool {
	for _, t := range targets {
		if t.Service != models.ServiceNetwork {
			return false
		}
	}
	return len(targets) > 0
}

// InlineCDN reports whether the batched CDN path handles a case whole:
// every target a CDN customer's, a few of them (no bulk fan-out), neither a
// report about an IP address nor CSAM (which files a clearinghouse report
// first).
func InlineCDN(cat models.Category, targets []Target) bool {
	if len(targets) == 0 || len(targets) > InlineTargetsMax || cat == models.CategoryCSAM || NetworkTargets(targets) {
		return false
	}
	for _, t := range targets {
		if t.Service != models.ServiceCDN {
			return false
		}
	}
	return true
}

// CDNNotices are the notices of a CDN case handled whole, in order: first
// (the receipt, when it goes with them), each target's forwards, the reply
// to the reporter.
func CDNNotices(targets []Target, toOperator bool, first ...NoticeInput) []NoticeInput {
	ins := append([]NoticeInput(nil), first...)
	var lines []string
	for _, t := range targets {
		ins = append(ins, ForwardNotices(t, toOperator)...)
		lines = append(lines, ProviderLine(t))
	}
	return append(ins, ReplyForwardedNotice(targets[0].Domain, strings.Join(lines, "\n"), toOperator))
}

// ClassifyForwardInput asks for a case's classification and, when the
// case is a CDN case handled whole, its notices and its close.
type ClassifyForwardInput struct {
	CaseID string
	// ToOperator: the case's forwards include the operator's
	// (ForwardsToOperator of its category and the reporter's choice).
	ToOperator bool
	// TokenTTL is the response links' lifetime, as NoticeInput's.
	TokenTTL time.Duration
}

// ClassifyForwardResult is the classification and, when Forwarded, the
// notice batch's result (Batch.Closed: the close is written).
type ClassifyForwardResult struct {
	Classify  ClassifyResult
	Forwarded bool              `json:",omitempty"`
	Batch     NoticeBatchResult `json:",omitempty"`
}

// ClassifyForward is Classify and, for a CDN case handled whole
// (InlineCDN), SendNotices of its receipt, forwards and reply with its
// close, in one activity: the case, its URLs and the networks are read
// once for both. A case of any other kind is only classified; the workflow
// goes on as after Classify. Idempotent as both are: a retried call, or
// SendNotices after a failed one, stores and sends nothing twice.
func (a *Activities) ClassifyForward(ctx context.Context, in ClassifyForwardInput) (ClassifyForwardResult, error) {
	k, err := a.classify(ctx, in.CaseID)
	cls := k.res
	if err != nil || !InlineCDN(k.c.Category, cls.Targets) {
		return ClassifyForwardResult{Classify: cls}, err
	}
	batch := NoticeBatch{CaseID: in.CaseID, Notices: CDNNotices(cls.Targets, in.ToOperator, ReceiptNotice()),
		Close: &StatusInput{CaseID: in.CaseID, Status: models.StatusClosed, Outcome: models.OutcomeForwarded,
			Service: models.ServiceCDN, Domain: cls.Targets[0].Domain, AccountID: cls.Targets[0].AccountID}}
	for i := range batch.Notices {
		batch.Notices[i].CaseID = in.CaseID
		if batch.Notices[i].TokenTTL == 0 {
			batch.Notices[i].TokenTTL = in.TokenTTL
		}
	}
	look := a.newNoticeLookups(ctx)
	look.preload(k.c, k.urls, k.networks)
	res, err := a.sendNotices(ctx, batch, look)
	if err != nil {
		return ClassifyForwardResult{}, err
	}
	return ClassifyForwardResult{Classify: cls, Forwarded: true, Batch: res}, nil
}
