// Package config loads abusedesk's one typed configuration: defaults, then an
// optional abusedesk.yaml, then ABUSEDESK_* environment variables. Every key
// is listed in Keys with its default and meaning; README.md prints the same
// table.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// APIKey is one configured API key: its SHA-256 hash (hex) and role.
// Account is the customer account a customer key speaks for.
type APIKey struct {
	Name    string `mapstructure:"name" yaml:"name" json:"name"`
	Hash    string `mapstructure:"hash" yaml:"hash" json:"hash"`
	Role    string `mapstructure:"role" yaml:"role" json:"role"`
	Account string `mapstructure:"account" yaml:"account" json:"account,omitempty"`
}

// Config is the whole configuration of one abusedesk process.
type Config struct {
	// File is the configuration file read ("" when none), so the optional
	// parts read their keys from the same sources.
	File      string
	HTTPAddr  string
	DataDir   string
	PublicURL string
	// ProviderName is the provider's own name in the customer records'
	// networks: reports about addresses on those networks are ours.
	ProviderName      string
	TemporalAddress   string
	TemporalEmbedded  bool
	TemporalNamespace string
	TemporalTLS       bool
	TemporalTLSCert   string
	TemporalTLSKey    string
	TemporalTLSCA     string
	TemporalRetention time.Duration
	TaskQueue         string
	UIAddr            string
	DatabaseURL       string
	SMTPAddr          string
	SMTPFrom          string
	IntakeSMTPAddr    string
	BootstrapAdminKey string
	APIKeys           []APIKey
	LocalAdminKey     bool
	RDAPEnabled       bool
	RDAPURL           string
	// RDAPBootstrapURL is the RFC 9224 bootstrap registry that chooses the
	// RDAP server of an IP when RDAPURL is empty; RDAPNetworksFile is the
	// local list of networks asked before RDAP.
	RDAPBootstrapURL string
	RDAPNetworksFile string
	// RDAPTimeout bounds one RDAP lookup.
	RDAPTimeout time.Duration
	// DKIMSelector, DKIMDomain and DKIMPrivateKey sign outbound notices
	// (DKIMPrivateKey: a PEM key or a file holding one; empty: generated
	// into data_dir/dkim.key).
	DKIMSelector   string
	DKIMDomain     string
	DKIMPrivateKey string
	// BounceLocalPart is the local part of the VERP envelope sender of
	// notices (<local>+<notice id>@<domain of smtp_from>).
	BounceLocalPart string
	MaxBodyBytes    int64
	LogLevel        string
	PprofAddr       string
	// WorkerWorkflowTasks and WorkerActivities are a worker's concurrent
	// workflow tasks and activities.
	WorkerWorkflowTasks int
	WorkerActivities    int
	// IntakeStarters start stored reports' workflows after the answer
	// (0: in the request).
	IntakeStarters int
	// WorkerStartsCases: in the split deployment the workers start the
	// cases the server stores (intake.Service.DeferStarts, ClaimStarts).
	WorkerStartsCases bool

	OperatorReminderAfter  time.Duration
	OperatorResponseWindow time.Duration
	ReporterInfoWindow     time.Duration
	NoticeTokenTTL         time.Duration
	DisputeReviewWindow    time.Duration
	WhoisCorrectionWindow  time.Duration
	// Appeal deadline and interstitial grace (docs/DESIGN.md "Mitigations").
	MitigationReviewWindow time.Duration
	InterstitialGrace      time.Duration
	// NCSEIEscalateShare is the share of the 48-hour ncsei removal window
	// after which an undecided case escalates, to NCSEIEscalationEmail
	// when set (workflows/ncsei.go).
	NCSEIEscalateShare   float64
	NCSEIEscalationEmail string

	CopyrightStrikes      int
	CopyrightStrikeWindow time.Duration
	HostingStrikes        int
	HostingStrikeWindow   time.Duration

	TokenSecret     string
	PayloadKeys     string
	AuditSigningKey string
	Clearinghouse   // the clearinghouse API (config/clearinghouse.go)
	// ThreatAuthorities are the authorities informed of threats to life
	// or safety, one per member state (DSA Art. 18; config/threat.go).
	ThreatAuthorities []ThreatAuthority

	// Limits are the intake rate limits, the reporter mail cap and the
	// HTTP timeouts (config/limits.go).
	Limits Limits
	// Auth is the console session lifetime and the limit on failed
	// authentications (config/auth.go).
	Auth Auth
	Edge Edge // the edge's client-country header (config/edge.go)

	// AnswerRedeliveryInterval is how often operators' and reporters'
	// answers whose signal failed are delivered again (server/answers.go).
	AnswerRedeliveryInterval time.Duration
}

