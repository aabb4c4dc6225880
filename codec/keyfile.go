package codec

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/abusedesk/abusedesk/internal/secretfile"
)

// KeyFileName is the key ring file that the embedded default keeps in its
// data directory when no key ring is configured.
const KeyFileName = "payload.keys"

// keyFileMode lets only the owner read the keys.
const keyFileMode = secretfile.Mode

// GenerateKeyRingFile creates path with a fresh one-key ring, mode 0600, and
// returns the ring in its configuration form. It never overwrites: an
// existing file is an error, because replacing a key makes every history
// encrypted with it unreadable.
//
// The key id is "k" and the UTC date (k20260412), so a rotated ring reads
// newest first: "k20270301:...,k20260412:...".
func GenerateKeyRingFile(path string) (string, error) {
	entry, err := GenerateKeyEntry("k" + time.Now().UTC().Format("20060102"))
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, keyFileMode)
	if err != nil {
		return "", fmt.Errorf("codec: create key file: %w", err)
	}
	_, err = f.WriteString(entry + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return "", fmt.Errorf("codec: write key file %s: %w", path, err)
	}
	return entry, nil
}

// LoadOrCreateKeyRing returns the key ring kept in dataDir/payload.keys,
// creating the directory and the file (mode 0600, one new key) on the first
// start. The embedded default calls it when no key ring is configured; a
// production install configures the ring instead and keeps it somewhere
// safer than next to the data it protects.
//
// The returned string is the configuration form, for ParseKeyRing. A file
// that group or others may read is refused, as ssh refuses a private key: the
// error says which chmod fixes it.
func LoadOrCreateKeyRing(dataDir string) (string, error) {
	if dataDir == "" {
		return "", errors.New("codec: no data directory for the key file")
	}
	path := filepath.Join(dataDir, KeyFileName)
	ring, err := readKeyRingFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return ring, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("codec: create data directory: %w", err)
	}
	ring, err = GenerateKeyRingFile(path)
	if errors.Is(err, fs.ErrExist) {
		// Another process created it between our read and our create.
		return readKeyRingFile(path)
	}
	return ring, err
}

// readKeyRingFile reads and validates a key file; a missing file keeps
// fs.ErrNotExist in its error chain.
func readKeyRingFile(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("codec: key file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("codec: key file %s is not a regular file", path)
	}
	if err := secretfile.CheckPrivate(path, info); err != nil {
		return "", fmt.Errorf("codec: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("codec: read key file: %w", err)
	}
	ring := string(data)
	if _, err := ParseKeyRing(ring); err != nil {
		return "", fmt.Errorf("%w (in key file %s)", err, path)
	}
	// One entry per line is allowed in the file; configuration wants commas.
	return strings.Join(splitEntries(ring), ","), nil
}
