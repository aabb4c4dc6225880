package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/server"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/worker"
	"github.com/abusedesk/abusedesk/workflows"
)

// The privacy part (DESIGN.md step 9): the daily purge of personal data
// (a Temporal Schedule starting workflows.PurgeWorkflow), the analyst's
// legal hold that exempts a case from it, and the decoding of encrypted
// histories for auditors.
func init() {
	store.Extra = append(store.Extra, activities.MigratePurge)
	OnStart(func(ctx context.Context, a *App) error { return a.ensurePurgeSchedule(ctx) })
	OnRoutes((*App).privacyRoutes)
}

// purgeTime is when the daily purge runs (UTC): a quiet hour.
var purgeTime = client.ScheduleCalendarSpec{
	Hour:    []client.ScheduleRange{{Start: 3}},
	Minute:  []client.ScheduleRange{{Start: 17}},
	Comment: "daily personal-data purge",
}

// purgeRunTimeout ends a purge run that is stuck before the next day's run
// would be skipped because of it.
const purgeRunTimeout = 23 * time.Hour

// PurgeScheduleOptions is the Schedule of the daily purge for a
// configuration: id workflows.PurgeScheduleID, once a day, a run skipped
// while the previous one still runs, missed runs caught up within a day.
func PurgeScheduleOptions(cfg *config.Config, p config.Privacy) client.ScheduleOptions {
	return client.ScheduleOptions{
		ID:   workflows.PurgeScheduleID,
		Spec: client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{purgeTime}},
		Action: &client.ScheduleWorkflowAction{
			ID: workflows.PurgeScheduleID, Workflow: workflows.WorkflowPurge, TaskQueue: cfg.TaskQueue,
			Args:               []any{workflows.PurgeInput{PurgeAfter: p.PurgeAfter}},
			WorkflowRunTimeout: purgeRunTimeout,
		},
		Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: 24 * time.Hour,
		Note:          "erases personal data of cases closed longer than purge_after ago (abusedesk)",
	}
}

// ensurePurgeSchedule creates the purge Schedule when it is missing, and
// otherwise brings its action up to date: the configured purge_after and
// the active payload key (a ring that drops an old key must still be able
// to read the schedule's arguments). A paused schedule stays paused.
func (a *App) ensurePurgeSchedule(ctx context.Context) error {
	p, err := config.LoadPrivacy(a.Cfg.File)
	if err != nil {
		return err
	}
	opts := PurgeScheduleOptions(a.Cfg, p)
	sc := a.Temporal.ScheduleClient()
	_, err = sc.Create(ctx, opts)
	if err == nil {
		a.Log.Info("created the personal-data purge schedule", "schedule_id", opts.ID, "purge_after", p.PurgeAfter)
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("purge schedule %s: %w", opts.ID, err)
	}
	err = sc.GetHandle(ctx, opts.ID).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			s.Action, s.Spec = opts.Action, &opts.Spec
			return &client.ScheduleUpdate{Schedule: &s}, nil
		},
	})
	if err != nil {
		// Another process updating it at the same moment is harmless.
		a.Log.Warn("could not update the personal-data purge schedule", "schedule_id", opts.ID, "err", err)
	}
	return nil
}

// privacyRoutes serves the analyst's legal hold.
func (a *App) privacyRoutes(e *echo.Echo, s *server.Server) {
	e.POST("/v1/cases/:id/legal-hold", a.postLegalHold, s.RequireRole("analyst"))
}

// LegalHoldRequest is the body of POST /v1/cases/{id}/legal-hold.
type LegalHoldRequest struct {
	Hold *bool `json:"hold"`
}

// LegalHoldResponse answers it.
type LegalHoldResponse struct {
	CaseID    string `json:"case_id"`
	LegalHold bool   `json:"legal_hold"`
	// ErasedAt is set when the case's personal data was already erased:
	// a hold keeps nothing more then.
	ErasedAt *time.Time `json:"personal_data_erased_at,omitempty"`
}

