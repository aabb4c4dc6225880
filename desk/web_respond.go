package desk

import (
	"context"
	"time"

	"github.com/abusedesk/abusedesk/links"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// ResponseLinkPlaceholder is how a stored notice body marks its own
// response link; the operator's response page shows itself there.
const ResponseLinkPlaceholder = links.ResponseLinkPlaceholder

// OperatorAnswer is the answer recorded to a notice, nil when there is
// none yet (the response page then offers the form).
func (d *Desk) OperatorAnswer(ctx context.Context, noticeID string) (*models.OperatorReply, error) {
	r, ok, err := store.OperatorReplyOf(ctx, d.DB, noticeID)
	if err != nil || !ok {
		return nil, err
	}
	return &r, nil
}

// DisputeDecideBy is the date by which an analyst decides the operator's
// dispute r of the case of v: the case's deadline once the workflow has
// recorded the dispute, else the review window after the answer; nil when
// there is none to promise (the case closed, or no review window).
func (d *Desk) DisputeDecideBy(ctx context.Context, v OperatorView, r models.OperatorReply) (*time.Time, error) {
	cs, err := store.Case(ctx, d.DB, v.CaseID)
	if err != nil {
		return nil, err
	}
	switch {
	case cs.Status == models.StatusDisputed && cs.NextDeadline != nil:
		return cs.NextDeadline, nil
	case cs.Status != models.StatusDisputed && d.Cfg != nil && d.Cfg.DisputeReviewWindow > 0 && v.Status != models.StatusClosed:
		// The workflow has not recorded the dispute yet: its deadline will
		// be the review window after the answer.
		due := r.CreatedAt.Add(d.Cfg.DisputeReviewWindow)
		return &due, nil
	}
	return nil, nil
}
