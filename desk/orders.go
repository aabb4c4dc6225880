package desk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// Orders from authorities (docs/DESIGN.md "Orders"): an admin records an
// order received, or an authority files it with its own key; each is
// stored, then carried by its Order workflow. An authority sees only the
// orders it filed.

// OrderAuthority is the issuing authority.
type OrderAuthority struct {
	Name    string `json:"name"`
	Contact string `json:"contact"`
}

// OrderRequest is the body of POST /v1/orders.
type OrderRequest struct {
	Kind                string         `json:"kind"`
	Authority           OrderAuthority `json:"authority"`
	MemberState         string         `json:"member_state"`
	ContentType         string         `json:"content_type,omitempty"`
	LegalBasis          string         `json:"legal_basis"`
	StatementOfReasons  string         `json:"statement_of_reasons"`
	Redress             string         `json:"redress,omitempty"`
	Reference           string         `json:"reference,omitempty"`
	ReferenceURL        string         `json:"decision_ground_reference_url,omitempty"`
	URLs                []string       `json:"urls"`
	TerritorialScope    OrderScope     `json:"territorial_scope"`
	ReceivedAt          *time.Time     `json:"received_at"`
	NotifyCustomerAfter *time.Time     `json:"notify_customer_after,omitempty"`
}

// OrderCaller is who asks: the key's name and role.
type OrderCaller struct {
	Name string
	Role models.Role
}

// RoleAuthority is the role of an authority's API key.
const RoleAuthority models.Role = "authority"

// OrderEventView is one thing done on an order.
type OrderEventView struct {
	Step string    `json:"step"`
	What string    `json:"what"`
	At   time.Time `json:"at"`
}

// OrderMitigationView is a restriction the order imposed.
type OrderMitigationView struct {
	ID        string                  `json:"id"`
	Type      models.MitigationType   `json:"type"`
	EntityID  string                  `json:"entity_id"`
	Domain    string                  `json:"domain"`
	Countries []string                `json:"countries"`
	Status    models.MitigationStatus `json:"status"`
}

// OrderView is an order, its state, deadline and what was done when.
type OrderView struct {
	ID                  string                `json:"id"`
	Kind                models.OrderKind      `json:"kind"`
	Status              models.OrderStatus    `json:"status"`
	Authority           OrderAuthority        `json:"authority"`
	MemberState         string                `json:"member_state"`
	ContentType         string                `json:"content_type"`
	LegalBasis          string                `json:"legal_basis"`
	StatementOfReasons  string                `json:"statement_of_reasons"`
	Redress             string                `json:"redress,omitempty"`
	Reference           string                `json:"reference,omitempty"`
	ReferenceURL        string                `json:"decision_ground_reference_url,omitempty"`
	URLs                []string              `json:"urls"`
	TerritorialScope    []string              `json:"territorial_scope"`
	ReceivedAt          time.Time             `json:"received_at"`
	Deadline            time.Time             `json:"deadline"`
	NotifyCustomerAfter *time.Time            `json:"notify_customer_after,omitempty"`
	ReceiptConfirmedAt  *time.Time            `json:"receipt_confirmed_at"`
	EffectGivenAt       *time.Time            `json:"effect_given_at"`
	DeadlineMet         *bool                 `json:"deadline_met"`
	Effect              string                `json:"effect,omitempty"`
	RefusedAt           *time.Time            `json:"refused_at,omitempty"`
	RefusalReason       string                `json:"refusal_reason,omitempty"`
	RefusalDetail       string                `json:"refusal_detail,omitempty"`
	CustomerNotifiedAt  *time.Time            `json:"customer_notified_at"`
	FiledBy             string                `json:"filed_by"`
	Mitigations         []OrderMitigationView `json:"mitigations"`
	Events              []OrderEventView      `json:"events"`
}

// OrderStarter starts an order's workflow (Temporal implements it; an
// Engine that does not cannot take orders).
type OrderStarter interface {
	StartOrder(ctx context.Context, in workflows.OrderInput) error
}

// StartOrder starts the order's workflow, or finds it running.
func (t Temporal) StartOrder(ctx context.Context, in workflows.OrderInput) error {
	q := t.TaskQueue
	if q == "" {
		q = workflows.TaskQueue
	}
	_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.OrderWorkflowID(in.OrderID), TaskQueue: q,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.WorkflowOrder, in)
	if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return nil
	}
	return err
}

