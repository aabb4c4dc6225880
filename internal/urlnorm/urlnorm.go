// Package urlnorm puts http(s) URLs in the one form abusedesk records blocks
// in and matches requests against, so that a block on a URL prefix cannot
// be passed by spelling the same URL differently (issue 13, hole 6).
//
// Two spellings are the same URL when an origin server that percent-decodes
// the path once, as nginx and Go's net/http do, would serve the same
// resource for both. The normal form follows RFC 3986 section 6.2.2 and goes
// further where an origin would, failing closed:
//
//   - scheme and host in lower case; the host percent-decoded, mapped by
//     IDNA (UTS 46 lookup, so "SEC.Example", "sec%2Eexample" and
//     "sec。example" are sec.example), with one trailing dot removed; IP
//     literals in their canonical form; user information dropped;
//   - the scheme's default port dropped (sec.example:443 is sec.example for
//     https); other ports kept, they are other origins;
//   - in the path, every percent-escape of a byte an origin would treat
//     as itself decoded (unreserved characters, sub-delims, ":" and "@"),
//     other escapes in upper case, and bytes that cannot stand in a path
//     (space, controls, non-ASCII, '"' and the like) escaped;
//   - "\", "%2F" and "%5C" are path separators (browsers turn "\" into "/"
//     for http(s); many origins decode "%2F" and "%5C" before routing);
//   - runs of "/" are one "/" (nginx merge_slashes), then "." and ".."
//     segments are removed (RFC 3986 section 5.2.4; ".." above the root
//     stays at the root); an empty path is "/";
//   - the fragment is dropped; the query is kept with its escapes
//     normalised as in the path but no separators resolved.
//
// Not covered, on purpose: path case (paths are case-sensitive), ";"
// path parameters (Tomcat), trailing dots in path segments (Windows),
// double percent-encoding ("%252F" is a literal "%2F" after one decoding,
// as an origin sees it) and legacy IPv4 spellings (0x7f.1): blocks are
// recorded under a customer domain, never an IP address.
package urlnorm

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// ErrScheme is returned for a URL that is not http or https.
var ErrScheme = errors.New("not an http(s) URL")

// URL returns the normal form of an absolute http(s) URL.
func URL(raw string) (string, error) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(raw), ":")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "http" && scheme != "https") {
		return "", ErrScheme
	}
	// Browsers accept any mix of "/" and "\" after the scheme of an http(s) URL.
	rest = strings.TrimLeft(rest, `/\`)
	end := strings.IndexAny(rest, `/\?#`)
	if end < 0 {
		end = len(rest)
	}
	host, err := HostPort(scheme, rest[:end])
	if err != nil {
		return "", err
	}
	tail, _, _ := strings.Cut(rest[end:], "#")
	p, q, hasQuery := strings.Cut(tail, "?")
	out := scheme + "://" + host + Path(p)
	if hasQuery {
		out += "?" + Query(q)
	}
	return out, nil
}

// HostPort returns the normal form of an authority (host, optional port,
// optional user information, which is dropped) for scheme.
func HostPort(scheme, authority string) (string, error) {
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		authority = authority[i+1:]
	}
	host, port := authority, ""
	if strings.HasPrefix(authority, "[") {
		end := strings.Index(authority, "]")
		if end < 0 {
			return "", fmt.Errorf("host %q: unclosed IPv6 literal", authority)
		}
		host, port = authority[:end+1], authority[end+1:]
		if port != "" && !strings.HasPrefix(port, ":") {
			return "", fmt.Errorf("host %q: junk after IPv6 literal", authority)
		}
		port = strings.TrimPrefix(port, ":")
	} else if i := strings.LastIndex(authority, ":"); i >= 0 {
		host, port = authority[:i], authority[i+1:]
	}
	h, err := Host(host)
	if err != nil {
		return "", err
	}
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	if port == "" {
		return h, nil
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return "", fmt.Errorf("port %q is not a number up to 65535", port)
	}
	if (scheme == "https" && n == 443) || (scheme == "http" && n == 80) {
		return h, nil
	}
	return h + ":" + strconv.FormatUint(n, 10), nil
}

