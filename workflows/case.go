package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// Phase is what a running case waits for (CaseStatus.Awaiting); it
// decides which decisions the update validator accepts.
type Phase string

// Phases of a case.
const (
	PhaseNone           Phase = ""
	PhaseAnalyst        Phase = "analyst"         // hosted content: violates / no_violation / need_info
	PhaseDispute        Phase = "dispute"         // operator disputed: uphold / reverse
	PhaseReporter       Phase = "reporter"        // need_info asked
	PhaseOperator       Phase = "operator"        // waiting on the operator's answer
	PhaseCounterNotice  Phase = "counter_notice"  // waiting out 10-14 business days
	PhaseRegistrant     Phase = "registrant"      // WHOIS correction window
	PhaseRegistrarWhois Phase = "registrar_whois" // analyst: uphold (suspend) / decline
	PhaseHijack         Phase = "registrar_hijack"
)

// caseState is the state of one running case.
type caseState struct {
	in       CaseInput
	st       CaseStatus
	phase    Phase
	targets  []activities.Target
	pending  *Decision
	operator *OperatorResponse
	answered bool
	court    *CourtAction
	// responses are the registrants' answers received while one was
	// awaited, in order (whois matches them to its domains).
	responses []OperatorResponse
	// everyTarget and oneDeadline: the case runs with
	// changeNoticeEveryTarget and changeOneOperatorDeadline (operator.go).
	everyTarget, oneDeadline bool
	copyright                copyrightState
	// mitigations: the case's mitigation records (mitigation_case.go).
	mitigations caseMitigations
	// ncsei: the TAKE IT DOWN Act removal clock (ncsei.go).
	ncsei ncseiClock
	// localNotices: the case runs with changeLocalNotices at version 1 or
	// later (notice_local.go); batchNotices at versionNoticeBatch
	// (notice_batch.go).
	localNotices, batchNotices bool
	// batchClose: the case runs with versionBatchClose (notice_batch.go);
	// closing, when set, is the close the next notice batch writes, and
	// closedByBatch says that a batch wrote it.
	batchClose, closedByBatch bool
	closing                   *activities.StatusInput
}

// CaseWorkflow carries one abuse report from intake to its outcome
// (docs/DESIGN.md, "The process").
func CaseWorkflow(ctx workflow.Context, in CaseInput) (CaseResult, error) {
	s := &caseState{in: in, st: CaseStatus{Status: models.StatusClassifying, Service: models.ServiceNone}}
	if err := s.registerHandlers(ctx); err != nil {
		return CaseResult{}, err
	}
	if err := s.run(ctx); err != nil {
		return CaseResult{}, err
	}
	if err := s.awaitCopyrightWatch(ctx); err != nil {
		return CaseResult{}, err
	}
	// Let an update that raced the close finish before the run ends.
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return CaseResult{Status: s.st.Status, Outcome: s.st.Outcome}, nil
}

func (s *caseState) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (CaseStatus, error) {
		out := s.st
		out.Awaiting = string(s.phase)
		return out, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateDecide,
		func(ctx workflow.Context, d Decision) (DecisionResult, error) {
			s.pending = &d
			s.st.Decisions = append(s.st.Decisions, d)
			return DecisionResult{Status: s.st.Status}, nil
		},
		workflow.UpdateHandlerOptions{Validator: s.validateDecision},
	); err != nil {
		return err
	}
	workflow.Go(ctx, s.receiveSignals)
	return nil
}

