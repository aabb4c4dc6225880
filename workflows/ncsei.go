package workflows

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// changeNCSEIClock: an ncsei case about hosted content runs the analyst
// phase under the TAKE IT DOWN Act's 48-hour removal clock, from the
// report's receipt: escalated at a share of the window, access disabled
// pending review at the deadline, known identical copies (same content
// hash) covered too (docs/DESIGN.md step 4.5). Cases that reached the
// analyst phase before it wait without a clock.
const changeNCSEIClock = "ncsei-clock-20261206"

// NCSEIRemovalWindow is the TAKE IT DOWN Act's removal deadline: a valid
// request is acted on "not later than 48 hours after receiving" it.
const NCSEIRemovalWindow = 48 * time.Hour

// DefaultNCSEIEscalateShare is the share of NCSEIRemovalWindow after which
// a case no analyst decided escalates (config ncsei_escalate_share).
const DefaultNCSEIEscalateShare = 0.5

// DeadlineNCSEIRemoval is the kind of the case's next deadline while the
// clock runs (CaseStatus.DeadlineKind).
const DeadlineNCSEIRemoval = "ncsei_removal"

// NCSEIDeadlineReason is the ground of the restriction the clock applies
// at the deadline (its statement of reasons).
const NCSEIDeadlineReason = "disabled pending review at the TAKE IT DOWN Act's 48-hour deadline"

// ncseiDeadlineStep is the objects step of the restriction at the deadline;
// its mitigations' steps start with ncseiDeadlinePrefix, so they are apart
// from those of a later violates decision.
const (
	ncseiDeadlineStep   = "disable-ncsei-deadline"
	ncseiCopiesStep     = "disable-ncsei-copies"
	ncseiDeadlinePrefix = "ncsei-deadline:"
)

// ncseiClock is the removal clock of an ncsei case.
type ncseiClock struct {
	on                   bool
	deadline, escalateAt time.Time
	// escalated, expired (the deadline passed without a decision, access
	// disabled) and stopped (an analyst decided violates or no_violation).
	escalated, expired, stopped bool
	targets                     []activities.Target
	copies                      []activities.HostedCopy
	// objects are those disabled at the deadline; ids their mitigations.
	objects, ids []string
}

// startNCSEIClock starts the clock of an ncsei case (behind
// changeNCSEIClock), from the report's receipt.
func (s *caseState) startNCSEIClock(ctx workflow.Context, targets []activities.Target) {
	if s.in.Category != models.CategoryNCSEI ||
		getVersion(ctx, changeNCSEIClock, workflow.DefaultVersion, 1) != 1 {
		return
	}
	received := s.in.ReceivedAt
	if received.IsZero() {
		received = workflow.GetInfo(ctx).WorkflowStartTime
	}
	share := s.in.Timers.NCSEIEscalateShare
	if share <= 0 || share >= 1 {
		share = DefaultNCSEIEscalateShare
	}
	received = received.UTC()
	s.ncsei = ncseiClock{on: true, targets: targets, deadline: received.Add(NCSEIRemovalWindow),
		escalateAt: received.Add(time.Duration(share * float64(NCSEIRemovalWindow)))}
}

// next is the case's next deadline while the clock runs.
func (c *ncseiClock) next() (*time.Time, string) {
	if !c.on || c.stopped || c.expired {
		return nil, ""
	}
	t := c.deadline
	return &t, DeadlineNCSEIRemoval
}

// owesDecision: an analyst must still decide the case (the clock ran and
// no violates or no_violation came): an unanswered question does not close
// it.
func (c *ncseiClock) owesDecision() bool { return c.on && !c.stopped }

// nextEvent is when the clock acts next and the name of its timer
// (false: it will not act again).
func (c *ncseiClock) nextEvent() (time.Time, string, bool) {
	switch {
	case !c.on || c.stopped || c.expired:
		return time.Time{}, "", false
	case !c.escalated:
		return c.escalateAt, "ncsei escalation: unless an analyst decides first", true
	}
	return c.deadline, "ncsei 48-hour removal deadline: access disabled pending review unless an analyst decides first", true
}

