package app

import (
	"fmt"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/config"
)

// DKIM is the notice signer of the configuration: its key from
// dkim_private_key, or generated into data_dir/dkim.key on the first call.
func DKIM(cfg *config.Config) (*activities.DKIM, error) {
	return activities.NewDKIM(cfg.DKIMSelector, cfg.DKIMDomain, cfg.SMTPFrom, cfg.DKIMPrivateKey, cfg.DataDir)
}

// wireNotices signs the SMTP mailer's notices with DKIM and, when
// rdap_enabled, gives the activities the RDAP client of rdap_url.
func (a *App) wireNotices(acts *activities.Activities) error {
	if m, ok := acts.Mail.(*activities.SMTPMailer); ok {
		d, err := DKIM(a.Cfg)
		if err != nil {
			return err
		}
		m.DKIM = d
	}
	if a.Cfg.RDAPEnabled {
		c, err := activities.NewRDAPClient(a.Cfg.RDAPURL, a.Cfg.RDAPTimeout)
		if err != nil {
			return fmt.Errorf("rdap_url: %w", err)
		}
		acts.RDAP = c
	}
	return nil
}
