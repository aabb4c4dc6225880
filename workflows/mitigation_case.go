package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
	"slices"
	"strings"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// changeMitigationRecords: a hosted-content violation also starts one
// Mitigation child per covered entity (content_disabled, active at once),
// ended when the case ends the restriction; removal for no response ends
// them and starts content_removed ones (docs/DESIGN.md "Mitigations").
// Cases that passed the decision before it keep the blocks alone.
const changeMitigationRecords = "mitigation-records-20261206"

// caseMitigations are the mitigation records of a case.
type caseMitigations struct {
	on bool
	// covered is the scope of the violation; ids the mitigations in force.
	covered []models.Coverage
	ids     []string
	// stepPrefix starts the steps of the mitigations startMitigations
	// starts ("": the decision's; ncsei.go sets its deadline's).
	stepPrefix string
}

// hostedScope lists the hosted objects of targets and the reported URLs
// under them (a target classified before HostedRef carried them scopes
// the one URL it names).
func hostedScope(targets []activities.Target) ([]models.HostedObject, []string) {
	var objects []models.HostedObject
	var reported []string
	for _, t := range targets {
		if t.Service != models.ServiceHosting {
			continue
		}
		for _, h := range t.Hosted {
			prefix := h.URLPrefix
			if prefix == "" {
				prefix = h.URL
			}
			objects = append(objects, models.HostedObject{ObjectID: h.ObjectID, Domain: t.Domain, URLPrefix: prefix})
			if len(h.URLs) == 0 {
				reported = append(reported, h.URL)
			}
			reported = append(reported, h.URLs...)
		}
	}
	return objects, reported
}

// validateScope refuses a scope prefix the case cannot take: it must lie
// within a hosted object of the case and cover a reported URL.
func (s *caseState) validateScope(d Decision) error {
	if d.ScopePrefix == "" {
		return nil
	}
	objects, reported := hostedScope(s.targets)
	if p := models.ScopeProblem(objects, reported, d.ScopePrefix); p != "" {
		return malformed("%s", p)
	}
	return nil
}

// MitigationID is the id of the mitigation a case starts at step: stable,
// so a replay or a retry names the same one.
func MitigationID(caseID, step string) string { return models.MitigationID(caseID, step) }

// MitigationStep is the step of a mitigation of type typ on entity (entities
// can be long; the step is short and unique within the case).
func MitigationStep(typ models.MitigationType, entity string) string {
	return models.MitigationStep(typ, entity)
}

// startMitigations starts one active mitigation of type typ per covered
// entity, each explained by the statement of the restriction journalled
// by the objects activity at objStep (hosting.go: "<kind>:<case>:<step>:<object>").
func (s *caseState) startMitigations(ctx workflow.Context, typ models.MitigationType, kind, objStep, reason, by string) error {
	if by == "" {
		by = "system"
	}
	var fs []workflow.ChildWorkflowFuture
	var ids []string
	for _, c := range s.mitigations.covered {
		step := s.mitigations.stepPrefix + MitigationStep(typ, c.EntityID)
		id := MitigationID(s.in.CaseID, step)
		var acct string
		for _, t := range s.targets {
			if t.Domain == c.Domain {
				acct = t.AccountID
			}
		}
		if acct == "" {
			acct = s.ncsei.copyAccount(c.ObjectID) // an identical copy (ncsei.go)
		}
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:        MitigationWorkflowID(id),
			ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		})
		fs = append(fs, workflow.ExecuteChildWorkflow(cctx, WorkflowMitigation, MitigationInput{
			MitigationID: id, CaseID: s.in.CaseID, Step: step, AccountID: acct, Domain: c.Domain, Type: typ,
			EntityType: models.EntityURLPattern, EntityID: c.EntityID, Reason: reason,
			StatementKey: kind + ":" + s.in.CaseID + ":" + objStep + ":" + c.ObjectID, By: by,
			EffectiveDate: workflow.Now(ctx).UTC(), ReviewWindow: s.in.Timers.MitigationReviewWindow,
		}))
		ids = append(ids, id)
	}
	for _, f := range fs {
		if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			return err
		}
	}
	s.mitigations.ids = ids
	return nil
}

// endMitigations tells each mitigation in force that the case ended its
// restriction. A mitigation that already ended (lifted on appeal) is not
// there to be told, which is no error.
func (s *caseState) endMitigations(ctx workflow.Context, reason string) {
	var fs []workflow.Future
	for _, id := range s.mitigations.ids {
		fs = append(fs, workflow.SignalExternalWorkflow(ctx, MitigationWorkflowID(id), "", SignalMitigationEnd,
			MitigationEnd{By: "system", Reason: reason}))
	}
	for _, f := range fs {
		_ = f.Get(ctx, nil)
	}
	s.mitigations.ids = nil
}

// mitigateViolation starts the content_disabled mitigations of a violates
// decision (behind changeMitigationRecords).
func (s *caseState) mitigateViolation(ctx workflow.Context, targets []activities.Target, d Decision) error {
	s.mitigations.on = getVersion(ctx, changeMitigationRecords, workflow.DefaultVersion, 1) == 1
	if !s.mitigations.on {
		return nil
	}
	objects, reported := hostedScope(targets)
	s.mitigations.covered = models.CoveredEntities(objects, reported, d.ScopePrefix)
	return s.startMitigations(ctx, models.MitigationContentDisabled, "restriction", "disable",
		d.Clause+": "+d.Reason, d.Analyst)
}

// mitigateRemoval ends the content_disabled mitigations of a case whose
// content was removed for no response and starts content_removed ones.
func (s *caseState) mitigateRemoval(ctx workflow.Context) error {
	if !s.mitigations.on {
		return nil
	}
	s.endMitigations(ctx, "removed for good: the operator did not respond by the deadline")
	return s.startMitigations(ctx, models.MitigationContentRemoved, "removal", "remove-no-response",
		"no response by the deadline", "system")
}

// endMitigationsIf ends the case's mitigations when it has them.
func (s *caseState) endMitigationsIf(ctx workflow.Context, reason string) {
	if s.mitigations.on {
		s.endMitigations(ctx, reason)
	}
}

// entityStep is MitigationStep (the name other workflows call it by).
func entityStep(typ models.MitigationType, entity string) string { return MitigationStep(typ, entity) }

// coveredOn is what the case's restriction covers on domain, one entity per
// line, for the operator's notice: the notice states it from the case's own
// decision, not from the mitigation records its children write a moment
// later ("" without mitigation records).
func (s *caseState) coveredOn(domain string) string {
	if !s.mitigations.on {
		return ""
	}
	var ids []string
	for _, c := range s.mitigations.covered {
		if c.Domain == domain && !slices.Contains(ids, c.EntityID) {
			ids = append(ids, c.EntityID)
		}
	}
	slices.Sort(ids)
	return strings.Join(ids, "\n")
}
