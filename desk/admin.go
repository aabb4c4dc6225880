package desk

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/store"
)

// CustomerDoc is the customer records document an admin loads.
type CustomerDoc = store.CustomerDoc

// CustomerLoad says what a load changed.
type CustomerLoad = store.LoadResult

// LoadCustomers validates and loads customer records for actor, with an
// audit entry in the same transaction.
func (d *Desk) LoadCustomers(ctx context.Context, actor string, doc *CustomerDoc) (CustomerLoad, error) {
	if errs := store.ValidateCustomers(doc); len(errs) > 0 {
		return CustomerLoad{}, Problems(KindInvalid, errs)
	}
	return store.LoadCustomers(d.DB.WithContext(ctx), doc, func(tx *gorm.DB, r store.LoadResult) error {
		return d.journal(tx, actor, "", "customer_records", fmt.Sprintf("customers:%d", time.Now().UnixNano()), r)
	})
}

// Health reports whether the database and Temporal answer.
func (d *Desk) Health(ctx context.Context) (dbErr, engineErr error) {
	return store.Ping(ctx, d.DB), d.Engine.Healthy(ctx)
}
