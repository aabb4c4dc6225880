package activities

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/abusedesk/abusedesk/internal/secretfile"
)

// DKIMKeyFile is the file in data_dir that holds the generated DKIM key of
// the embedded default.
const DKIMKeyFile = "dkim.key"

// DKIM signs outbound notices (RFC 6376, relaxed/relaxed, SHA-256 with the
// key's algorithm: rsa-sha256 or ed25519-sha256).
type DKIM struct {
	Domain   string
	Selector string
	Key      crypto.Signer
}

// dkimHeaders are the signed header fields (RFC 6376 section 5.4.1), From
// first; the ones a message lacks are signed as absent, so none can be added
// later.
var dkimHeaders = []string{"From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted",
	"X-Abusedesk-Notice", "MIME-Version", "Content-Type", "Reply-To", "Cc", "In-Reply-To", "References"}

// Sign returns the message with a DKIM-Signature header field in front.
func (d *DKIM) Sign(msg []byte) ([]byte, error) {
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(msg), &dkim.SignOptions{
		Domain: d.Domain, Selector: d.Selector, Signer: d.Key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: dkimHeaders,
	})
	if err != nil {
		return nil, fmt.Errorf("dkim: %w", err)
	}
	return out.Bytes(), nil
}

// Record is the DNS TXT record to publish for the key:
// selector._domainkey.domain IN TXT "v=DKIM1; k=rsa; p=...". Long values
// are split into strings of at most 255 characters (RFC 7208 3.3 style, as
// DNS servers require).
func (d *DKIM) Record() (string, error) {
	k, p, err := publicKeyTag(d.Key.Public())
	if err != nil {
		return "", err
	}
	v := fmt.Sprintf("v=DKIM1; k=%s; p=%s", k, p)
	var parts []string
	for len(v) > 255 {
		parts = append(parts, `"`+v[:255]+`"`)
		v = v[255:]
	}
	parts = append(parts, `"`+v+`"`)
	return fmt.Sprintf("%s._domainkey.%s. IN TXT %s", d.Selector, d.Domain, strings.Join(parts, " ")), nil
}

// TXTValue is the record's value as a resolver returns it (one string).
func (d *DKIM) TXTValue() (string, error) {
	k, p, err := publicKeyTag(d.Key.Public())
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("v=DKIM1; k=%s; p=%s", k, p), nil
}

func publicKeyTag(pub crypto.PublicKey) (string, string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			return "", "", err
		}
		return "rsa", base64.StdEncoding.EncodeToString(der), nil
	case ed25519.PublicKey:
		return "ed25519", base64.StdEncoding.EncodeToString(k), nil // RFC 8463: the raw key
	}
	return "", "", fmt.Errorf("dkim: unsupported key type %T", pub)
}

// NewDKIM builds the signer of the configuration: selector, domain (empty:
// the domain of from) and key (a PEM, a file holding one, or empty: the key
// generated into dataDir/dkim.key).
func NewDKIM(selector, domain, from, key, dataDir string) (*DKIM, error) {
	if domain == "" {
		at := strings.LastIndex(from, "@")
		if at < 0 {
			return nil, fmt.Errorf("dkim_domain: smtp_from %q has no domain", from)
		}
		domain = strings.TrimSuffix(strings.TrimSpace(from[at+1:]), ">")
	}
	var signer crypto.Signer
	var err error
	switch {
	case strings.Contains(key, "-----BEGIN"):
		signer, err = ParseDKIMKey([]byte(key))
	case key != "":
		var b []byte
		if b, err = os.ReadFile(key); err == nil {
			signer, err = ParseDKIMKey(b)
		}
	default:
		signer, err = loadOrCreateDKIMKey(filepath.Join(dataDir, DKIMKeyFile))
	}
	if err != nil {
		return nil, fmt.Errorf("dkim_private_key: %w", err)
	}
	return &DKIM{Domain: domain, Selector: selector, Key: signer}, nil
}

// ParseDKIMKey reads an RSA or Ed25519 private key in PEM (PKCS#8 or
// PKCS#1).
func ParseDKIMKey(b []byte) (crypto.Signer, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("unsupported key type %T (RSA or Ed25519)", k)
}

// loadOrCreateDKIMKey reads the key file, generating a 2048-bit RSA key
// (mode 0600) on the first start; a file others may read is refused.
func loadOrCreateDKIMKey(path string) (crypto.Signer, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, secretfile.Mode)
		if errors.Is(err, fs.ErrExist) {
			return loadOrCreateDKIMKey(path) // another process made it first
		} else if err != nil {
			return nil, err
		}
		err = pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path)
			return nil, err
		}
		return k, nil
	} else if err != nil {
		return nil, err
	}
	if err := secretfile.CheckPrivate(path, info); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseDKIMKey(b)
}
