package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// EmptyWorkflowName is the trivial workflow the baseline starts. It runs on
// a task queue of its own, served by a worker inside the bench process, so
// it measures the Temporal server (and this machine), not abusedesk.
const EmptyWorkflowName = "AbusedeskBenchEmpty"

// basePollers is the baseline worker's workflow task pollers: enough that
// the worker is never what bounds the baseline (with the SDK's default of
// 2, a backlog spread over the task queue's partitions drains at the
// matching service's forwarding rate instead).
var basePollers = 16

// emptyWorkflow does nothing: its rate is the engine's floor cost of a
// workflow (start, one workflow task, complete).
func emptyWorkflow(ctx workflow.Context) error { return nil }

// Baseline is the server's own rate, measured in the same run.
type Baseline struct {
	// Kind is the baseline: "empty" or "naive" (BaselineKinds).
	Kind string `json:"kind"`
	// Activities each workflow runs, one after the other (no-ops).
	Activities  int `json:"activities_per_workflow"`
	Workflows   int `json:"workflows"`
	Concurrency int `json:"concurrency"`
	// StartsPerSecond: workflows started (start call answered) per second.
	StartsPerSecond float64 `json:"starts_per_second"`
	// CompletionsPerSecond: workflows completed per second, from the first
	// start to the last close event.
	CompletionsPerSecond float64        `json:"completions_per_second"`
	StartLatencyMS       Percentiles    `json:"start_latency_ms"`
	StartToCloseMS       Percentiles    `json:"start_to_close_ms"`
	Errors               map[string]int `json:"errors,omitempty"`
	// QuietAfterSeconds: how long after the last close visibility listed
	// every baseline workflow as completed (the next run starts then).
	QuietAfterSeconds float64 `json:"quiet_after_seconds"`
}

// runBaseline starts n workflows of the kind with concurrency callers and
// waits for all of them to complete.
func runBaseline(ctx context.Context, c client.Client, run string, k baselineKind, n, concurrency int) (Baseline, error) {
	b := Baseline{Kind: k.name, Activities: k.activities, Workflows: n, Concurrency: concurrency, Errors: map[string]int{}}
	queue := "abusedesk-bench-" + run
	if k.name != BaselineEmpty {
		queue += "-" + k.name
	}
	w := worker.New(c, queue, worker.Options{MaxConcurrentWorkflowTaskPollers: basePollers,
		MaxConcurrentActivityTaskPollers: basePollers})
	w.RegisterWorkflowWithOptions(emptyWorkflow, workflow.RegisterOptions{Name: EmptyWorkflowName})
	registerNaive(w)
	if err := w.Start(); err != nil {
		return b, fmt.Errorf("bench: baseline worker: %w", err)
	}
	defer w.Stop()

	// A few to warm connections and caches; not measured.
	if _, _, err := startWarm(ctx, c, queue, k, run+"-warm", 10, concurrency); err != nil {
		return b, err
	}

	// Each workflow is watched from the moment its start is answered, as
	// the desk's CDN cases are from the moment their report is accepted:
	// the watchers' long polls load the server while it runs, in the
	// baseline's window as in the desk's, not after it.
	wt := newWatcher(ctx, c, watchers)
	var closes []closed
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for cl := range wt.out {
			closes = append(closes, cl)
		}
	}()
	t0 := time.Now()
	starts := startMeasured(ctx, c, &b, queue, k, run, n, concurrency, wt.watch)
	wt.closeInput()
	<-collected
	if len(starts) == 0 {
		return b, fmt.Errorf("bench: no %s workflow started", k.name)
	}
	done := completions(&b, closes, starts, t0)
	// The next run starts on a quiet server: wait until the engine's
	// visibility work for the baseline is done too (every workflow listed
	// as completed), so it does not run into the next one's load.
	b.QuietAfterSeconds = round(waitListed(ctx, c, queue, done+10, time.Minute).Seconds(), 1)
	if len(b.Errors) == 0 {
		b.Errors = nil
	}
	return b, nil
}

// started is one baseline workflow started, and when its start was sent.
type started struct {
	id string
	at time.Time
}

// startMeasured starts n workflows of kind k with concurrency callers,
// hands each started ID to watch, and records the start rate and
// latencies (and failed starts) in b.
func startMeasured(ctx context.Context, c client.Client, b *Baseline, queue string, k baselineKind, run string, n, concurrency int, watch func(id string)) []started {
	var mu sync.Mutex
	var starts []started
	var lat []time.Duration
	jobs := make(chan int)
	var wg sync.WaitGroup
	t0 := time.Now()
	var lastStart time.Time
	for g := 0; g < concurrency; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				id := fmt.Sprintf("bench-%s-%s-%d", k.name, run, i)
				s := time.Now()
				_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, k.workflow)
				now := time.Now()
				if err == nil {
					watch(id)
				}
				mu.Lock()
				if err != nil {
					b.Errors["start"]++
				} else {
					starts = append(starts, started{id, s})
					lat = append(lat, now.Sub(s))
					if now.After(lastStart) {
						lastStart = now
					}
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	b.StartsPerSecond = rate(len(starts), lastStart.Sub(t0))
	b.StartLatencyMS = percentiles(lat)
	return starts
}

// completions records the completion rate since t0 and the
// start-to-close times of the started workflows' closes in b; it returns
// how many completed.
func completions(b *Baseline, closes []closed, starts []started, t0 time.Time) int {
	sentAt := map[string]time.Time{}
	for _, s := range starts {
		sentAt[s.id] = s.at
	}
	var lastClose time.Time
	var s2c []time.Duration
	done := 0
	for _, cl := range closes {
		if cl.Err != nil || cl.Status != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED {
			b.Errors["not_completed"]++
			continue
		}
		done++
		s2c = append(s2c, cl.At.Sub(sentAt[cl.ID]))
		if cl.At.After(lastClose) {
			lastClose = cl.At
		}
	}
	b.CompletionsPerSecond = rate(done, lastClose.Sub(t0))
	b.StartToCloseMS = percentiles(s2c)
	return done
}

// startWarm starts and waits for n workflows of kind k (warm-up).
func startWarm(ctx context.Context, c client.Client, queue string, k baselineKind, prefix string, n, concurrency int) (int, time.Duration, error) {
	t0 := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, concurrency)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
				ID: fmt.Sprintf("bench-%s-%s-%d", k.name, prefix, i), TaskQueue: queue,
				WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			}, k.workflow)
			if err == nil {
				err = run.Get(ctx, nil)
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return 0, 0, fmt.Errorf("bench: %s workflow: %w", k.name, err)
		}
	}
	return n, time.Since(t0), nil
}

// waitListed waits (at most max) until visibility counts want completed
// workflows on queue, and returns how long that took.
func waitListed(ctx context.Context, c client.Client, queue string, want int, max time.Duration) time.Duration {
	t0 := time.Now()
	q := fmt.Sprintf("TaskQueue = '%s' AND ExecutionStatus = 'Completed'", queue)
	for time.Since(t0) < max {
		res, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: q})
		if err == nil && res.GetCount() >= int64(want) {
			break
		}
		if !sleep(ctx, 200*time.Millisecond) {
			break
		}
	}
	return time.Since(t0)
}
