package mailintake

import "strings"

// dmarcFailed reports whether any Authentication-Results header written by
// the server whose authserv-id is authservID says dmarc=fail (RFC 8601,
// RFC 7489 section 11.2). Headers with another authserv-id are ignored: the
// sender could have written them. Because only a "fail" counts, a forged
// header claiming our id can make its own message untrusted but can never
// hide a real failure. An empty authservID believes no header.
func dmarcFailed(headers []string, authservID string) bool {
	authservID = strings.ToLower(strings.TrimSpace(authservID))
	if authservID == "" {
		return false
	}
	for _, h := range headers {
		id, results := parseAuthResults(h)
		if id != authservID {
			continue
		}
		if results["dmarc"] == "fail" {
			return true
		}
	}
	return false
}

// dmarcPassed reports whether the mail server whose authserv-id is
// authservID says the From domain passed DMARC: its first (topmost)
// Authentication-Results header says dmarc=pass and none of its headers
// says dmarc=fail. A server prepends its header, so a "pass" the sender
// wrote below the real header is never the first; the server in front must
// still remove such headers (RFC 8601 section 5) for a mail it did not
// check. An empty authservID believes no header: nothing passes.
func dmarcPassed(headers []string, authservID string) bool {
	id := strings.ToLower(strings.TrimSpace(authservID))
	if id == "" || dmarcFailed(headers, id) {
		return false
	}
	for _, h := range headers {
		if hid, results := parseAuthResults(h); hid == id {
			return results["dmarc"] == "pass"
		}
	}
	return false
}

// parseAuthResults splits one Authentication-Results value into its
// authserv-id and the result of each method (lower case), e.g.
// "mx.example.net; spf=pass smtp.mailfrom=a.example; dmarc=fail (p=reject)
// header.from=a.example" gives "mx.example.net" and {spf: pass, dmarc: fail}.
// When a method appears twice, a "fail" wins.
func parseAuthResults(value string) (authservID string, results map[string]string) {
	parts := strings.Split(stripComments(value), ";")
	results = make(map[string]string)
	if fields := strings.Fields(parts[0]); len(fields) > 0 {
		authservID = strings.ToLower(strings.Trim(fields[0], `"`))
	}
	for _, resinfo := range parts[1:] {
		fields := strings.Fields(resinfo)
		if len(fields) == 0 {
			continue
		}
		method, result, ok := strings.Cut(fields[0], "=")
		if !ok {
			continue // "none", or a malformed entry
		}
		method, _, _ = strings.Cut(method, "/") // method version
		method = strings.ToLower(strings.TrimSpace(method))
		result = strings.ToLower(strings.TrimSpace(result))
		if results[method] != "fail" {
			results[method] = result
		}
	}
	return authservID, results
}

// stripComments removes RFC 5322 comments (parenthesised, nestable, with
// backslash escapes) outside quoted strings, so that a ';' or '=' in a
// comment does not split the value.
func stripComments(s string) string {
	var b strings.Builder
	depth := 0
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && (depth > 0 || inQuote):
			if depth == 0 && i+1 < len(s) {
				b.WriteByte(c)
				b.WriteByte(s[i+1])
			}
			i++
		case inQuote:
			b.WriteByte(c)
			if c == '"' {
				inQuote = false
			}
		case c == '"' && depth == 0:
			inQuote = true
			b.WriteByte(c)
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
			if depth == 0 {
				b.WriteByte(' ')
			}
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}
