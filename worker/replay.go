package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/interceptor"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"

	"github.com/abusedesk/abusedesk/codec"
)

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
	if err := codec.DecodeHistory(ctx, probe, codec.NewCodec(ring)); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	rp, err := sdkworker.NewWorkflowReplayerWithOptions(sdkworker.WorkflowReplayerOptions{
		DataConverter: codec.DataConverter(ring), FailureConverter: codec.FailureConverter(ring),
		Interceptors: []interceptor.WorkerInterceptor{codec.SignalGuard(ring)}})
	if err != nil {
		return err
	}
	RegisterWorkflows(rp)
	quiet := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	return rp.ReplayWorkflowHistory(quiet, h)
}