func (s *caseState) receiveSignals(ctx workflow.Context) {
	opCh := workflow.GetSignalChannel(ctx, SignalOperatorResponse)
	repCh := workflow.GetSignalChannel(ctx, SignalReporterAnswer)
	courtCh := workflow.GetSignalChannel(ctx, SignalCourtAction)
	copyrightCh := workflow.GetSignalChannel(ctx, SignalCopyrightCompleted)
	for {
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(opCh, func(c workflow.ReceiveChannel, _ bool) {
			var r OperatorResponse
			c.Receive(ctx, &r)
			if s.phase == PhaseRegistrant {
				s.responses = append(s.responses, r)
			}
			if (s.phase == PhaseOperator || s.phase == PhaseRegistrant) && s.operator == nil {
				s.operator = &r
			}
		})
		sel.AddReceive(repCh, func(c workflow.ReceiveChannel, _ bool) {
			var r ReporterAnswer
			c.Receive(ctx, &r)
			if s.phase == PhaseReporter {
				s.answered = true
			}
		})
		sel.AddReceive(courtCh, func(c workflow.ReceiveChannel, _ bool) {
			var r CourtAction
			c.Receive(ctx, &r)
			if s.phase == PhaseCounterNotice && s.court == nil {
				s.court = &r
			}
		})
		sel.AddReceive(copyrightCh, func(c workflow.ReceiveChannel, _ bool) {
			var r CopyrightCompleted
			c.Receive(ctx, &r)
			s.copyright.completed = true
		})
		sel.Select(ctx)
	}
}

// Error types the server maps to HTTP statuses (409 conflict, 422 malformed).
const (
	ErrTypeDecisionConflict  = "DecisionConflict"
	ErrTypeMalformedDecision = "MalformedDecision"
)

func malformed(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), ErrTypeMalformedDecision, nil)
}

func conflict(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), ErrTypeDecisionConflict, nil)
}

// ValidateDecisionShape checks a decision on its own, whatever the case's
// state: the server calls it too, so a malformed decision is a 422 before it
// reaches Temporal.
func ValidateDecisionShape(d Decision) error {
	if d.ScopePrefix != "" && d.Verdict != VerdictViolates {
		return malformed("a scope prefix goes with a violates decision only")
	}
	switch d.Verdict {
	case VerdictViolates:
		ok := false
		for _, c := range Clauses {
			ok = ok || c == d.Clause
		}
		if !ok {
			return malformed("clause %q is not one of the terms clauses %v", d.Clause, Clauses)
		}
	case VerdictNeedInfo:
		if d.Question == "" {
			return malformed("need_info needs a question for the reporter")
		}
		return nil
	case VerdictNoViolation, VerdictUphold, VerdictReverse, VerdictTerminate, VerdictDecline:
	default:
		return malformed("unknown verdict %q", d.Verdict)
	}
	if d.Reason == "" {
		return malformed("a %s decision needs a reason", d.Verdict)
	}
	return nil
}

func (s *caseState) validateDecision(d Decision) error {
	if err := ValidateDecisionShape(d); err != nil {
		return err
	}
	if err := s.validateScope(d); err != nil {
		return err
	}
	if s.st.Status == models.StatusClosed {
		return conflict("case is closed (%s)", s.st.Outcome)
	}
	if s.pending != nil {
		return conflict("another decision is being applied")
	}
	allowed := map[Phase][]Verdict{
		PhaseAnalyst:        {VerdictViolates, VerdictNoViolation, VerdictNeedInfo},
		PhaseDispute:        {VerdictUphold, VerdictReverse},
		PhaseRegistrarWhois: {VerdictUphold, VerdictDecline},
		PhaseHijack:         {VerdictUphold, VerdictReverse},
	}[s.phase]
	for _, v := range allowed {
		if v == d.Verdict {
			return nil
		}
	}
	switch {
	case s.st.Status == models.StatusClassifying && s.st.Service == models.ServiceNone:
		return conflict("the case is still being classified; try again in a moment")
	case s.st.Service != models.ServiceHosting && s.st.Service != models.ServiceRegistrar:
		return conflict("not a hosting case: a %s case takes no analyst decision", s.st.Service)
	case s.phase == PhaseNone:
		return conflict("case is %s and is carrying out the last decision; it takes no decision now", s.st.Status)
	case len(allowed) == 0:
		return conflict("case is %s (waiting on the %s); it takes no decision now", s.st.Status, s.phase)
	}
	return conflict("case is %s; it takes %v, not %s", s.st.Status, allowed, d.Verdict)
}

