package desk

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"time"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/store"
)

// The console session: after signing in with an API key, a cookie that
// carries a random secret. The database keeps the secret's SHA-256, the
// key's hash, the expiry and whether the session was revoked, so every
// server process on the database accepts the session, and a sign-out (or
// an admin's revocation) holds in all of them and across restarts.
// Removing the key from the configuration ends its sessions; its role is
// read from the configuration on each request.

// SessionCookie is the name of the console session's cookie.
const SessionCookie = "abusedesk_session"

// DefaultSessionLifetime is how long a console session lasts without
// signing in again when session_lifetime is not set.
const DefaultSessionLifetime = 8 * time.Hour

// SessionLifetime is the configured session lifetime.
func (d *Desk) SessionLifetime() time.Duration {
	if l := d.Cfg.Auth.SessionLifetime; l > 0 {
		return l
	}
	return DefaultSessionLifetime
}

// SignIn starts a console session for key and returns the cookie's secret.
func (d *Desk) SignIn(ctx context.Context, key config.APIKey) (string, error) {
	return store.CreateSession(d.DB.WithContext(ctx), key.Hash, key.Name, time.Now(), d.SessionLifetime())
}

// SessionKey is the API key of a live session's secret; ok is false for
// an unknown, expired or revoked session, or a key no longer configured
// (or issued and since revoked).
func (d *Desk) SessionKey(ctx context.Context, secret string) (config.APIKey, bool, error) {
	s, found, err := store.FindSession(d.DB.WithContext(ctx), secret, time.Now())
	if err != nil || !found {
		return config.APIKey{}, false, err
	}
	// A configured key, or one issued through the admin API (a customer's
	// portal session; customer_keys.go).
	return d.APIKeyByHash(ctx, s.KeyHash)
}

// configuredKey finds a configured API key by its hash.
func (d *Desk) configuredKey(hash string) (config.APIKey, bool) {
	for _, k := range d.Cfg.APIKeys {
		if subtle.ConstantTimeCompare([]byte(k.Hash), []byte(hash)) == 1 {
			return k, true
		}
	}
	return config.APIKey{}, false
}

// SignOut ends the session of secret.
func (d *Desk) SignOut(ctx context.Context, secret string) error {
	return store.RevokeSession(d.DB.WithContext(ctx), secret, time.Now())
}

// RevokeSessions ends every live console session of one API key, in every
// server process (the sessions live in the database): by its configured
// name, or by its hash (hex SHA-256, as in api_keys; also for a key no
// longer configured). It returns how many sessions ended.
func (d *Desk) RevokeSessions(ctx context.Context, keyName, keyHash string) (int64, error) {
	var hashes []string
	switch {
	case (keyName == "") == (keyHash == ""):
		return 0, Invalid("key_name", "give either key_name or key_hash")
	case keyName != "":
		for _, k := range d.Cfg.APIKeys {
			if k.Name == keyName {
				hashes = append(hashes, k.Hash)
			}
		}
		if len(hashes) == 0 {
			return 0, Invalid("key_name", "no configured API key has this name")
		}
	default:
		h := strings.ToLower(keyHash)
		if _, err := hex.DecodeString(h); err != nil || len(h) != 64 {
			return 0, Invalid("key_hash", "must be 64 hex characters (SHA-256 of the key)")
		}
		hashes = []string{h}
	}
	return store.RevokeKeySessions(d.DB.WithContext(ctx), hashes, time.Now())
}