// Host returns the normal form of a host name or IP literal: percent-decoded,
// lower case, IDNA-mapped to ASCII, without its trailing dot.
func Host(h string) (string, error) {
	dec, ok := unescapeAll(h)
	if !ok {
		return "", fmt.Errorf("host %q: malformed percent-escape", h)
	}
	dec = strings.TrimSpace(dec)
	if ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(dec, "["), "]")); ip != nil {
		return ip.String(), nil
	}
	a, err := idna.Lookup.ToASCII(dec)
	if err != nil {
		return "", fmt.Errorf("host %q is not a valid domain name: %v", h, err)
	}
	a = strings.TrimSuffix(a, ".")
	if a == "" {
		return "", fmt.Errorf("empty host")
	}
	for _, l := range strings.Split(a, ".") {
		if l == "" {
			return "", fmt.Errorf("host %q has an empty label", h)
		}
	}
	return a, nil
}

// Path returns the normal form of a URL path (see the package comment).
func Path(p string) string {
	return removeDotSegments(mergeSlashes(escape(p, true)))
}

// Query returns a query with its percent-escapes normalised.
func Query(q string) string { return escape(q, false) }

// Under reports whether url, in normal form, is prefix or lies below it
// (prefix also in normal form). A prefix ending in "/" also covers the
// directory named without its slash (https://x/dir for https://x/dir/):
// origins commonly serve or redirect to the same content there.
func Under(url, prefix string) bool {
	if prefix == "" {
		return false
	}
	if strings.HasPrefix(url, prefix) {
		return true
	}
	dir, ok := strings.CutSuffix(prefix, "/")
	_, rest, isURL := strings.Cut(dir, "://")
	if !ok || !isURL || !strings.Contains(rest, "/") {
		return false // not a directory prefix, or the root
	}
	return url == dir || strings.HasPrefix(url, dir+"?")
}

// Prefix is the normal form of a URL prefix, or the prefix as given when it
// is not an http(s) URL (so a malformed stored prefix still matches itself).
func Prefix(prefix string) string {
	n, err := URL(prefix)
	if err != nil {
		return prefix
	}
	return n
}

// escape normalises percent-escapes byte by byte. In a path (path true) the
// separators "\", "%2F" and "%5C" become "/" and escapes of pchar bytes are
// decoded; in a query only escapes of unreserved bytes are (an escaped "&"
// or "=" is data, not structure).
func escape(s string, path bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c, escaped := s[i], false
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			c, escaped = unhex(s[i+1])<<4|unhex(s[i+2]), true
			i += 2
		}
		switch {
		case path && (c == '/' || c == '\\'):
			b.WriteByte('/')
		case !path && !escaped && (c == '/' || c == '?' || literal(c)):
			b.WriteByte(c)
		case !path && escaped && unreserved(c):
			b.WriteByte(c)
		case path && literal(c):
			b.WriteByte(c)
		default:
			b.WriteString(fmt.Sprintf("%%%02X", c))
		}
	}
	return b.String()
}

// literal reports whether c stands for itself in a normalised path:
// unreserved characters, sub-delims, ":" and "@" (RFC 3986 pchar).
func literal(c byte) bool {
	return unreserved(c) || strings.IndexByte("!$&'()*+,;=:@", c) >= 0
}

// unreserved reports whether c is an RFC 3986 unreserved character.
func unreserved(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c == '-' || c == '.' || c == '_' || c == '~'
}

func mergeSlashes(p string) string {
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	return p
}

// removeDotSegments is RFC 3986 section 5.2.4 on an absolute path.
func removeDotSegments(in string) string {
	if !strings.HasPrefix(in, "/") {
		in = "/" + in
	}
	var out []string
	segs := strings.Split(in[1:], "/")
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}

// unescapeAll decodes every percent-escape; ok is false for a malformed one.
func unescapeAll(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", false
		}
		b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
		i += 2
	}
	return b.String(), true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
