package workflows

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
)

// Bulk notices. One copyright notice may list up to 10,000 URLs over
// hundreds of domains. Forwarding them inline would put two notice
// activities per domain, about six events each, into the case's own
// history: 500 domains make some 6,000 events and pass the point where the
// server suggests Continue-As-New. Above BulkInlineMax domains the case
// fans out instead: one ForwardBatch child workflow per BulkBatchSize
// domains, each with a history of its own of a few hundred events, and the
// case keeps only the children's starts and results.
const (
	// WorkflowForwardBatch is the stable registration name of ForwardBatch.
	WorkflowForwardBatch = "ForwardBatch"
	// BulkInlineMax is the largest target list forwarded inline, as every
	// case did before the fan-out existed (most reports name one domain).
	BulkInlineMax = activities.InlineTargetsMax
	// BulkBatchSize is the most domains one ForwardBatch child forwards:
	// 100 notice activities, about 600 events.
	BulkBatchSize = 50
	// bulkChildrenInFlight bounds the children running at once, far under
	// the 2,000 pending children a workflow may have, so a 10,000-domain
	// notice does not flood the task queue either.
	bulkChildrenInFlight = 10
	// bulkMaxProviderLines bounds the reporter's summary: one line per
	// hosting provider, the rest counted on one line.
	bulkMaxProviderLines = 20
	// bulkDomainsPerLine is how many domains a summary line names.
	bulkDomainsPerLine = 3
	// changeBulkFanOut marks cases started with the fan-out: a case
	// that started forwarding a large list inline before it existed
	// replays inline.
	changeBulkFanOut = "bulk-fanout-20261126"
	// changeBatchIDPrefix marks cases whose batches have IDs of their own
	// prefix (BatchWorkflowID); older cases replay with the case prefix.
	changeBatchIDPrefix = "batch-id-prefix-20261206"
)

// ForwardBatchInput is one batch of a bulk forward. The targets carry no
// personal data (contacts are looked up by the notice activity).
type ForwardBatchInput struct {
	CaseID     string
	Batch      int
	Targets    []activities.Target
	ToOperator bool
	TokenTTL   time.Duration
}

// ForwardBatchResult counts what one batch asked for.
type ForwardBatchResult struct {
	Domains int
	Notices int
	// Skipped notices had no recipient address on record.
	Skipped int
}

// batchIDPrefix starts the IDs of ForwardBatch children, apart from the
// case prefix so that a batch is never taken for a case.
const batchIDPrefix = WorkflowForwardBatch + ":"

// BatchWorkflowID is the deterministic ID of batch n (from 1) of a case:
// "ForwardBatch:<case>:<n>". A retried start finds the same child.
func BatchWorkflowID(caseID string, n int) string {
	return batchIDPrefix + caseID + ":" + strconv.Itoa(n)
}

// legacyBatchWorkflowID is the ID batches had before changeBatchIDPrefix,
// "AbuseCase:<case>:batch-<n>": cases that started their batches under it
// keep it on replay.
func legacyBatchWorkflowID(caseID string, n int) string {
	return CaseWorkflowID(caseID) + ":batch-" + strconv.Itoa(n)
}

// ForwardBatch sends the operator and hosting-provider forwards of its
// domains through SendNotice with the same steps the inline path uses
// ("operator-forward:<domain>", "host-forward:<domain>"), so a notice is
// sent once per case and domain whichever path, retry or replay asks.
func ForwardBatch(ctx workflow.Context, in ForwardBatchInput) (ForwardBatchResult, error) {
	res := ForwardBatchResult{Domains: len(in.Targets)}
	var fs []workflow.Future
	for _, t := range in.Targets {
		for _, n := range forwardNotices(t, in.ToOperator) {
			fs = append(fs, sendNotice(ctx, in.CaseID, in.TokenTTL, n))
		}
	}
	for _, f := range fs {
		var r activities.NoticeResult
		if err := f.Get(ctx, &r); err != nil {
			return res, err
		}
		res.Notices++
		if r.Skipped {
			res.Skipped++
		}
	}
	return res, nil
}

// forwardNotices are the forwards of one pass-through domain, in the order
// the inline path has always scheduled them: the operator (when the
// category and the reporter allow it), then the hosting provider with the
// origin IP (when one is known).
func forwardNotices(t activities.Target, toOperator bool) []activities.NoticeInput {
	return activities.ForwardNotices(t, toOperator)
}

