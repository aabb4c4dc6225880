package activities

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// OrderNoticeInput asks for one notice about an order: to the issuing
// authority (models.RoleAuthority, the order's contact) or to the customer
// (models.RoleOperator with AccountID). Step is unique per order.
type OrderNoticeInput struct {
	OrderID   string
	Step      string
	Kind      NoticeKind
	Role      models.RecipientRole
	AccountID string
	Facts     map[string]string
}

// SendOrderNotice renders, stores and delivers a notice about an order,
// once per order and step (the notice's case is the order).
func (a *Activities) SendOrderNotice(ctx context.Context, in OrderNoticeInput) (NoticeResult, error) {
	db := a.DB.WithContext(ctx)
	var have []models.Notice
	if err := db.Where("case_id = ? AND step = ?", in.OrderID, in.Step).Limit(1).Find(&have).Error; err != nil {
		return NoticeResult{}, err
	}
	var n models.Notice
	if len(have) > 0 {
		n = have[0]
	} else {
		var err error
		if n, err = a.createOrderNotice(ctx, in); err != nil {
			return NoticeResult{}, err
		}
		if n.ID == "" {
			return NoticeResult{Skipped: true}, nil
		}
	}
	if n.Status == models.NoticeSent || a.Mail == nil {
		return NoticeResult{NoticeID: n.ID}, nil
	}
	if err := a.deliver(ctx, n); err != nil {
		return NoticeResult{}, err
	}
	return NoticeResult{NoticeID: n.ID}, nil
}

func (a *Activities) createOrderNotice(ctx context.Context, in OrderNoticeInput) (models.Notice, error) {
	o, err := store.Order(ctx, a.DB, in.OrderID)
	if err != nil {
		return models.Notice{}, err
	}
	to := o.AuthorityContact
	if in.Role == models.RoleOperator {
		var ac models.Account
		err := a.DB.WithContext(ctx).Where("id = ?", in.AccountID).Take(&ac).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return models.Notice{}, err
		}
		// The account's abuse contact first, then the operator address on
		// record, as for every notice to an operator.
		if to, err = store.AbuseContactOf(ctx, a.DB, in.AccountID); err != nil {
			return models.Notice{}, err
		}
		if to == "" {
			to = ac.OperatorEmail
		}
	} else if in.Role != models.RoleAuthority {
		return models.Notice{}, temporal.NewNonRetryableApplicationError("order notice to "+string(in.Role), ErrTypeInvalidNotice, nil)
	}
	if to == "" {
		return models.Notice{}, nil
	}
	var urls []string
	_ = json.Unmarshal([]byte(o.URLs), &urls)
	data := noticeData{CaseID: o.ID, AccountID: in.AccountID, URLCount: len(urls), facts: orderFacts(o, in.Facts)}
	data.URLs = urls
	if len(urls) > maxURLsInNotice {
		data.URLs = urls[:maxURLsInNotice]
	}
	subject, body, html, err := renderNotice(string(in.Kind), data)
	if err != nil {
		return models.Notice{}, err
	}
	id, err := randomID("n_")
	if err != nil {
		return models.Notice{}, err
	}
	n := models.Notice{ID: id, CaseID: o.ID, Step: in.Step, RecipientRole: in.Role, To: to,
		Subject: strings.TrimSpace(subject), BodyText: strings.TrimSpace(body) + "\n", BodyHTML: html,
		Status: models.NoticeOutbox, CreatedAt: a.now()}
	err = a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&n).Error; err != nil {
			return err
		}
		return a.journal(tx, "system", o.ID, "notice", "notice:"+n.ID,
			map[string]any{"notice_id": n.ID, "step": in.Step, "role": in.Role, "order_id": o.ID})
	})
	return n, err
}

// orderKindLabels name the kinds in notices; orderSources the provision
// that asks us to tell the authority and the customer.
var (
	orderKindLabels = map[models.OrderKind]string{
		models.OrderDSAArt9:    "order to act against illegal content (Regulation (EU) 2022/2065 Art. 9)",
		models.OrderDSAArt10:   "order to provide information (Regulation (EU) 2022/2065 Art. 10)",
		models.OrderTCORemoval: "removal order (Regulation (EU) 2021/784 Art. 3)",
		models.OrderCourt:      "court order",
	}
	orderSources = map[models.OrderKind]string{
		models.OrderDSAArt9:    "Art. 9(1) and 9(5) of Regulation (EU) 2022/2065",
		models.OrderDSAArt10:   "Art. 10(1) and 10(5) of Regulation (EU) 2022/2065",
		models.OrderTCORemoval: "Art. 3(6) and Annex II of Regulation (EU) 2021/784",
		models.OrderCourt:      "the court's order",
	}
	orderRefusalLabels = map[string]string{
		models.OrderRefusalNotOurCustomer:  "the content is not on a service we provide",
		models.OrderRefusalManifestError:   "the order contains manifest errors",
		models.OrderRefusalInsufficientInf: "the order does not contain sufficient information",
	}
)

// orderFacts are the order's own facts, then the workflow's.
func orderFacts(o models.Order, extra map[string]string) map[string]string {
	scope := o.TerritorialScope
	if scope == models.OrderEverywhere {
		scope = "everywhere"
	}
	f := map[string]string{
		"kind": string(o.Kind), "kind_label": orderKindLabels[o.Kind], "legal_source": orderSources[o.Kind],
		"authority": o.AuthorityName, "member_state": o.MemberState, "reference": o.Reference,
		"legal_basis": o.LegalBasis, "reasons": o.StatementOfReasons, "redress": o.Redress, "scope": scope,
		"received_at": o.ReceivedAt.UTC().Format("2006-01-02 15:04:05 UTC"),
		"deadline":    o.Deadline.UTC().Format("2006-01-02 15:04:05 UTC"),
	}
	for k, v := range extra {
		f[k] = v
	}
	if r := f["reason"]; r != "" {
		f["reason_label"] = orderRefusalLabels[r]
	}
	return f
}
