package mailintake

import (
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// boilerplateHosts are hosts whose links in a report's text are never what
// it reports: XML schema and namespace hosts, PGP key servers. A link to
// one is left out (subdomains included) unless the format marks it as the
// report's subject.
var boilerplateHosts = []string{
	"w3.org", "acns.net", "x-arf.org", "xarf.org", "xmlsoap.org", "schema.org", "purl.org",
	"pgp.mit.edu", "keys.openpgp.org", "keyserver.ubuntu.com", "keys.gnupg.net",
	"pgp.key-server.io", "keyserver.pgp.com", "pool.sks-keyservers.net",
	// Antivirus footers that mail clients append to every message.
	"avast.com", "avg.com",
}

var (
	pgpArmor     = regexp.MustCompile(`(?s)-----BEGIN PGP (?:SIGNATURE|PUBLIC KEY BLOCK)-----.*?-----END PGP (?:SIGNATURE|PUBLIC KEY BLOCK)-----`)
	xmlNamespace = regexp.MustCompile(`(?i)\b(?:xmlns(?::[\w.-]+)?|[\w.-]+:schemaLocation|[\w.-]+:noNamespaceSchemaLocation)\s*=\s*("[^"]*"|'[^']*')`)
	xmlDoctype   = regexp.MustCompile(`(?is)<!DOCTYPE[^>\[]*(?:\[[^\]]*\])?\s*>`)
	sigSeparator = regexp.MustCompile(`(?m)^-- ?\r?$`)
)

// reportText removes from a report's text what cannot hold a reported
// URL: PGP armour, XML namespace and schema attributes, DTD declarations,
// and the signature after a "-- " line.
func reportText(s string) string {
	s = pgpArmor.ReplaceAllString(s, "")
	s = xmlNamespace.ReplaceAllString(s, "")
	s = xmlDoctype.ReplaceAllString(s, "")
	if loc := sigSeparator.FindStringIndex(s); loc != nil {
		s = s[:loc[0]]
	}
	return s
}

// senderSites are, by a sender's registrable domain, the other sites its
// reports link to for their own FAQ, incident and upgrade pages: never
// what a report is about.
var senderSites = map[string][]string{
	"cyscon.de":           {"c-sirt.org", "check-and-secure.com"},
	"projecthoneypot.org": {"unspam.com"},
	"clean-mx.de":         {"clean-mx.com"},
}

// urlFilter separates a mail's links into reported URLs and the rest.
type urlFilter struct {
	// own are the registrable domains of the sender (From and DKIM d=).
	own []string
}

// keep says whether u can be a reported URL: not on the sender's own
// domain nor on a boilerplate host. why says which, when not.
func (f urlFilter) keep(u string) (ok bool, why string) {
	host := urlHostname(u)
	for _, d := range f.own {
		if hostUnder(host, d) {
			return false, "on the sender's own domain " + d
		}
		for _, site := range senderSites[d] {
			if hostUnder(host, site) {
				return false, "a site of the sender " + d + " (" + site + ")"
			}
		}
	}
	for _, b := range boilerplateHosts {
		if hostUnder(host, b) {
			return false, "a boilerplate link (" + b + ")"
		}
	}
	return true, ""
}

// split returns the kept URLs and, by URL, why the others were left out.
func (f urlFilter) split(urls []string) (kept []string, left map[string]string) {
	left = map[string]string{}
	for _, u := range urls {
		if ok, why := f.keep(u); ok {
			kept = append(kept, u)
		} else {
			left[u] = why
		}
	}
	return kept, left
}

// senderDomains returns the registrable domains the mail comes from: its
// From address's and its DKIM signatures' d= domains.
func senderDomains(from string, dkimHeaders []string) []string {
	var out []string
	add := func(d string) {
		d = strings.ToLower(strings.Trim(strings.TrimSpace(d), "."))
		if d == "" {
			return
		}
		if r, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
			d = r
		}
		out = append(out, d)
	}
	add(addrDomain(from))
	for _, h := range dkimHeaders {
		for _, tag := range strings.Split(h, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(tag), "=")
			if strings.TrimSpace(k) == "d" {
				add(v)
			}
		}
	}
	return dedupStrings(out)
}

// hostUnder reports whether host is domain or a subdomain of it.
func hostUnder(host, domain string) bool {
	host, domain = strings.ToLower(host), strings.ToLower(domain)
	return host == domain || strings.HasSuffix(host, "."+domain)
}

func urlHostname(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Hostname(), ".")
}

// hostProblem says why a URL's host cannot be a website (a sender's
// "*MUNGED*" placeholder, characters no host name has), or "".
func hostProblem(s string) string {
	host := urlHostname(s)
	if host == "" {
		return "it has no host"
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return ""
	}
	if _, err := idna.Lookup.ToASCII(host); err != nil {
		return "its host " + quoteShort(host) + " is not a host name"
	}
	if !strings.Contains(host, ".") {
		return "its host " + quoteShort(host) + " is not a full domain name"
	}
	return ""
}

func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return `"` + s + `"`
}
