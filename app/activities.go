package app

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/config"
)

// activities are the worker's dependencies from configuration; the mailer
// is opt.Mailer, or SMTP when smtp_addr is set (none: notices stay in the
// outbox).
func (a *App) activities(opt Options) *activities.Activities {
	cfg := a.Cfg
	acts := &activities.Activities{DB: a.DB, Hosting: activities.DBHosting{}, Registrar: activities.DBRegistrar{},
		PublicURL: cfg.PublicURL, Now: opt.Now, EscalationEmail: cfg.NCSEIEscalationEmail,
		TokenSecret: []byte(cfg.TokenSecret), MailLimit: &activities.MailLimit{DB: a.DB, PerHour: cfg.Limits.ReporterMailPerHour, Now: opt.Now},
		Policy: activities.StrikePolicy{CopyrightStrikes: cfg.CopyrightStrikes, CopyrightWindow: cfg.CopyrightStrikeWindow,
			HostingStrikes: cfg.HostingStrikes, HostingWindow: cfg.HostingStrikeWindow}}
	switch {
	case opt.Mailer != nil:
		acts.Mail = opt.Mailer
	case cfg.SMTPAddr != "":
		acts.Mail = &activities.SMTPMailer{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom}
	}
	return acts
}

// DKIM is the notice signer of the configuration: its key from
// dkim_private_key, or generated into data_dir/dkim.key on the first call.
func DKIM(cfg *config.Config) (*activities.DKIM, error) {
	return activities.NewDKIM(cfg.DKIMSelector, cfg.DKIMDomain, cfg.SMTPFrom, cfg.DKIMPrivateKey, cfg.DataDir)
}

// wireNotices signs the SMTP mailer's notices with DKIM, gives the
// activities the clearinghouse (app/clearinghouse.go) and the host lookups
// after the customer networks: the networks
// file (rdap_networks_file, or data_dir/networks.yaml when it exists), then,
// when rdap_enabled, RDAP at rdap_url or at the server the bootstrap
// registry (rdap_bootstrap_url) names for the IP.
func (a *App) wireNotices(acts *activities.Activities) error {
	if m, ok := acts.Mail.(*activities.SMTPMailer); ok {
		d, err := DKIM(a.Cfg)
		if err != nil {
			return err
		}
		m.DKIM = d
		m.BounceLocalPart = a.Cfg.BounceLocalPart
	}
	ch, err := clearinghouse(a.Cfg)
	if err != nil {
		return err
	}
	acts.Clearinghouse = ch
	lookups, err := hostLookups(a.Cfg)
	if err != nil {
		return err
	}
	if len(lookups) > 0 {
		acts.RDAP = lookups
		a.Log.Info("host lookups", "networks_file", networksFile(a.Cfg), "rdap", a.Cfg.RDAPEnabled,
			"rdap_url", a.Cfg.RDAPURL, "rdap_bootstrap_url", a.Cfg.RDAPBootstrapURL)
	}
	return nil
}

// hostLookups are the lookups of the configuration, in the order asked.
func hostLookups(cfg *config.Config) (activities.HostLookups, error) {
	var out activities.HostLookups
	if path := networksFile(cfg); path != "" {
		f, err := activities.LoadNetworksFile(path)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if !cfg.RDAPEnabled {
		return out, nil
	}
	if cfg.RDAPURL != "" {
		c, err := activities.NewRDAPClient(cfg.RDAPURL, cfg.RDAPTimeout)
		if err != nil {
			return nil, fmt.Errorf("rdap_url: %w", err)
		}
		return append(out, c), nil
	}
	c, err := activities.NewRDAPBootstrapClient(cfg.RDAPBootstrapURL, cfg.RDAPTimeout)
	if err != nil {
		return nil, err
	}
	return append(out, c), nil
}

// networksFile is the configured networks file: rdap_networks_file, or
// data_dir/networks.yaml when it exists ("": none).
func networksFile(cfg *config.Config) string {
	if cfg.RDAPNetworksFile != "" {
		return cfg.RDAPNetworksFile
	}
	p := filepath.Join(cfg.DataDir, "networks.yaml")
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
		return p
	}
	return ""
}