// decideUnderClock is takeDecision, the clock acting while the case waits.
func (s *caseState) decideUnderClock(ctx workflow.Context) (Decision, error) {
	if _, err := s.awaitClock(ctx, 0, func() bool { return s.pending != nil }); err != nil {
		return Decision{}, err
	}
	d, err := s.takeDecision(ctx)
	if err == nil && s.ncsei.on && (d.Verdict == VerdictViolates || d.Verdict == VerdictNoViolation) {
		s.ncsei.stopped = true
	}
	return d, err
}

// awaitClock waits for cond, up to d when d > 0, and escalates or disables
// when the clock falls due meanwhile: a question to the reporter does not
// stop the legal deadline. False when d passed first. Without a running
// clock it is workflow.Await / AwaitWithTimeout.
func (s *caseState) awaitClock(ctx workflow.Context, d time.Duration, cond func() bool) (bool, error) {
	var end time.Time
	if d > 0 {
		end = workflow.Now(ctx).Add(d)
	}
	for {
		at, summary, due := s.ncsei.nextEvent()
		if !due {
			if d <= 0 {
				return true, workflow.Await(ctx, cond)
			}
			return workflow.AwaitWithTimeout(ctx, end.Sub(workflow.Now(ctx)), cond)
		}
		limit := at
		if d > 0 && end.Before(limit) {
			limit, summary = end, ""
		}
		if wait := limit.Sub(workflow.Now(ctx)); wait > 0 {
			ok, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{Timeout: wait,
				TimerOptions: workflow.TimerOptions{Summary: summary}}, cond)
			if err != nil || ok {
				return ok, err
			}
		} else if cond() {
			return true, nil
		}
		if d > 0 && !workflow.Now(ctx).Before(end) {
			return false, nil
		}
		if err := s.clockFires(ctx); err != nil {
			return false, err
		}
	}
}

// clockFires takes the clock's next step: the escalation, then the
// restriction at the deadline.
func (s *caseState) clockFires(ctx workflow.Context) error {
	c := &s.ncsei
	if !c.escalated {
		c.escalated = true
		share := c.escalateAt.Sub(c.deadline.Add(-NCSEIRemovalWindow))
		// Not waited for: a mail relay that is down (the activity retries
		// as a notice does) must never hold up the legal deadline.
		workflow.ExecuteActivity(withNotice(ctx), activities.ActEscalateCase, activities.EscalationInput{
			CaseID: s.in.CaseID, Step: "ncsei-escalation", Deadline: c.deadline,
			Reason: "escalated: no analyst decision within " + strconv.FormatFloat(share.Hours(), 'f', -1, 64) +
				"h of the 48-hour TAKE IT DOWN window",
		})
		return nil
	}
	return s.ncseiExpire(ctx)
}

// ncseiExpire disables, at the deadline, access to the reported hosted
// content and to its known identical copies, each covered entity its own
// content_disabled mitigation; the case keeps waiting for the analyst.
func (s *caseState) ncseiExpire(ctx workflow.Context) error {
	c := &s.ncsei
	c.expired = true
	reported := hostedObjects(c.targets)
	if err := s.findCopies(ctx, reported); err != nil {
		return err
	}
	copies := copyIDs(c.copies)
	c.objects = append(append([]string{}, reported...), copies...)
	if err := s.objects(ctx, activities.ActDisableObjects, ncseiDeadlineStep, reported, NCSEIDeadlineReason); err != nil {
		return err
	}
	if len(copies) > 0 {
		// The copies' own restriction, so their statement says what they are.
		if err := s.objects(ctx, activities.ActDisableObjects, ncseiCopiesStep, copies, identicalCopy+NCSEIDeadlineReason); err != nil {
			return err
		}
	}
	saved := s.mitigations
	objs, urls := hostedScope(c.targets)
	s.mitigations.covered = models.CoveredEntities(objs, urls, "")
	s.mitigations.stepPrefix = ncseiDeadlinePrefix
	err := s.startMitigations(ctx, models.MitigationContentDisabled, "restriction", ncseiDeadlineStep, NCSEIDeadlineReason, "system")
	ids := s.mitigations.ids
	if err == nil {
		s.mitigations.covered = copyCoverage(c.copies)
		err = s.startMitigations(ctx, models.MitigationContentDisabled, "restriction", ncseiCopiesStep,
			identicalCopy+NCSEIDeadlineReason, "system")
	}
	c.ids = append(ids, s.mitigations.ids...)
	s.mitigations = saved
	if err != nil || s.phase != PhaseAnalyst {
		return err
	}
	// Past the deadline the case waits for the analyst's review, with no
	// deadline of its own.
	return s.setStatus(ctx, models.StatusAwaitingAnalyst, models.OutcomeNone, nil, "")
}

