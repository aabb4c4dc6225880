package pages

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	updatepb "go.temporal.io/api/update/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/server"
	"github.com/abusedesk/abusedesk/workflows"
)

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

	got := buildTimeline(&historypb.History{Events: events}, nil)
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

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/console/cases/C1":      "/console/cases/C1",
		"/console?status=closed": "/console?status=closed",
		"//evil.example/console": "/console",
		"https://evil.example/":  "/console",
		"/console\\@evil":        "/console",
		"/consolex":              "/console",
		"":                       "/console",
	} {
		require.Equal(t, want, safeNext(in), in)
	}
}

func TestReportFormErrorsBesideFields(t *testing.T) {
	f := reportForm{Category: models.CategoryCopyright, URLs: "\nhttps://a.example/\n\nftp://b\n"}
	r := f.request()
	require.Equal(t, []string{"https://a.example/", "ftp://b"}, r.URLs)
	require.NotNil(t, r.Copyright)
	require.Nil(t, r.ForwardToOperator, "copyright is always forwarded: no choice sent")
	errs := f.formErrors([]models.FieldError{{Field: "urls[1]", Message: "bad"}, {Field: "reporter.email", Message: "required"},
		{Field: "copyright.signature", Message: "required"}, {Field: "forward_to_operator", Message: "no"}})
	require.Equal(t, fieldErrors{"urls": {"Line 4: bad"}, "email": {"required"}, "signature": {"required"}, "no_forward": {"no"}}, errs)

	phish := reportForm{Category: models.CategoryPhishing, NoForward: true}
	require.False(t, *phish.request().ForwardToOperator)
}

func TestNextContact(t *testing.T) {
	v := server.ReporterView{Messages: []server.ReporterNotice{{Body: "Thanks.\n\n" + followUpHead + "\nExample Hosting Co <abuse@hosting.example>\n"}}}
	contacts, _ := nextContact(v)
	require.Equal(t, []string{"Example Hosting Co <abuse@hosting.example>"}, contacts)
	_, next := nextContact(server.ReporterView{Status: models.StatusClosed, Outcome: models.OutcomeNotOurCustomer})
	require.Contains(t, next, "hosting provider")
}