// sendNotice is caseState.notice for code that has no caseState (a child).
func sendNotice(ctx workflow.Context, caseID string, ttl time.Duration, in activities.NoticeInput) workflow.Future {
	in.CaseID = caseID
	if in.TokenTTL == 0 {
		in.TokenTTL = ttl
	}
	return workflow.ExecuteActivity(withNotice(ctx), activities.ActSendNotice, in)
}

// forwardBulk forwards a large target list through ForwardBatch children,
// at most bulkChildrenInFlight at a time, and returns the summary line
// list for the reporter once every batch is done.
func (s *caseState) forwardBulk(ctx workflow.Context, targets []activities.Target, toOperator bool) (string, error) {
	batches := batchTargets(targets, BulkBatchSize)
	batchID := BatchWorkflowID
	if getVersion(ctx, changeBatchIDPrefix, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		batchID = legacyBatchWorkflowID
	}
	sel := workflow.NewSelector(ctx)
	var firstErr error
	next, running := 0, 0
	start := func() {
		n := next + 1
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: batchID(s.in.CaseID, n)})
		f := workflow.ExecuteChildWorkflow(cctx, WorkflowForwardBatch, ForwardBatchInput{
			CaseID: s.in.CaseID, Batch: n, Targets: batches[next], ToOperator: toOperator,
			TokenTTL: s.in.Timers.NoticeTokenTTL,
		})
		next++
		running++
		sel.AddFuture(f, func(f workflow.Future) {
			running--
			if err := f.Get(ctx, nil); err != nil && firstErr == nil {
				firstErr = fmt.Errorf("forward batch %d: %w", n, err)
			}
		})
	}
	for next < len(batches) && running < bulkChildrenInFlight {
		start()
	}
	for running > 0 {
		sel.Select(ctx)
		if firstErr != nil {
			return "", firstErr
		}
		if next < len(batches) {
			start()
		}
	}
	return providerSummary(targets), nil
}

// batchTargets splits targets, in their (domain) order, into batches of at
// most size.
func batchTargets(targets []activities.Target, size int) [][]activities.Target {
	var out [][]activities.Target
	for len(targets) > size {
		out = append(out, targets[:size:size])
		targets = targets[size:]
	}
	if len(targets) > 0 {
		out = append(out, targets)
	}
	return out
}

// providerSummary is the reporter's follow-up list for a bulk notice,
// bounded whatever the number of domains: one line per hosting provider
// with its domain count and the first few domains, most domains first, at
// most bulkMaxProviderLines lines and one more that counts the rest.
func providerSummary(targets []activities.Target) string {
	type group struct {
		name    string
		domains []string
	}
	var groups []*group // first-seen order; no map ranging in a workflow
	index := map[string]*group{}
	for _, t := range targets {
		key := "hosting provider unknown"
		if t.Provider.Found {
			key = t.Provider.Name
			if t.Provider.AbuseEmail != "" {
				key += " <" + t.Provider.AbuseEmail + ">"
			}
		}
		g := index[key]
		if g == nil {
			g = &group{name: key}
			index[key] = g
			groups = append(groups, g)
		}
		g.domains = append(g.domains, t.Domain)
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if len(groups[i].domains) != len(groups[j].domains) {
			return len(groups[i].domains) > len(groups[j].domains)
		}
		return groups[i].name < groups[j].name
	})
	lines := []string{fmt.Sprintf("%d domains, %d hosting providers:", len(targets), len(groups))}
	for i, g := range groups {
		if i == bulkMaxProviderLines {
			rest := 0
			for _, g := range groups[i:] {
				rest += len(g.domains)
			}
			lines = append(lines, fmt.Sprintf("... and %d more hosting providers (%d domains)", len(groups)-i, rest))
			break
		}
		named := g.domains
		if len(named) > bulkDomainsPerLine {
			named = named[:bulkDomainsPerLine]
		}
		line := fmt.Sprintf("%s: %d %s (%s", g.name, len(g.domains), plural(len(g.domains), "domain", "domains"), strings.Join(named, ", "))
		if more := len(g.domains) - len(named); more > 0 {
			line += fmt.Sprintf(" and %d more", more)
		}
		lines = append(lines, line+")")
	}
	return strings.Join(lines, "\n")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
