package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/store"
)

// secrets loads or generates the token secret and the payload key ring.
func (a *App) secrets() error {
	cfg := a.Cfg
	if cfg.TokenSecret == "" {
		p := filepath.Join(cfg.DataDir, "token.secret")
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			buf := make([]byte, 32)
			if _, err := rand.Read(buf); err != nil {
				return err
			}
			b = []byte(hex.EncodeToString(buf))
			if err := os.WriteFile(p, b, 0o600); err != nil {
				return fmt.Errorf("token_secret: %w", err)
			}
		} else if err != nil {
			return fmt.Errorf("token_secret: %w", err)
		}
		cfg.TokenSecret = strings.TrimSpace(string(b))
	}
	if cfg.PayloadKeys == "" {
		ring, err := codec.LoadOrCreateKeyRing(cfg.DataDir)
		if err != nil {
			return fmt.Errorf("payload_keys: %w", err)
		}
		cfg.PayloadKeys = ring
	}
	ring, err := codec.ParseKeyRing(cfg.PayloadKeys)
	if err != nil {
		return fmt.Errorf("payload_keys: %w", err)
	}
	a.KeyRing = ring
	return nil
}

// openDatabase opens database_url and applies the migrations not yet
// applied (store's one ordered list).
func (a *App) openDatabase() error {
	var err error
	if a.DB, err = store.Open(a.Cfg.DatabaseURL, a.Cfg.DataDir); err != nil {
		return fmt.Errorf("database_url: %w", err)
	}
	return store.Migrate(a.DB)
}