// postLegalHold sets or lifts a case's legal hold, which keeps its personal
// data past purge_after (an order, litigation, an authority's request). A
// change is an entry of the audit log, with the analyst.
func (a *App) postLegalHold(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
	}
	var req LegalHoldRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf(`not a JSON object {"hold": true|false}: %v`, err))
	}
	if req.Hold == nil {
		return &intake.Invalid{Problems: []models.FieldError{{Field: "hold", Message: "required: true to keep the case's personal data past purge_after, false to lift the hold"}}}
	}
	id, hold := c.Param("id"), *req.Hold
	actor, _ := c.Get("actor").(string)
	if actor == "" {
		actor = "unknown"
	}
	out := LegalHoldResponse{CaseID: id, LegalHold: hold}
	err = a.DB.WithContext(c.Request().Context()).Transaction(func(tx *gorm.DB) error {
		var cs models.Case
		if err := tx.Select("id", "legal_hold").First(&cs, "id = ?", id).Error; err != nil {
			return err
		}
		var er activities.PersonalDataErasure
		if tx.Where("case_id = ?", id).Limit(1).Find(&er).RowsAffected > 0 {
			out.ErasedAt = &er.ErasedAt
		}
		if cs.LegalHold == hold {
			return nil
		}
		if err := tx.Model(&models.Case{}).Where("id = ?", id).Update("legal_hold", hold).Error; err != nil {
			return err
		}
		kind := "legal_hold_set"
		if !hold {
			kind = "legal_hold_lifted"
		}
		_, err := audit.Append(tx, audit.NewEntry{Actor: actor, CaseID: id, Kind: kind,
			DedupKey: fmt.Sprintf("legal-hold:%s:%d", id, time.Now().UnixNano()), Details: map[string]any{"hold": hold}})
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// DecodeHistory decodes, in place, every payload of a workflow history that
// the codec encrypted, and gives each failure whose message and stack trace
// the failure converter moved into an encoded payload its text back. A
// payload whose key is missing from the ring fails the whole call with an
// error naming the key id (codec.ErrUnknownKeyID): never a half-decoded
// history. Payloads the codec did not encrypt pass through unchanged.
//
// The Temporal client does not decode histories: GetWorkflowHistory yields
// the events as stored, with encrypted payloads.
func DecodeHistory(ctx context.Context, h *historypb.History, c converter.PayloadCodec) error {
	err := proxy.VisitPayloads(ctx, h, proxy.VisitPayloadsOptions{
		SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
			return c.Decode(ps)
		},
	})
	if err != nil {
		return err
	}
	plain := converter.GetDefaultDataConverter()
	return proxy.VisitFailures(ctx, h, proxy.VisitFailuresOptions{
		Visitor: func(_ *proxy.VisitFailuresContext, f *failurepb.Failure) error {
			converter.DecodeCommonFailureAttributes(plain, f)
			return nil
		},
	})
}

// ReplayHistory replays a workflow history (as stored, payloads encrypted)
// with abusedesk's workflows and the ring's codec, as a worker would run
// it. It first decodes a copy, so that a ring lacking a key the history was
// written with fails with codec.ErrUnknownKeyID naming that key; the
// replayer alone would report only the illegal state that a workflow
// unable to read its input leaves behind.
func ReplayHistory(ctx context.Context, h *historypb.History, ring *codec.KeyRing) error {
	probe, ok := proto.Clone(h).(*historypb.History)
	if !ok {
		return errors.New("replay: cannot copy the history")
	}
	if err := DecodeHistory(ctx, probe, codec.NewCodec(ring)); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	rp, err := sdkworker.NewWorkflowReplayerWithOptions(sdkworker.WorkflowReplayerOptions{
		DataConverter: codec.DataConverter(ring), FailureConverter: codec.FailureConverter(ring),
		Interceptors: []interceptor.WorkerInterceptor{codec.SignalGuard(ring)}})
	if err != nil {
		return err
	}
	worker.RegisterWorkflows(rp)
	quiet := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	return rp.ReplayWorkflowHistory(quiet, h)
}
