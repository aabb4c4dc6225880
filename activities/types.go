package activities

import (
	"time"

	"github.com/abusedesk/abusedesk/models"
)

// ClassifyInput names the case whose URLs are matched against the customer
// records. The URLs themselves stay in the database (a bulk notice can list
// thousands).
type ClassifyInput struct {
	CaseID string
}

// Provider is a hosting provider found for an origin IP.
type Provider struct {
	Name       string
	AbuseEmail string // a role address of the provider, not personal data
	OriginIP   string
	Found      bool
	// Source is where the provider was found: SourceCustomer (the
	// customer records' networks), SourceNetworksFile (rdap_networks_file)
	// or SourceRDAP; empty in histories written before it existed.
	Source string `json:",omitempty"`
	// Via is the host name of the RDAP server that answered.
	Via string `json:",omitempty"`
}

// Where a hosting provider was found (Provider.Source).
const (
	SourceCustomer     = "customer"
	SourceNetworksFile = "networks_file"
	SourceRDAP         = "rdap"
)

// ClearinghouseInput opens the child-safety clearinghouse report of a case.
type ClearinghouseInput struct {
	CaseID string
}

// ClearinghouseResult is where the report stands after the call
// (activities/clearinghouse.go): Reference is the clearinghouse's report id
// once filed; State is a models.ClearinghouseState.
type ClearinghouseResult struct {
	Reference string
	State     string `json:",omitempty"`
}

// DomainInput asks the registrar to set or clear a status on a domain.
type DomainInput struct {
	CaseID string
	Step   string
	Domain string
	Status string // e.g. serverHold, clientTransferProhibited
	Clear  bool
}

// HostedRef is one hosted object a reported URL points at.
type HostedRef struct {
	ObjectID string
	Product  string
	URL      string
	// URLPrefix is the object's URL prefix and URLs every reported URL
	// under it (the scope of its mitigations, docs/DESIGN.md
	// "Mitigations"); empty in histories written before they existed.
	URLPrefix string   `json:",omitempty"`
	URLs      []string `json:",omitempty"`
}

// Target is one of our customers' domains named by the report and the
// service at issue there. Contacts (emails) are not in the payload: notices
// look them up, so workflow histories carry no personal data.
type Target struct {
	Domain    string
	AccountID string
	Service   models.Service
	Services  []string
	URLCount  int
	Provider  Provider
	Hosted    []HostedRef
	// RegistrarOnly: we only register the domain (no CDN, no hosting).
	RegistrarOnly bool
	// HasRegistrar: the domain is registered with us.
	HasRegistrar bool
}

// ClassifyResult lists the targets in a stable order (by domain name) and
// the hosts named by the report that are not ours.
type ClassifyResult struct {
	Targets  []Target
	NotOurs  []string
	URLCount int
}

// NoticeKind selects a notice template.
type NoticeKind string

// Notice templates.
const (
	NoticeForwardOperator     NoticeKind = "forward_operator"
	NoticeForwardHost         NoticeKind = "forward_host"
	NoticeReporterForwarded   NoticeKind = "reporter_forwarded"
	NoticeReporterNotOurs     NoticeKind = "reporter_not_ours"
	NoticeReporterReceipt     NoticeKind = "reporter_receipt"
	NoticeReporterDecision    NoticeKind = "reporter_decision"
	NoticeReporterQuestion    NoticeKind = "reporter_question"
	NoticeReporterClosed      NoticeKind = "reporter_closed"
	NoticeOperatorViolation   NoticeKind = "operator_violation"
	NoticeOperatorReminder    NoticeKind = "operator_reminder"
	NoticeOperatorRemoved     NoticeKind = "operator_removed"
	NoticeOperatorRestored    NoticeKind = "operator_restored"
	NoticeOperatorUpheld      NoticeKind = "operator_upheld"
	NoticeComplainantCounter  NoticeKind = "complainant_counter_notice"
	NoticeComplainantRestored NoticeKind = "complainant_restored"
	NoticeRegistrantWhois     NoticeKind = "registrant_whois"
	NoticeRegistrantReminder  NoticeKind = "registrant_reminder"
	NoticeRegistrantSuspended NoticeKind = "registrant_suspended"
	NoticeRegistrantLocked    NoticeKind = "registrant_locked"
	NoticeReporterRegistrar   NoticeKind = "reporter_registrar"
	NoticeOperatorTerminated  NoticeKind = "operator_terminated"
	NoticeClearinghouse       NoticeKind = "clearinghouse"
)

