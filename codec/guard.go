package codec

import (
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/workflow"
)

// SignalGuard returns the interceptor that drops, before any workflow sees
// it, a signal whose payloads are not all sealed by a key of the ring (see
// Verify), and a signal with no payload at all: every abusedesk signal
// carries one. A dropped signal leaves a warning in the worker's log (not
// repeated on replay) with the signal's name and why; the workflow goes on
// as if it had never been sent.
//
// The strict DataConverter alone is not enough: the SDK logs a signal it
// cannot decode and hands the workflow the zero value, which a case would
// act on. Failing the workflow task instead would keep the case from
// acting too, but Temporal retries a failed workflow task forever on every
// new event: the case would be stuck, every deadline of it with it, until
// an operator reset the workflow. Dropping is a pure function of the
// history and the ring, so replays decide the same.
//
// Give it to the client (client.Options.Interceptors: workers created from
// that client use it) and to every replayer
// (worker.WorkflowReplayerOptions.Interceptors).
func SignalGuard(r *KeyRing) interface {
	interceptor.ClientInterceptor
	interceptor.WorkerInterceptor
} {
	return &signalGuard{ring: r}
}

type signalGuard struct {
	interceptor.InterceptorBase
	ring *KeyRing
}

func (g *signalGuard) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &signalInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, ring: g.ring}
}

type signalInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	ring *KeyRing
}

func (s *signalInbound) HandleSignal(ctx workflow.Context, in *interceptor.HandleSignalInput) error {
	ps := in.Arg.GetPayloads()
	if len(ps) == 0 {
		workflow.GetLogger(ctx).Warn("dropped a signal without payload: abusedesk's signals carry one",
			"signal", in.SignalName)
		return nil
	}
	if err := Verify(s.ring, ps); err != nil {
		workflow.GetLogger(ctx).Warn("dropped a signal not sealed by the payload key ring",
			"signal", in.SignalName, "error", err)
		return nil
	}
	return s.Next.HandleSignal(ctx, in)
}
