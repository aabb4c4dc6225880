package app

import (
	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/internal/cybertipline"
)

// clearinghouse is where CSAM reports go (docs/DESIGN.md step 7): the
// CyberTipline Reporting API at clearinghouse_url, or, with none
// configured, no API (reports are prepared for an analyst to file by hand).
// The report names smtp_from as the reporting contact.
func clearinghouse(cfg *config.Config) (activities.Clearinghouse, error) {
	ch := activities.Clearinghouse{Contact: cfg.SMTPFrom}
	if cfg.ClearinghouseURL == "" {
		return ch, nil
	}
	password, err := cfg.ClearinghouseSecret()
	if err != nil {
		return ch, err
	}
	c, err := cybertipline.New(cfg.ClearinghouseURL, cfg.ClearinghouseUsername, password)
	if err != nil {
		return ch, err
	}
	ch.API = c
	return ch, nil
}
