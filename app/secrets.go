package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/internal/secretfile"
	"github.com/abusedesk/abusedesk/store"
)

// secrets loads or generates the token secret and the payload key ring.
func (a *App) secrets() error {
	cfg := a.Cfg
	if cfg.TokenSecret == "" {
		secret, err := loadOrCreateTokenSecret(filepath.Join(cfg.DataDir, tokenSecretFile))
		if err != nil {
			return fmt.Errorf("token_secret: %w", err)
		}
		cfg.TokenSecret = secret
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

// tokenSecretFile is the token secret the embedded default keeps in its
// data directory when none is configured.
const tokenSecretFile = "token.secret"

// loadOrCreateTokenSecret reads the token secret at path, generating 32
// random bytes (hex) on the first start. The file follows the rule of the
// other generated secrets (internal/secretfile): created mode 0600, never
// overwritten, refused when others may read it. A file written by an
// earlier version (hex, mode 0600) reads as before.
func loadOrCreateTokenSecret(path string) (string, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		buf := make([]byte, 32)
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		secret := hex.EncodeToString(buf)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return "", err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, secretfile.Mode)
		if errors.Is(err, fs.ErrExist) {
			return loadOrCreateTokenSecret(path) // another process made it first
		} else if err != nil {
			return "", err
		}
		_, err = f.WriteString(secret)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path)
			return "", err
		}
		return secret, nil
	} else if err != nil {
		return "", err
	}
	if err := secretfile.CheckPrivate(path, info); err != nil {
		return "", err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}
