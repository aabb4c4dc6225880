package desk

import (
	"context"
	"strings"
	"time"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// reconcileBatch bounds the orders one reconcile round starts.
const reconcileBatch = 100

// ReconcileOrders starts the workflow of every order stored more than
// grace ago whose receipt no workflow has confirmed yet: an order whose
// start failed after it was stored (FileOrder answered 503) still reaches
// its outcome. Starting is idempotent by workflow id, so an order whose
// workflow runs but has not yet confirmed its receipt is left as it is.
// It answers how many starts it asked for.
func (d *Desk) ReconcileOrders(ctx context.Context, grace time.Duration) (int, error) {
	starter, ok := d.Engine.(OrderStarter)
	if !ok {
		return 0, nil
	}
	os, err := store.OrdersAwaitingStart(ctx, d.DB, time.Now().UTC().Add(-grace), reconcileBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range os {
		if err := starter.StartOrder(ctx, orderInput(o, d.Cfg.MitigationReviewWindow)); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// orderInput is the workflow input of a stored order, as FileOrder built it.
func orderInput(o models.Order, reviewWindow time.Duration) workflows.OrderInput {
	var countries []string
	if o.TerritorialScope != "" && o.TerritorialScope != models.OrderEverywhere {
		countries = strings.Split(o.TerritorialScope, ",")
	}
	return workflows.OrderInput{OrderID: o.ID, Kind: o.Kind, ReceivedAt: o.ReceivedAt, Countries: countries,
		NotifyCustomerAfter: o.NotifyCustomerAfter, Reason: orderReason(o), By: o.FiledBy, ReviewWindow: reviewWindow}
}
