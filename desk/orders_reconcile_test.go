package desk

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// orderEngine is a fakeEngine that starts orders, failing while down.
type orderEngine struct {
	fakeEngine
	down    bool
	started []workflows.OrderInput
}

func (e *orderEngine) StartOrder(_ context.Context, in workflows.OrderInput) error {
	if e.down {
		return errors.New("temporal unavailable")
	}
	e.started = append(e.started, in)
	return nil
}

// TestReconcileStartsStoredOrders: an order stored while Temporal was down
// (FileOrder answered 503) is started by the reconciler with the input
// FileOrder would have given it, once past the grace; an order whose
// workflow confirmed receipt is never started again.
func TestReconcileStartsStoredOrders(t *testing.T) {
	d, _ := testDesk(t)
	e := &orderEngine{down: true}
	d.Engine = e
	ctx := context.Background()
	received := time.Now().UTC().Add(-time.Minute)
	req := OrderRequest{Kind: "tco_removal", MemberState: "DE", LegalBasis: "Regulation (EU) 2021/784, Art. 3",
		StatementOfReasons: "terrorist content", Redress: "Verwaltungsgericht Wiesbaden", URLs: []string{"https://shop.example/v.mp4"},
		ReceivedAt: &received, TerritorialScope: OrderScope{"DE", "AT"}}
	req.Authority.Name, req.Authority.Contact = "BKA", "tco@bka.example"
	_, err := d.FileOrder(ctx, OrderCaller{Name: "bka", Role: RoleAuthority}, req)
	require.Equal(t, KindUnavailable, kindOf(err), "stored, not started: %v", err)
	var o models.Order
	require.NoError(t, d.DB.First(&o).Error)

	e.down = false
	n, err := d.ReconcileOrders(ctx, time.Hour)
	require.NoError(t, err)
	require.Zero(t, n, "within the grace the filing request may still be starting it")
	n, err = d.ReconcileOrders(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, o.ID, e.started[0].OrderID)
	require.Equal(t, models.OrderTCORemoval, e.started[0].Kind)
	require.ElementsMatch(t, []string{"AT", "DE"}, e.started[0].Countries)
	require.Equal(t, "bka", e.started[0].By)

	require.NoError(t, d.DB.Model(&models.Order{}).Where("id = ?", o.ID).Update("status", models.OrderReceiptConfirmed).Error)
	n, err = d.ReconcileOrders(ctx, 0)
	require.NoError(t, err)
	require.Zero(t, n, "its workflow runs: nothing to start")
}
