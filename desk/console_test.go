package desk

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// movingEngine is fakeEngine whose decision Update moves the case's row on
// as the workflow would (awaiting_operator), so DecideAndWait sees it.
type movingEngine struct {
	*fakeEngine
	db *gorm.DB
}

func (m movingEngine) Update(ctx context.Context, wfID, name string, arg, out any) error {
	if err := m.fakeEngine.Update(ctx, wfID, name, arg, out); err != nil {
		return err
	}
	id := strings.TrimPrefix(wfID, workflows.CaseWorkflowID(""))
	return m.db.Model(&models.Case{}).Where("id = ?", id).Update("status", models.StatusAwaitingOperator).Error
}

// recordingJournal keeps the audit entries it is given.
type recordingJournal struct{ kinds, actors []string }

func (r *recordingJournal) Record(_ *gorm.DB, actor, _, kind, _ string, _ any) error {
	r.kinds, r.actors = append(r.kinds, kind), append(r.actors, actor)
	return nil
}

// TestClaimJournaledAndListed (issue 15): a claim and a release are
// journaled with the analyst as actor; another analyst's claim is a 409
// unless forced; the list and the case view carry the assignee.
func TestClaimJournaledAndListed(t *testing.T) {
	d, _ := testDesk(t)
	j := &recordingJournal{}
	d.Journal = j
	ctx := context.Background()
	addCase(t, d.DB, "k1", models.StatusAwaitingAnalyst)
	addCase(t, d.DB, "k2", models.StatusAwaitingAnalyst)

	a, err := d.Claim(ctx, "k1", "alice", false)
	require.NoError(t, err)
	require.Equal(t, "alice", a.Assignee)
	_, err = d.Claim(ctx, "k1", "bob", false)
	code, ps := StatusOf(err)
	require.Equal(t, http.StatusConflict, code)
	require.Contains(t, ps[0].Message, "alice")
	_, err = d.Claim(ctx, "missing", "bob", false)
	code, _ = StatusOf(err)
	require.Equal(t, http.StatusNotFound, code)

	mine, err := d.ListCases(ctx, CaseFilter{Status: "open", Assignee: "alice", Limit: 10})
	require.NoError(t, err)
	require.Len(t, mine, 1)
	require.Equal(t, "alice", mine[0].Assignee)
	none, err := d.ListCases(ctx, CaseFilter{Status: "open", Assignee: AssigneeNone, Limit: 10})
	require.NoError(t, err)
	require.Len(t, none, 1)
	require.Equal(t, "k2", none[0].CaseID)

	a, err = d.Claim(ctx, "k1", "bob", true)
	require.NoError(t, err)
	require.Equal(t, "alice", a.Previous)
	a, err = d.Release(ctx, "k1", "bob", false)
	require.NoError(t, err)
	require.Equal(t, "", a.Assignee)
	require.Equal(t, []string{"case_claimed", "case_claimed", "case_released"}, j.kinds)
	require.Equal(t, []string{"alice", "bob", "bob"}, j.actors)

	s, err := d.Summary(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 2, s.Open)
	require.EqualValues(t, 2, s.Counts[models.StatusAwaitingAnalyst])
	require.NotNil(t, s.OldestOpen)
}

// TestBulkDecide (issue 15): each case gets its own validated Update and
// its own result; a closed or unknown case fails alone; a malformed
// decision, no case or more than MaxBulkCases is refused as a whole.
func TestBulkDecide(t *testing.T) {
	d, fe := testDesk(t)
	d.Engine = movingEngine{fakeEngine: fe, db: d.DB}
	ctx := context.Background()
	addCase(t, d.DB, "b1", models.StatusAwaitingAnalyst)
	addCase(t, d.DB, "b2", models.StatusAwaitingAnalyst)
	addCase(t, d.DB, "b3", models.StatusClosed)

	res, err := d.BulkDecide(ctx, BulkDecision{CaseIDs: []string{"b1", " b2", "b1", "b3", "nope"}, Verdict: "violates",
		Clause: "phishing_fraud", Reason: "Same kit on every host."}, "alice")
	require.NoError(t, err)
	require.Len(t, res, 4, "repeated ids are decided once")
	require.True(t, res[0].Decided)
	require.Equal(t, models.StatusAwaitingOperator, res[0].Status)
	require.True(t, res[1].Decided)
	require.Equal(t, "b2", res[1].CaseID)
	require.False(t, res[2].Decided)
	require.Equal(t, http.StatusConflict, res[2].Code)
	require.Contains(t, res[2].Error, "closed")
	require.Equal(t, http.StatusNotFound, res[3].Code)
	require.Len(t, fe.updated, 2, "one Update per open case")
	require.Equal(t, "alice", fe.updated[0].Analyst)
	require.Equal(t, "phishing_fraud", fe.updated[1].Clause)

	for _, bad := range []BulkDecision{
		{CaseIDs: []string{"b1"}, Verdict: "violates"},                // no clause
		{CaseIDs: []string{"b1"}, Verdict: "need_info"},               // case by case
		{CaseIDs: nil, Verdict: "no_violation"},                       // no case
		{CaseIDs: manyIDs(MaxBulkCases + 1), Verdict: "no_violation"}, // too many
	} {
		_, err := d.BulkDecide(ctx, bad, "alice")
		code, _ := StatusOf(err)
		require.Equal(t, http.StatusUnprocessableEntity, code, "%+v", bad.Verdict)
	}
	require.Len(t, fe.updated, 2, "a refused request touches no case")
}

func manyIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "m" + time.Duration(i).String()
	}
	return out
}
