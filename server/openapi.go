package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
)

// op documents one endpoint for /openapi.json.
type op struct {
	Method, Path, Summary, Role string
	Body                        string // schema name of the JSON body
	OK                          int
	Result                      string // schema name of the success body
	Query                       []string
}

// apiOps is every endpoint and its owner role ("public" where a token or
// nothing scopes it).
var apiOps = []op{
	{"POST", "/v1/reports", "File an abuse report (Idempotency-Key header supported)", "public", "Report", 202, "Created", nil},
	{"GET", "/v1/reports/{case_id}", "The reporter's view of a case", "reporter token", "", 200, "ReporterView", []string{"token"}},
	{"POST", "/v1/reports/{case_id}/answer", "Answer an analyst's question", "reporter token", "Answer", 202, "", []string{"token"}},
	{"POST", "/v1/reports/{case_id}/complete", "Complete an incomplete copyright complaint with the 512(c)(3) statements and signature (17 U.S.C. 512(c)(3)(B)(ii)); 409 not an incomplete copyright case, 422 names what is missing", "reporter token", "CopyrightCompletion", 202, "", []string{"token"}},
	{"POST", "/client/v4/accounts/{account_id}/abuse-reports/{report_type}", "File an abuse report in the reference's shape (act abuse_dmca, abuse_trademark, abuse_general, abuse_phishing, abuse_children, abuse_threat, abuse_registrar_whois, abuse_ncsei); answered in the v4 envelope, result the case id", "public (a reporter key raises the limits)", "V4AbuseReport", 200, "", nil},
	{"POST", "/v1/reports/xarf", "File one X-ARF v4 JSON report", "public", "XARF", 202, "Created", nil},
	{"GET", "/v1/notices/{notice_id}", "The operator's view of a notice", "notice token", "", 200, "OperatorView", []string{"token"}},
	{"POST", "/v1/notices/{notice_id}/response", "The operator's answer: removed, dispute, counter_notice", "notice token", "Response", 202, "", []string{"token"}},
	{"GET", "/v1/blocklist", "Mitigations in force (active or in_review) for edge nodes, each with object_id, url_prefix, removed, case_id, mitigation_id, type, entity_type, entity_id, countries, status (ETag)", "public (edge)", "", 200, "Blocklist", nil},
	{"GET", "/v1/blocked/{object_id}", "Public statement behind a 451 (a mitigation id, or an object id of older links)", "public", "", 200, "", nil},
	{"GET", "/edge/{host}/{path}", "Edge answer: 451 for content disabled or removed and for a legal block in the client's country (header edge_country_header, else ?country=); a warning page (200, text/html) for an interstitial, with a continue link for misleading content only; 200 otherwise", "public (edge)", "", 200, "", []string{"country", "abusedesk_continue"}},
	{"GET", "/v1/cases", "Queue of cases (CSAM first, then emergencies, then ncsei requests, then by deadline); assignee=me|none|<key name> filters by claim", "analyst", "", 200, "CaseList", []string{"status", "category", "service", "domain", "assignee", "deadline_before", "limit", "cursor"}},
	{"GET", "/v1/cases/summary", "Counts of cases per status, open cases, and the oldest open case's creation time and age in seconds (one bounded query)", "analyst", "", 200, "CaseSummary", nil},
	{"POST", "/v1/cases/{case_id}/claim", "Claim a case for the calling analyst (assignee = key name; journaled); 409 when another analyst holds it unless force", "analyst", "Claim", 200, "ClaimAnswer", nil},
	{"POST", "/v1/cases/{case_id}/release", "Give up a claim (journaled); 409 for another analyst's claim unless force", "analyst", "Claim", 200, "ClaimAnswer", nil},
	{"POST", "/v1/decisions/bulk", "One decision (violates, no_violation, uphold, reverse, decline) for 1 to 100 cases, each its own validated Update; 200 with a result per case (its code, state after or error); 422 when the decision itself is malformed (no case touched)", "analyst", "BulkDecision", 200, "BulkResults", nil},
	{"GET", "/v1/cases/{case_id}", "One case with its notices", "analyst", "", 200, "Case", nil},
	{"GET", "/v1/dashboard", "Dashboard over the last days whole UTC days (1-90, default 30): reports per day by channel and by category, time to first action (median, p90, per day; durations in ns), open cases near their deadline (overdue, within 24 h / 72 h / 7 d)", "analyst or auditor", "", 200, "", []string{"days"}},
	{"POST", "/v1/cases/{case_id}/decisions", "An analyst decision (Temporal Update; 409 wrong state, 422 malformed); answers the case's state after it", "analyst", "Decision", 200, "DecisionAnswer", nil},
	{"POST", "/v1/cases/{case_id}/mail-replies/{reply_id}/accept", "Record a reply by mail's suggested answer (removed) as the operator's answer; a counter-notice is refused (409): the operator files it through the notice's link", "analyst", "", 202, "", nil},
	{"POST", "/v1/cases/{case_id}/court-action", "The complainant filed a court action", "analyst", "CourtAction", 202, "", nil},
	{"GET", "/v1/cases/{case_id}/mitigations", "The case's mitigations with their events (status pending, active, in_review, cancelled, removed)", "analyst", "", 200, "Mitigations", nil},
	{"POST", "/v1/cases/{case_id}/mitigations", "Place an interstitial (phishing or malware; pending for interstitial_grace) or a legal block (451 in the countries named) on a pass-through case, in addition to the forwards; 409 not a cdn case, 422 every problem", "analyst", "PlaceMitigation", 201, "Mitigations", nil},
	{"GET", "/v1/mitigations/in-review", "Mitigations whose appeal awaits an analyst: overdue first, then by review deadline", "analyst", "", 200, "Mitigations", nil},
	{"POST", "/v1/mitigations/{mitigation_id}/review", "Uphold (active) or lift (removed) a mitigation under review; the customer is told; 409 not in review", "analyst", "MitigationReview", 200, "Mitigation", nil},
	{"POST", "/v1/orders", "Record (admin) or file (authority key) an order from an authority: dsa_art9, dsa_art10, tco_removal (effect within one hour of receipt), court; 422 lists every problem (an admin's recorded order that lacks an element or has a manifest error is stored and refused)", "authority", "Order", 201, "", nil},
	{"GET", "/v1/orders/{order_id}", "An order: its state, deadline, mitigations and what was done when; an authority sees only its own (404 otherwise)", "analyst, auditor or authority", "", 200, "", nil},
	{"GET", "/v1/orders", "Orders from authorities, newest received first", "analyst or auditor", "", 200, "", []string{"kind", "status", "page", "per_page"}},
	{"POST", "/v1/mitigations/{mitigation_id}/cancel", "The customer fixed the problem: a pending mitigation is cancelled, one in force removed; 409 ended", "analyst", "MitigationCancel", 200, "Mitigation", nil},
	{"GET", "/v1/reviews", "Termination reviews", "analyst", "", 200, "", []string{"status"}},
	{"POST", "/v1/reviews/{account_id}/{kind}/decisions", "terminate or decline a review; answers the review's state after it", "analyst", "ReviewDecision", 200, "ReviewAnswer", nil},
	{"GET", "/v1/cases/{case_id}/history", "The workflow history (temporal workflow show --output json), payloads decoded; ?encoded=1 as stored", "auditor", "", 200, "", []string{"download", "encoded"}},
	{"POST", "/v1/cases/{case_id}/legal-hold", "Set or lift a legal hold (keeps personal data past purge_after)", "analyst", "LegalHold", 200, "", nil},
	{"POST", "/v1/cases/{case_id}/clearinghouse/filed", "Record the clearinghouse's report id of a CSAM report an analyst filed by hand (no clearinghouse API configured): the report is finished and its material preserved for one year; 404 no report, 409 filed already or being submitted, 422 bad report_id", "analyst", "ClearinghouseFiled", 200, "", nil},
	{"POST", "/v1/cases/{case_id}/referrals", "Refer the case to the law-enforcement or judicial authority of a member state (DSA Art. 18: a suspicion of a criminal offence involving a threat to someone's life or safety): a Referral workflow records it, mails the authority configured in threat_authorities what the desk knows and records when; 201 new, 200 the referral made before to that member state (nothing sent again), 404 no case, 422 every problem (a member state without an authority names the configured ones)", "analyst", "Referral", 201, "ReferralView", nil},
	{"POST", "/v1/admin/customers", "Load customer records (upsert by id)", "admin", "Customers", 200, "", nil},
	{"GET", "/v1/admin/outbox", "Notices as delivered, with live links", "admin", "", 200, "", []string{"case_id", "status", "limit"}},
	{"GET", "/v1/admin/intake-replies", "Replies of the email intake (refusal, partial, ip_report, duplicate), sent or kept unsent with the reason, newest first", "analyst", "", 200, "", []string{"status", "case_id", "limit"}},
	{"GET", "/v1/admin/senders", "Email intake senders by format: counts, last problem, format drift (drifting first)", "analyst", "", 200, "", []string{"limit"}},
	{"POST", "/v1/admin/sessions/revoke", "End every console session of one API key, in every process (by key_name or key_hash)", "admin", "RevokeSessions", 200, "Revoked", nil},
	{"POST", "/v1/admin/api-keys", "Issue a customer key for one account (answered once: 32 random bytes, hex; stored as its SHA-256); 409 a name used before", "admin", "KeyRequest", 201, "", nil},
	{"DELETE", "/v1/admin/api-keys/{name}", "Revoke an issued key", "admin", "", 200, "", nil},
	{"GET", "/v1/account/reports", "The reports about the key's account's domains (type: PHISH, GEN, THREAT, DMCA, EMER, TM, REG_WHO, NCSEI, NETWORK or a category; status accepted|in_review; sort property[,asc|desc])", "customer", "", 200, "", []string{"domain", "type", "status", "mitigation_status", "created_after", "created_before", "page", "per_page", "sort"}},
	{"GET", "/v1/account/reports/{report_id}", "One report of the account with its mitigation summary; another account's is 404", "customer", "", 200, "", nil},
	{"GET", "/v1/account/reports/{report_id}/mitigations", "The account's mitigations of a report", "customer", "", 200, "", []string{"type", "status", "entity_type", "effective_after", "effective_before", "page", "per_page", "sort"}},
	{"POST", "/v1/account/reports/{report_id}/appeal", "Ask for a review of mitigations (reason removed|misclassified, statement); they are in_review until an analyst upholds or lifts them", "customer", "Appeals", 200, "", nil},
	{"GET", "/v1/account/reports/{report_id}/emails", "The notices the desk sent the account about a report, with their delivery state (queued, sent, bounced, redirected)", "customer", "", 200, "", nil},
	{"GET", "/v1/account/abuse-contact", "The account's abuse contact", "customer", "", 200, "AbuseContact", nil},
	{"PUT", "/v1/account/abuse-contact", "Set (\"\" removes) the account's abuse contact: operator notices go there; with none to the operator address on record, then to the hosting provider", "customer", "AbuseContact", 200, "AbuseContact", nil},
	{"GET", "/client/v4/accounts/{account_id}/abuse-reports", "The reference's list of reports (v4 envelope, result.items[0].reports)", "customer", "", 200, "", []string{"domain", "type", "status", "mitigation_status", "created_after", "created_before", "page", "per_page", "sort"}},
	{"GET", "/client/v4/accounts/{account_id}/abuse-reports/{report_param}", "The reference's report (v4 envelope)", "customer", "", 200, "", nil},
	{"GET", "/client/v4/accounts/{account_id}/abuse-reports/{report_param}/mitigations", "The reference's list of mitigations (v4 envelope, result.items[0].mitigations)", "customer", "", 200, "", []string{"type", "status", "entity_type", "effective_after", "effective_before", "page", "per_page", "sort"}},
	{"POST", "/client/v4/accounts/{account_id}/abuse-reports/{report_param}/mitigations/appeal", "The reference's appeal (v4 envelope, result the appealed mitigations)", "customer", "Appeals", 200, "", nil},
	{"GET", "/v1/audit/checkpoint", "Latest signed checkpoint of the audit log", "auditor", "", 200, "", nil},
	{"GET", "/v1/audit/entries", "A case's audit entries", "auditor", "", 200, "", []string{"case_id"}},
	{"GET", "/v1/audit/proof/inclusion", "Inclusion proof", "auditor", "", 200, "", []string{"index", "size"}},
	{"GET", "/v1/audit/proof/consistency", "Consistency proof", "auditor", "", 200, "", []string{"from", "to"}},
	{"GET", "/v1/statements", "DSA statements of reasons (pages of at most 100)", "auditor", "", 200, "", []string{"from", "to", "page"}},
	{"GET", "/v1/transparency", "Transparency report", "auditor", "", 200, "", []string{"from", "to", "format"}},
	{"POST", "/v1/codec/encode", "Payload codec for the Web UI", "auditor", "Payloads", 200, "Payloads", nil},
	{"POST", "/v1/codec/decode", "Payload codec for the Web UI", "auditor", "Payloads", 200, "Payloads", nil},
	{"OPTIONS", "/v1/codec/encode", "CORS preflight of the payload codec (carries no credentials)", "public", "", 204, "", nil},
	{"OPTIONS", "/v1/codec/decode", "CORS preflight of the payload codec (carries no credentials)", "public", "", 204, "", nil},
	{"GET", "/healthz", "Health of the database and Temporal", "public", "", 200, "", nil},
	{"GET", "/metrics", "Prometheus metrics", "public", "", 200, "", nil},
	{"GET", "/openapi.json", "This document", "public", "", 200, "", nil},
}

