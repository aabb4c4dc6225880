// Package models holds the domain types shared by every package of abusedesk
// (categories, services, statuses, notice roles) and the GORM models of its
// database. Workflow payloads are separate structs in workflows/; GORM models
// never travel through Temporal.
package models

// Category is the kind of abuse a report names.
type Category string

// Categories of the API contract (docs/DESIGN.md).
const (
	CategoryCopyright           Category = "copyright"
	CategoryTrademark           Category = "trademark"
	CategoryPhishing            Category = "phishing"
	CategoryMalware             Category = "malware"
	CategoryCSAM                Category = "csam"
	CategoryViolentThreat       Category = "violent_threat"
	CategoryPersonalInformation Category = "personal_information"
	CategoryControlledSubst     Category = "controlled_substances"
	CategoryHumanTrafficking    Category = "human_trafficking"
	CategoryDefamation          Category = "defamation"
	CategoryFraud               Category = "fraud"
	CategoryRegistrarWhois      Category = "registrar_whois"
	CategoryRegistrarHijacking  Category = "registrar_hijacking"
	CategoryNCSEI               Category = "ncsei" // non-consensual intimate imagery (TAKE IT DOWN Act; the reference's abuse_ncsei)
	CategoryOther               Category = "other"
)

// Categories lists every valid category in a stable order.
var Categories = []Category{
	CategoryCopyright, CategoryTrademark, CategoryPhishing, CategoryMalware,
	CategoryCSAM, CategoryViolentThreat, CategoryPersonalInformation,
	CategoryControlledSubst, CategoryHumanTrafficking, CategoryDefamation,
	CategoryFraud, CategoryRegistrarWhois, CategoryRegistrarHijacking, CategoryNCSEI, CategoryOther,
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
}

// AlwaysForwarded reports whether a notice of this category goes to the
// operator whatever the reporter asked: copyright and trademark notices are
// forwarded whole (docs/DESIGN.md step 3).
func (c Category) AlwaysForwarded() bool {
	return c == CategoryCopyright || c == CategoryTrademark
}

// NeverForwarded reports whether the operator must never see this report:
// CSAM is never forwarded to the operator.
func (c Category) NeverForwarded() bool { return c == CategoryCSAM }

// ReporterMayOptOut reports whether the reporter may choose not to have the
// complaint forwarded to the website operator.
func (c Category) ReporterMayOptOut() bool {
	return !c.AlwaysForwarded() && !c.NeverForwarded()
}

// IsRegistrar reports whether the category is a domain-level registrar concern.
func (c Category) IsRegistrar() bool {
	return c == CategoryRegistrarWhois || c == CategoryRegistrarHijacking
}

// Service is the provider's service that a reported URL uses.
type Service string

// Services a case can be about.
const (
	ServiceCDN       Service = "cdn"
	ServiceHosting   Service = "hosting"
	ServiceRegistrar Service = "registrar"
	ServiceNone      Service = "none"

	// ServiceNetwork: a report about an IP address that is a customer's
	// origin or in the provider's own networks (docs/DESIGN.md step 3).
	ServiceNetwork Service = "network"
)

// Hosting products a hosted object can belong to.
var HostingProducts = []string{"pages", "workers", "kv", "stream", "images"}

// Status is where a case is in its process.
type Status string

// Case statuses. Every status but StatusClosed is "open".
const (
	StatusReceived           Status = "received"
	StatusClassifying        Status = "classifying"
	StatusForwarding         Status = "forwarding"
	StatusAwaitingAnalyst    Status = "awaiting_analyst"
	StatusAwaitingReporter   Status = "awaiting_reporter"
	StatusAwaitingOperator   Status = "awaiting_operator"
	StatusDisputed           Status = "disputed"
	StatusCounterNotice      Status = "counter_notice_wait"
	StatusRegistrarReview    Status = "awaiting_registrar_review"
	StatusAwaitingRegistrant Status = "awaiting_registrant"
	StatusClosed             Status = "closed"
)

// Outcome is how a closed case ended.
type Outcome string

// Case outcomes.
const (
	OutcomeNone                     Outcome = ""
	OutcomeForwarded                Outcome = "forwarded"
	OutcomeNotOurCustomer           Outcome = "not_our_customer"
	OutcomeNoViolation              Outcome = "no_violation"
	OutcomeContentRemoved           Outcome = "content_removed"
	OutcomeContentRemovedNoResponse Outcome = "content_removed_no_response"
	OutcomeRestored                 Outcome = "restored"
	OutcomeRestrictionUpheld        Outcome = "restriction_upheld"
	OutcomeCourtAction              Outcome = "court_action_pending"
	OutcomeNoInfo                   Outcome = "closed_no_information"
	OutcomeRegistrarAnswered        Outcome = "answered_registrar_scope"
	OutcomeDomainSuspended          Outcome = "domain_suspended"
	OutcomeDomainCorrected          Outcome = "whois_corrected"
	OutcomeDomainLocked             Outcome = "domain_locked"
)

// RecipientRole is who a notice is addressed to.
type RecipientRole string

// Notice recipient roles of the API contract.
const (
	RoleOperator        RecipientRole = "operator"
	RoleHostingProvider RecipientRole = "hosting_provider"
	RoleReporter        RecipientRole = "reporter"
	RoleRegistrant      RecipientRole = "registrant"
	RoleComplainant     RecipientRole = "complainant"
	RoleClearinghouse   RecipientRole = "clearinghouse"
)

// NoticeStatus is the delivery state of a notice.
type NoticeStatus string

// Notice delivery states: outbox (no SMTP configured), sent.
const (
	NoticeOutbox NoticeStatus = "outbox"
	NoticeSent   NoticeStatus = "sent"
)

// Role is an API key's role.
type Role string

// API roles. Admin can do everything the other roles can.
const (
	RoleAdmin   Role = "admin"
	RoleAnalyst Role = "analyst"
	RoleAuditor Role = "auditor"
)

// Allows reports whether a key of role r may use an endpoint owned by need.
func (r Role) Allows(need Role) bool { return r == RoleAdmin || r == need }
