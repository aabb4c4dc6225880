package faults

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/bench"
)

// TestSMTPOutage files reports while the SMTP relay is down: the notices
// wait in the outbox (and the cases with them); when the relay is back
// every notice is delivered, once, and every case reaches its outcome.
func TestSMTPOutage(t *testing.T) {
	skipShort(t)
	const down, up = 40, 40
	d := newDesk(t, nil)
	d.sink.Stop()

	cfg := loadConfig(d.url, down)
	cfg.Key = "" // no outcome check yet: nothing can finish without SMTP
	cfg.Run = "smtp-down"
	first := runLoad(t, cfg)
	require.Len(t, first.Cases, down)
	// The receipts wait in the outbox; nothing was delivered.
	require.Eventually(t, func() bool { return outbox(t, d.url) >= down }, 30*time.Second, 500*time.Millisecond)
	time.Sleep(3 * time.Second)
	require.Empty(t, d.sink.Messages())

	require.NoError(t, d.sink.Restart())
	cfg = loadConfig(d.url, up)
	cfg.Run = "smtp-up"
	second := runLoad(t, cfg)
	require.Len(t, second.Cases, up)
	api := bench.API{URL: d.url, Key: adminKey}
	o := api.WaitStates(t.Context(), first.Cases, 10, 3*time.Minute)
	require.Equal(t, down, o.Expected, "cases filed during the outage: %v", o.Wrong)
	require.Equal(t, up, second.Outcomes.Expected, second.Outcomes.Wrong)
	requireNotices(t, append(first.Cases, second.Cases...), d.sink)
	require.Zero(t, outbox(t, d.url), "nothing left in the outbox")
}
