package config

// Key documents one configuration key.
type Key struct {
	Name    string
	Default any
	Help    string
}

// Keys is every configuration key, its default and what it does. The env
// variable is ABUSEDESK_ + upper-case name.
var Keys = append([]Key{
	{"http_addr", "127.0.0.1:8080", "address of the HTTP API and pages"},
	{"data_dir", "./data", "where the embedded default keeps its SQLite files and generated keys"},
	{"public_url", "", "base URL used in links sent by email (default http://<http_addr>)"},
	{"provider_name", "", "the provider's own name in the customer records' networks (provider field): an IP report about an address on those networks is ours; empty: only customers' origin IPs match"},
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
	{"worker_workflow_tasks", 32, "workflow tasks a worker runs at once (a CDN case runs whole in one, its notices as local activities, so a task mostly waits on the database); the intake waits for a free one before each start, so the start hands it the case's first task (eager); measured in README 'Load and faults'"},
	{"worker_starts_cases", true, "split deployment: the workers start the workflows of the cases the HTTP server (abusedesk server, which runs no worker) stores, so each start hands its first workflow task to the worker that made it (eager); false: the server starts them, every first task through the task queue"},
	{"intake_starters", 32, "goroutines that start the workflows of stored reports after the 202 (the intake's outbox; a full queue of 1,024 makes a request start its own case, a crash leaves the rest to the reconciler); 0: each request starts its case before answering"},
	{"worker_activities", 200, "activities a worker runs at once (notices, lookups: mostly waiting on the network)"},
	{"pprof_addr", "", "listen address of the Go profiler (net/http/pprof, no authentication: keep it on loopback); empty: off"},
	{"operator_reminder_after", "72h", "reminder to the operator after a hosted-content notice"},
	{"operator_response_window", "168h", "deadline for the operator's answer; then the content is removed"},
	{"reporter_info_window", "336h", "how long a need_info question waits for the reporter"},
	{"notice_token_ttl", "720h", "validity of an operator's response link"},
	{"dispute_review_window", "168h", "deadline for an analyst to decide an operator's dispute"},
	{"whois_correction_window", "360h", "registrant's deadline to correct WHOIS data"},
	{"mitigation_review_window", "72h", "deadline for an analyst to decide a customer's appeal of a mitigation; past it the appeal is flagged overdue"},
	{"ncsei_escalate_share", 0.5, "share of the TAKE IT DOWN Act's 48-hour removal window after which an ncsei case no analyst has decided is escalated (more than 0, less than 1)"},
	{"ncsei_escalation_email", "", "address that receives escalations of ncsei cases no analyst decided in time; empty: escalations are only recorded (audit log, case timeline)"},
	{"interstitial_grace", "24h", "how long a phishing or misleading interstitial stays pending, so the customer can fix the site first"},
	{"answer_redelivery_interval", "30s", "how often operators' and reporters' answers recorded but not yet delivered to their case (the signal failed) are signalled again"},
	{"copyright_strikes", 3, "upheld copyright strikes that open a repeat-infringer termination review"},
	{"copyright_strike_window", "8760h", "sliding window of the copyright strikes (12 months)"},
	{"hosting_strikes", 3, "upheld hosting violations without a meaningful step that open a hosting termination review"},
	{"hosting_strike_window", "4380h", "sliding window of the hosting strikes (6 months)"},
	{"token_secret", "", "secret that derives operator response-link tokens; empty: generated into data_dir/token.secret (give every process of a split deployment the same one)"},
	{"payload_keys", "", "payload encryption key ring 'id:base64key,...' (first encrypts); empty: generated into data_dir/payload.keys"},
	{"audit_signing_key", "", "Ed25519 note signing key of the audit log; empty: generated into data_dir/audit.key"},
	{"threat_authorities", "", "law-enforcement or judicial authority informed of a suspicion of a criminal offence threatening someone's life or safety (DSA Art. 18), one per member state: CODE=address,... with EU/EEA ISO 3166-1 alpha-2 codes (EU for Europol), e.g. DE=lka@polizei.example,FR=pharos@interieur.example; POST /v1/cases/{id}/referrals mails only these; empty: no referrals"},
}, clearinghouseKeys...)
