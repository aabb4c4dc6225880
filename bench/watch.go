package bench

import (
	"context"
	"errors"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// How a case's close is observed: not by polling the HTTP API, which would
// add read load and poll-interval error to what is measured, but by
// Temporal's own long poll for the close event of the workflow
// (GetWorkflowExecutionHistory, WaitNewEvent, CLOSE_EVENT filter), the
// call behind WorkflowRun.Get. The close event carries the server's
// timestamp of the close, so intake-to-closed is that timestamp minus the
// moment the report was sent (same machine clock), exact whatever the
// watcher's own lag. watchers bounds the long polls in flight.
const watchers = 32

// closed is one observed workflow close.
type closed struct {
	ID     string
	At     time.Time
	Status enumspb.EventType
	Err    error
}

// watcher long-polls workflow closes.
type watcher struct {
	c    client.Client
	ids  chan string
	out  chan closed
	wg   sync.WaitGroup
	done int64
	mu   sync.Mutex
}

func newWatcher(ctx context.Context, c client.Client, n int) *watcher {
	w := &watcher{c: c, ids: make(chan string, 1<<16), out: make(chan closed, 1<<16)}
	for i := 0; i < n; i++ {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for id := range w.ids {
				w.out <- waitClose(ctx, c, id)
				w.mu.Lock()
				w.done++
				w.mu.Unlock()
			}
		}()
	}
	return w
}

// watch queues a workflow ID.
func (w *watcher) watch(id string) { w.ids <- id }

// closeInput ends the queue; results keep coming until every queued ID
// is seen (or the context ends).
func (w *watcher) closeInput() {
	close(w.ids)
	go func() { w.wg.Wait(); close(w.out) }()
}

func (w *watcher) count() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.done
}

// waitClose blocks until the workflow's close event and returns it. A
// workflow not found yet is asked for again, 20 ms later and then up to a
// second apart: the desk answers once a case is stored, and its start
// queue starts the workflow a moment later.
func waitClose(ctx context.Context, c client.Client, id string) closed {
	delay := 20 * time.Millisecond
	for {
		// With the close-event filter and a long poll the history has one
		// event, the close; only it is read.
		iter := c.GetWorkflowHistory(ctx, id, "", true, enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
		if !iter.HasNext() {
			return closed{ID: id, Err: ctx.Err()}
		}
		ev, err := iter.Next()
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			select {
			case <-ctx.Done():
				return closed{ID: id, Err: ctx.Err()}
			case <-time.After(delay):
			}
			delay = min(2*delay, time.Second)
			continue
		}
		if err != nil {
			return closed{ID: id, Err: err}
		}
		return closed{ID: id, At: ev.GetEventTime().AsTime(), Status: ev.GetEventType()}
	}
}
