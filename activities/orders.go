package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/internal/urlnorm"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// Orders from authorities (docs/DESIGN.md "Orders"): the Order workflow
// resolves the order's URLs to our customers, applies the restriction as
// mitigations (ApplyMitigation), records each step with its time
// (RecordOrderStep) and tells the authority and the customer
// (SendOrderNotice, orders_notice.go).

// Notice kinds of orders (templates/orders.txt.tmpl).
const (
	NoticeOrderReceipt  NoticeKind = "order_receipt"
	NoticeOrderEffect   NoticeKind = "order_effect"
	NoticeOrderRefused  NoticeKind = "order_refused"
	NoticeCustomerOrder NoticeKind = "customer_order"
)

// JournalOrder is the audit kind of an order's steps; JournalOrderRestriction
// the restriction an order imposes (its statement of reasons).
const (
	JournalOrder            = "order"
	JournalOrderRestriction = "order_restriction"
)

// OrderRestrictionKey is the audit key of an order's restriction, which
// the order's mitigations name as their statement.
func OrderRestrictionKey(orderID string) string { return JournalOrderRestriction + ":" + orderID }

// OrderRef names an order.
type OrderRef struct{ OrderID string }

// OrderEntity is one URL of an order we can act on.
type OrderEntity struct {
	URL       string // as the order gave it
	EntityID  string // normal form (internal/urlnorm)
	Domain    string
	AccountID string
	// Type is legal_block (CDN) or content_disabled (content we host).
	Type models.MitigationType
}

// OrderTargets is what an order's URLs are to us.
type OrderTargets struct {
	Entities []OrderEntity
	// NotOurs are the URLs on no customer domain, or on a domain whose
	// services give us no hold on the URL (registration only).
	NotOurs  []string
	Accounts []string
	// Information: for an information order (DSA Art. 10), what we hold
	// about the recipients concerned.
	Information string
	// Refusal, when set, is why the order itself cannot be given effect
	// (models.OrderRefusalManifestError, OrderRefusalInsufficientInf) and
	// RefusalDetail what is wrong, in words for the authority; nothing
	// else is resolved. Empty with no Entities: not our customer.
	Refusal       string
	RefusalDetail string
}

// ResolveOrder checks the order itself (models.Order.Defects), then finds,
// for each URL, the customer domain and what we do for it: content we host
// is disabled, a CDN zone is blocked at the edge; a URL elsewhere is not
// ours.
func (a *Activities) ResolveOrder(ctx context.Context, in OrderRef) (OrderTargets, error) {
	o, err := store.Order(ctx, a.DB, in.OrderID)
	if err != nil {
		return OrderTargets{}, fmt.Errorf("order %s: %w", in.OrderID, err)
	}
	// An order lacking an element it must carry, or with a manifest
	// error, is answered before anything is done (TCO Art. 3(7)-(8)).
	if reason, detail := models.OrderRefusal(o.Defects()); reason != "" {
		return OrderTargets{Refusal: reason, RefusalDetail: detail}, nil
	}
	var urls []string
	if err := json.Unmarshal([]byte(o.URLs), &urls); err != nil {
		return OrderTargets{}, temporal.NewNonRetryableApplicationError("order urls: "+err.Error(), "InvalidOrder", err)
	}
	var out OrderTargets
	accts := map[string]bool{}
	for _, u := range urls {
		e, ok, err := a.orderEntity(ctx, u)
		if err != nil {
			return OrderTargets{}, err
		}
		if !ok {
			out.NotOurs = append(out.NotOurs, u)
			continue
		}
		out.Entities = append(out.Entities, e)
		if e.AccountID != "" && !accts[e.AccountID] {
			accts[e.AccountID] = true
			out.Accounts = append(out.Accounts, e.AccountID)
		}
	}
	sort.Strings(out.Accounts)
	if o.Kind == models.OrderDSAArt10 {
		out.Information, err = a.orderInformation(ctx, out.Accounts)
	}
	return out, err
}

// orderEntity resolves one URL.
func (a *Activities) orderEntity(ctx context.Context, raw string) (OrderEntity, bool, error) {
	nu, err := urlnorm.URL(raw)
	if err != nil {
		return OrderEntity{}, false, nil
	}
	host := hostOf(nu)
	d, ok, err := a.domainFor(ctx, host)
	if err != nil || !ok {
		return OrderEntity{}, false, err
	}
	e := OrderEntity{URL: raw, EntityID: nu, Domain: d.Name, AccountID: d.AccountID}
	var objs []models.HostedObject
	if err := a.DB.WithContext(ctx).Where("domain = ?", d.Name).Order("object_id").Find(&objs).Error; err != nil {
		return OrderEntity{}, false, err
	}
	for _, o := range objs {
		if urlnorm.Under(urlnorm.Prefix(raw), urlnorm.Prefix(o.URLPrefix)) {
			e.Type = models.MitigationContentDisabled
			return e, true, nil
		}
	}
	for _, s := range splitList(d.Services) {
		if s == "cdn" || strings.HasPrefix(s, "hosting:") {
			e.Type = models.MitigationLegalBlock
			return e, true, nil
		}
	}
	return OrderEntity{}, false, nil
}