var str = map[string]any{"type": "string"}
var boolean = map[string]any{"type": "boolean"}

func obj(required []string, props map[string]any) map[string]any {
	m := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		m["required"] = required
	}
	return m
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

var schemas = map[string]any{
	"Order": orderSchema(),

	// DSA Art. 18 referrals (referrals.go).
	"Referral":     referralBody,
	"ReferralView": referralAnswer,

	"Errors": map[string]any{"type": "object", "properties": map[string]any{"errors": map[string]any{"type": "array",
		"items": obj([]string{"field", "message"}, map[string]any{"field": str, "message": str})}}},
	"Report": obj([]string{"category", "urls", "description", "reporter"}, map[string]any{
		"category":            map[string]any{"type": "string", "enum": []string{"copyright", "trademark", "phishing", "malware", "csam", "violent_threat", "personal_information", "controlled_substances", "human_trafficking", "defamation", "fraud", "registrar_whois", "registrar_hijacking", "ncsei", "other"}},
		"urls":                map[string]any{"type": "array", "minItems": 1, "maxItems": 10000, "items": map[string]any{"type": "string", "format": "uri"}},
		"description":         str,
		"reporter":            obj(nil, map[string]any{"name": str, "email": map[string]any{"type": "string", "format": "email"}, "organization": str, "title": str}),
		"forward_to_operator": boolean,
		"copyright":           obj([]string{"work", "good_faith", "accurate_under_penalty", "signature"}, map[string]any{"work": str, "good_faith": boolean, "accurate_under_penalty": boolean, "signature": str}),
		"owner_notification":  map[string]any{"type": "string", "enum": []string{"send", "send-anon", "none"}, "description": "the website operator: copyright and trademark only send, csam only none; must agree with forward_to_operator"},
		"host_notification":   map[string]any{"type": "string", "enum": []string{"send", "send-anon"}, "description": "the hosting provider: copyright and trademark only send"},
		"ncmec_notification":  map[string]any{"type": "string", "enum": []string{"send", "send-anon"}, "description": "the clearinghouse (csam only)"},
		"ncsei":               obj([]string{"signature", "good_faith_not_consensual"}, map[string]any{"signature": str, "good_faith_not_consensual": boolean}),
		"emergency":           map[string]any{"type": "boolean", "description": "someone's life or safety is in immediate danger: the case sorts right after CSAM"},
	}),
	"V4AbuseReport": map[string]any{"type": "object", "description": "the reference's report form (act and its fields; README \"Reports in the reference's shape\")",
		"required": []string{"act", "email", "email2", "name", "urls"}},
	"Created": obj([]string{"case_id", "status", "token", "status_url"}, map[string]any{"case_id": str, "status": str, "token": str, "status_url": str}),
	"Decision": obj([]string{"verdict"}, map[string]any{
		"verdict": map[string]any{"type": "string", "enum": []string{"violates", "no_violation", "need_info", "uphold", "reverse", "decline"}},
		// The clauses a violates decision takes (desk.Clauses).
		"reason": str, "clause": map[string]any{"type": "string", "enum": desk.Clauses},
		"question": str, "legal_basis": str,
		// A violates decision's path prefix instead of each reported URL.
		"scope_prefix": str}),
	"ReviewDecision": obj([]string{"verdict"}, map[string]any{
		"verdict": map[string]any{"type": "string", "enum": []string{"terminate", "decline"}},
		"reason":  str, "clause": map[string]any{"type": "string", "enum": []string{"hosting", "cdn", "registrar"}},
		"legal_basis": str}),
	"DecisionAnswer": obj([]string{"case_id", "verdict", "status"}, map[string]any{
		"case_id": str, "verdict": str, "status": str, "outcome": str, "next_deadline": str}),
	"ReviewAnswer": obj([]string{"review_id", "verdict", "status"}, map[string]any{
		"review_id": str, "verdict": str, "status": str}),
	"Response": obj([]string{"response"}, map[string]any{
		"response":  map[string]any{"type": "string", "enum": []string{"removed", "dispute", "counter_notice", "corrected"}},
		"statement": str, "material_identified": str, "under_penalty_of_perjury": boolean, "consent_to_jurisdiction": boolean,
		"name": str, "address": str, "phone": str, "signature": str}),
	"LegalHold": obj([]string{"hold"}, map[string]any{"hold": boolean}),
	"Answer":    obj([]string{"answer"}, map[string]any{"answer": str}),
	"CopyrightCompletion": obj([]string{"good_faith", "accurate_under_penalty", "signature"}, map[string]any{
		"good_faith": boolean, "accurate_under_penalty": boolean, "signature": str}),
	"CourtAction": obj(nil, map[string]any{"reference": str}),
	"Claim":       obj(nil, map[string]any{"force": boolean}),
	"ClaimAnswer": obj([]string{"case_id", "assignee"}, map[string]any{"case_id": str, "assignee": str, "previous": str,
		"assigned_at": map[string]any{"type": "string", "format": "date-time"}}),
	"PlaceMitigation": obj([]string{"type", "reason"}, map[string]any{
		"type":        map[string]any{"type": "string", "enum": []string{"phishing_interstitial", "misleading_interstitial", "legal_block"}},
		"urls":        map[string]any{"type": "array", "maxItems": 100, "items": map[string]any{"type": "string", "format": "uri"}},
		"path_prefix": str,
		"countries":   map[string]any{"type": "array", "maxItems": 60, "items": map[string]any{"type": "string", "pattern": "^[A-Z]{2}$"}},
		"reason":      str}),
	"Mitigation": obj([]string{"id", "case_id", "type", "entity_type", "entity_id", "status", "events"}, map[string]any{
		"id": str, "case_id": str, "type": str, "entity_type": str, "entity_id": str, "domain": str, "account_id": str,
		"countries": map[string]any{"type": "array", "items": str}, "status": str, "effective_date": str, "statement_id": str,
		"reason": str, "review_deadline": str, "review_overdue": boolean, "review_decision": str, "ended_at": str,
		"events": map[string]any{"type": "array", "items": obj(nil, map[string]any{"kind": str, "from": str, "to": str, "actor": str, "reason": str, "at": str})}}),
	"Mitigations":      obj([]string{"mitigations"}, map[string]any{"case_id": str, "mitigations": map[string]any{"type": "array", "items": ref("Mitigation")}}),
	"MitigationReview": obj([]string{"decision"}, map[string]any{"decision": map[string]any{"type": "string", "enum": []string{"uphold", "lift"}}, "note": str}),
	"MitigationCancel": obj([]string{"reason"}, map[string]any{"reason": str}),
	"ClearinghouseFiled": obj([]string{"report_id"},
		map[string]any{"report_id": str}),
	"CaseSummary": obj([]string{"counts", "open", "oldest_open_age_seconds"}, map[string]any{
		"counts": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "integer"}},
		"open":   map[string]any{"type": "integer"}, "oldest_open": map[string]any{"type": "string", "format": "date-time"},
		"oldest_open_age_seconds": map[string]any{"type": "integer"}}),
	"BulkDecision": obj([]string{"case_ids", "verdict"}, map[string]any{
		"case_ids": map[string]any{"type": "array", "minItems": 1, "maxItems": desk.MaxBulkCases, "items": str},
		"verdict":  map[string]any{"type": "string", "enum": []string{"violates", "no_violation", "uphold", "reverse", "decline"}},
		"clause":   map[string]any{"type": "string", "enum": desk.Clauses}, "reason": str}),
	"BulkResults": obj([]string{"results"}, map[string]any{"results": map[string]any{"type": "array", "items": obj([]string{"case_id", "decided", "code"},
		map[string]any{"case_id": str, "decided": boolean, "status": str, "outcome": str, "code": map[string]any{"type": "integer"}, "error": str,
			"problems": map[string]any{"type": "array"}})}}),
	"Customers": map[string]any{"type": "object", "properties": map[string]any{
		"accounts": map[string]any{"type": "array", "items": obj([]string{"id"}, map[string]any{"id": str, "name": str, "operator_email": str,
			"domains": map[string]any{"type": "array", "items": obj([]string{"name"}, map[string]any{"name": str,
				"services": map[string]any{"type": "array", "items": str}, "origin_ips": map[string]any{"type": "array", "items": str},
				"registrant_email": str, "hosted": map[string]any{"type": "array", "items": obj(nil, map[string]any{"url_prefix": str, "product": str, "object_id": str, "content_hash": str})}})}})},
		"networks": map[string]any{"type": "array", "items": obj([]string{"cidr", "provider"}, map[string]any{"cidr": str, "provider": str, "abuse_email": str})}}},
	"Case": map[string]any{"type": "object", "properties": map[string]any{"case_id": str, "category": str,
		"service": map[string]any{"type": "string", "enum": []string{"cdn", "hosting", "registrar", "network", "none"}}, "category_by": str, "domain": str, "status": str, "outcome": str,
		"assignee": str, "assigned_at": map[string]any{"type": "string", "format": "date-time"},
		"next_deadline": map[string]any{"type": "string", "format": "date-time"}, "needs_attention": str, "reporter_unreachable": boolean,
		"emergency": boolean, "referrals": map[string]any{"type": "array", "items": ref("ReferralView")},
		"clearinghouse": obj([]string{"report_id", "state", "filed_at"}, map[string]any{"report_id": str,
			"state":    map[string]any{"type": "string", "enum": []string{"prepared", "submitted", "files_uploaded", "finished", "retracted", "failed"}},
			"filed_at": map[string]any{"type": "string", "format": "date-time", "nullable": true}, "filed_by": str, "by_hand": boolean,
			"preserve_until": map[string]any{"type": "string", "format": "date-time"}, "error": str, "note": str}),
		"notices": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{
			"notice_id": str, "recipient_role": map[string]any{"type": "string", "enum": []string{"operator", "hosting_provider", "reporter", "registrant", "complainant", "clearinghouse", "authority"}},
			"to": str, "includes_origin_ip": boolean, "status": str, "bounce_reason": str, "redirected_to": str,
			"operator_answer": obj([]string{"kind", "statement", "answered_at", "via"}, map[string]any{
				"kind": map[string]any{"type": "string", "enum": []string{"removed", "dispute", "counter_notice", "corrected"}}, "statement": str,
				"statement_truncated": boolean, "answered_at": map[string]any{"type": "string", "format": "date-time"},
				"via": map[string]any{"type": "string", "enum": []string{"notice_link", "email"}}, "recorded_by": str,
				"counter_notice": obj(nil, map[string]any{"material_identified": str, "under_penalty_of_perjury": boolean,
					"consent_to_jurisdiction": boolean, "name": str, "signature": str})}),
			"delivery_state": map[string]any{"type": "string", "enum": []string{"queued", "sent", "bounced", "redirected", "suppressed"}}}}},
		"mail_replies": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{
			"id": map[string]any{"type": "integer"}, "notice_id": str, "from": str, "authenticated": boolean,
			"received_at": map[string]any{"type": "string", "format": "date-time"}, "subject": str, "text": str, "accepted_by": str,
			"accepted_at":      map[string]any{"type": "string", "format": "date-time"},
			"suggested_answer": map[string]any{"type": "string", "enum": []string{"", "removed", "counter_notice"}}}}}}},
	"CaseList":     map[string]any{"type": "object", "properties": map[string]any{"cases": map[string]any{"type": "array", "items": ref("Case")}, "next_cursor": str}},
	"ReporterView": map[string]any{"type": "object", "properties": map[string]any{"case_id": str, "status": str, "outcome": str, "question": str, "messages": map[string]any{"type": "array"}}},
	"OperatorView": map[string]any{"type": "object", "properties": map[string]any{"notice_id": str, "case_id": str, "body": str, "answers": map[string]any{"type": "array", "items": str}}},
	"Blocklist":    map[string]any{"type": "object", "properties": map[string]any{"blocks": map[string]any{"type": "array"}}},
	"Payloads":     map[string]any{"type": "object", "properties": map[string]any{"payloads": map[string]any{"type": "array"}}},
	"XARF":         map[string]any{"type": "object", "description": "X-ARF v4 report (xarf-core.json)"},
	"RevokeSessions": map[string]any{"type": "object", "additionalProperties": false, "description": "exactly one of key_name (a configured key) and key_hash (hex SHA-256 of the key)",
		"properties": map[string]any{"key_name": str, "key_hash": str}},
	"KeyRequest":   obj([]string{"name", "role", "account"}, map[string]any{"name": str, "role": map[string]any{"type": "string", "enum": []string{"customer"}}, "account": str}),
	"AbuseContact": obj(nil, map[string]any{"email": str}),
	"Appeals": obj([]string{"appeals"}, map[string]any{"appeals": map[string]any{"type": "array", "minItems": 1, "maxItems": 100,
		"items": obj([]string{"id", "reason"}, map[string]any{"id": str, "reason": map[string]any{"type": "string", "enum": []string{"removed", "misclassified"}}, "statement": str})}}),
	"Revoked": obj([]string{"revoked"}, map[string]any{"revoked": map[string]any{"type": "integer"}}),
}

