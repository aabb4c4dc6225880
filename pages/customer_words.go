package pages

import (
	"strings"
	"time"

	"github.com/abusedesk/abusedesk/models"
)

// The customer portal says what each mitigation does and covers in plain
// words (docs/DESIGN.md "Mitigations"): a customer reads "visitors see a
// phishing warning before every page under https://shop.example/login",
// not "phishing_interstitial url_pattern".

// mitigationWords say what each mitigation type does to visitors.
var mitigationWords = map[models.MitigationType]string{
	models.MitigationLegalBlock:             "Blocked where a law requires it",
	models.MitigationPhishingInterstitial:   "Visitors see a phishing warning first",
	models.MitigationMisleadingInterstitial: "Visitors see a warning that the content may mislead",
	models.MitigationNetworkBlock:           "Blocked at our network",
	models.MitigationRateLimitCache:         "Served from cache only, rate limited",
	models.MitigationAccountSuspend:         "Account suspended",
	models.MitigationRedirectVideoStream:    "Video stream redirected",
	models.MitigationContentDisabled:        "Access disabled (visitors get HTTP 451)",
	models.MitigationContentRemoved:         "Content removed for good",
	models.MitigationDomainHold:             "Domain on hold (it does not resolve)",
	models.MitigationDomainLock:             "Domain locked against transfer",
	models.MitigationServiceTermination:     "Service ended",
}

// mitigationWord is the type in words (the type itself when unknown).
func mitigationWord(t models.MitigationType) string {
	if w, ok := mitigationWords[t]; ok {
		return w
	}
	return string(t)
}

// coverage says what a mitigation covers: a page, every page under a
// path, a whole domain or the whole account; a legal block names its
// countries.
func coverage(m models.Mitigation) string {
	var s string
	switch m.EntityType {
	case models.EntityURLPattern:
		if p, ok := strings.CutSuffix(m.EntityID, "*"); ok {
			s = "every page under " + p
		} else {
			s = "the page " + m.EntityID
		}
	case models.EntityZone:
		s = "the whole domain " + m.EntityID
	case models.EntityAccount:
		s = "your whole account (" + m.EntityID + ")"
	default:
		s = m.EntityID
	}
	if m.Type == models.MitigationLegalBlock {
		if m.Countries == "" {
			s += ", in every country"
		} else {
			s += ", in " + strings.ReplaceAll(m.Countries, ",", ", ")
		}
	}
	return s
}

// statusWords name each mitigation status for customers.
var statusWords = map[models.MitigationStatus]string{
	models.MitigationPending:   "Pending",
	models.MitigationActive:    "Active",
	models.MitigationInReview:  "In review",
	models.MitigationCancelled: "Cancelled",
	models.MitigationRemoved:   "Lifted",
}

// statusWord is the status in words.
func statusWord(s models.MitigationStatus) string {
	if w, ok := statusWords[s]; ok {
		return w
	}
	return string(s)
}

// statusNote is a sentence on what the status means now.
func statusNote(m models.Mitigation, now time.Time) string {
	switch m.Status {
	case models.MitigationPending:
		if m.EffectiveDate.After(now) {
			return "Takes effect on " + when(m.EffectiveDate) + " unless the problem is fixed first."
		}
		return "Takes effect now."
	case models.MitigationActive:
		return "In force since " + when(m.EffectiveDate) + "."
	case models.MitigationInReview:
		s := "Your appeal is with an analyst; the mitigation stays in force until they decide."
		if m.ReviewDeadline != nil {
			s += " Answer due by " + when(*m.ReviewDeadline) + "."
		}
		return s
	case models.MitigationCancelled:
		return "Cancelled before it took effect."
	case models.MitigationRemoved:
		if m.EndedAt != nil {
			return "No longer in force since " + when(*m.EndedAt) + "."
		}
		return "No longer in force."
	}
	return ""
}

// appealable reports whether a customer may appeal the mitigation now:
// only one in force and not already in review (a pending one is not in
// force yet: fixing the problem before its effective date cancels it).
func appealable(s models.MitigationStatus) bool { return s == models.MitigationActive }

// roleWords say whom a mail went to, from the customer's side.
var roleWords = map[models.RecipientRole]string{
	models.RoleOperator:        "you",
	models.RoleHostingProvider: "your hosting provider",
	models.RoleRegistrant:      "the domain's registrant",
}

// appealReasons are the reasons an appeal may give, in words.
var appealReasons = []choice{
	{Value: "removed", Label: "The content is gone: we removed or fixed it"},
	{Value: "misclassified", Label: "The report is wrong: the content is not abusive"},
}

// appealReasonWord is an appeal reason in words.
func appealReasonWord(r string) string {
	for _, c := range appealReasons {
		if c.Value == r {
			return c.Label
		}
	}
	return r
}

// choice is one option of a select or radio group.
type choice struct{ Value, Label string }

// deliveryWords name a notice's delivery state (models.NoticeDeliveryState)
// for customers.
var deliveryWords = map[models.NoticeDeliveryState]string{
	models.NoticeQueued:     "Queued",
	models.NoticeDelivered:  "Delivered",
	models.NoticeBounced:    "Bounced",
	models.NoticeRedirected: "Bounced, sent to another contact",
	models.NoticeHeldBack:   "Not sent",
}

// deliveryWord is a delivery state in words.
func deliveryWord(s models.NoticeDeliveryState) string {
	if w, ok := deliveryWords[s]; ok {
		return w
	}
	return string(s)
}