// Load reads the configuration. file may be empty: then ./abusedesk.yaml is
// read when present. Every invalid value is reported, each naming its key,
// in one error.
func Load(file string) (*Config, error) {
	names := make([]string, len(Keys))
	for i, k := range Keys {
		names[i] = k.Name
	}
	v, err := source(file, names)
	if err != nil {
		return nil, err
	}
	for _, k := range v.AllKeys() {
		if !known(k) {
			return nil, fmt.Errorf("config: unknown key %q", k)
		}
	}
	c := &Config{File: v.ConfigFileUsed()}
	r := &reader{v: v}
	r.connections(c)
	r.notices(c)
	r.process(c)
	r.clearinghouse(c)
	c.Limits, r.errs = loadLimits(v, r.errs)
	c.Auth, r.errs = loadAuth(v, r.errs)
	c.Edge, r.errs = loadEdge(v, r.errs)
	c.APIKeys, r.errs = loadAPIKeys(v, r.errs)
	c.ThreatAuthorities, r.errs = loadThreatAuthorities(v, r.errs)
	r.errs = checkRawKey("bootstrap_admin_key", c.BootstrapAdminKey, r.errs)
	c.LocalAdminKey = r.boolean("local_admin_key")
	r.check(c)
	if len(r.errs) > 0 {
		return nil, fmt.Errorf("invalid configuration:\n  %s", strings.Join(r.errs, "\n  "))
	}
	if c.BootstrapAdminKey != "" {
		c.APIKeys = append(c.APIKeys, APIKey{Name: "bootstrap-admin", Hash: HashKey(c.BootstrapAdminKey), Role: "admin"})
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.HTTPAddr
	}
	return c, nil
}

// reader reads typed values of the keys and collects the problems, each
// naming its key and variable.
type reader struct {
	v    *viper.Viper
	errs []string
}

func (r *reader) fail(key, format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf("%s (ABUSEDESK_%s): ", key, strings.ToUpper(key))+fmt.Sprintf(format, args...))
}

// dur reads a positive duration.
func (r *reader) dur(key string) time.Duration {
	d, err := time.ParseDuration(r.v.GetString(key))
	if err != nil || d <= 0 {
		r.fail(key, "%q is not a positive duration like 72h", r.v.GetString(key))
	}
	return d
}

// boolean reads true/false (also 1/0, yes/no; empty is false).
func (r *reader) boolean(key string) bool {
	s := strings.ToLower(r.v.GetString(key))
	switch s {
	case "true", "1", "yes":
		return true
	case "false", "0", "no", "":
		return false
	}
	r.fail(key, "%q is not true or false", s)
	return false
}

// addr reads host:port; optional allows empty (the part is off).
func (r *reader) addr(key string, optional bool) string {
	s := r.v.GetString(key)
	if s == "" && optional {
		return s
	}
	if _, _, err := net.SplitHostPort(s); err != nil {
		r.fail(key, "%q is not host:port", s)
	}
	return s
}

// connections reads the addresses and connections: HTTP, Temporal, the
// database and SMTP.
func (r *reader) connections(c *Config) {
	v := r.v
	c.HTTPAddr = r.addr("http_addr", false)
	c.PprofAddr = r.addr("pprof_addr", true)
	c.DataDir = v.GetString("data_dir")
	c.PublicURL = strings.TrimRight(v.GetString("public_url"), "/")
	c.ProviderName = strings.TrimSpace(v.GetString("provider_name"))
	c.TemporalAddress = r.addr("temporal_address", false)
	c.TemporalEmbedded = r.boolean("temporal_embedded")
	c.TemporalNamespace = v.GetString("temporal_namespace")
	c.TemporalTLS = r.boolean("temporal_tls")
	c.TemporalTLSCert = v.GetString("temporal_tls_cert")
	c.TemporalTLSKey = v.GetString("temporal_tls_key")
	c.TemporalTLSCA = v.GetString("temporal_tls_ca")
	c.TemporalRetention = r.dur("temporal_retention")
	c.TaskQueue = v.GetString("task_queue")
	c.UIAddr = r.addr("ui_addr", true)
	c.DatabaseURL = v.GetString("database_url")
	c.SMTPAddr = r.addr("smtp_addr", true)
	c.SMTPFrom = v.GetString("smtp_from")
	c.IntakeSMTPAddr = r.addr("intake_smtp_addr", true)
	c.BootstrapAdminKey = v.GetString("bootstrap_admin_key")
}

// notices reads how notices find their recipients (RDAP) and how they are
// signed (DKIM) and bounce (VERP).
func (r *reader) notices(c *Config) {
	v := r.v
	c.RDAPEnabled = r.boolean("rdap_enabled")
	c.RDAPURL = v.GetString("rdap_url")
	c.RDAPBootstrapURL = v.GetString("rdap_bootstrap_url")
	c.RDAPNetworksFile = v.GetString("rdap_networks_file")
	if c.RDAPEnabled && c.RDAPURL == "" && c.RDAPBootstrapURL == "" {
		r.fail("rdap_bootstrap_url", "must be set when rdap_enabled is true and rdap_url is empty")
	}
	c.RDAPTimeout = r.dur("rdap_timeout")
	c.DKIMSelector = v.GetString("dkim_selector")
	c.DKIMDomain = v.GetString("dkim_domain")
	c.DKIMPrivateKey = v.GetString("dkim_private_key")
	c.BounceLocalPart = v.GetString("bounce_local_part")
	if c.BounceLocalPart == "" || strings.ContainsAny(c.BounceLocalPart, "+@<> \t\"") {
		r.fail("bounce_local_part", "must be a non-empty local part without +, @, <, >, quotes or spaces")
	}
	if c.RDAPTimeout > 20*time.Second {
		// The lookup runs inside the classification (a 30 s local activity).
		r.fail("rdap_timeout", "must be at most 20s")
	}
	if c.DKIMSelector == "" {
		r.fail("dkim_selector", "must not be empty")
	}
}

