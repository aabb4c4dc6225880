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
	{"POST", "/v1/reports/xarf", "File one X-ARF v4 JSON report", "public", "XARF", 202, "Created", nil},
	{"GET", "/v1/notices/{notice_id}", "The operator's view of a notice", "notice token", "", 200, "OperatorView", []string{"token"}},
	{"POST", "/v1/notices/{notice_id}/response", "The operator's answer: removed, dispute, counter_notice", "notice token", "Response", 202, "", []string{"token"}},
	{"GET", "/v1/blocklist", "Disabled hosted objects for edge nodes (ETag)", "public (edge)", "", 200, "Blocklist", nil},
	{"GET", "/v1/blocked/{object_id}", "Public statement behind a 451", "public", "", 200, "", nil},
	{"GET", "/edge/{host}/{path}", "Edge answer: 451 for a disabled object, 200 otherwise", "public (edge)", "", 200, "", nil},
	{"GET", "/v1/cases", "Queue of cases (CSAM first, then by deadline); assignee=me|none|<key name> filters by claim", "analyst", "", 200, "CaseList", []string{"status", "category", "service", "domain", "assignee", "deadline_before", "limit", "cursor"}},
	{"GET", "/v1/cases/summary", "Counts of cases per status, open cases, and the oldest open case's creation time and age in seconds (one bounded query)", "analyst", "", 200, "CaseSummary", nil},
	{"POST", "/v1/cases/{case_id}/claim", "Claim a case for the calling analyst (assignee = key name; journaled); 409 when another analyst holds it unless force", "analyst", "Claim", 200, "ClaimAnswer", nil},
	{"POST", "/v1/cases/{case_id}/release", "Give up a claim (journaled); 409 for another analyst's claim unless force", "analyst", "Claim", 200, "ClaimAnswer", nil},
	{"POST", "/v1/decisions/bulk", "One decision (violates, no_violation, uphold, reverse, decline) for 1 to 100 cases, each its own validated Update; 200 with a result per case (its code, state after or error); 422 when the decision itself is malformed (no case touched)", "analyst", "BulkDecision", 200, "BulkResults", nil},
	{"GET", "/v1/cases/{case_id}", "One case with its notices", "analyst", "", 200, "Case", nil},
	{"GET", "/v1/dashboard", "Dashboard over the last days whole UTC days (1-90, default 30): reports per day by channel and by category, time to first action (median, p90, per day; durations in ns), open cases near their deadline (overdue, within 24 h / 72 h / 7 d)", "analyst or auditor", "", 200, "", []string{"days"}},
	{"POST", "/v1/cases/{case_id}/decisions", "An analyst decision (Temporal Update; 409 wrong state, 422 malformed); answers the case's state after it", "analyst", "Decision", 200, "DecisionAnswer", nil},
	{"POST", "/v1/cases/{case_id}/mail-replies/{reply_id}/accept", "Record a reply by mail's suggested answer (removed) as the operator's answer; a counter-notice is refused (409): the operator files it through the notice's link", "analyst", "", 202, "", nil},
	{"POST", "/v1/cases/{case_id}/court-action", "The complainant filed a court action", "analyst", "CourtAction", 202, "", nil},
	{"GET", "/v1/reviews", "Termination reviews", "analyst", "", 200, "", []string{"status"}},
	{"POST", "/v1/reviews/{account_id}/{kind}/decisions", "terminate or decline a review; answers the review's state after it", "analyst", "ReviewDecision", 200, "ReviewAnswer", nil},
	{"GET", "/v1/cases/{case_id}/history", "The workflow history (temporal workflow show --output json), payloads decoded; ?encoded=1 as stored", "auditor", "", 200, "", []string{"download", "encoded"}},
	{"POST", "/v1/cases/{case_id}/legal-hold", "Set or lift a legal hold (keeps personal data past purge_after)", "analyst", "LegalHold", 200, "", nil},
	{"POST", "/v1/admin/customers", "Load customer records (upsert by id)", "admin", "Customers", 200, "", nil},
	{"GET", "/v1/admin/outbox", "Notices as delivered, with live links", "admin", "", 200, "", []string{"case_id", "status", "limit"}},
	{"GET", "/v1/admin/intake-replies", "Replies of the email intake (refusal, partial, ip_report, duplicate), sent or kept unsent with the reason, newest first", "analyst", "", 200, "", []string{"status", "case_id", "limit"}},
	{"GET", "/v1/admin/senders", "Email intake senders by format: counts, last problem, format drift (drifting first)", "analyst", "", 200, "", []string{"limit"}},
	{"POST", "/v1/admin/sessions/revoke", "End every console session of one API key, in every process (by key_name or key_hash)", "admin", "RevokeSessions", 200, "Revoked", nil},
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
	"Errors": map[string]any{"type": "object", "properties": map[string]any{"errors": map[string]any{"type": "array",
		"items": obj([]string{"field", "message"}, map[string]any{"field": str, "message": str})}}},
	"Report": obj([]string{"category", "urls", "description", "reporter"}, map[string]any{
		"category":            map[string]any{"type": "string", "enum": []string{"copyright", "trademark", "phishing", "malware", "csam", "violent_threat", "personal_information", "controlled_substances", "human_trafficking", "defamation", "fraud", "registrar_whois", "registrar_hijacking", "other"}},
		"urls":                map[string]any{"type": "array", "minItems": 1, "maxItems": 10000, "items": map[string]any{"type": "string", "format": "uri"}},
		"description":         str,
		"reporter":            obj(nil, map[string]any{"name": str, "email": map[string]any{"type": "string", "format": "email"}, "organization": str, "title": str}),
		"forward_to_operator": boolean,
		"copyright":           obj([]string{"work", "good_faith", "accurate_under_penalty", "signature"}, map[string]any{"work": str, "good_faith": boolean, "accurate_under_penalty": boolean, "signature": str}),
	}),
	"Created": obj([]string{"case_id", "status", "token", "status_url"}, map[string]any{"case_id": str, "status": str, "token": str, "status_url": str}),
	"Decision": obj([]string{"verdict"}, map[string]any{
		"verdict": map[string]any{"type": "string", "enum": []string{"violates", "no_violation", "need_info", "uphold", "reverse", "decline"}},
		// The clauses a violates decision takes (desk.Clauses).
		"reason": str, "clause": map[string]any{"type": "string", "enum": desk.Clauses},
		"question": str, "legal_basis": str}),
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
				"registrant_email": str, "hosted": map[string]any{"type": "array", "items": obj(nil, map[string]any{"url_prefix": str, "product": str, "object_id": str})}})}})},
		"networks": map[string]any{"type": "array", "items": obj([]string{"cidr", "provider"}, map[string]any{"cidr": str, "provider": str, "abuse_email": str})}}},
	"Case": map[string]any{"type": "object", "properties": map[string]any{"case_id": str, "category": str,
		"service": map[string]any{"type": "string", "enum": []string{"cdn", "hosting", "registrar", "none"}}, "domain": str, "status": str, "outcome": str,
		"assignee": str, "assigned_at": map[string]any{"type": "string", "format": "date-time"},
		"next_deadline": map[string]any{"type": "string", "format": "date-time"}, "needs_attention": str, "reporter_unreachable": boolean,
		"notices": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{
			"notice_id": str, "recipient_role": map[string]any{"type": "string", "enum": []string{"operator", "hosting_provider", "reporter", "registrant", "complainant", "clearinghouse"}},
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
		case "admin", "analyst", "auditor":
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
