package desk

import (
	historypb "go.temporal.io/api/history/v1"
	"strings"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// timerName says which timer a TimerStarted event is and what stops it.
// The workflows set their timers through workflow.AwaitWithTimeout (no
// summary in the history), so the name comes from the status the case
// recorded just before the timer and the case's configured windows: the
// same rule the workflows follow (workflows/hosted.go, registrar.go).
type timerName struct {
	Name   string // "the operator's deadline"
	Unless string // what comes first and stops it
}

// caseTimer names the n-th timer (from 0) set since the case last recorded
// status st.
func caseTimer(st models.Status, n int, tm workflows.Timers) timerName {
	switch st {
	case models.StatusAwaitingReporter:
		return timerName{"the reporter's answer window", "unless the reporter answers first"}
	case models.StatusAwaitingOperator:
		// The reminder timer is set only when it comes before the deadline.
		if n == 0 && tm.OperatorReminderAfter < tm.OperatorResponseWindow {
			return timerName{"the operator's reminder", "then a reminder goes to the operator, unless they answer first"}
		}
		return timerName{"the operator's deadline", "then the content is removed for good, unless the operator answers first"}
	case models.StatusCounterNotice:
		return timerName{"the counter-notice wait", "then the content is restored, unless a court action is reported first"}
	case models.StatusAwaitingRegistrant:
		if n == 0 {
			return timerName{"the registrant's reminder (halfway through the WHOIS correction window)",
				"then a reminder goes to the registrant, unless they correct the WHOIS data first"}
		}
		return timerName{"the WHOIS correction deadline", "then an analyst decides on suspension, unless the registrant corrects the data first"}
	}
	return timerName{"", "unless what it waits for comes first"}
}

// timerStarted describes a TimerStarted event and remembers the timer's
// name for when it fires or is cancelled.
func (b *timelineBuilder) timerStarted(ev *historypb.HistoryEvent) TimelineEntry {
	a := ev.GetTimerStartedEventAttributes()
	b.timers[a.GetTimerId()] = ev
	tn := caseTimer(b.status, b.inStatus, b.cfg)
	if sum := b.timerSummary(ev); sum != "" {
		// A timer the workflow named itself (the ncsei clock's: "name:
		// what then") says what it is, whatever the status.
		name, then, _ := strings.Cut(sum, ": ")
		tn = timerName{name, then}
	}
	b.inStatus++
	b.timerNames[a.GetTimerId()] = tn.Name
	d := a.GetStartToFireTimeout().AsDuration()
	what := "Timer set for " + human(d)
	if tn.Name != "" {
		what = "Timer set: " + tn.Name + ", " + human(d)
	}
	return TimelineEntry{Who: "system", What: what,
		Extra: "fires at " + whenSec(ev.GetEventTime().AsTime().Add(d)) + " " + tn.Unless, Kind: "timer"}
}

// timerEnded describes a timer that fired or was cancelled.
func (b *timelineBuilder) timerEnded(id string, fired bool) TimelineEntry {
	name := b.timerNames[id]
	if name == "" {
		name = "a timer"
	}
	if fired {
		return TimelineEntry{Who: "system", What: "Timer fired: " + name, Extra: b.timerOrigin(id), Kind: "timer"}
	}
	return TimelineEntry{Who: "system", What: "Timer cancelled: " + name, Extra: "what it waited for came first; " + b.timerOrigin(id), Kind: "timer"}
}

// noteStatus follows the status a case records (its CaseStatus search
// attribute); timers are counted from each recorded status.
func (b *timelineBuilder) noteStatus(st string) {
	b.status, b.inStatus = models.Status(st), 0
}

// timerSummary is the summary a workflow gave its timer (the user
// metadata of the TimerStarted event), "" when none, the SDK's default or
// unreadable.
func (b *timelineBuilder) timerSummary(ev *historypb.HistoryEvent) string {
	p := ev.GetUserMetadata().GetSummary()
	if p == nil || b.dc == nil {
		return ""
	}
	var s string
	if err := b.dc.FromPayload(p, &s); err != nil {
		return ""
	}
	switch s {
	case "AwaitWithTimeout", "Sleep", "NewTimer": // the SDK's own, not a name
		return ""
	}
	return s
}
