package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"golang.org/x/mod/sumdb/note"
	"gorm.io/gorm"
)

// Key file names in the data directory.
const (
	// KeyFile holds the signer key (note format, mode 0600).
	KeyFile = "audit.key"
	// PubFile holds the verifier key that auditors are given.
	PubFile = "audit.pub"
)

// DefaultOrigin is a checkpoint origin (and key name) for installations that
// configure none. Real deployments should name their own log, e.g.
// "abuse.example.net/audit".
const DefaultOrigin = "abusedesk/audit"

// Log is the audit log over a database: it serves entries and proofs and
// signs checkpoints. Signer may be nil for a log that only verifies (RunVerify);
// Origin is the first line of every checkpoint and equals the key's name.
type Log struct {
	DB       *gorm.DB
	Signer   note.Signer
	Verifier note.Verifier
	Origin   string
}

// NewLog returns a Log that signs with skey (a note signer key) and verifies
// with the public key derived from it.
func NewLog(db *gorm.DB, skey string) (*Log, error) {
	signer, err := note.NewSigner(strings.TrimSpace(skey))
	if err != nil {
		return nil, fmt.Errorf("audit: signer key: %w", err)
	}
	vkey, err := VerifierKey(skey)
	if err != nil {
		return nil, err
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("audit: verifier key: %w", err)
	}
	return &Log{DB: db, Signer: signer, Verifier: verifier, Origin: signer.Name()}, nil
}

// VerifierKey derives the public verifier key (what auditors hold) from a
// note signer key.
func VerifierKey(skey string) (string, error) {
	skey = strings.TrimSpace(skey)
	signer, err := note.NewSigner(skey)
	if err != nil {
		return "", fmt.Errorf("audit: signer key: %w", err)
	}
	// PRIVATE+KEY+<name>+<hash>+<base64(alg || seed)>
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[len(parts)-1])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("audit: signer key is not an Ed25519 note key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return "", fmt.Errorf("audit: verifier key: %w", err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil || v.KeyHash() != signer.KeyHash() {
		return "", errors.New("audit: derived verifier key does not match the signer key")
	}
	return vkey, nil
}

// LoadOrCreateKey returns the audit signing key pair kept in dataDir,
// generating it (named origin) on first start: dataDir/audit.key (mode 0600)
// holds the signer key and dataDir/audit.pub the verifier key. It fails when
// the stored key was made for another origin, since checkpoints name their
// origin and auditors pin the key by name.
func LoadOrCreateKey(dataDir, origin string) (skey, vkey string, err error) {
	if !validOrigin(origin) {
		return "", "", fmt.Errorf("audit: origin %q must be non-empty, without spaces or '+'", origin)
	}
	keyPath := filepath.Join(dataDir, KeyFile)
	for attempt := 0; attempt < 2; attempt++ {
		b, err := os.ReadFile(keyPath)
		if err == nil {
			return loadKey(dataDir, origin, string(b))
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("audit: read key: %w", err)
		}
		if err := createKey(dataDir, origin); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", "", err
		}
		// Created, or another process created it first: read it back.
	}
	return "", "", fmt.Errorf("audit: could not create %s", keyPath)
}

// loadKey checks a stored signer key and writes audit.pub if it is missing.
func loadKey(dataDir, origin, skey string) (string, string, error) {
	skey = strings.TrimSpace(skey)
	signer, err := note.NewSigner(skey)
	if err != nil {
		return "", "", fmt.Errorf("audit: %s: %w", KeyFile, err)
	}
	if signer.Name() != origin {
		return "", "", fmt.Errorf("audit: %s was made for origin %q but the configured origin is %q",
			filepath.Join(dataDir, KeyFile), signer.Name(), origin)
	}
	vkey, err := VerifierKey(skey)
	if err != nil {
		return "", "", err
	}
	pubPath := filepath.Join(dataDir, PubFile)
	if _, err := os.Stat(pubPath); errors.Is(err, fs.ErrNotExist) {
		if err := writeAtomic(pubPath, vkey+"\n", 0o644); err != nil {
			return "", "", err
		}
	}
	return skey, vkey, nil
}

// createKey generates a key pair and publishes audit.key with a hard link,
// which fails with fs.ErrExist when another process was quicker.
func createKey(dataDir, origin string) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("audit: data dir: %w", err)
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return fmt.Errorf("audit: generate key: %w", err)
	}
	tmp, err := writeTemp(dataDir, KeyFile, skey+"\n", 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, filepath.Join(dataDir, KeyFile)); err != nil {
		return fmt.Errorf("audit: publish key: %w", err)
	}
	return writeAtomic(filepath.Join(dataDir, PubFile), vkey+"\n", 0o644)
}

// writeAtomic replaces path with data through a temporary file and a rename.
func writeAtomic(path, data string, mode os.FileMode) error {
	tmp, err := writeTemp(filepath.Dir(path), filepath.Base(path), data, mode)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("audit: write %s: %w", path, err)
	}
	return nil
}

// writeTemp writes data to a new temporary file in dir with the given mode.
func writeTemp(dir, base, data string, mode os.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return "", fmt.Errorf("audit: write %s: %w", base, err)
	}
	name := f.Name()
	err = f.Chmod(mode)
	if err == nil {
		_, err = f.WriteString(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("audit: write %s: %w", base, err)
	}
	return name, nil
}

// validOrigin reports whether name can be a note key name.
func validOrigin(name string) bool {
	return name != "" && !strings.Contains(name, "+") && strings.IndexFunc(name, unicode.IsSpace) < 0
}
