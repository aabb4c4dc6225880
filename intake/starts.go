package intake

import (
	"context"
	"sync"
	"time"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// startTimeout bounds one background start of a case's workflow.
const startTimeout = 30 * time.Second

// intakeFirstMax bounds how long a background start waits for the reports
// being stored to be stored first (intakeGate).
const intakeFirstMax = 250 * time.Millisecond

// startQueue starts the workflows of stored cases behind the intake (its
// outbox; docs/DESIGN.md "Speed"): a report is answered 202 once its case
// is stored, as it always was when a start failed, and the workflow starts
// a moment later. A case waiting here when the process dies is stored and
// unstarted, which the reconciler (Reconcile) starts: nothing is lost. A
// full queue makes the intake start the case itself, in the request, so a
// burst is held back by the engine's pace rather than kept in memory.
type startQueue struct {
	// owner is the Service whose starters take the cases: a copy of it
	// (another engine, in tests) starts its own cases itself.
	owner *Service
	cases chan models.Case
	wg    sync.WaitGroup
	// mu guards closed: a report that arrives while the process stops
	// starts its own case.
	mu     sync.RWMutex
	closed bool
}

// StartInBackground makes Submit answer once a case is stored and start
// its workflow from one of workers goroutines, with up to queue cases
// waiting. It returns the stop, which takes no more cases and lets the
// waiting ones start until ctx ends (the reconciler starts any left).
// Without it, or with workers < 1, Submit starts each case in the request.
func (s *Service) StartInBackground(workers, queue int) (stop func(ctx context.Context)) {
	if workers < 1 {
		return func(context.Context) {}
	}
	q := &startQueue{owner: s, cases: make(chan models.Case, max(queue, 0))}
	gate := &intakeGate{}
	drain, cancelDrain := context.WithCancel(context.Background())
	for range workers {
		q.wg.Add(1)
		go func() {
			defer q.wg.Done()
			for c := range q.cases {
				if drain.Err() != nil {
					continue // the reconciler starts it
				}
				gate.wait(drain, intakeFirstMax)
				if s.Admit != nil && s.Admit(drain) != nil {
					continue // stopping: the reconciler starts it
				}
				ctx, cancel := context.WithTimeout(drain, startTimeout)
				s.startLogged(ctx, c)
				cancel()
			}
		}()
	}
	s.starts, s.intake = q, gate
	return func(ctx context.Context) {
		q.mu.Lock()
		q.closed = true
		close(q.cases)
		q.mu.Unlock()
		done := make(chan struct{})
		go func() { q.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			cancelDrain()
			<-done
		}
		cancelDrain()
	}
}

// enqueueStart hands a stored case to the start queue; false when there is
// none, it is full or it is stopping (the caller starts the case).
func (s *Service) enqueueStart(c models.Case) bool {
	q := s.starts
	if q == nil || q.owner != s {
		return false
	}
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return false
	}
	select {
	case q.cases <- c:
		return true
	default:
		return false
	}
}

// startLogged starts a stored case's workflow; a failure is logged and
// left to the reconciler.
func (s *Service) startLogged(ctx context.Context, c models.Case) {
	if err := s.start(ctx, c); err != nil && s.Log != nil {
		// Stored: the case stands whatever the start did. Deleting it
		// could orphan a workflow that did start; Reconcile starts (or
		// finds) it and marks the row.
		s.Log.Warn("case stored, workflow start failed; the reconciler will start it", "case_id", c.ID, "err", err)
	}
}

// intakeGate lets the reports being stored go before the background
// starts: in the all-in-one process a started case's workflow task runs at
// once and its database work competes with the intake's, so under a burst
// a report would wait on the cases before it. A start waits while any
// report is being stored, at most intakeFirstMax, so it is delayed and
// never starved; a full queue still makes the request start its own case.
type intakeGate struct {
	mu sync.Mutex
	n  int
	// idle is closed when the last report in flight is stored.
	idle chan struct{}
}

// enter marks a report being stored; leave marks it done.
func (g *intakeGate) enter() {
	g.mu.Lock()
	if g.n == 0 {
		g.idle = make(chan struct{})
	}
	g.n++
	g.mu.Unlock()
}

func (g *intakeGate) leave() {
	g.mu.Lock()
	if g.n--; g.n == 0 {
		close(g.idle)
	}
	g.mu.Unlock()
}

// wait returns once no report is being stored, after max, or when ctx
// ends.
func (g *intakeGate) wait(ctx context.Context, max time.Duration) {
	g.mu.Lock()
	if g.n == 0 {
		g.mu.Unlock()
		return
	}
	idle := g.idle
	g.mu.Unlock()
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
	case <-ctx.Done():
	}
}

// claimBatch is how many stored cases ClaimStarts claims at a time.
const claimBatch = 32

// ClaimStarts starts, from a worker process, the workflows of the cases a
// server with DeferStarts stored: it claims them (store.ClaimUnstarted),
// oldest first, claimBatch at a time while it finds that many, and hands
// them to the start queue (StartInBackground), or starts them itself when
// there is none or it is full. Its client is the worker's, so each start
// hands the case's first workflow task to this process (eager dispatch).
// It returns how many it claimed; a claim that fails is retried on the
// next call, and a claimed case this process dies before starting is
// started by the reconciler.
func (s *Service) ClaimStarts(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		cs, err := store.ClaimUnstarted(ctx, s.DB, time.Now().UTC(), claimBatch)
		if err != nil {
			return total, err
		}
		for _, c := range cs {
			if !s.enqueueStart(c) {
				s.startLogged(ctx, c)
			}
		}
		total += len(cs)
		if len(cs) < claimBatch {
			break
		}
	}
	return total, nil
}
