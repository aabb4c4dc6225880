package models

import "time"

// ConsoleSession is one console sign-in, kept in the database so that a
// sign-out or an admin's revocation holds in every server process and
// across restarts. The cookie carries a random secret; only its SHA-256 is
// stored (ID), so a copy of the table signs nobody in.
type ConsoleSession struct {
	// ID is the hex SHA-256 of the cookie's secret.
	ID string `gorm:"primaryKey;size:64"`
	// KeyHash is the hash of the API key signed in with (as configured);
	// the key's role is read from the configuration on every request.
	KeyHash string `gorm:"size:64;not null;index"`
	// KeyName is the configured key's name when the session started.
	KeyName   string    `gorm:"size:200;not null"`
	CreatedAt time.Time `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null;index"`
	// RevokedAt is set by the sign-out or an admin's revocation.
	RevokedAt *time.Time
}
