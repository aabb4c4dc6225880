package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// Registrar statuses (EPP) the registrar path sets.
const (
	EPPServerHold               = "serverHold"
	EPPClientTransferProhibited = "clientTransferProhibited"
)

// changeRegistrarAllDomains: a registrar case handles every domain it
// names, each step once per domain ("<step>:<domain>"); a case started
// before handled its first domain only, under the bare steps.
const changeRegistrarAllDomains = "registrar-all-domains-20261206"

// registrarCase is the registrar path's view of its domains.
type registrarCase struct {
	*caseState
	domains []activities.Target
	// perDomain: changeRegistrarAllDomains (steps carry the domain).
	perDomain bool
}

// step names a step of domain d.
func (r *registrarCase) step(base string, d activities.Target) string {
	if !r.perDomain {
		return base
	}
	return base + ":" + d.Domain
}

// registrar is docs/DESIGN.md step 5: a registrar acts only on whole domains and
// only on domain-level concerns.
func (s *caseState) registrar(ctx workflow.Context, targets []activities.Target) error {
	r := &registrarCase{caseState: s, domains: targets}
	r.perDomain = getVersion(ctx, changeRegistrarAllDomains, workflow.DefaultVersion, 1) == 1
	if !r.perDomain {
		r.domains = targets[:1]
	}
	switch s.in.Category {
	case models.CategoryRegistrarWhois:
		return r.whois(ctx)
	case models.CategoryRegistrarHijacking:
		return r.hijacking(ctx)
	case models.CategoryTrademark:
		return r.answerScope(ctx, "trademark")
	}
	return r.answerScope(ctx, "scope")
}

// answerScope answers a report a registrar cannot act on, once per
// domain: how to reach the registrant (trademark), or where to go instead.
func (r *registrarCase) answerScope(ctx workflow.Context, why string) error {
	for _, t := range r.domains {
		if err := r.notice(ctx, activities.NoticeInput{
			Step: r.step("reporter-registrar", t), Kind: activities.NoticeReporterRegistrar, Role: models.RoleReporter,
			Domain: t.Domain, Facts: map[string]string{"why": why},
		}).Get(ctx, nil); err != nil {
			return err
		}
	}
	return r.close(ctx, models.OutcomeRegistrarAnswered)
}

// registrantNotice sends one step's notice to the registrant of each of
// domains.
func (r *registrarCase) registrantNotice(ctx workflow.Context, domains []activities.Target, step string,
	kind activities.NoticeKind, link bool, facts map[string]string) ([]string, error) {
	ids := make([]string, len(domains))
	for i, t := range domains {
		var res activities.NoticeResult
		if err := r.notice(ctx, activities.NoticeInput{
			Step: r.step(step, t), Kind: kind, Role: models.RoleRegistrant,
			Domain: t.Domain, WithResponseLink: link, Facts: facts,
		}).Get(ctx, &res); err != nil {
			return nil, err
		}
		ids[i] = res.NoticeID
	}
	return ids, nil
}

// setDomains sets (or clears) an EPP status on each of domains.
func (r *registrarCase) setDomains(ctx workflow.Context, domains []activities.Target, step, status string, clear bool) error {
	for _, t := range domains {
		if err := workflow.ExecuteActivity(withDB(ctx), activities.ActSetDomainStatus, activities.DomainInput{
			CaseID: r.in.CaseID, Step: r.step(step, t), Domain: t.Domain, Status: status, Clear: clear,
		}).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// whois asks the registrants to correct the data within the correction
// window, reminds halfway, and asks an analyst whether to suspend the
// domains not corrected by then.
func (r *registrarCase) whois(ctx workflow.Context) error {
	window := r.in.Timers.WhoisCorrectionWindow
	deadline := workflow.Now(ctx).Add(window).UTC()
	facts := map[string]string{"deadline": deadline.Format(time.RFC1123)}
	// Listen for the correction before the notice goes out: a registrant
	// may answer the moment the email arrives.
	r.phase, r.operator, r.responses = PhaseRegistrant, nil, nil
	ids, err := r.registrantNotice(ctx, r.domains, "registrant-whois", activities.NoticeRegistrantWhois, true, facts)
	if err != nil {
		return err
	}
	if err := r.setStatus(ctx, models.StatusAwaitingRegistrant, models.OutcomeNone, &deadline, "whois_correction"); err != nil {
		return err
	}
	corrected := func() bool { return len(r.uncorrected(ids)) == 0 }
	ok, err := workflow.AwaitWithTimeout(ctx, window/2, corrected)
	if err != nil {
		return err
	}
	if !ok {
		if _, err := r.registrantNotice(ctx, r.uncorrected(ids), "registrant-reminder", activities.NoticeRegistrantReminder, false, facts); err != nil {
			return err
		}
		if _, err = workflow.AwaitWithTimeout(ctx, deadline.Sub(workflow.Now(ctx)), corrected); err != nil {
			return err
		}
	}
	left := r.uncorrected(ids)
	if len(left) == 0 {
		return r.close(ctx, models.OutcomeDomainCorrected)
	}
	// Not corrected: an analyst decides whether to suspend those domains.
	r.phase = PhaseRegistrarWhois
	if err := r.setStatus(ctx, models.StatusRegistrarReview, models.OutcomeNone, nil, ""); err != nil {
		return err
	}
	d, err := r.takeDecision(ctx)
	if err != nil {
		return err
	}
	if d.Verdict == VerdictDecline {
		return r.close(ctx, models.OutcomeNoViolation)
	}
	if err := r.setDomains(ctx, left, "suspend", EPPServerHold, false); err != nil {
		return err
	}
	if _, err := r.registrantNotice(ctx, left, "registrant-suspended", activities.NoticeRegistrantSuspended, false,
		map[string]string{"reason": d.Reason}); err != nil {
		return err
	}
	return r.close(ctx, models.OutcomeDomainSuspended)
}

// uncorrected lists the domains whose registrant has not confirmed a
// correction. ids are the domains' whois notices: with one domain per case
// (before changeRegistrarAllDomains) any confirmation counts, as it did;
// with several, a confirmation counts for the domain of its notice.
func (r *registrarCase) uncorrected(ids []string) []activities.Target {
	done := map[string]bool{}
	for _, resp := range r.responses {
		if resp.Response == ResponseRemoved {
			done[resp.NoticeID] = true
		}
	}
	var out []activities.Target
	for i, t := range r.domains {
		if r.perDomain && !done[ids[i]] || !r.perDomain && !(r.operator != nil && r.operator.Response == ResponseRemoved) {
			out = append(out, t)
		}
	}
	return out
}

// hijacking locks the domains at once and escalates to an analyst, who
// keeps the locks (uphold) or lifts them (reverse).
func (r *registrarCase) hijacking(ctx workflow.Context) error {
	if err := r.setDomains(ctx, r.domains, "lock", EPPClientTransferProhibited, false); err != nil {
		return err
	}
	if _, err := r.registrantNotice(ctx, r.domains, "registrant-locked", activities.NoticeRegistrantLocked, false, nil); err != nil {
		return err
	}
	r.phase = PhaseHijack
	if err := r.setStatus(ctx, models.StatusRegistrarReview, models.OutcomeNone, nil, ""); err != nil {
		return err
	}
	d, err := r.takeDecision(ctx)
	if err != nil {
		return err
	}
	if d.Verdict == VerdictReverse {
		if err := r.setDomains(ctx, r.domains, "unlock", EPPClientTransferProhibited, true); err != nil {
			return err
		}
		return r.close(ctx, models.OutcomeNoViolation)
	}
	return r.close(ctx, models.OutcomeDomainLocked)
}
