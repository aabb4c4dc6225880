package desk

import (
	"context"
	"sort"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// A case's timeline, as the console shows it: its workflow history told
// as who did what and when, with the bounces of its notices (which their
// own workflows handle) added. It lives here, not in the pages, because
// telling the events apart means decoding the workflows' messages.

// TimelineEntry is one line of a case's timeline: who did what, when.
type TimelineEntry struct {
	ID               int64
	At               time.Time
	Who, What, Extra string
	Kind             string // css class: case, decision, signal, timer, activity, status, failure
}

// Timeline tells a case's story for the console: its workflow history
// (CaseHistory: from the export once Temporal no longer has it), its
// payloads read with the display converter, and the bounces of its
// notices.
func (d *Desk) Timeline(ctx context.Context, caseID string) ([]TimelineEntry, error) {
	raw, err := d.CaseHistory(ctx, caseID)
	if err != nil {
		return nil, err
	}
	var h historypb.History
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, &h); err != nil {
		return nil, err
	}
	ds, err := d.NoticeDeliveries(ctx, caseID)
	if err != nil {
		return nil, err
	}
	var dc converter.DataConverter
	if d.KeyRing != nil {
		dc = codec.DisplayConverter(d.KeyRing)
	}
	entries := WithDeliveries(BuildTimeline(&h, dc), ds)
	d.withChoices(ctx, caseID, entries)
	entries = d.withMitigationEvents(ctx, caseID, entries)
	entries = d.withReferrals(ctx, caseID, entries)
	return d.withAnswerStatements(ctx, caseID, entries)
}

// BuildTimeline describes the events people care about; workflow-task
// bookkeeping is left out (the raw JSON has everything). An activity is
// one entry, at the time it was scheduled, that says how it ended.
func BuildTimeline(h *historypb.History, dc converter.DataConverter) []TimelineEntry {
	if dc == nil {
		dc = converter.GetDefaultDataConverter()
	}
	b := timelineBuilder{dc: dc, activities: map[int64]int{}, timers: map[string]*historypb.HistoryEvent{},
		timerNames: map[string]string{}, cfg: workflows.DefaultTimers}
	for _, ev := range h.GetEvents() {
		if b.finishActivity(ev) {
			continue
		}
		if e, ok := b.describe(ev); ok {
			e.ID, e.At = ev.GetEventId(), ev.GetEventTime().AsTime()
			if ev.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
				b.activities[ev.GetEventId()] = len(b.out)
			}
			b.out = append(b.out, e)
		}
	}
	return b.out
}

type timelineBuilder struct {
	dc         converter.DataConverter
	out        []TimelineEntry
	activities map[int64]int // scheduled event id -> its entry
	timers     map[string]*historypb.HistoryEvent
	// timerNames: timer id -> its name (web_timeline_timers.go); status and inStatus:
	// the status last recorded and the timers set since; cfg: the case's
	// configured windows.
	timerNames map[string]string
	status     models.Status
	inStatus   int
	cfg        workflows.Timers
}

// finishActivity marks an activity's entry with how it ended.
func (b *timelineBuilder) finishActivity(ev *historypb.HistoryEvent) bool {
	var sched int64
	var how, kind string
	switch ev.GetEventType() {
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
		return true // its attempt shows on completion
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
		sched, how = ev.GetActivityTaskCompletedEventAttributes().GetScheduledEventId(), "done"
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
		sched, how, kind = ev.GetActivityTaskFailedEventAttributes().GetScheduledEventId(), "failed", "failure"
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
		sched, how, kind = ev.GetActivityTaskTimedOutEventAttributes().GetScheduledEventId(), "timed out", "failure"
	default:
		return false
	}
	i, ok := b.activities[sched]
	if !ok {
		return false
	}
	e := &b.out[i]
	e.What += ": " + how
	if d := ev.GetEventTime().AsTime().Sub(e.At); d >= time.Second {
		e.What += " after " + human(d)
	}
	if kind != "" {
		e.Kind = kind
	}
	return true
}

func (b *timelineBuilder) decode(ps *commonpb.Payloads, v any) bool {
	if len(ps.GetPayloads()) == 0 {
		return false
	}
	return b.dc.FromPayload(ps.GetPayloads()[0], v) == nil
}

// WithDeliveries adds to a case's timeline what became of its notices
// after the case's workflow sent them: a bounce arrives later, by mail,
// and is handled by its own NoticeBounce workflow, so the case's history
// does not hold it. Each bounce is one entry at the time the DSN arrived,
// saying why it failed and where the notice went instead; the entries stay
// in time order (a stable sort keeps the history's own order).
func WithDeliveries(es []TimelineEntry, ds []models.NoticeDelivery) []TimelineEntry {
	added := false
	for _, d := range ds {
		if d.BouncedAt == nil {
			continue
		}
		e := TimelineEntry{At: d.BouncedAt.UTC(), Who: "mail system", What: "Notice " + d.NoticeID + " bounced", Kind: "failure"}
		e.Extra = d.BounceReason
		if d.State == models.NoticeRedirected && d.RedirectedTo != "" {
			e.What = "Notice " + d.NoticeID + " bounced; sent again as " + d.RedirectedTo
		}
		es = append(es, e)
		added = true
	}
	if added {
		sort.SliceStable(es, func(i, j int) bool { return es[i].At.Before(es[j].At) })
	}
	return es
}
