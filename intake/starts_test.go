package intake_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// gatedStarter starts workflows once its gate is open (the engine answers)
// and records which cases it started.
type gatedStarter struct {
	mu      sync.Mutex
	gate    chan struct{}
	started []string
}

func (g *gatedStarter) StartCase(ctx context.Context, _ string, in workflows.CaseInput) error {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	g.mu.Lock()
	g.started = append(g.started, in.CaseID)
	g.mu.Unlock()
	return nil
}

func (g *gatedStarter) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.started)
}

func phishingReport(path string) models.ReportRequest {
	return models.ReportRequest{Category: models.CategoryPhishing, URLs: []string{"https://shop.example/" + path},
		Description: "a fake login page", Reporter: models.Reporter{Name: "R", Email: "r@reporter.example"}}
}

// With a start queue, a report is answered once its case is stored, before
// the engine has started its workflow; the start follows. A full queue
// makes the request start its own case. Stopping the queue with starts
// still waiting leaves them stored and unstarted, and the reconciler
// starts them: nothing is lost.
func TestIntakeAnswersBeforeTheStart(t *testing.T) {
	s, _, db := newService(t, nil)
	g := &gatedStarter{gate: make(chan struct{})}
	s.Engine = g
	stop := s.StartInBackground(1, 1)
	ctx := context.Background()

	// The one starter takes the first case and waits at the gate; the
	// second waits in the queue. Both requests are answered.
	first, err := s.Submit(ctx, phishingReport("1"), "")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return queueTaken(s) }, 5*time.Second, 5*time.Millisecond)
	second, err := s.Submit(ctx, phishingReport("2"), "")
	require.NoError(t, err)
	for _, id := range []string{first.CaseID, second.CaseID} {
		var c models.Case
		require.NoError(t, db.First(&c, "id = ?", id).Error, "stored before the answer")
	}
	require.Zero(t, g.count(), "answered before any start")

	// The queue is full: the third request starts its case itself, which
	// waits for the engine (the gate).
	third := make(chan intake.Created, 1)
	go func() {
		c, err := s.Submit(ctx, phishingReport("3"), "")
		require.NoError(t, err)
		third <- c
	}()
	select {
	case <-third:
		t.Fatal("a request with the queue full answered before its start")
	case <-time.After(200 * time.Millisecond):
	}
	close(g.gate)
	c3 := <-third
	require.Eventually(t, func() bool { return g.count() == 3 }, 5*time.Second, 5*time.Millisecond)
	require.ElementsMatch(t, []string{first.CaseID, second.CaseID, c3.CaseID}, g.started)
	stop(ctx)

	// Starts still waiting when the process stops are the reconciler's.
	s2, _, _ := newService(t, nil)
	g2 := &gatedStarter{gate: make(chan struct{})}
	s2.Engine = g2
	stop2 := s2.StartInBackground(1, 4)
	var ids []string
	for i := range 3 {
		c, err := s2.Submit(ctx, phishingReport(string(rune('a'+i))), "")
		require.NoError(t, err)
		ids = append(ids, c.CaseID)
	}
	expired, cancel := context.WithCancel(ctx)
	cancel()
	stop2(expired)
	require.Zero(t, g2.count(), "nothing started: the engine never answered")
	close(g2.gate)
	n, err := s2.Reconcile(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	require.ElementsMatch(t, ids, g2.started)
	// A report after the stop starts its own case.
	late, err := s2.Submit(ctx, phishingReport("late"), "")
	require.NoError(t, err)
	require.Contains(t, g2.started, late.CaseID)
}

// queueTaken: the one starter has taken a case from the queue (the queue
// of one is empty again).
func queueTaken(s *intake.Service) bool { return intake.QueuedStarts(s) == 0 }