// FileOrder checks and stores an order, then starts its workflow. Only
// an admin or an authority files orders.
func (d *Desk) FileOrder(ctx context.Context, who OrderCaller, r OrderRequest) (OrderView, error) {
	if who.Role != models.RoleAdmin && who.Role != RoleAuthority {
		return OrderView{}, Fail(KindForbidden, "Authorization", "only an admin or an authority files orders")
	}
	starter, ok := d.Engine.(OrderStarter)
	if !ok {
		return OrderView{}, Fail(KindUnavailable, "", "orders need the Temporal engine")
	}
	now := time.Now().UTC()
	scope, problems, defects := checkOrder(&r, now)
	if who.Role == RoleAuthority {
		// The authority wrote the order: it can fix it. An admin
		// transcribes one received: it is stored and answered (README
		// "Order refusals"), its defects found again by ResolveOrder.
		problems = mergeOrderProblems(problems, defects)
	}
	if len(problems) > 0 {
		return OrderView{}, Problems(KindInvalid, problems)
	}
	o, err := newOrder(r, scope, who, now)
	if err != nil {
		return OrderView{}, err
	}
	err = store.CreateOrder(ctx, d.DB, o, func(tx *gorm.DB) error {
		if d.Journal == nil {
			return nil
		}
		return d.Journal.Record(tx, who.Name, o.ID, "order", "order:"+o.ID+":received", map[string]any{
			"order_id": o.ID, "kind": o.Kind, "member_state": o.MemberState, "authority": o.AuthorityName,
			"legal_basis": o.LegalBasis, "urls": len(r.URLs), "territorial_scope": o.TerritorialScope,
			"received_at": o.ReceivedAt, "filed_by": who.Name, "defects": len(defects),
		})
	})
	if err != nil {
		return OrderView{}, err
	}
	in := orderInput(o, d.Cfg.MitigationReviewWindow)
	in.By = who.Name
	if err := starter.StartOrder(ctx, in); err != nil {
		return OrderView{}, Fail(KindUnavailable, "", "the order %s is stored but its workflow did not start: %v", o.ID, err)
	}
	return d.Order(ctx, who, o.ID)
}

func newOrder(r OrderRequest, scope string, who OrderCaller, now time.Time) (models.Order, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return models.Order{}, err
	}
	o := draftOrder(r, scope)
	o.ID, o.FiledBy, o.FiledByRole, o.CreatedAt, o.UpdatedAt = "ord_"+hex.EncodeToString(b), who.Name, string(who.Role), now, now
	return o, nil
}

// draftOrder is the order r names, as stored (without id and filer).
func draftOrder(r OrderRequest, scope string) models.Order {
	urls, _ := json.Marshal(r.URLs)
	if r.URLs == nil {
		urls = []byte("[]")
	}
	ct := r.ContentType
	if ct == "" {
		ct = "other"
		if models.OrderKind(r.Kind) == models.OrderTCORemoval {
			ct = "terrorist_content"
		}
	}
	var rec time.Time
	if r.ReceivedAt != nil {
		rec = r.ReceivedAt.UTC()
	}
	o := models.Order{Kind: models.OrderKind(r.Kind), AuthorityName: strings.TrimSpace(r.Authority.Name), AuthorityContact: r.Authority.Contact,
		MemberState: r.MemberState, ContentType: ct, LegalBasis: strings.TrimSpace(r.LegalBasis),
		StatementOfReasons: strings.TrimSpace(r.StatementOfReasons), Redress: strings.TrimSpace(r.Redress), Reference: r.Reference,
		ReferenceURL: r.ReferenceURL, URLs: string(urls), TerritorialScope: scope, ReceivedAt: rec,
		Deadline: workflows.OrderDeadline(models.OrderKind(r.Kind), rec), Status: models.OrderReceived}
	if a := r.NotifyCustomerAfter; a != nil {
		t := a.UTC()
		o.NotifyCustomerAfter = &t
	}
	return o
}

// orderReason is the reason the order's mitigations carry.
func orderReason(o models.Order) string {
	s := string(o.Kind) + " order of " + o.AuthorityName + " (" + o.MemberState + "), " + o.LegalBasis
	if len(s) > 2000 {
		s = s[:2000]
	}
	return s
}

