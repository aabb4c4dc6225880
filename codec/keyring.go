package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length in bytes of every key in a ring: AES-256.
const KeySize = 32

// maxKeyIDLen bounds a key id: it is written into every payload's metadata.
const maxKeyIDLen = 64

// KeyRing holds the payload encryption keys. The first key encrypts every new
// payload; every key decrypts, so a key is rotated by putting a new one in
// front and keeping the old one for as long as histories written with it must
// stay readable.
//
// A KeyRing never prints its key material: String and GoString list key ids
// only, so a ring that ends up in a log line leaks nothing.
type KeyRing struct {
	ids  []string // in configuration order; ids[0] encrypts
	aead map[string]cipher.AEAD
}

// ParseKeyRing parses the configuration form of a key ring: comma-separated
// entries "keyid:base64key", the first of which encrypts. A key is 32 bytes
// in standard or URL-safe base64, padded or not; a key id is 1 to 64 of
// [A-Za-z0-9._-]. Whitespace and newlines around entries are ignored, so a
// key file may hold one entry per line.
//
// Errors name the entry by position and id, never by its key material.
func ParseKeyRing(s string) (*KeyRing, error) {
	r := &KeyRing{aead: make(map[string]cipher.AEAD)}
	for i, entry := range splitEntries(s) {
		n := i + 1
		id, encoded, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("codec: key ring entry %d: want \"keyid:base64key\"", n)
		}
		id = strings.TrimSpace(id)
		if err := validKeyID(id); err != nil {
			return nil, fmt.Errorf("codec: key ring entry %d: %w", n, err)
		}
		if _, dup := r.aead[id]; dup {
			return nil, fmt.Errorf("codec: key ring entry %d: duplicate key id %q", n, id)
		}
		key, err := decodeKey(strings.TrimSpace(encoded))
		if err != nil {
			return nil, fmt.Errorf("codec: key ring entry %d (key id %q): %w", n, id, err)
		}
		aead, err := newAEAD(key)
		if err != nil {
			return nil, fmt.Errorf("codec: key ring entry %d (key id %q): %w", n, id, err)
		}
		r.ids = append(r.ids, id)
		r.aead[id] = aead
	}
	if len(r.ids) == 0 {
		return nil, errors.New("codec: key ring is empty: want at least one \"keyid:base64key\" entry")
	}
	return r, nil
}

// ActiveKeyID returns the id of the key that encrypts new payloads.
func (r *KeyRing) ActiveKeyID() string { return r.ids[0] }

// KeyIDs returns every key id in the ring, the active one first.
func (r *KeyRing) KeyIDs() []string { return append([]string(nil), r.ids...) }

// String lists the key ids, never the keys.
func (r *KeyRing) String() string {
	if r == nil {
		return "codec.KeyRing(nil)"
	}
	return "codec.KeyRing[" + strings.Join(r.ids, ",") + "]"
}

// GoString keeps %#v from printing the expanded AES keys.
func (r *KeyRing) GoString() string { return r.String() }

// GenerateKeyEntry returns a new ring entry "id:base64key" with a random key,
// for a first start or for a rotation (put the new entry in front).
func GenerateKeyEntry(id string) (string, error) {
	if err := validKeyID(id); err != nil {
		return "", fmt.Errorf("codec: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("codec: generate key: %w", err)
	}
	return id + ":" + base64.StdEncoding.EncodeToString(key), nil
}

// splitEntries splits a ring at commas and line breaks and drops blanks.
func splitEntries(s string) []string {
	var entries []string
	for _, e := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '\n' || r == '\r'
	}) {
		if e = strings.TrimSpace(e); e != "" {
			entries = append(entries, e)
		}
	}
	return entries
}

// keyFor returns the AEAD of a key id, or ErrUnknownKeyID.
func (r *KeyRing) keyFor(id string) (cipher.AEAD, error) {
	aead, ok := r.aead[id]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownKeyID, id)
	}
	return aead, nil
}

func validKeyID(id string) error {
	if id == "" {
		return errors.New("empty key id")
	}
	if len(id) > maxKeyIDLen {
		return fmt.Errorf("key id %.16q... is longer than %d characters", id, maxKeyIDLen)
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == '-'
		if !ok {
			return fmt.Errorf("key id %q has character %q: want only [A-Za-z0-9._-]", id, c)
		}
	}
	return nil
}

// decodeKey accepts the base64 alphabets people paste from openssl and
// friends, and insists on exactly KeySize bytes.
func decodeKey(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty key")
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		key, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("key is %d bytes, want %d (AES-256)", len(key), KeySize)
		}
		return key, nil
	}
	return nil, errors.New("key is not valid base64")
}

// newAEAD builds AES-256-GCM with a random 96-bit nonce that Seal prepends to
// the ciphertext and Open reads back. NIST's limit for random nonces is 2^32
// messages per key: rotate long before that.
func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithRandomNonce(block)
}
