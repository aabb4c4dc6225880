package models

import "time"

// AbuseContact is the address an account set for abuse reports about its
// domains (docs/DESIGN.md "Customer accounts"). Operator notices go to it
// first; an account with none and no operator address on its records has
// its forwards sent to its hosting provider.
type AbuseContact struct {
	AccountID string `gorm:"primaryKey;size:200"`
	Email     string `gorm:"size:320"`
	UpdatedBy string `gorm:"size:200"`
	UpdatedAt time.Time
}

// IssuedKey is an API key an admin issued through the API (today: customer
// keys, scoped to one account). Only the SHA-256 of the key is stored, as
// for configured keys (config.HashKey); the key itself is shown once.
type IssuedKey struct {
	Name      string `gorm:"primaryKey;size:200"`
	Hash      string `gorm:"size:64;uniqueIndex"`
	Role      string `gorm:"size:20"`
	AccountID string `gorm:"size:200;index"`
	CreatedBy string `gorm:"size:200"`
	CreatedAt time.Time
	RevokedAt *time.Time
}
