package desk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	updatepb "go.temporal.io/api/update/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// The console timeline's tests, moved here from package pages with the
// code they test.

func payloads(t *testing.T, v any) *commonpb.Payloads {
	p, err := converter.GetDefaultDataConverter().ToPayloads(v)
	require.NoError(t, err)
	return p
}

func TestBuildTimeline(t *testing.T) {
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	var events []*historypb.HistoryEvent
	add := func(typ enumspb.EventType, at time.Duration, attrs func(*historypb.HistoryEvent)) {
		ev := &historypb.HistoryEvent{EventId: int64(len(events) + 1), EventType: typ, EventTime: timestamppb.New(t0.Add(at))}
		attrs(ev)
		events = append(events, ev)
	}
	add(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, 0, func(ev *historypb.HistoryEvent) {
		ev.Attributes = &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{
			Input: payloads(t, workflows.CaseInput{CaseID: "C1", Category: models.CategoryMalware, ForwardToOperator: true})}}
	})
	add(enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 0, func(*historypb.HistoryEvent) {})
	add(enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, time.Second, func(ev *historypb.HistoryEvent) {
		ev.Attributes = &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{
			ActivityType: &commonpb.ActivityType{Name: "SendNotice"},
			Input:        payloads(t, activities.NoticeInput{Step: "operator-violation:pages.example", Kind: activities.NoticeOperatorViolation, Role: models.RoleOperator, Facts: map[string]string{"reason": "secret"}})}}
	})
	add(enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 3*time.Second, func(ev *historypb.HistoryEvent) {
		ev.Attributes = &historypb.HistoryEvent_ActivityTaskCompletedEventAttributes{ActivityTaskCompletedEventAttributes: &historypb.ActivityTaskCompletedEventAttributes{ScheduledEventId: 3}}
	})
	add(enumspb.EVENT_TYPE_TIMER_STARTED, 4*time.Second, func(ev *historypb.HistoryEvent) {
		ev.Attributes = &historypb.HistoryEvent_TimerStartedEventAttributes{TimerStartedEventAttributes: &historypb.TimerStartedEventAttributes{
			TimerId: "5", StartToFireTimeout: durationpb.New(72 * time.Hour)}}
	})
	add(enumspb.EVENT_TYPE_TIMER_FIRED, 72*time.Hour+4*time.Second, func(ev *historypb.HistoryEvent) {
		ev.Attributes = &historypb.HistoryEvent_TimerFiredEventAttributes{TimerFiredEventAttributes: &historypb.TimerFiredEventAttributes{TimerId: "5", StartedEventId: 5}}
	})
	add(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, 73*time.Hour, func(ev *historypb.HistoryEvent) {
		ev.Attributes = &historypb.HistoryEvent_WorkflowExecutionUpdateAcceptedEventAttributes{WorkflowExecutionUpdateAcceptedEventAttributes: &historypb.WorkflowExecutionUpdateAcceptedEventAttributes{
			AcceptedRequest: &updatepb.Request{Input: &updatepb.Input{Name: workflows.UpdateDecide,
				Args: payloads(t, workflows.Decision{Verdict: workflows.VerdictUphold, Reason: "<b>still bad</b>", Analyst: "alice"})}}}}
	})
	add(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, 74*time.Hour, func(ev *historypb.HistoryEvent) {
		ev.Attributes = &historypb.HistoryEvent_WorkflowExecutionSignaledEventAttributes{WorkflowExecutionSignaledEventAttributes: &historypb.WorkflowExecutionSignaledEventAttributes{
			SignalName: workflows.SignalOperatorResponse, Input: payloads(t, workflows.OperatorResponse{NoticeID: "n_1", Response: workflows.ResponseDispute})}}
	})
	add(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, 75*time.Hour, func(ev *historypb.HistoryEvent) {
		ev.Attributes = &historypb.HistoryEvent_WorkflowExecutionCompletedEventAttributes{WorkflowExecutionCompletedEventAttributes: &historypb.WorkflowExecutionCompletedEventAttributes{
			Result: payloads(t, workflows.CaseResult{Status: models.StatusClosed, Outcome: models.OutcomeRestrictionUpheld})}}
	})

	got := BuildTimeline(&historypb.History{Events: events}, nil)
	var lines []string
	for _, e := range got {
		lines = append(lines, e.Who+" | "+e.What+" | "+e.Extra)
	}
	require.Equal(t, []string{
		"intake | Case opened | category malware; forward to operator: true",
		"system | Send notice: done after 2s | step operator-violation:pages.example; kind operator_violation; role operator",
		"system | Timer set for 3 days | fires at 2030-01-05 03:04:09 UTC unless what it waits for comes first",
		"system | Timer fired: a timer | set at 2030-01-02 03:04:09 UTC for 3 days",
		"analyst alice | Decision: uphold | reason: <b>still bad</b>",
		"operator | Operator answered: dispute | notice n_1",
		"system | Case closed | outcome restriction_upheld",
	}, lines)
	require.NotContains(t, strings.Join(lines, "\n"), "secret", "activity facts stay out of the timeline")
}

