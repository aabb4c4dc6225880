package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gorm.io/gorm"
)

// HasLog reports whether db holds an audit log (its entries and head
// tables), without creating anything: the verifier refuses a database that
// has none rather than reporting an empty log as verified.
func HasLog(db *gorm.DB) bool {
	m := db.Migrator()
	return m.HasTable(&Entry{}) && m.HasTable(&Head{})
}

// ReadVerifierKey returns the log's verifier key kept in dataDir: audit.pub,
// else derived from audit.key. Unlike LoadOrCreateKey it never writes: a
// missing key is an error naming where it was looked for.
func ReadVerifierKey(dataDir string) (string, error) {
	pub := filepath.Join(dataDir, PubFile)
	b, err := os.ReadFile(pub)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("audit: read %s: %w", pub, err)
	}
	key := filepath.Join(dataDir, KeyFile)
	b, err = os.ReadFile(key)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("audit: no verifier key: neither %s nor %s exists (set audit_signing_key, or run where the desk's data_dir is)", absPath(pub), absPath(key))
	}
	if err != nil {
		return "", fmt.Errorf("audit: read %s: %w", key, err)
	}
	return VerifierKey(strings.TrimSpace(string(b)))
}

// absPath is p made absolute for messages (p itself if that fails).
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