// process reads the process's own settings, the workflows' durations and
// strike policies, the worker's sizes and the secrets.
func (r *reader) process(c *Config) {
	v := r.v
	c.MaxBodyBytes = v.GetInt64("max_body_bytes")
	c.LogLevel = v.GetString("log_level")
	c.OperatorReminderAfter = r.dur("operator_reminder_after")
	c.OperatorResponseWindow = r.dur("operator_response_window")
	c.ReporterInfoWindow = r.dur("reporter_info_window")
	c.NoticeTokenTTL = r.dur("notice_token_ttl")
	c.DisputeReviewWindow = r.dur("dispute_review_window")
	c.WhoisCorrectionWindow = r.dur("whois_correction_window")
	c.MitigationReviewWindow = r.dur("mitigation_review_window")
	c.InterstitialGrace = r.dur("interstitial_grace")
	c.NCSEIEscalateShare = v.GetFloat64("ncsei_escalate_share")
	if c.NCSEIEscalateShare <= 0 || c.NCSEIEscalateShare >= 1 {
		r.fail("ncsei_escalate_share", "must be more than 0 and less than 1")
	}
	c.NCSEIEscalationEmail = v.GetString("ncsei_escalation_email")
	if e := c.NCSEIEscalationEmail; e != "" && !strings.Contains(e, "@") {
		r.fail("ncsei_escalation_email", "%q is not an email address", e)
	}
	c.AnswerRedeliveryInterval = r.dur("answer_redelivery_interval")
	c.CopyrightStrikes = v.GetInt("copyright_strikes")
	c.CopyrightStrikeWindow = r.dur("copyright_strike_window")
	c.HostingStrikes = v.GetInt("hosting_strikes")
	c.WorkerWorkflowTasks = v.GetInt("worker_workflow_tasks")
	c.WorkerActivities = v.GetInt("worker_activities")
	c.IntakeStarters = v.GetInt("intake_starters")
	c.WorkerStartsCases = r.boolean("worker_starts_cases")
	c.HostingStrikeWindow = r.dur("hosting_strike_window")
	c.TokenSecret = v.GetString("token_secret")
	c.PayloadKeys = v.GetString("payload_keys")
	c.AuditSigningKey = v.GetString("audit_signing_key")
}

// check reports the values that read well but cannot work.
func (r *reader) check(c *Config) {
	for key, n := range map[string]int{"worker_workflow_tasks": c.WorkerWorkflowTasks, "worker_activities": c.WorkerActivities} {
		if n < 2 {
			r.fail(key, "must be a number of at least 2")
		}
	}
	if c.MaxBodyBytes < 1024 {
		r.fail("max_body_bytes", "must be at least 1024")
	}
	if c.IntakeStarters < 0 || c.IntakeStarters > 1024 {
		r.fail("intake_starters", "must be a number from 0 to 1024")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		r.fail("log_level", "%q is not debug, info, warn or error", c.LogLevel)
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		r.fail("database_url", "%q must start with postgres:// or sqlite:", c.DatabaseURL)
	}
	if c.TemporalNamespace == "" {
		r.fail("temporal_namespace", "must not be empty")
	}
}

// source reads the named keys from defaults, then file (or ./abusedesk.yaml
// when file is empty and it exists), then ABUSEDESK_* variables. Load and
// the optional parts' loaders share it, so every key has one precedence.
func source(file string, names []string) (*viper.Viper, error) {
	v := viper.New()
	// An empty variable means empty (ABUSEDESK_UI_ADDR= turns the UI off).
	v.AllowEmptyEnv(true)
	for _, name := range names {
		for _, k := range Keys {
			if k.Name == name && k.Default != nil {
				v.SetDefault(name, k.Default)
			}
		}
		_ = v.BindEnv(name, "ABUSEDESK_"+strings.ToUpper(name))
	}
	if file == "" {
		if _, err := os.Stat("abusedesk.yaml"); err == nil {
			file = "abusedesk.yaml"
		}
	}
	if file != "" {
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("config file %s: %w", file, err)
		}
	}
	return v, nil
}

func known(k string) bool {
	root := strings.SplitN(k, ".", 2)[0]
	for _, key := range Keys {
		if key.Name == root {
			return true
		}
	}
	return false
}

// HashKey returns the hex SHA-256 of an API key, the form keys are stored in.
func HashKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}