func TestHuman(t *testing.T) {
	for d, want := range map[time.Duration]string{
		1988 * time.Millisecond:                         "2s",
		90 * time.Second:                                "1m30s",
		2 * time.Minute:                                 "2m",
		2*time.Hour + 10*time.Minute:                    "2h10m",
		167*time.Hour + 59*time.Minute + 58*time.Second: "7 days",
		3*time.Hour + 29*time.Second:                    "3h",
		14 * 24 * time.Hour:                             "14 days",
	} {
		require.Equal(t, want, human(d), d.String())
	}
}

// recordedTimeline builds the timeline of a history the workflows package
// recorded (workflows/testdata), decoded with its payload keys.
func recordedTimeline(t *testing.T, name string) []string {
	t.Helper()
	dir := filepath.Join("..", "workflows", "testdata")
	keys, err := os.ReadFile(filepath.Join(dir, "payload.keys"))
	require.NoError(t, err)
	ring, err := codec.ParseKeyRing(strings.TrimSpace(string(keys)))
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	h, err := client.HistoryFromJSON(strings.NewReader(string(raw)), client.HistoryJSONOptions{})
	require.NoError(t, err)
	var timers []string
	for _, e := range BuildTimeline(h, codec.DataConverter(ring)) {
		if e.Kind == "timer" {
			timers = append(timers, e.What+" | "+e.Extra)
		}
	}
	return timers
}

// Each timer of a case is named (which timer, what stops it), never by its
// internal event id.
func TestTimelineNamesTimers(t *testing.T) {
	for name, want := range map[string][]string{
		"hosted-no-answer.history.json": {"Timer set: the operator's reminder", "Timer fired: the operator's reminder",
			"Timer set: the operator's deadline", "Timer fired: the operator's deadline"},
		"hosted-removed.history.json":              {"Timer set: the operator's reminder, 2s", "Timer set: the operator's deadline, 8s"},
		"hosted-counter-notice-court.history.json": {"Timer set: the counter-notice wait, 14 days", "unless a court action is reported first"},
		"need-info-no-violation.history.json":      {"Timer set: the reporter's answer window, 30s | fires at 2026-11-26 12:11:56 UTC unless the reporter answers first"},
		"ncsei-deadline-restored.history.json":     {"Timer set: ncsei 48-hour removal deadline, 5s", "access disabled pending review unless an analyst decides first"},
		"registrar-whois-suspended.history.json": {"Timer set: the registrant's reminder", "Timer fired: the registrant's reminder",
			"Timer set: the WHOIS correction deadline", "Timer fired: the WHOIS correction deadline"},
	} {
		t.Run(name, func(t *testing.T) {
			timers := recordedTimeline(t, name)
			require.NotEmpty(t, timers)
			all := strings.Join(timers, "\n")
			for _, w := range want {
				require.Contains(t, all, w)
			}
			require.NotRegexp(t, `Timer \d`, all, "no internal timer ids")
			require.NotContains(t, all, "a timer", "every timer of a case is named")
		})
	}
}

// TestTimelineShowsBounces: a bounce, which the case's own history does
// not hold, appears in the timeline at the time the DSN arrived, with its
// reason and the notice it was sent again as; a delivery without a bounce
// adds nothing.
func TestTimelineShowsBounces(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	es := []TimelineEntry{{At: t0, What: "Case opened"}, {At: t0.Add(time.Minute), What: "Send notice: done"}, {At: t0.Add(time.Hour), What: "Case closed"}}
	bounced := t0.Add(10 * time.Minute)
	out := WithDeliveries(es, []models.NoticeDelivery{
		{NoticeID: "n-host", State: models.NoticeRedirected, BounceReason: "5.1.1 user unknown", BouncedAt: &bounced, RedirectedTo: "n-host-redirect"},
		{NoticeID: "n-none", State: models.NoticeDelivered},
	})
	require.Len(t, out, 4)
	require.Equal(t, "Notice n-host bounced; sent again as n-host-redirect", out[2].What)
	require.Equal(t, "5.1.1 user unknown", out[2].Extra)
	require.Equal(t, "failure", out[2].Kind)
	require.Equal(t, "Case closed", out[3].What, "entries stay in time order")
}
