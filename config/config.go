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
	File              string
	HTTPAddr          string
	DataDir           string
	PublicURL         string
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

	OperatorReminderAfter  time.Duration
	OperatorResponseWindow time.Duration
	ReporterInfoWindow     time.Duration
	NoticeTokenTTL         time.Duration
	DisputeReviewWindow    time.Duration
	WhoisCorrectionWindow  time.Duration

	CopyrightStrikes      int
	CopyrightStrikeWindow time.Duration
	HostingStrikes        int
	HostingStrikeWindow   time.Duration

	TokenSecret     string
	PayloadKeys     string
	AuditSigningKey string

	// Limits are the intake rate limits, the reporter mail cap and the
	// HTTP timeouts (config/limits.go).
	Limits Limits
	// Auth is the console session lifetime and the limit on failed
	// authentications (config/auth.go).
	Auth Auth

	// AnswerRedeliveryInterval is how often operators' and reporters'
	// answers whose signal failed are delivered again (server/answers.go).
	AnswerRedeliveryInterval time.Duration
}

// Key documents one configuration key.
type Key struct {
	Name    string
	Default any
	Help    string
}

// Keys is every configuration key, its default and what it does. The env
// variable is ABUSEDESK_ + upper-case name.
var Keys = []Key{
	{"http_addr", "127.0.0.1:8080", "address of the HTTP API and pages"},
	{"data_dir", "./data", "where the embedded default keeps its SQLite files and generated keys"},
	{"public_url", "", "base URL used in links sent by email (default http://<http_addr>)"},
	{"temporal_address", "127.0.0.1:7233", "where the embedded Temporal server listens, or the cluster to join"},
	{"temporal_embedded", true, "run an in-process Temporal dev server (serve only)"},
	{"temporal_namespace", "default", "Temporal namespace of the cases"},
	{"temporal_tls", false, "connect to Temporal over TLS"},
	{"temporal_tls_cert", "", "client certificate file for mTLS"},
	{"temporal_tls_key", "", "client key file for mTLS"},
	{"temporal_tls_ca", "", "CA file that signs the server certificate"},
	{"temporal_retention", "87600h", "how long Temporal keeps closed histories (audits need years)"},
	{"task_queue", "abuse-cases", "Temporal task queue of the worker"},
	{"ui_addr", "127.0.0.1:8233", "embedded Temporal Web UI address; empty: no UI"},
	{"database_url", "", "empty: SQLite in data_dir; postgres://...: PostgreSQL"},
	{"smtp_addr", "", "SMTP relay host:port for notices; empty: notices stay in the outbox"},
	{"smtp_from", "abuse@abusedesk.invalid", "From address of notices"},
	{"intake_smtp_addr", "", "listen address of the email intake; empty: no email intake"},
	{"bootstrap_admin_key", "", "adds one admin API key at start (at least 16 characters)"},
	{"api_keys", nil, "list of {name, hash (hex SHA-256 of the key), role: admin|analyst|auditor|customer|authority, account (customer keys)}; in ABUSEDESK_API_KEYS as JSON: [{\"name\":\"ops\",\"hash\":\"<sha256 hex>\",\"role\":\"auditor\"}]"},
	{"rdap_enabled", true, "look up the hosting provider of an origin IP by RDAP when no customer network matches (false: only the customer records and rdap_networks_file)"},
	{"rdap_url", "", "one RDAP server asked about every IP (its base URL; the IP is appended as {rdap_url}ip/{ip}, or {rdap_url}{ip} when it ends in ip/); empty: the server is chosen by rdap_bootstrap_url"},
	{"rdap_bootstrap_url", "https://data.iana.org/rdap/", "RFC 9224 bootstrap registry choosing the RDAP server of an IP (longest matching prefix; read once a day) when rdap_url is empty: URL of the directory of ipv4.json and ipv6.json, or a local directory or file; private and documentation addresses are never looked up this way"},
	{"rdap_networks_file", "", "local YAML/JSON list of networks ({cidr, provider, abuse_email}, as in the customer records), asked after the customer networks and before RDAP, re-read when it changes; empty: data_dir/networks.yaml when it exists"},
	{"rdap_timeout", "5s", "longest time one RDAP lookup may take; then the case goes on with the host unknown"},
	{"dkim_selector", "abusedesk", "DKIM selector of the notice signature (publish the record that abusedesk dkim-record prints)"},
	{"dkim_domain", "", "DKIM signing domain (d=); empty: the domain of smtp_from"},
	{"dkim_private_key", "", "DKIM private key of notices: PEM (RSA or Ed25519, PKCS#8 or PKCS#1) or a file holding it; empty: an RSA key generated into data_dir/dkim.key"},
	{"bounce_local_part", "bounces", "local part of the VERP envelope sender of notices, <bounce_local_part>+<notice id>@<domain of smtp_from>; delivery status notifications to it must reach the email intake"},
	{"max_body_bytes", 4 << 20, "largest accepted request body (a 10,000-URL notice is about 1.1 MB)"},
	{"log_level", "info", "debug, info, warn or error"},
	{"worker_workflow_tasks", 4, "workflow tasks a worker runs at once (each a CPU-bound step of a case; more than a few per core only queue in the history service: measured in README 'Load and faults')"},
	{"worker_activities", 200, "activities a worker runs at once (notices, lookups: mostly waiting on the network)"},
	{"pprof_addr", "", "listen address of the Go profiler (net/http/pprof, no authentication: keep it on loopback); empty: off"},
	{"operator_reminder_after", "72h", "reminder to the operator after a hosted-content notice"},
	{"operator_response_window", "168h", "deadline for the operator's answer; then the content is removed"},
	{"reporter_info_window", "336h", "how long a need_info question waits for the reporter"},
	{"notice_token_ttl", "720h", "validity of an operator's response link"},
	{"dispute_review_window", "168h", "deadline for an analyst to decide an operator's dispute"},
	{"whois_correction_window", "360h", "registrant's deadline to correct WHOIS data"},
	{"answer_redelivery_interval", "30s", "how often operators' and reporters' answers recorded but not yet delivered to their case (the signal failed) are signalled again"},
	{"copyright_strikes", 3, "upheld copyright strikes that open a repeat-infringer termination review"},
	{"copyright_strike_window", "8760h", "sliding window of the copyright strikes (12 months)"},
	{"hosting_strikes", 3, "upheld hosting violations without a meaningful step that open a hosting termination review"},
	{"hosting_strike_window", "4380h", "sliding window of the hosting strikes (6 months)"},
	{"token_secret", "", "secret that derives operator response-link tokens; empty: generated into data_dir/token.secret (give every process of a split deployment the same one)"},
	{"payload_keys", "", "payload encryption key ring 'id:base64key,...' (first encrypts); empty: generated into data_dir/payload.keys"},
	{"audit_signing_key", "", "Ed25519 note signing key of the audit log; empty: generated into data_dir/audit.key"},
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
	c.Limits, r.errs = loadLimits(v, r.errs)
	c.Auth, r.errs = loadAuth(v, r.errs)
	c.APIKeys, r.errs = loadAPIKeys(v, r.errs)
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
	c.AnswerRedeliveryInterval = r.dur("answer_redelivery_interval")
	c.CopyrightStrikes = v.GetInt("copyright_strikes")
	c.CopyrightStrikeWindow = r.dur("copyright_strike_window")
	c.HostingStrikes = v.GetInt("hosting_strikes")
	c.WorkerWorkflowTasks = v.GetInt("worker_workflow_tasks")
	c.WorkerActivities = v.GetInt("worker_activities")
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
