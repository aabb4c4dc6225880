package intake

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/abusedesk/abusedesk/models"
)

// The reporter's choices per recipient (README "The reporter's choices";
// docs/DESIGN.md step 3), as the reference's report form has them:
// owner_notification (send, send-anon, none) for the website operator,
// host_notification (send, send-anon) for the hosting provider, and
// ncmec_notification (send, send-anon) for the clearinghouse of a CSAM
// report. Copyright and trademark reports cannot be anonymous and always
// go to the operator: a 512(c)(3) notice names the complainant
// (512(c)(3)(A)(iv)) and is forwarded whole. CSAM never goes to the
// operator.

// validateChoices lists the problems of a report's notification choices
// and of its ncsei elements.
func validateChoices(r *models.ReportRequest, add func(f, format string, args ...any)) {
	c := r.Category
	ownerOK := validOwner(r, add)
	if n := r.HostNotification; n != "" {
		switch {
		case n != models.NotifySend && n != models.NotifySendAnon:
			add("host_notification", "%q is not a choice: send or send-anon (the hosting provider of the origin is always told so that it can act; send-anon withholds your contact)", n)
		case n == models.NotifySendAnon && c.AlwaysForwarded():
			add("host_notification", "%s reports cannot be anonymous: only send (the notice names the complainant, 17 U.S.C. 512(c)(3)(A)(iv))", c)
		}
	}
	if n := r.NcmecNotification; n != "" {
		switch {
		case c != models.CategoryCSAM && c.Valid():
			add("ncmec_notification", "only a csam report goes to the child-safety clearinghouse")
		case n != models.NotifySend && n != models.NotifySendAnon:
			add("ncmec_notification", "%q is not a choice: send or send-anon", n)
		}
	}
	if f := r.ForwardToOperator; f != nil && r.OwnerNotification != "" && ownerOK &&
		*f != (r.OwnerNotification != models.NotifyNone) {
		add("forward_to_operator", "%t disagrees with owner_notification %q: give one of them, or both alike (true = send or send-anon, false = none)", *f, r.OwnerNotification)
		add("owner_notification", "%q disagrees with forward_to_operator %t: give one of them, or both alike (true = send or send-anon, false = none)", r.OwnerNotification, *f)
	}
	validateNCSEI(r, add)
}

// validOwner checks owner_notification alone; false when it is already
// named as a problem.
func validOwner(r *models.ReportRequest, add func(f, format string, args ...any)) bool {
	n, c := r.OwnerNotification, r.Category
	switch {
	case n == "":
		return true
	case !n.Valid():
		add("owner_notification", "%q is not a choice: send, send-anon or none", n)
	case c.AlwaysForwarded() && n != models.NotifySend:
		add("owner_notification", "%s reports always go to the website operator with the complainant's contact: only send (17 U.S.C. 512(c)(3)(A)(iv))", c)
	case c.NeverForwarded() && n != models.NotifyNone:
		add("owner_notification", "a %s report is never sent to the website operator: leave owner_notification out, or none", c)
	default:
		return true
	}
	return false
}

// validateNCSEI checks the TAKE IT DOWN Act elements of an ncsei report
// beyond the URLs (B) and the reporter's email (D): the signature (A) and
// the good-faith statement that the depiction is not consensual (C).
func validateNCSEI(r *models.ReportRequest, add func(f, format string, args ...any)) {
	x := r.NCSEI
	if r.Category != models.CategoryNCSEI {
		if x != nil && r.Category.Valid() {
			add("ncsei", "only an ncsei report carries the ncsei statements")
		}
		return
	}
	if x == nil {
		add("ncsei", "required on an ncsei report: signature, good_faith_not_consensual (TAKE IT DOWN Act removal request)")
		return
	}
	switch sig := strings.TrimSpace(x.Signature); {
	case sig == "":
		add("ncsei.signature", "required: the physical or electronic signature of the person depicted, or of someone authorised to act for them (TAKE IT DOWN Act, element A)")
	case len(x.Signature) > MaxShortField:
		add("ncsei.signature", "at most %d characters", MaxShortField)
	}
	if !x.GoodFaithNotConsensual {
		add("ncsei.good_faith_not_consensual", "must be true: a statement of good-faith belief that the intimate depiction is not consensual (TAKE IT DOWN Act, element C)")
	}
}

// Choices are the notification choices of a case, defaults filled in.
type Choices struct {
	Owner, Host, Ncmec models.Notification
}

// ResolveChoices is what a valid report asks per recipient, with the
// category's defaults where it asks nothing: the operator send (none when
// forward_to_operator is false; always none for CSAM; send-anon for
// ncsei), the host send (send-anon for ncsei), the clearinghouse (CSAM
// only) send, or send-anon when the reporter gave no name and no email.
func ResolveChoices(r *models.ReportRequest) Choices {
	c := r.Category
	ch := Choices{Owner: r.OwnerNotification, Host: r.HostNotification, Ncmec: r.NcmecNotification}
	anonDefault := c == models.CategoryNCSEI
	switch {
	case c.NeverForwarded():
		ch.Owner = models.NotifyNone
	case c.AlwaysForwarded():
		ch.Owner = models.NotifySend
	case ch.Owner != "":
	case r.ForwardToOperator != nil && !*r.ForwardToOperator:
		ch.Owner = models.NotifyNone
	case anonDefault:
		ch.Owner = models.NotifySendAnon
	default:
		ch.Owner = models.NotifySend
	}
	switch {
	case c.AlwaysForwarded():
		ch.Host = models.NotifySend
	case ch.Host != "":
	case anonDefault:
		ch.Host = models.NotifySendAnon
	default:
		ch.Host = models.NotifySend
	}
	switch {
	case c != models.CategoryCSAM:
		ch.Ncmec = ""
	case ch.Ncmec != "":
	case r.Reporter.Name == "" && r.Reporter.Email == "":
		ch.Ncmec = models.NotifySendAnon
	default:
		ch.Ncmec = models.NotifySend
	}
	return ch
}

// applyChoices puts a valid report's choices on its new case;
// ForwardToOperator says the same as OwnerNotification.
func applyChoices(c *models.Case, r *models.ReportRequest) {
	ch := ResolveChoices(r)
	c.OwnerNotification, c.HostNotification, c.NcmecNotification = ch.Owner, ch.Host, ch.Ncmec
	c.ForwardToOperator = ch.Owner != models.NotifyNone
}

// keepNCSEI keeps an ncsei report's removal request (the TAKE IT DOWN
// Act's elements as the reporter gave them) as the case's evidence: the
// record that a valid request arrived, and when. The case stands without
// it (it is stored already); a failure is logged.
func (s *Service) keepNCSEI(ctx context.Context, caseID string, r *models.ReportRequest) {
	if r.Category != models.CategoryNCSEI || r.NCSEI == nil {
		return
	}
	doc, _ := json.Marshal(map[string]any{"category": r.Category, "urls": r.URLs, "reporter": r.Reporter,
		"ncsei": r.NCSEI, "description": r.Description})
	if err := s.KeepEvidence(ctx, caseID, r.Source, "ncsei_request", "", doc); err != nil && s.Log != nil {
		s.Log.Warn("ncsei request not kept as evidence", "case_id", caseID, "err", err)
	}
}
