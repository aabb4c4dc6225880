package pages

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// entry is one line of a case's timeline: who did what, when.
type entry struct {
	ID               int64
	At               time.Time
	Who, What, Extra string
	Kind             string // css class: case, decision, signal, timer, activity, status, failure
}

type timelineData struct {
	CaseID  string
	Entries []entry
	Events  int
	// CanDownload shows the raw-history link to auditors only (the
	// download needs that role).
	CanDownload bool
}

// timeline reads a case's workflow history (server.CaseHistory, which
// falls back to the export once Temporal no longer has it) and turns it
// into entries.
func (p *Pages) timeline(ctx context.Context, caseID string) ([]entry, error) {
	raw, err := p.srv.CaseHistory(ctx, caseID)
	if err != nil {
		return nil, err
	}
	var h historypb.History
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, &h); err != nil {
		return nil, err
	}
	ds, err := p.srv.NoticeDeliveries(ctx, caseID)
	if err != nil {
		return nil, err
	}
	return withDeliveries(buildTimeline(&h, p.opt.Payloads), ds), nil
}

// timelinePage is the auditor's view; ?download=1 gives the raw history as
// JSON that replays (the same bytes as GET /v1/cases/{id}/history), which
// like that endpoint needs the auditor role: the decoded history holds
// every payload (reporters' facts, notice bodies). The page itself shows
// analysts no more than the case page does (verdicts, clauses, reasons,
// notice ids, statuses), so it stays open to them.
func (p *Pages) timelinePage(c echo.Context) error {
	id := c.Param("id")
	if c.QueryParam("download") != "" {
		k, _ := c.Get(ctxUser).(config.APIKey)
		if !models.Role(k.Role).Allows(models.RoleAuditor) {
			return p.ErrorPage(c, http.StatusForbidden, []models.FieldError{{Field: "role",
				Message: "downloading a case's history needs the auditor role; you are signed in with the " + k.Role + " role"}})
		}
		raw, err := p.srv.CaseHistory(c.Request().Context(), id)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(id)+`.history.json"`)
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.Blob(http.StatusOK, "application/json", raw)
	}
	es, err := p.timeline(c.Request().Context(), id)
	if err != nil {
		return err
	}
	k, _ := c.Get(ctxUser).(config.APIKey)
	return p.render(c, http.StatusOK, "timeline", "Timeline of case "+id, timelineData{CaseID: id, Entries: es,
		CanDownload: models.Role(k.Role).Allows(models.RoleAuditor)})
}

func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
			return r
		}
		return '_'
	}, s)
}

// buildTimeline describes the events people care about; workflow-task
// bookkeeping is left out (the raw JSON has everything). An activity is
// one entry, at the time it was scheduled, that says how it ended.
func buildTimeline(h *historypb.History, dc converter.DataConverter) []entry {
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
	out        []entry
	activities map[int64]int // scheduled event id -> its entry
	timers     map[string]*historypb.HistoryEvent
	// timerNames: timer id -> its name (timers.go); status and inStatus:
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
