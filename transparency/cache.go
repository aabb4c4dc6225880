package transparency

import (
	"context"
	"sync"
	"time"

	"gorm.io/gorm"
)

// Cache keeps computed reports for TTL, so that the public page cannot
// make the database compute a report on every request.
type Cache struct {
	DB  *gorm.DB
	TTL time.Duration

	mu      sync.Mutex
	entries map[string]cached
}

type cached struct {
	r  *Report
	at time.Time
}

// maxCached bounds the periods kept; past it the cache starts over.
const maxCached = 64

// Get returns the report of [from, to), computed at most TTL ago.
func (c *Cache) Get(ctx context.Context, from, to time.Time) (*Report, error) {
	key := from.UTC().Format(time.RFC3339) + "|" + to.UTC().Format(time.RFC3339)
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && time.Since(e.at) < c.TTL {
		return e.r, nil
	}
	r, err := Compute(ctx, c.DB, from, to)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCached {
		c.entries = map[string]cached{}
	}
	c.entries[key] = cached{r: r, at: time.Now()}
	return r, nil
}