// OpenAPIDocument builds the OpenAPI 3 document of every endpoint.
func OpenAPIDocument() map[string]any {
	paths := map[string]any{}
	for _, o := range apiOps {
		item, _ := paths[o.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[o.Path] = item
		}
		var params []any
		for _, seg := range strings.Split(o.Path, "/") {
			if strings.HasPrefix(seg, "{") {
				params = append(params, map[string]any{"name": strings.Trim(seg, "{}"), "in": "path", "required": true, "schema": str})
			}
		}
		for _, q := range o.Query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": str})
		}
		resp := map[string]any{"description": "success"}
		if o.Result != "" {
			resp["content"] = map[string]any{"application/json": map[string]any{"schema": ref(o.Result)}}
		}
		errResp := map[string]any{"description": "problems, by field", "content": map[string]any{"application/json": map[string]any{"schema": ref("Errors")}}}
		opDoc := map[string]any{
			"summary": o.Summary, "description": "Owner role: " + o.Role + ".",
			"responses": map[string]any{itoa(o.OK): resp, "400": errResp, "401": errResp, "403": errResp, "404": errResp, "409": errResp, "413": errResp, "422": errResp, "429": errResp, "503": errResp},
		}
		if len(params) > 0 {
			opDoc["parameters"] = params
		}
		if o.Body != "" {
			opDoc["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(o.Body)}}}
		}
		switch o.Role {
		case "admin", "analyst", "auditor", "customer":
			opDoc["security"] = []any{map[string]any{"apiKey": []string{}}}
		}
		item[strings.ToLower(o.Method)] = opDoc
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "abusedesk API", "version": "1.0.0", "description": "The abuse desk of an infrastructure provider. Roles: admin, analyst, auditor (API keys as Bearer tokens); reporters and operators use token links."},
		"paths":   paths,
		"components": map[string]any{"schemas": schemas, "securitySchemes": map[string]any{
			"apiKey": map[string]any{"type": "http", "scheme": "bearer"}}},
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func (s *Server) openAPI(c echo.Context) error { return c.JSON(http.StatusOK, OpenAPIDocument()) }
