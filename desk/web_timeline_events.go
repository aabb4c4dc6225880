package desk

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// describe turns one history event into a timeline entry (false: the
// event is left out).
func (b *timelineBuilder) describe(ev *historypb.HistoryEvent) (TimelineEntry, bool) {
	switch ev.GetEventType() {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
		e := TimelineEntry{Who: "intake", What: "Case opened", Kind: "case"}
		var in workflows.CaseInput
		if b.decode(ev.GetWorkflowExecutionStartedEventAttributes().GetInput(), &in) {
			b.cfg = in.Timers
			e.Extra = fmt.Sprintf("category %s; forward to operator: %t", in.Category, in.ForwardToOperator)
		}
		return e, true
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
		a := ev.GetActivityTaskScheduledEventAttributes()
		var in map[string]any
		b.decode(a.GetInput(), &in)
		return TimelineEntry{Who: "system", What: humanize(a.GetActivityType().GetName()), Extra: activityDetail(in), Kind: "activity"}, true
	case enumspb.EVENT_TYPE_TIMER_STARTED:
		return b.timerStarted(ev), true
	case enumspb.EVENT_TYPE_TIMER_FIRED:
		return b.timerEnded(ev.GetTimerFiredEventAttributes().GetTimerId(), true), true
	case enumspb.EVENT_TYPE_TIMER_CANCELED:
		return b.timerEnded(ev.GetTimerCanceledEventAttributes().GetTimerId(), false), true
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
		return b.signal(ev.GetWorkflowExecutionSignaledEventAttributes()), true
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
		e := TimelineEntry{Who: "analyst", What: "Decision accepted", Kind: "decision"}
		var d workflows.Decision
		if b.decode(ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput().GetArgs(), &d) {
			e.Who, e.What, e.Extra = "analyst "+d.Analyst, "Decision: "+string(d.Verdict), decisionDetail(d)
		}
		return e, true
	case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
		return b.searchAttributes(ev.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes())
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
		e := TimelineEntry{Who: "system", What: "Case closed", Kind: "case"}
		var r workflows.CaseResult
		if b.decode(ev.GetWorkflowExecutionCompletedEventAttributes().GetResult(), &r) && r.Outcome != "" {
			e.Extra = "outcome " + string(r.Outcome)
		}
		return e, true
	case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
		a := ev.GetStartChildWorkflowExecutionInitiatedEventAttributes()
		return TimelineEntry{Who: "system", What: "Started " + a.GetWorkflowType().GetName(), Extra: a.GetWorkflowId(), Kind: "case"}, true
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
		return TimelineEntry{Who: "system", What: humanize(strings.TrimPrefix(ev.GetEventType().String(), "WorkflowExecution")), Kind: "failure"}, true
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
		return TimelineEntry{Who: "system", What: "Continued as a new run", Kind: "case"}, true
	}
	return TimelineEntry{}, false
}

func (b *timelineBuilder) timerOrigin(id string) string {
	if st, ok := b.timers[id]; ok {
		return "set at " + whenSec(st.GetEventTime().AsTime()) + " for " +
			human(st.GetTimerStartedEventAttributes().GetStartToFireTimeout().AsDuration())
	}
	return ""
}

// signalSenders name who sends each signal.
var signalSenders = map[string]string{
	workflows.SignalOperatorResponse: "operator",
	workflows.SignalReporterAnswer:   "reporter",
	workflows.SignalCourtAction:      "analyst",
}

func (b *timelineBuilder) signal(a *historypb.WorkflowExecutionSignaledEventAttributes) TimelineEntry {
	e := TimelineEntry{Who: signalSenders[a.GetSignalName()], What: "Signal " + a.GetSignalName(), Kind: "signal"}
	switch a.GetSignalName() {
	case workflows.SignalOperatorResponse:
		var r workflows.OperatorResponse
		if b.decode(a.GetInput(), &r) {
			e.What, e.Extra = "Operator answered: "+string(r.Response), "notice "+r.NoticeID
		}
	case workflows.SignalReporterAnswer:
		e.What = "Reporter answered the question"
	case workflows.SignalCourtAction:
		var r workflows.CourtAction
		if b.decode(a.GetInput(), &r) {
			e.Who, e.What, e.Extra = "analyst "+r.By, "Court action reported", r.Reference
		}
	}
	if e.Who == "" {
		e.Who = "unknown"
	}
	return e
}

