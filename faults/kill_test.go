package faults

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestKillNineAllInOne kills the all-in-one process (embedded Temporal on
// SQLite, worker, HTTP) with SIGKILL while 300 reports are being filed,
// starts it again on the same data, and requires every report accepted
// once and carried to its outcome, with each notice delivered once.
// Reporters retry failed submissions with their Idempotency-Key. The SMTP
// relay is stopped half a second before the kill (quietRelay): the one
// window no sender can close, a kill between the relay's acceptance of a
// notice and the write that records it, is left out; every other step is
// killed in flight.
func TestKillNineAllInOne(t *testing.T) {
	skipShort(t)
	const reports = 300
	d := newDesk(t, nil)

	var once sync.Once
	restarted := make(chan error, 1)
	cfg := loadConfig(d.url, reports)
	// Paced, so that the kill falls in the load: the intake answers once a
	// case is stored (its start queue starts the workflow after), which
	// takes 300 reports in well under the half second quietRelay waits.
	// The kill then also finds stored cases whose start is still queued.
	cfg.Rate = 50
	cfg.OnAccepted = func(n int) {
		if n < reports/3 {
			return
		}
		once.Do(func() {
			go func() {
				relayBack := quietRelay(d.sink)
				d.proc.kill9()
				err := relayBack()
				time.Sleep(time.Second)
				restarted <- errors.Join(err, <-d.restartAsync())
			}()
		})
	}
	sum := runLoad(t, cfg)
	require.NoError(t, <-restarted)
	t.Logf("load: %d accepted, failed attempts %v, outcomes %v", len(sum.Cases), sum.Errors, sum.Outcomes.ByState)
	require.Positive(t, sum.Errors["connection_refused"]+sum.Errors["connection_reset"]+sum.Errors["transport"],
		"the kill happened during the load")
	requireAllDone(t, sum, reports, d.sink)
}