// Order shows an order: to an authority only its own (another's is 404).
func (d *Desk) Order(ctx context.Context, who OrderCaller, id string) (OrderView, error) {
	if len(id) > 64 {
		return OrderView{}, NotFound("id", "no such order")
	}
	o, err := store.Order(ctx, d.DB, id)
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && who.Role == RoleAuthority && o.FiledBy != who.Name) {
		return OrderView{}, NotFound("id", "no such order")
	}
	if err != nil {
		return OrderView{}, err
	}
	evs, err := store.OrderEvents(ctx, d.DB, id)
	if err != nil {
		return OrderView{}, err
	}
	ms, err := store.CaseMitigations(ctx, d.DB, id)
	if err != nil {
		return OrderView{}, err
	}
	v := orderView(o)
	for _, e := range evs {
		v.Events = append(v.Events, OrderEventView{Step: e.Step, What: e.What, At: e.At.UTC()})
	}
	for _, m := range ms {
		v.Mitigations = append(v.Mitigations, OrderMitigationView{ID: m.ID, Type: m.Type, EntityID: m.EntityID,
			Domain: m.Domain, Countries: splitNonEmpty(m.Countries), Status: m.Status})
	}
	return v, nil
}

// OrderList is a page of orders.
type OrderList struct {
	Orders []OrderView `json:"orders"`
	Total  int64       `json:"total"`
	Page   int         `json:"page"`
}

// Orders lists orders (newest received first); Kind and Status filter.
func (d *Desk) Orders(ctx context.Context, kind, status string, page, perPage int) (OrderList, error) {
	var ps []models.FieldError
	if kind != "" && !models.OrderKind(kind).Valid() {
		ps = append(ps, models.FieldError{Field: "kind", Message: "must be one of dsa_art9, dsa_art10, tco_removal, court"})
	}
	switch models.OrderStatus(status) {
	case "", models.OrderReceived, models.OrderReceiptConfirmed, models.OrderEffectGiven, models.OrderRefused:
	default:
		ps = append(ps, models.FieldError{Field: "status", Message: "must be one of received, receipt_confirmed, effect_given, refused"})
	}
	if page < 1 || page > 100000 {
		ps = append(ps, models.FieldError{Field: "page", Message: "must be between 1 and 100000"})
	}
	if perPage < 1 || perPage > 100 {
		ps = append(ps, models.FieldError{Field: "per_page", Message: "must be between 1 and 100"})
	}
	if len(ps) > 0 {
		return OrderList{}, Problems(KindBadRequest, ps)
	}
	os, n, err := store.Orders(ctx, d.DB, store.OrderFilter{Kind: models.OrderKind(kind), Status: models.OrderStatus(status), Page: page, PerPage: perPage})
	if err != nil {
		return OrderList{}, err
	}
	out := OrderList{Orders: []OrderView{}, Total: n, Page: page}
	for _, o := range os {
		out.Orders = append(out.Orders, orderView(o))
	}
	return out, nil
}

func orderView(o models.Order) OrderView {
	var urls []string
	_ = json.Unmarshal([]byte(o.URLs), &urls)
	v := OrderView{ID: o.ID, Kind: o.Kind, Status: o.Status, Authority: OrderAuthority{Name: o.AuthorityName, Contact: o.AuthorityContact},
		MemberState: o.MemberState, ContentType: o.ContentType, LegalBasis: o.LegalBasis, StatementOfReasons: o.StatementOfReasons,
		Redress: o.Redress, Reference: o.Reference, ReferenceURL: o.ReferenceURL, URLs: urls,
		TerritorialScope: splitNonEmpty(o.TerritorialScope), ReceivedAt: o.ReceivedAt.UTC(), Deadline: o.Deadline.UTC(),
		NotifyCustomerAfter: o.NotifyCustomerAfter, ReceiptConfirmedAt: o.ReceiptConfirmedAt, EffectGivenAt: o.EffectGivenAt,
		Effect: o.Effect, RefusedAt: o.RefusedAt, RefusalReason: o.RefusalReason, RefusalDetail: o.RefusalDetail,
		CustomerNotifiedAt: o.CustomerNotifiedAt, FiledBy: o.FiledBy,
		Mitigations: []OrderMitigationView{}, Events: []OrderEventView{}}
	if o.EffectGivenAt != nil {
		met := !o.EffectGivenAt.After(o.Deadline)
		v.DeadlineMet = &met
	}
	return v
}

func splitNonEmpty(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
