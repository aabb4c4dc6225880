package models

import (
	"regexp"
	"strings"
)

// Notification is a reporter's choice of what one recipient of a
// complaint is told (docs/DESIGN.md step 3; README "The reporter's
// choices"): the complaint with the reporter's contact (send), the
// complaint without it (send-anon), or nothing (none). The values are the
// reference's report form's (owner_notification, host_notification,
// ncmec_notification).
type Notification string

// The notification choices.
const (
	NotifySend     Notification = "send"
	NotifySendAnon Notification = "send-anon"
	NotifyNone     Notification = "none"
)

// Valid reports whether n is one of the three choices.
func (n Notification) Valid() bool {
	return n == NotifySend || n == NotifySendAnon || n == NotifyNone
}

// NCSEIClaim carries the TAKE IT DOWN Act elements of a removal request
// for non-consensual intimate imagery beyond the URLs (the depiction's
// location) and the reporter's contact: the signature of the depicted
// person (or of someone authorised to act for them) and the statement of
// good-faith belief that the depiction is not consensual.
type NCSEIClaim struct {
	Signature              string `json:"signature"`
	GoodFaithNotConsensual bool   `json:"good_faith_not_consensual"`
}

// NotificationFor is the reporter's choice for the recipients of role:
// the operator (and a registrant, the domain's owner) follow
// OwnerNotification, the hosting provider HostNotification, the
// clearinghouse NcmecNotification. The reporter (or complainant) is always
// sent their own contact; a case stored before the choices existed (an
// empty value) sends.
func (c Case) NotificationFor(role RecipientRole) Notification {
	var n Notification
	switch role {
	case RoleOperator, RoleRegistrant:
		n = c.OwnerNotification
	case RoleHostingProvider:
		n = c.HostNotification
	case RoleClearinghouse:
		n = c.NcmecNotification
	}
	if n == "" {
		return NotifySend
	}
	return n
}

// Anonymous reports whether the recipients of role must not learn who the
// reporter is: they chose send-anon for them, or none (a recipient the
// reporter chose not to tell who still gets a notice, such as the
// operator's statement of reasons about hosted content, gets it without
// the reporter's identity).
func (c Case) Anonymous(role RecipientRole) bool {
	n := c.NotificationFor(role)
	return n == NotifySendAnon || n == NotifyNone
}

// ReporterSeenBy is the reporter as the recipients of role may see them:
// with every identifying field (name, email, organisation, title) empty
// and anonymous true when the reporter chose send-anon (or none) for that
// recipient.
// Every view of a case that a customer, operator, host or clearinghouse
// gets takes the reporter from here.
func (c Case) ReporterSeenBy(role RecipientRole) (r Reporter, anonymous bool) {
	if c.Anonymous(role) {
		return Reporter{}, true
	}
	return Reporter{Name: c.ReporterName, Email: c.ReporterEmail, Organization: c.ReporterOrg, Title: c.ReporterTitle}, false
}

// DescriptionSeenBy is the case's description as the recipients of role
// may see it: for an anonymous reporter every occurrence of their name,
// email, organisation, title, email's local part and each word of the
// name of three letters or more is withheld, so that
// a signature line in the description does not undo the choice.
func (c Case) DescriptionSeenBy(role RecipientRole) string {
	if !c.Anonymous(role) {
		return c.Description
	}
	vals := []string{c.ReporterName, c.ReporterEmail, c.ReporterOrg, c.ReporterTitle}
	// The name's words alone too ("Regards, Alice").
	vals = append(vals, strings.Fields(c.ReporterName)...)
	return WithholdIdentity(c.Description, vals...)
}

// WithholdIdentity replaces in text every occurrence (any case) of the
// identifying values, and of an email's local part, with "[withheld]".
// Values shorter than three characters are left: they would match
// ordinary words.
func WithholdIdentity(text string, values ...string) string {
	var parts []string
	for _, v := range values {
		v = strings.TrimSpace(v)
		if local, _, ok := strings.Cut(v, "@"); ok && len(local) >= 3 {
			parts = append(parts, bounded(local))
		}
		if len(v) >= 3 {
			parts = append(parts, bounded(v))
		}
	}
	if len(parts) == 0 {
		return text
	}
	// Longest first, so an email is withheld whole before its local part.
	for i := 1; i < len(parts); i++ {
		for j := i; j > 0 && len(parts[j]) > len(parts[j-1]); j-- {
			parts[j], parts[j-1] = parts[j-1], parts[j]
		}
	}
	re := regexp.MustCompile(`(?i)` + strings.Join(parts, "|"))
	return re.ReplaceAllString(text, "[withheld]")
}

// bounded is v as a pattern that matches only whole words at the ends
// where v begins or ends with a letter or digit.
func bounded(v string) string {
	word := regexp.MustCompile(`^\w`)
	p := regexp.QuoteMeta(v)
	if word.MatchString(v) {
		p = `\b` + p
	}
	if word.MatchString(v[len(v)-1:]) {
		p += `\b`
	}
	return p
}
