package transparency

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestOrdersCountedByTypeAndStateWithMedians: generated orders are
// counted in the month received, by type of illegal content and issuing
// member state, with the median times to confirm receipt and to give
// effect (DSA Art. 15(1)(a)); the public page shows them.
func TestOrdersCountedByTypeAndStateWithMedians(t *testing.T) {
	db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "o.db"), "")
	require.NoError(t, err)
	require.NoError(t, store.Migrate(db))
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := base.Add(d); return &x }
	gen := []struct {
		kind          models.OrderKind
		typ, state    string
		off           time.Duration
		receipt, done *time.Duration
	}{
		{models.OrderTCORemoval, "terrorist_content", "DE", 0, dur(time.Minute), dur(20 * time.Minute)},
		{models.OrderTCORemoval, "terrorist_content", "DE", time.Hour, dur(3 * time.Minute), dur(40 * time.Minute)},
		{models.OrderTCORemoval, "terrorist_content", "FR", 2 * time.Hour, dur(2 * time.Minute), dur(30 * time.Minute)},
		{models.OrderDSAArt9, "illegal_speech", "FR", 3 * time.Hour, dur(10 * time.Minute), nil},                      // refused: no effect
		{models.OrderDSAArt10, "other", "AT", 4 * time.Hour, nil, nil},                                                // not yet confirmed
		{models.OrderCourt, "intellectual_property", "DE", 40 * 24 * time.Hour, dur(time.Minute), dur(2 * time.Hour)}, // April
	}
	for i, g := range gen {
		rec := base.Add(g.off)
		o := models.Order{ID: fmt.Sprintf("ord-%d", i), Kind: g.kind, ContentType: g.typ, MemberState: g.state,
			ReceivedAt: rec, Deadline: rec.Add(time.Hour), Status: models.OrderReceived, URLs: "[]"}
		if g.receipt != nil {
			o.ReceiptConfirmedAt = at(g.off + *g.receipt)
		}
		if g.done != nil {
			o.EffectGivenAt = at(g.off + *g.done)
		}
		require.NoError(t, store.CreateOrder(context.Background(), db, o, nil))
	}
	r, err := Compute(context.Background(), db, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Len(t, r.Months, 2)
	mar := r.Months[0].Orders
	require.NotNil(t, mar)
	require.EqualValues(t, 5, mar.Received)
	require.Equal(t, map[string]int64{"DE": 2, "FR": 2, "AT": 1}, mar.ByMemberState)
	require.Equal(t, map[string]int64{"terrorist_content": 3, "illegal_speech": 1, "other": 1}, mar.ByContentType)
	require.Equal(t, []OrderCell{
		{"illegal_speech", "FR", 1}, {"other", "AT", 1}, {"terrorist_content", "DE", 2}, {"terrorist_content", "FR", 1},
	}, mar.ByTypeAndState)
	require.EqualValues(t, 4, mar.ReceiptConfirmed)
	require.EqualValues(t, 3, mar.EffectGiven)
	// Receipts 1, 2, 3, 10 minutes: median 2.5 minutes; effects 20, 30, 40: 30 minutes.
	require.Equal(t, 150.0, *mar.MedianReceiptSeconds)
	require.Equal(t, 1800.0, *mar.MedianEffectSeconds)
	apr := r.Months[1].Orders
	require.EqualValues(t, 1, apr.Received)
	require.Equal(t, 7200.0, *apr.MedianEffectSeconds)

	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, r))
	page := b.String()
	require.Contains(t, page, "orders from authorities (Regulation (EU) 2022/2065 Art. 15(1)(a))")
	require.Contains(t, page, "<td>terrorist_content</td><td>DE</td><td>2</td>")
	require.Contains(t, page, "Median time to give effect to the order</th><td>30m</td>")
	require.Contains(t, page, "Median time to confirm receipt to the authority</th><td>2m</td>")
}

func dur(d time.Duration) *time.Duration { return &d }