// hostOf is the host of a URL in normal form.
func hostOf(nu string) string {
	rest := nu
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndex(rest, ":"); i >= 0 && !strings.Contains(rest[i:], "]") {
		rest = rest[:i]
	}
	return rest
}

// orderInformation is what an information order gets: the accounts
// concerned with their names and contact addresses.
func (a *Activities) orderInformation(ctx context.Context, accounts []string) (string, error) {
	if len(accounts) == 0 {
		return "", nil
	}
	var acs []models.Account
	if err := a.DB.WithContext(ctx).Where("id IN ?", accounts).Order("id").Find(&acs).Error; err != nil {
		return "", err
	}
	var b strings.Builder
	for _, ac := range acs {
		fmt.Fprintf(&b, "account %s: %s <%s>\n", ac.ID, ac.Name, ac.OperatorEmail)
	}
	return b.String(), nil
}

// Marks of RecordOrderStep: the column of the order a step sets to its time.
const (
	OrderMarkReceipt  = "receipt_confirmed"
	OrderMarkEffect   = "effect_given"
	OrderMarkRefused  = "refused"
	OrderMarkCustomer = "customer_notified"
)

// OrderStepInput is one step of an order.
type OrderStepInput struct {
	OrderID string
	Step    string
	What    string
	Mark    string
	// Effect, Accounts: for OrderMarkEffect; Reason, Detail: for OrderMarkRefused.
	Effect   string
	Accounts []string
	Reason   string
	Detail   string
	// Restriction: the step restricts content (the order's statement of
	// reasons is journalled with it).
	Restriction bool
}

// OrderStepResult is when the step was recorded (the first time).
type OrderStepResult struct{ At time.Time }

// RecordOrderStep records a step of an order once, with its time, its
// event and its audit entry.
func (a *Activities) RecordOrderStep(ctx context.Context, in OrderStepInput) (OrderStepResult, error) {
	at := a.now()
	set := map[string]any{}
	switch in.Mark {
	case OrderMarkReceipt:
		set["receipt_confirmed_at"], set["status"] = at, models.OrderReceiptConfirmed
	case OrderMarkEffect:
		set["effect_given_at"], set["status"], set["effect"] = at, models.OrderEffectGiven, clipText(in.Effect, 5000)
		set["account_ids"] = clipText(strings.Join(in.Accounts, ","), 2000)
	case OrderMarkRefused:
		set["refused_at"], set["status"] = at, models.OrderRefused
		set["refusal_reason"], set["refusal_detail"] = in.Reason, clipText(in.Detail, 2000)
	case OrderMarkCustomer:
		set["customer_notified_at"] = at
	case "":
	default:
		return OrderStepResult{}, temporal.NewNonRetryableApplicationError("unknown order mark "+in.Mark, "InvalidOrder", nil)
	}
	_, err := store.ChangeOrder(ctx, a.DB, store.OrderChange{OrderID: in.OrderID, Step: in.Step, What: in.What, At: at, Set: set},
		func(tx *gorm.DB) error { return a.journalOrderStep(tx, in, at) })
	if err != nil {
		return OrderStepResult{}, err
	}
	evs, err := store.OrderEvents(ctx, a.DB, in.OrderID)
	if err != nil {
		return OrderStepResult{}, err
	}
	for _, ev := range evs {
		if ev.Step == in.Step {
			return OrderStepResult{At: ev.At.UTC()}, nil
		}
	}
	return OrderStepResult{}, errors.New("order step not recorded: " + in.Step)
}

// journalOrderStep journals a step; a restriction also as the order's
// restriction with the facts its statement of reasons needs.
func (a *Activities) journalOrderStep(tx *gorm.DB, in OrderStepInput, at time.Time) error {
	details := map[string]any{"order_id": in.OrderID, "step": in.Step, "what": in.What, "at": at,
		"reason": in.Reason, "accounts": in.Accounts}
	if err := a.journal(tx, "system", in.OrderID, JournalOrder, JournalOrder+":"+in.OrderID+":"+in.Step, details); err != nil {
		return err
	}
	if !in.Restriction {
		return nil
	}
	var o models.Order
	if err := tx.Session(&gorm.Session{NewDB: true}).Where("id = ?", in.OrderID).Take(&o).Error; err != nil {
		return err
	}
	return a.journal(tx, "system", in.OrderID, JournalOrderRestriction, OrderRestrictionKey(in.OrderID), map[string]any{
		"order_id": o.ID, "kind": o.Kind, "legal_basis": o.LegalBasis, "reason": o.StatementOfReasons,
		"decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT", "decision_ground_reference_url": o.ReferenceURL,
		"territorial_scope": o.TerritorialScope, "content_type": o.ContentType, "member_state": o.MemberState,
		"authority": o.AuthorityName, "effect": in.Effect, "accounts": in.Accounts, "at": at,
	})
}

// clipText bounds s to n bytes.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