// identicalCopy starts the reason of a copy's mitigation (the case's
// timeline shows it with the mitigation's events).
const identicalCopy = "identical copy (same content hash) of the reported content: "

// findCopies looks up the known identical copies of the reported objects.
func (s *caseState) findCopies(ctx workflow.Context, reported []string) error {
	var res activities.CopiesResult
	err := workflow.ExecuteActivity(withDB(ctx), activities.ActFindIdenticalCopies, activities.CopiesInput{
		CaseID: s.in.CaseID, ObjectIDs: reported,
	}).Get(ctx, &res)
	s.ncsei.copies = res.Copies
	return err
}

func copyIDs(copies []activities.HostedCopy) []string {
	var out []string
	for _, c := range copies {
		out = append(out, c.ObjectID)
	}
	return out
}

// copyCoverage is one entity per copy: its whole URL prefix.
func copyCoverage(copies []activities.HostedCopy) []models.Coverage {
	var out []models.Coverage
	for _, c := range copies {
		out = append(out, models.Coverage{EntityID: c.EntityID, ObjectID: c.ObjectID, Domain: c.Domain})
	}
	return out
}

// copyAccount is the account of a copy (startMitigations: a copy's domain
// is not one of the case's targets).
func (c *ncseiClock) copyAccount(objectID string) string {
	for _, cp := range c.copies {
		if cp.ObjectID == objectID {
			return cp.AccountID
		}
	}
	return ""
}

// ncseiRestore, on no_violation after the deadline, restores access to
// what the deadline disabled and ends its mitigations.
func (s *caseState) ncseiRestore(ctx workflow.Context, d Decision) error {
	c := &s.ncsei
	if !c.expired {
		return nil
	}
	if err := s.objects(ctx, activities.ActRestoreObjects, "restore-ncsei", c.objects, d.Reason); err != nil {
		return err
	}
	s.endDeadlineMitigations(ctx, "no violation found: "+d.Reason)
	return nil
}

// endDeadlineMitigations ends the mitigations the deadline started.
func (s *caseState) endDeadlineMitigations(ctx workflow.Context, reason string) {
	saved := s.mitigations.ids
	s.mitigations.ids = s.ncsei.ids
	s.endMitigations(ctx, reason)
	s.mitigations.ids, s.ncsei.ids = saved, nil
}

// ncseiViolates adds, for a violates decision on an ncsei case, the
// identical copies to the objects the violation disables (and later
// removes or restores with them).
func (s *caseState) ncseiViolates(ctx workflow.Context, objects []string) ([]string, error) {
	if !s.ncsei.on {
		return objects, nil
	}
	if err := s.findCopies(ctx, hostedObjects(s.ncsei.targets)); err != nil {
		return nil, err
	}
	return append(append([]string{}, objects...), copyIDs(s.ncsei.copies)...), nil
}

// mitigateViolationNCSEI is mitigateViolation, plus, on an ncsei case, one
// mitigation per identical copy; the decision's mitigations then replace
// those of the deadline.
func (s *caseState) mitigateViolationNCSEI(ctx workflow.Context, targets []activities.Target, d Decision) error {
	if err := s.mitigateViolation(ctx, targets, d); err != nil || !s.ncsei.on || !s.mitigations.on {
		return err
	}
	covered, ids := s.mitigations.covered, s.mitigations.ids
	s.mitigations.covered = copyCoverage(s.ncsei.copies)
	err := s.startMitigations(ctx, models.MitigationContentDisabled, "restriction", "disable",
		identicalCopy+d.Clause+": "+d.Reason, d.Analyst)
	s.mitigations.covered = append(covered, s.mitigations.covered...)
	s.mitigations.ids = append(ids, s.mitigations.ids...)
	if err != nil {
		return err
	}
	s.endDeadlineMitigations(ctx, "replaced by the analyst's violates decision")
	return nil
}
