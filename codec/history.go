package codec

import (
	"context"

	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/sdk/converter"
)

// DecodeHistory decodes, in place, every payload of a workflow history that
// the codec encrypted, and gives each failure whose message and stack trace
// the failure converter moved into an encoded payload its text back. A
// payload whose key is missing from the ring fails the whole call with an
// error naming the key id (ErrUnknownKeyID): never a half-decoded history.
// Payloads the codec did not encrypt pass through unchanged.
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

// HistoryDecoder decodes histories with a key ring's codec (the history
// endpoint's decoder for auditors).
type HistoryDecoder struct{ Ring *KeyRing }

// DecodeHistory decodes h in place (see the function DecodeHistory).
func (d HistoryDecoder) DecodeHistory(ctx context.Context, h *historypb.History) error {
	return DecodeHistory(ctx, h, NewCodec(d.Ring))
}