// Background starts let the reports being stored go first: while a report
// is in flight a queued start waits (at most a quarter second), and it
// goes as soon as the intake is idle.
func TestStartsWaitForTheIntake(t *testing.T) {
	s, _, _ := newService(t, nil)
	g := &gatedStarter{gate: make(chan struct{})}
	close(g.gate)
	s.Engine = g
	stop := s.StartInBackground(1, 4)
	defer stop(context.Background())
	ctx := context.Background()

	release := intake.HoldIntake(s)
	_, err := s.Submit(ctx, phishingReport("held"), "")
	require.NoError(t, err)
	time.Sleep(100 * time.Millisecond)
	require.Zero(t, g.count(), "no start while a report is being stored")
	release()
	require.Eventually(t, func() bool { return g.count() == 1 }, 5*time.Second, 5*time.Millisecond)

	// A report that never finishes delays the starts, and no more.
	release = intake.HoldIntake(s)
	defer release()
	_, err = s.Submit(ctx, phishingReport("long"), "")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return g.count() == 2 }, 5*time.Second, 10*time.Millisecond,
		"a start waits for the intake at most a quarter second")
}

// A split deployment's server stores cases without starting them
// (DeferStarts); a worker process claims and starts them (ClaimStarts),
// each once, through its start queue. A case the storing process starts
// itself is stored claimed and never claimed again.
func TestWorkersStartTheDeferredCases(t *testing.T) {
	server, tc, db := newService(t, nil)
	server.DeferStarts = true
	ctx := context.Background()

	deferred, err := server.Submit(ctx, phishingReport("deferred"), "")
	require.NoError(t, err)
	tc.AssertNotCalled(t, "ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything)
	var row models.Case
	require.NoError(t, db.First(&row, "id = ?", deferred.CaseID).Error)
	require.Nil(t, row.StartClaimedAt, "left to the workers")
	require.Equal(t, models.StatusReceived, row.Status)

	// A case the storing process starts: claimed at intake.
	own := *server
	own.DeferStarts = false
	started, err := own.Submit(ctx, phishingReport("own"), "")
	require.NoError(t, err)
	var ownRow models.Case
	require.NoError(t, db.First(&ownRow, "id = ?", started.CaseID).Error)
	require.NotNil(t, ownRow.StartClaimedAt)

	worker, _, _ := newService(t, nil)
	worker.DB = db
	g := &gatedStarter{gate: make(chan struct{})}
	close(g.gate)
	worker.Engine = g
	stop := worker.StartInBackground(2, 8)
	defer stop(ctx)
	n, err := worker.ClaimStarts(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Eventually(t, func() bool { return g.count() == 1 }, 5*time.Second, 5*time.Millisecond)
	g.mu.Lock()
	require.Equal(t, []string{deferred.CaseID}, g.started)
	g.mu.Unlock()
	n, err = worker.ClaimStarts(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "claimed once")

	// More than a batch: one call claims them all, in batches.
	for i := 0; i < 70; i++ {
		_, err := server.Submit(ctx, phishingReport(fmt.Sprintf("bulk-%d", i)), "")
		require.NoError(t, err)
	}
	n, err = worker.ClaimStarts(ctx)
	require.NoError(t, err)
	require.Equal(t, 70, n)
	require.Eventually(t, func() bool { return g.count() == 71 }, 10*time.Second, 10*time.Millisecond)
}

// A background start waits for Admit (a free workflow-task slot in this
// process), so the start hands the case's first task to this worker.
func TestStartsWaitForASlot(t *testing.T) {
	s, _, _ := newService(t, nil)
	g := &gatedStarter{gate: make(chan struct{})}
	close(g.gate)
	s.Engine = g
	free := make(chan struct{})
	s.Admit = func(ctx context.Context) error {
		select {
		case <-free:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	stop := s.StartInBackground(1, 4)
	defer stop(context.Background())
	_, err := s.Submit(context.Background(), phishingReport("slot"), "")
	require.NoError(t, err, "answered while no slot is free")
	time.Sleep(100 * time.Millisecond)
	require.Zero(t, g.count(), "no start without a free slot")
	close(free)
	require.Eventually(t, func() bool { return g.count() == 1 }, 5*time.Second, 5*time.Millisecond)
}