// NoticeInput asks for one notice. Step is unique per case: the same step
// asked twice (a retried activity, a replayed workflow) sends nothing new.
type NoticeInput struct {
	CaseID string
	Step   string
	Kind   NoticeKind
	Role   models.RecipientRole
	Domain string
	// AccountID addresses the account's operator when no domain is named
	// (termination notices).
	AccountID       string
	IncludeOriginIP bool
	// WithResponseLink gives the operator a token link scoped to this notice.
	WithResponseLink bool
	TokenTTL         time.Duration
	// Deadline, when set, is the deadline the notice states (the "deadline"
	// fact): the workflow computes it once, as the time it will wait for.
	Deadline *time.Time `json:",omitempty"`
	// Facts are template values that are not personal data (reasons, dates,
	// provider names, the analyst's question).
	Facts map[string]string
}

// NoticeResult names the stored notice.
type NoticeResult struct {
	NoticeID string
	Skipped  bool // no recipient address known: nothing to send
}

// NoticeBatch is several notices of one case sent together (SendNotices):
// each is the NoticeInput SendNotice would take, with the same CaseID.
type NoticeBatch struct {
	CaseID  string
	Notices []NoticeInput
	// Close, when set, is the case's closing status, written as SetStatus
	// writes it once every notice of the batch is out: a CDN case's last
	// step costs no activity of its own. Its CaseID is the batch's.
	Close *StatusInput `json:",omitempty"`
}

// NoticeBatchResult holds one NoticeResult per notice of the batch, in the
// batch's order, and whether the batch's Close was written.
type NoticeBatchResult struct {
	Results []NoticeResult
	Closed  bool `json:",omitempty"`
}

// StatusInput writes the case's read model.
type StatusInput struct {
	CaseID       string
	Status       models.Status
	Outcome      models.Outcome
	Service      models.Service
	Domain       string
	AccountID    string
	NextDeadline *time.Time
}

// ObjectsInput names hosted objects to act on for a case.
type ObjectsInput struct {
	CaseID    string
	Step      string
	ObjectIDs []string
	Reason    string
}

// StrikeInput records or withdraws an upheld violation against an account.
type StrikeInput struct {
	CaseID    string
	AccountID string
	Category  models.Category
	Clause    string
	Withdraw  bool
	// NoMeaningfulStep: the operator did not act (deadline passed).
	NoMeaningfulStep bool
}

// DecisionRecord stores an analyst's decision in the read model.
type DecisionRecord struct {
	CaseID  string
	Step    string
	Verdict string
	Clause  string
	Reason  string
	Analyst string
}

// Review kinds opened by the strike policy (issue: repeat-infringer and
// hosting termination).
const (
	ReviewRepeatInfringer = "repeat_infringer"
	ReviewHosting         = "hosting"
)

// StrikeResult says which termination reviews the account's strikes now
// call for.
type StrikeResult struct {
	Reviews []string
}

// AccountHistoryInput asks for an account's record for a review.
type AccountHistoryInput struct {
	AccountID string
	Kind      string
}

// AccountHistory summarises an account for the analyst deciding a review.
type AccountHistory struct {
	AccountID     string
	ActiveStrikes int
	CaseIDs       []string
	Services      []string
}

// TerminateInput terminates an account's service.
type TerminateInput struct {
	ReviewID   string
	AccountID  string
	Kind       string
	Service    string
	Reason     string
	LegalBasis string
	Analyst    string
}

// ReviewStatusInput writes a review's read model.
type ReviewStatusInput struct {
	ReviewID      string
	AccountID     string
	Kind          string
	Status        models.ReviewState
	TriggerCaseID string
	Verdict       string
	Reason        string
	Analyst       string
}