// takeDecision waits for the next accepted decision and consumes it.
func (s *caseState) takeDecision(ctx workflow.Context) (Decision, error) {
	if err := workflow.Await(ctx, func() bool { return s.pending != nil }); err != nil {
		return Decision{}, err
	}
	d := *s.pending
	// The decision is taken: until the case asks again (next phase), no
	// other decision is accepted and none is kept for a later question.
	s.pending, s.phase = nil, PhaseNone
	err := workflow.ExecuteActivity(withDB(ctx), activities.ActRecordDecision, activities.DecisionRecord{
		CaseID: s.in.CaseID, Step: fmt.Sprintf("decision-%d", len(s.st.Decisions)),
		Verdict: string(d.Verdict), Clause: d.Clause, Reason: d.Reason, Analyst: d.Analyst,
	}).Get(ctx, nil)
	return d, err
}

// setStatus writes the read model and the search attributes.
func (s *caseState) setStatus(ctx workflow.Context, st models.Status, out models.Outcome, deadline *time.Time, kind string) error {
	s.takeStatus(st, out, deadline, kind)
	if err := s.upsertStatus(ctx); err != nil {
		return err
	}
	return workflow.ExecuteLocalActivity(withLocalDB(ctx), activities.ActSetStatus, s.statusInput(st, out, deadline)).Get(ctx, nil)
}

// takeStatus takes a status into the workflow's state (what its query
// answers and its search attributes say).
func (s *caseState) takeStatus(st models.Status, out models.Outcome, deadline *time.Time, kind string) {
	s.st.Status, s.st.Outcome, s.st.NextDeadline, s.st.DeadlineKind = st, out, deadline, kind
}

// statusInput is the read model's write (SetStatus) of a status of the
// case, on its service and domain as they are now.
func (s *caseState) statusInput(st models.Status, out models.Outcome, deadline *time.Time) activities.StatusInput {
	var acct string
	for _, t := range s.targets {
		if t.Domain == s.st.Domain {
			acct = t.AccountID
		}
	}
	return activities.StatusInput{
		CaseID: s.in.CaseID, Status: st, Outcome: out, Service: s.st.Service,
		Domain: s.st.Domain, AccountID: acct, NextDeadline: deadline,
	}
}

// upsertStatus writes the workflow's status into its search attributes.
func (s *caseState) upsertStatus(ctx workflow.Context) error {
	upd := []temporal.SearchAttributeUpdate{
		SACaseStatus.ValueSet(string(s.st.Status)),
		SACaseService.ValueSet(string(s.st.Service)),
		SADomain.ValueSet(s.st.Domain),
	}
	if s.st.NextDeadline != nil {
		upd = append(upd, SANextDeadline.ValueSet(*s.st.NextDeadline))
	} else {
		upd = append(upd, SANextDeadline.ValueUnset())
	}
	return workflow.UpsertTypedSearchAttributes(ctx, upd...)
}

func (s *caseState) close(ctx workflow.Context, out models.Outcome) error {
	s.phase = PhaseNone
	return s.setStatus(ctx, models.StatusClosed, out, nil, "")
}

// notice sends one notice for a step of the case (idempotent per step).
func (s *caseState) notice(ctx workflow.Context, in activities.NoticeInput) workflow.Future {
	in = s.prepared(in)
	if s.localNotices {
		return s.localNotice(ctx, in)
	}
	return workflow.ExecuteActivity(withNotice(ctx), activities.ActSendNotice, in)
}

func waitAll(ctx workflow.Context, fs ...workflow.Future) error {
	for _, f := range fs {
		if err := f.Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

func deadlineAt(ctx workflow.Context, d time.Duration) *time.Time {
	t := workflow.Now(ctx).Add(d).UTC()
	return &t
}
