package transparency

import (
	"context"
	"sort"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/store"
)

// Orders from authorities in the report (DSA Art. 15(1)(a)): the orders
// received from member states' authorities, by type of illegal content and
// issuing member state, and the median time to confirm receipt to the
// authority and to give effect to the order. An order counts in the month
// it was received.

// OrderCell is the number of orders of one type of illegal content from
// one member state.
type OrderCell struct {
	ContentType string `json:"type_of_illegal_content"`
	MemberState string `json:"member_state"`
	Count       int64  `json:"count"`
}

// OrderCounts are a month's orders.
type OrderCounts struct {
	Received      int64            `json:"received"`
	ByKind        map[string]int64 `json:"by_kind"`
	ByContentType map[string]int64 `json:"by_type_of_illegal_content"`
	ByMemberState map[string]int64 `json:"by_member_state"`
	// ByTypeAndState crosses the two, ordered by type then state.
	ByTypeAndState []OrderCell `json:"by_type_and_member_state"`
	// ReceiptConfirmed and EffectGiven count the month's orders that got
	// there; the medians are over those (nil when none).
	ReceiptConfirmed     int64    `json:"receipt_confirmed"`
	EffectGiven          int64    `json:"effect_given"`
	MedianReceiptSeconds *float64 `json:"median_time_to_confirm_receipt_seconds"`
	MedianEffectSeconds  *float64 `json:"median_time_to_give_effect_seconds"`
}

func newOrderCounts() *OrderCounts {
	return &OrderCounts{ByKind: map[string]int64{}, ByContentType: map[string]int64{},
		ByMemberState: map[string]int64{}, ByTypeAndState: []OrderCell{}}
}

// orders counts the orders received in the report's period.
func (q *query) orders() error {
	return addOrders(q.db.Statement.Context, q.db, q.r)
}

func addOrders(ctx context.Context, db *gorm.DB, r *Report) error {
	ts, err := store.OrderTimings(ctx, db, r.from, r.to)
	if err != nil {
		return err
	}
	receipt, effect := map[string][]float64{}, map[string][]float64{}
	cells := map[string]map[[2]string]int64{}
	for _, t := range ts {
		mk := t.ReceivedAt.UTC().Format("2006-01")
		m := r.index[mk]
		if m == nil {
			continue
		}
		if m.Orders == nil {
			m.Orders = newOrderCounts()
		}
		o := m.Orders
		o.Received++
		o.ByKind[string(t.Kind)]++
		o.ByContentType[t.ContentType]++
		o.ByMemberState[t.MemberState]++
		if cells[mk] == nil {
			cells[mk] = map[[2]string]int64{}
		}
		cells[mk][[2]string{t.ContentType, t.MemberState}]++
		if t.ReceiptConfirmedAt != nil {
			o.ReceiptConfirmed++
			receipt[mk] = append(receipt[mk], t.ReceiptConfirmedAt.Sub(t.ReceivedAt).Seconds())
		}
		if t.EffectGivenAt != nil {
			o.EffectGiven++
			effect[mk] = append(effect[mk], t.EffectGivenAt.Sub(t.ReceivedAt).Seconds())
		}
	}
	for mk, cs := range cells {
		o := r.index[mk].Orders
		for k, n := range cs {
			o.ByTypeAndState = append(o.ByTypeAndState, OrderCell{ContentType: k[0], MemberState: k[1], Count: n})
		}
		sort.Slice(o.ByTypeAndState, func(i, j int) bool {
			a, b := o.ByTypeAndState[i], o.ByTypeAndState[j]
			if a.ContentType != b.ContentType {
				return a.ContentType < b.ContentType
			}
			return a.MemberState < b.MemberState
		})
		o.MedianReceiptSeconds, o.MedianEffectSeconds = median(receipt[mk]), median(effect[mk])
	}
	return nil
}
