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

// registrar is DESIGN.md step 5: a registrar acts only on whole domains and
// only on domain-level concerns.
func (s *caseState) registrar(ctx workflow.Context, t activities.Target) error {
	switch s.in.Category {
	case models.CategoryRegistrarWhois:
		return s.whois(ctx, t)
	case models.CategoryRegistrarHijacking:
		return s.hijacking(ctx, t)
	case models.CategoryTrademark:
		return s.answerRegistrarScope(ctx, t, "trademark")
	}
	return s.answerRegistrarScope(ctx, t, "scope")
}

// answerRegistrarScope answers a report a registrar cannot act on: how to
// reach the registrant (trademark), or where to go instead.
func (s *caseState) answerRegistrarScope(ctx workflow.Context, t activities.Target, why string) error {
	if err := s.notice(ctx, activities.NoticeInput{
		Step: "reporter-registrar", Kind: activities.NoticeReporterRegistrar, Role: models.RoleReporter,
		Domain: t.Domain, Facts: map[string]string{"why": why},
	}).Get(ctx, nil); err != nil {
		return err
	}
	return s.close(ctx, models.OutcomeRegistrarAnswered)
}

// whois asks the registrant to correct the data within the correction
// window, reminds halfway, and on no correction asks an analyst to suspend.
func (s *caseState) whois(ctx workflow.Context, t activities.Target) error {
	window := s.in.Timers.WhoisCorrectionWindow
	deadline := workflow.Now(ctx).Add(window).UTC()
	// Listen for the correction before the notice goes out: a registrant
	// may answer the moment the email arrives.
	s.phase, s.operator = phaseRegistrant, nil
	if err := s.notice(ctx, activities.NoticeInput{
		Step: "registrant-whois", Kind: activities.NoticeRegistrantWhois, Role: models.RoleRegistrant,
		Domain: t.Domain, WithResponseLink: true,
		Facts: map[string]string{"deadline": deadline.Format(time.RFC1123)},
	}).Get(ctx, nil); err != nil {
		return err
	}
	if err := s.setStatus(ctx, models.StatusAwaitingRegistrant, models.OutcomeNone, &deadline, "whois_correction"); err != nil {
		return err
	}
	ok, err := workflow.AwaitWithTimeout(ctx, window/2, func() bool { return s.operator != nil })
	if err != nil {
		return err
	}
	if !ok {
		if err := s.notice(ctx, activities.NoticeInput{
			Step: "registrant-reminder", Kind: activities.NoticeRegistrantReminder, Role: models.RoleRegistrant,
			Domain: t.Domain, Facts: map[string]string{"deadline": deadline.Format(time.RFC1123)},
		}).Get(ctx, nil); err != nil {
			return err
		}
		if ok, err = workflow.AwaitWithTimeout(ctx, deadline.Sub(workflow.Now(ctx)), func() bool { return s.operator != nil }); err != nil {
			return err
		}
	}
	if ok && s.operator.Response == ResponseRemoved {
		return s.close(ctx, models.OutcomeDomainCorrected)
	}
	// No correction: an analyst decides whether to suspend the domain.
	s.phase = phaseRegistrarWhois
	if err := s.setStatus(ctx, models.StatusRegistrarReview, models.OutcomeNone, nil, ""); err != nil {
		return err
	}
	d, err := s.takeDecision(ctx)
	if err != nil {
		return err
	}
	if d.Verdict == VerdictDecline {
		return s.close(ctx, models.OutcomeNoViolation)
	}
	if err := workflow.ExecuteActivity(withDB(ctx), a.SetDomainStatus, activities.DomainInput{
		CaseID: s.in.CaseID, Step: "suspend", Domain: t.Domain, Status: EPPServerHold,
	}).Get(ctx, nil); err != nil {
		return err
	}
	if err := s.notice(ctx, activities.NoticeInput{
		Step: "registrant-suspended", Kind: activities.NoticeRegistrantSuspended, Role: models.RoleRegistrant,
		Domain: t.Domain, Facts: map[string]string{"reason": d.Reason},
	}).Get(ctx, nil); err != nil {
		return err
	}
	return s.close(ctx, models.OutcomeDomainSuspended)
}

// hijacking locks the domain at once and escalates to an analyst, who keeps
// the lock (uphold) or lifts it (reverse).
func (s *caseState) hijacking(ctx workflow.Context, t activities.Target) error {
	if err := workflow.ExecuteActivity(withDB(ctx), a.SetDomainStatus, activities.DomainInput{
		CaseID: s.in.CaseID, Step: "lock", Domain: t.Domain, Status: EPPClientTransferProhibited,
	}).Get(ctx, nil); err != nil {
		return err
	}
	if err := s.notice(ctx, activities.NoticeInput{
		Step: "registrant-locked", Kind: activities.NoticeRegistrantLocked, Role: models.RoleRegistrant, Domain: t.Domain,
	}).Get(ctx, nil); err != nil {
		return err
	}
	s.phase = phaseHijack
	if err := s.setStatus(ctx, models.StatusRegistrarReview, models.OutcomeNone, nil, ""); err != nil {
		return err
	}
	d, err := s.takeDecision(ctx)
	if err != nil {
		return err
	}
	if d.Verdict == VerdictReverse {
		if err := workflow.ExecuteActivity(withDB(ctx), a.SetDomainStatus, activities.DomainInput{
			CaseID: s.in.CaseID, Step: "unlock", Domain: t.Domain, Status: EPPClientTransferProhibited, Clear: true,
		}).Get(ctx, nil); err != nil {
			return err
		}
		return s.close(ctx, models.OutcomeNoViolation)
	}
	return s.close(ctx, models.OutcomeDomainLocked)
}