func (b *timelineBuilder) searchAttributes(sa *commonpb.SearchAttributes) (TimelineEntry, bool) {
	keys := make([]string, 0, len(sa.GetIndexedFields()))
	for k := range sa.GetIndexedFields() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		var v any
		if converter.GetDefaultDataConverter().FromPayload(sa.GetIndexedFields()[k], &v) != nil || v == nil {
			continue
		}
		if st, ok := v.(string); ok && k == workflows.SACaseStatus.GetName() {
			b.noteStatus(st)
		}
		if s, ok := v.(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				v = whenSec(t)
			}
		}
		parts = append(parts, fmt.Sprintf("%s %v", k, v))
	}
	if len(parts) == 0 {
		return TimelineEntry{}, false
	}
	return TimelineEntry{Who: "system", What: "Status recorded", Extra: strings.Join(parts, "; "), Kind: "status"}, true
}

func decisionDetail(d workflows.Decision) string {
	var parts []string
	for _, kv := range [][2]string{{"clause", d.Clause}, {"reason", d.Reason}, {"question", d.Question}, {"legal basis", d.LegalBasis}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+": "+kv[1])
		}
	}
	return strings.Join(parts, "; ")
}

// activityDetail shows the fields of an activity's input that say what it
// did (never the facts or bodies).
func activityDetail(in map[string]any) string {
	var parts []string
	for _, k := range []string{"Step", "Kind", "Role", "Status", "Outcome", "Verdict", "ObjectIDs"} {
		if v, ok := in[k]; ok && v != nil && fmt.Sprint(v) != "" {
			parts = append(parts, strings.ToLower(k)+" "+fmt.Sprint(v))
		}
	}
	return strings.Join(parts, "; ")
}

// humanize turns "SendNotice" into "Send notice".
func humanize(name string) string {
	var b strings.Builder
	for i, r := range name {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "Activity"
	}
	return b.String()
}

// human formats a duration for people: whole days as days, else rounded
// to the second (the minute past an hour).
func human(d time.Duration) string {
	switch {
	case d >= time.Hour:
		d = d.Round(time.Minute)
	case d >= time.Second:
		d = d.Round(time.Second)
	}
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// whenSec formats a time to the second, as the timeline shows times.
func whenSec(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// withMitigationEvents adds the changes of the case's mitigations
// (models.MitigationEvent; docs/DESIGN.md "Mitigations"), which their own
// Mitigation workflows record: each change of status, the customer's
// appeal with its reason and statement, a review gone overdue. The
// entries stay in time order. A failure to read them leaves the timeline
// as it is (the case page shows the mitigations on their own).
func (d *Desk) withMitigationEvents(ctx context.Context, caseID string, es []TimelineEntry) []TimelineEntry {
	ms, err := store.CaseMitigations(ctx, d.DB, caseID)
	if err != nil || len(ms) == 0 {
		if err != nil {
			d.Log.Error("timeline: mitigations not read", "case", caseID, "err", err)
		}
		return es
	}
	vs, err := d.mitigationViews(ctx, ms)
	if err != nil {
		d.Log.Error("timeline: mitigation events not read", "case", caseID, "err", err)
		return es
	}
	for i, v := range vs {
		for _, ev := range v.Events {
			es = append(es, mitigationEntry(v, ms[i], ev))
		}
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].At.Before(es[j].At) })
	return es
}

// mitigationEntry is one change of a mitigation as a timeline entry.
func mitigationEntry(v MitigationView, m models.Mitigation, ev MitigationEventView) TimelineEntry {
	e := TimelineEntry{At: ev.At.UTC(), Who: ev.Actor, Extra: ev.Reason, Kind: "status"}
	name := fmt.Sprintf("mitigation %s (%s of %s)", v.ID, v.Type, v.EntityID)
	switch ev.Kind {
	case models.MitigationEventAppeal:
		e.What, e.Kind = "Customer appealed "+name+": "+m.AppealReason, "signal"
		if m.AppealStatement != "" {
			q, cut := truncateUTF8(m.AppealStatement, maxTimelineStatement)
			if cut {
				q += " …"
			}
			e.Extra = "“" + q + "”"
		}
	case models.MitigationEventOverdue:
		e.What, e.Kind = "Review of the appeal of "+name+" overdue", "timer"
	default:
		if ev.From == "" {
			e.What = "Mitigation " + v.ID + " recorded: " + string(v.Type) + " of " + v.EntityID + ", " + string(ev.To)
		} else {
			e.What = "Mitigation " + v.ID + ": " + string(ev.From) + " → " + string(ev.To)
		}
	}
	return e
}
