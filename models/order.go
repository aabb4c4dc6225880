package models

import "time"

// Orders from authorities (docs/DESIGN.md "Orders"): an order to act
// against illegal content (DSA Art. 9), to provide information (DSA
// Art. 10), a removal order under the terrorist content online Regulation
// (EU) 2021/784 (TCO, Art. 3: within one hour of receipt) or a court
// order. Each is carried by its own Order workflow; this row is its read
// model and the transparency report's source (DSA Art. 15(1)(a)).

// OrderKind is the legal instrument of an order.
type OrderKind string

// Order kinds.
const (
	OrderDSAArt9    OrderKind = "dsa_art9"
	OrderDSAArt10   OrderKind = "dsa_art10"
	OrderTCORemoval OrderKind = "tco_removal"
	OrderCourt      OrderKind = "court"
)

// OrderKinds lists the kinds in a stable order.
var OrderKinds = []OrderKind{OrderDSAArt9, OrderDSAArt10, OrderTCORemoval, OrderCourt}

// Valid reports whether k is one of OrderKinds.
func (k OrderKind) Valid() bool {
	for _, o := range OrderKinds {
		if o == k {
			return true
		}
	}
	return false
}

// Restricts reports whether the order asks to act against content (every
// kind but an information order).
func (k OrderKind) Restricts() bool { return k != OrderDSAArt10 }

// OrderStatus is where an order is.
type OrderStatus string

// Order statuses: received -> receipt_confirmed -> effect_given | refused.
const (
	OrderReceived         OrderStatus = "received"
	OrderReceiptConfirmed OrderStatus = "receipt_confirmed"
	OrderEffectGiven      OrderStatus = "effect_given"
	OrderRefused          OrderStatus = "refused"
)

// Why an order cannot be given effect (TCO Arts. 3(7)-(8), Annex III).
const (
	OrderRefusalNotOurCustomer  = "not_our_customer"
	OrderRefusalManifestError   = "manifest_error"
	OrderRefusalInsufficientInf = "insufficient_information"
)

// OrderEverywhere is the territorial scope "every country".
const OrderEverywhere = "everywhere"

// RoleAuthority is the issuing authority as the recipient of a notice.
const RoleAuthority RecipientRole = "authority"

// OrderContentTypes are the types of illegal content an order may name
// (the transparency report's categories, after the DSA Transparency
// Database's statement categories).
var OrderContentTypes = []string{
	"terrorist_content", "child_sexual_abuse", "illegal_speech", "intellectual_property",
	"scams_fraud", "data_protection", "unsafe_products", "violence", "cyber_violence", "other",
}

// Order is one order received from an authority.
type Order struct {
	ID   string    `gorm:"primaryKey;size:64"`
	Kind OrderKind `gorm:"size:20;index"`
	// FiledBy is the API key that filed it: an authority key sees only
	// the orders it filed; an admin's recorded orders carry the admin's.
	FiledBy          string `gorm:"size:200;index"`
	FiledByRole      string `gorm:"size:20"`
	AuthorityName    string `gorm:"size:300"`
	AuthorityContact string `gorm:"size:320"`
	MemberState      string `gorm:"size:2;index"`
	ContentType      string `gorm:"size:40"`
	LegalBasis       string `gorm:"size:500"`
	// StatementOfReasons is the authority's: why the content is illegal.
	StatementOfReasons string `gorm:"size:5000"`
	Redress            string `gorm:"size:2000"`
	ReferenceURL       string `gorm:"size:2000"`
	Reference          string `gorm:"size:200"` // the authority's own reference
	// URLs is the JSON list of the exact URLs; TerritorialScope the
	// comma-separated ISO 3166-1 alpha-2 codes, or OrderEverywhere.
	URLs                string `gorm:"type:text"`
	TerritorialScope    string `gorm:"size:800"`
	ReceivedAt          time.Time
	Deadline            time.Time
	NotifyCustomerAfter *time.Time
	Status              OrderStatus `gorm:"size:20;index"`
	ReceiptConfirmedAt  *time.Time
	EffectGivenAt       *time.Time
	RefusedAt           *time.Time
	RefusalReason       string `gorm:"size:40"`
	RefusalDetail       string `gorm:"size:2000"`
	// Effect says what was done, in words the authority gets.
	Effect             string `gorm:"size:5000"`
	AccountIDs         string `gorm:"size:2000"`
	CustomerNotifiedAt *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// OrderEvent is one thing done on an order and when (the "what was done
// when" of GET /v1/orders/{id}); each is also an audit entry.
type OrderEvent struct {
	ID      uint   `gorm:"primaryKey"`
	OrderID string `gorm:"size:64;index;uniqueIndex:idx_order_event_step,priority:1"`
	Step    string `gorm:"size:100;uniqueIndex:idx_order_event_step,priority:2"`
	What    string `gorm:"size:2000"`
	At      time.Time
}
