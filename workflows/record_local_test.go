//go:build record

package workflows_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// TestRecordLocalNoticeHistories records cases that send their notices as
// local activities (changeLocalNotices) into testdata/:
//
//	ABUSEDESK_RECORD=1 go test -tags record -count=1 -run TestRecordLocalNoticeHistories ./workflows/
//
// One CDN case whose every notice goes out in its first workflow task, and
// one whose host forward fails its local attempt (the relay refused it) and
// is sent by the regular activity that follows.
func TestRecordLocalNoticeHistories(t *testing.T) {
	if os.Getenv("ABUSEDESK_RECORD") != "1" {
		t.Skip("set ABUSEDESK_RECORD=1 to record the local-notice histories into testdata/")
	}
	c := recordingClient(t)
	cdn := activities.ClassifyResult{URLCount: 1, Targets: []activities.Target{{
		Domain: "shop.example", AccountID: "acct-shop", Service: models.ServiceCDN, Services: []string{"cdn"}, URLCount: 1,
		Provider: activities.Provider{Name: "Origin Hosting", AbuseEmail: "abuse@origin.example", OriginIP: "203.0.113.7", Found: true},
	}}}
	in := workflows.CaseInput{CaseID: "Creclocalcdn", Category: models.CategoryPhishing, ForwardToOperator: true,
		Timers: workflows.Timers{NoticeTokenTTL: time.Hour}}
	runWith(t, c, cdn, nil, in)
	save(t, c, "cdn-local-notices", workflows.CaseWorkflowID(in.CaseID))

	var mu sync.Mutex
	failed := map[string]bool{}
	failHostOnce := func(step string) error {
		mu.Lock()
		defer mu.Unlock()
		if strings.HasPrefix(step, "host-forward:") && !failed[step] {
			failed[step] = true
			return errors.New("451 4.3.0 relay busy")
		}
		return nil
	}
	in.CaseID = "Creclocalfallback"
	runWith(t, c, cdn, failHostOnce, in)
	save(t, c, "cdn-local-notice-fallback", workflows.CaseWorkflowID(in.CaseID))
}

// runWith runs one CDN case with a notice stand-in that first asks fail
// (nil: never fails).
func runWith(t *testing.T, c client.Client, classify activities.ClassifyResult, fail func(step string) error, in workflows.CaseInput) {
	acts := standIns(classify)
	acts[activities.ActSendNotice] = func(_ context.Context, in activities.NoticeInput) (activities.NoticeResult, error) {
		if fail != nil {
			if err := fail(in.Step); err != nil {
				return activities.NoticeResult{}, err
			}
		}
		return activities.NoticeResult{NoticeID: "n_" + in.CaseID + "_" + in.Step}, nil
	}
	res := runActs(t, c, acts, func(string) {}, in)
	require.Equal(t, models.OutcomeForwarded, res.Outcome)
}
