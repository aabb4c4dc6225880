package config

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/abusedesk/abusedesk/internal/secretfile"
)

// Clearinghouse reaches the child-safety clearinghouse's reporting API
// (NCMEC's CyberTipline). The password is the value, or file:<path> naming
// a file only its owner may read (ClearinghouseSecret). No URL: CSAM
// reports are prepared for an analyst to file by hand.
type Clearinghouse struct {
	ClearinghouseURL      string
	ClearinghouseUsername string
	ClearinghousePassword string
}

// clearinghouseKeys are the clearinghouse's keys, at the end of Keys.
var clearinghouseKeys = []Key{
	{"clearinghouse_url", "", "base URL of the child-safety clearinghouse's reporting API (NCMEC CyberTipline, e.g. https://report.cybertip.org/ispws; its test environment for trials); empty: CSAM reports are prepared and an analyst files them by hand (POST /v1/cases/{id}/clearinghouse/filed)"},
	{"clearinghouse_username", "", "HTTP Basic user name of the clearinghouse API (required with clearinghouse_url)"},
	{"clearinghouse_password", "", "HTTP Basic password of the clearinghouse API (required with clearinghouse_url): the password, or file:<path> naming a file that holds it, readable only by its owner (mode 0600)"},
}

// clearinghouse reads the clearinghouse API keys: an http(s) URL, and with
// it a user name and a password (docs/DESIGN.md step 7).
func (r *reader) clearinghouse(c *Config) {
	v := r.v
	c.ClearinghouseURL = strings.TrimRight(strings.TrimSpace(v.GetString("clearinghouse_url")), "/")
	c.ClearinghouseUsername = strings.TrimSpace(v.GetString("clearinghouse_username"))
	c.ClearinghousePassword = v.GetString("clearinghouse_password")
	if c.ClearinghouseURL == "" {
		return
	}
	if u, err := url.Parse(c.ClearinghouseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		r.fail("clearinghouse_url", "%q is not an http(s) URL", c.ClearinghouseURL)
	}
	if c.ClearinghouseUsername == "" {
		r.fail("clearinghouse_username", "required when clearinghouse_url is set")
	}
	if c.ClearinghousePassword == "" {
		r.fail("clearinghouse_password", "required when clearinghouse_url is set")
	}
}

// ClearinghouseSecret is the clearinghouse API password: the configured
// value, or the content of the file that file:<path> names, which only its
// owner may read (internal/secretfile).
func (c *Clearinghouse) ClearinghouseSecret() (string, error) {
	path, ok := strings.CutPrefix(c.ClearinghousePassword, "file:")
	if !ok {
		return c.ClearinghousePassword, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("clearinghouse_password: %w", err)
	}
	if err := secretfile.CheckPrivate(path, info); err != nil {
		return "", fmt.Errorf("clearinghouse_password: %w", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("clearinghouse_password: %w", err)
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" {
		return "", fmt.Errorf("clearinghouse_password: %s is empty", path)
	}
	return secret, nil
}
