package desk

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// Customer keys (docs/DESIGN.md "Customer accounts"): an admin issues a
// key for one account through the API (stored hashed, shown once) or
// configures it as an api_keys entry with role customer and account.

// KeyRequest is the body of POST /v1/admin/api-keys.
type KeyRequest struct {
	Name    string `json:"name"`
	Role    string `json:"role"`
	Account string `json:"account"`
}

// IssuedKey is the answer to an issued key: the key itself, shown once.
type IssuedKey struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Account   string    `json:"account"`
	Key       string    `json:"key"`
	CreatedAt time.Time `json:"created_at"`
}

// RevokedKey is the answer to a revocation.
type RevokedKey struct {
	Name      string    `json:"name"`
	RevokedAt time.Time `json:"revoked_at"`
}

var keyName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$`)

// IssueKey issues a customer key for an account of the customer records:
// 32 random bytes, hex, answered once and stored as its SHA-256. A name
// taken by a configured or an issued key (revoked or not) is a conflict.
func (d *Desk) IssueKey(ctx context.Context, admin string, req KeyRequest) (IssuedKey, error) {
	var ps []models.FieldError
	if !keyName.MatchString(req.Name) {
		ps = append(ps, models.FieldError{Field: "name", Message: "required: 1 to 100 of A-Z a-z 0-9 . _ @ -, starting with a letter or digit"})
	}
	if req.Role != "customer" {
		ps = append(ps, models.FieldError{Field: "role", Message: "must be customer (other roles are configured in api_keys)"})
	}
	if req.Account == "" || len(req.Account) > 200 {
		ps = append(ps, models.FieldError{Field: "account", Message: "required: the id of an account of the customer records"})
	} else if ok, err := store.AccountExists(ctx, d.DB, req.Account); err != nil {
		return IssuedKey{}, err
	} else if !ok {
		ps = append(ps, models.FieldError{Field: "account", Message: fmt.Sprintf("no account %q in the customer records", trim(req.Account))})
	}
	if len(ps) > 0 {
		return IssuedKey{}, Problems(KindInvalid, ps)
	}
	for _, k := range d.Cfg.APIKeys {
		if k.Name == req.Name {
			return IssuedKey{}, Conflict("name", "a configured API key is named %q", req.Name)
		}
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return IssuedKey{}, err
	}
	key := hex.EncodeToString(raw)
	now := time.Now().UTC()
	row := models.IssuedKey{Name: req.Name, Hash: config.HashKey(key), Role: req.Role, AccountID: req.Account, CreatedBy: admin, CreatedAt: now}
	err := store.IssueKey(ctx, d.DB, row, func(tx *gorm.DB) error {
		return d.journal(tx, admin, "", "api_key_issued", "api-key-issued:"+req.Name,
			map[string]any{"name": req.Name, "role": req.Role, "account": req.Account})
	})
	if errors.Is(err, store.ErrKeyExists) {
		return IssuedKey{}, Conflict("name", "an API key named %q was issued already (names are never reused)", req.Name)
	}
	if err != nil {
		return IssuedKey{}, err
	}
	return IssuedKey{Name: req.Name, Role: req.Role, Account: req.Account, Key: key, CreatedAt: now}, nil
}

// RevokeKey revokes an issued key: from then on it authenticates nothing.
// A configured key is revoked by removing it from the configuration.
func (d *Desk) RevokeKey(ctx context.Context, admin, name string) (RevokedKey, error) {
	if !keyName.MatchString(name) {
		return RevokedKey{}, NotFound("name", "no issued API key of that name")
	}
	now := time.Now().UTC()
	err := store.RevokeKey(ctx, d.DB, name, now, func(tx *gorm.DB, k models.IssuedKey) error {
		return d.journal(tx, admin, "", "api_key_revoked", "api-key-revoked:"+name,
			map[string]any{"name": name, "role": k.Role, "account": k.AccountID})
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		for _, k := range d.Cfg.APIKeys {
			if k.Name == name {
				return RevokedKey{}, Conflict("name", "%q is a configured key: remove it from api_keys", name)
			}
		}
		return RevokedKey{}, NotFound("name", "no issued API key of that name that is not revoked")
	}
	if err != nil {
		return RevokedKey{}, err
	}
	return RevokedKey{Name: name, RevokedAt: now}, nil
}

// APIKeyByHash finds a key by the SHA-256 of the raw key: a configured key
// (constant-time compare) or an issued one that is not revoked.
func (d *Desk) APIKeyByHash(ctx context.Context, hash string) (config.APIKey, bool, error) {
	if k, ok := d.configuredKey(hash); ok {
		return k, true, nil
	}
	k, ok, err := store.IssuedKeyByHash(ctx, d.DB, hash)
	if err != nil || !ok || subtle.ConstantTimeCompare([]byte(k.Hash), []byte(hash)) != 1 {
		return config.APIKey{}, false, err
	}
	return config.APIKey{Name: k.Name, Hash: k.Hash, Role: k.Role, Account: k.AccountID}, true, nil
}

// CustomerKey finds the account of a raw customer key (configured or
// issued); ok is false for any other key or none.
func (d *Desk) CustomerKey(ctx context.Context, key string) (string, bool) {
	key = strings.TrimSpace(key)
	if key == "" || len(key) > 200 {
		return "", false
	}
	k, ok, err := d.APIKeyByHash(ctx, config.HashKey(key))
	if err != nil {
		d.Log.Error("customer key lookup failed", "err", err)
		return "", false
	}
	if !ok || k.Role != "customer" || k.Account == "" {
		return "", false
	}
	return k.Account, true
}

// AbuseContact is the account's abuse contact; "" when it set none.
func (d *Desk) AbuseContact(ctx context.Context, account string) (string, error) {
	return store.AbuseContactOf(ctx, d.DB, account)
}

// SetAbuseContact sets the account's abuse contact (email "" removes it):
// operator notices go to it; with none, to the operator address of the
// customer records, and with neither to the hosting provider.
func (d *Desk) SetAbuseContact(ctx context.Context, account, email string) error {
	email = strings.TrimSpace(email)
	if email != "" {
		a, err := mail.ParseAddress(email)
		if err != nil || a.Address != email || len(email) > 254 || strings.ContainsAny(email, " \r\n<>,") {
			return Invalid("email", "%q is not an email address (name@example.com)", trim(email))
		}
	}
	return store.SetAbuseContact(ctx, d.DB, account, email, "account:"+account, func(tx *gorm.DB) error {
		return d.journal(tx, "account:"+account, "", "abuse_contact_set",
			fmt.Sprintf("abuse-contact:%s:%d", account, time.Now().UnixNano()), map[string]any{"account": account, "set": email != ""})
	})
}
