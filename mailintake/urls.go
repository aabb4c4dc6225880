package mailintake

import (
	"html"
	"net/url"
	"regexp"
	"strings"
)

// MaxURLs is the most URLs taken from one message. A mail that lists more
// keeps the rest in its raw text, which is stored as evidence.
const MaxURLs = 100

// urlPattern finds http(s) URLs in text, including the common defanged
// spellings hxxp:// and hxxps:// that reporters use so that mail clients do
// not make links of malicious URLs.
var urlPattern = regexp.MustCompile(`(?i)\b(?:https?|hxxps?)://[^\s<>"'\x60{}|\\^]+`)

// refang undoes the defanging conventions: hxxp -> http, [.] and (.) -> .,
// [:] -> :.
var refang = strings.NewReplacer("[.]", ".", "(.)", ".", "[dot]", ".", "[:]", ":")

// ExtractURLs returns the distinct http(s) URLs written in text, in order
// of first appearance, at most MaxURLs. Trailing punctuation that ends a
// sentence is not part of a URL.
func ExtractURLs(text string) []string {
	text = refang.Replace(text)
	var out []string
	for _, m := range urlPattern.FindAllString(text, -1) {
		m = strings.TrimRight(m, ".,;:!?")
		m = trimUnbalanced(m, '(', ')')
		m = trimUnbalanced(m, '[', ']')
		lower := strings.ToLower(m)
		if strings.HasPrefix(lower, "hxxp") {
			m = "http" + m[4:]
		}
		if isWebURL(m) {
			out = append(out, m)
		}
	}
	out = dedupStrings(out)
	if len(out) > MaxURLs {
		out = out[:MaxURLs]
	}
	return out
}

// extractHTMLURLs finds URLs in an HTML body: in attribute values (href)
// and in the text, after entities are decoded.
func extractHTMLURLs(body string) []string {
	return ExtractURLs(html.UnescapeString(body))
}

// trimUnbalanced drops a closing bracket at the end of a URL that has no
// opening bracket inside it, as in "(see https://x.example/a)".
func trimUnbalanced(s string, open, close byte) string {
	for strings.HasSuffix(s, string(close)) && strings.Count(s, string(open)) < strings.Count(s, string(close)) {
		s = s[:len(s)-1]
	}
	return s
}

// isWebURL reports whether s is an absolute http or https URL with a host.
func isWebURL(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return (scheme == "http" || scheme == "https") && u.Hostname() != ""
}

// dedupStrings removes repeated values, keeping the first occurrence.
func dedupStrings(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
