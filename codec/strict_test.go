package codec

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func TestDataConverterRefusesUnsealedPayloads(t *testing.T) {
	ring := testRing(t, "k1:"+testKey(1))
	dc := DataConverter(ring)
	var got notice

	// Plain JSON, as a raw client or the CLI writes it.
	plain := plainPayloads(t)[0]
	require.ErrorIs(t, dc.FromPayload(plain, &got), ErrNotEncrypted)
	require.ErrorIs(t, Verify(ring, []*commonpb.Payload{plain}), ErrNotEncrypted)
	// The encoding label alone is no seal.
	fake := &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte(EncodingEncrypted),
		MetadataKeyID: []byte("k1")}, Data: plain.GetData()}
	require.ErrorIs(t, dc.FromPayload(fake, &got), ErrDecryptFailed)
	// Sealed under the same key id by another key.
	forged, err := DataConverter(testRing(t, "k1:"+testKey(7))).ToPayload(notice{Recipient: email})
	require.NoError(t, err)
	require.ErrorIs(t, dc.FromPayload(forged, &got), ErrDecryptFailed)
	// One bad payload among good ones fails the lot.
	good, err := dc.ToPayload(notice{Recipient: email})
	require.NoError(t, err)
	require.NoError(t, Verify(ring, []*commonpb.Payload{good}))
	require.ErrorIs(t, Verify(ring, []*commonpb.Payload{good, plain}), ErrNotEncrypted)
	require.Error(t, Verify(nil, []*commonpb.Payload{good}))

	// The display codec (endpoint, history views) still shows plain ones.
	out, err := NewCodec(ring).Decode([]*commonpb.Payload{plain})
	require.NoError(t, err)
	require.Same(t, plain, out[0])
}

// answerWorkflow waits for one "answer" signal and returns what it said.
func answerWorkflow(ctx workflow.Context) (string, error) {
	var got notice
	workflow.GetSignalChannel(ctx, "answer").Receive(ctx, &got)
	return got.Recipient, nil
}

// rawArg is a signal argument the test converter sends as it is, as a
// raw client's payloads would arrive.
type rawArg struct{ ps *commonpb.Payloads }

// rawConverter is the ring's converter, except that it sends rawArg as is.
type rawConverter struct{ converter.DataConverter }

func (c rawConverter) ToPayloads(values ...interface{}) (*commonpb.Payloads, error) {
	if len(values) == 1 {
		if r, ok := values[0].(rawArg); ok {
			return r.ps, nil
		}
	}
	return c.DataConverter.ToPayloads(values...)
}

// signalEnv runs answerWorkflow with the ring's converter and SignalGuard;
// send is called when the workflow waits.
func signalEnv(t *testing.T, ring *KeyRing, send func(env *testsuite.TestWorkflowEnvironment)) string {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetDataConverter(rawConverter{DataConverter(ring)})
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{SignalGuard(ring)}})
	env.RegisterWorkflow(answerWorkflow)
	env.RegisterDelayedCallback(func() { send(env) }, time.Minute)
	env.ExecuteWorkflow(answerWorkflow)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var got string
	require.NoError(t, env.GetWorkflowResult(&got))
	return got
}

func TestSignalGuardDropsUnsealedSignals(t *testing.T) {
	ring := testRing(t, "k1:"+testKey(1))
	plain := rawArg{&commonpb.Payloads{Payloads: plainPayloads(t)[:1]}}
	forged, err := DataConverter(testRing(t, "k1:"+testKey(7))).ToPayloads(notice{Recipient: "forged"})
	require.NoError(t, err)
	got := signalEnv(t, ring, func(env *testsuite.TestWorkflowEnvironment) {
		env.SignalWorkflow("answer", plain)
		env.SignalWorkflow("answer", rawArg{&commonpb.Payloads{}})
		env.SignalWorkflow("answer", rawArg{forged})
		env.SignalWorkflow("answer", notice{Recipient: "sealed"})
	})
	require.Equal(t, "sealed", got, "only the sealed signal reaches the workflow")
}
