package models

import (
	"fmt"
	"strings"

	"github.com/abusedesk/abusedesk/internal/urlnorm"
)

// The scope of a hosted-content mitigation (docs/DESIGN.md "Mitigations",
// the edge). An entity of type url_pattern is a URL in normal form
// (internal/urlnorm):
//
//   - "https://x/dir/page.html": that URL whatever its query (a URL
//     reported without a query blocks the path);
//   - "https://x/dir/page.html?id=7": that URL with that very query only;
//   - "https://x/dir/*": every URL beginning with the part before "*" (a
//     path prefix the analyst chose and saw before deciding), and, for a
//     prefix ending in "/", the directory named without its slash.
//
// A zone entity is a host name and covers it and every subdomain (a zone
// is a whole DNS zone); an account entity covers every domain of the
// account, which the caller decides through the domain's account. Scheme
// is not part of the scope: the edge compares the request under https and
// http alike.

// PrefixMark ends a url_pattern entity that is a path prefix.
const PrefixMark = "*"

// Coverage is one url_pattern entity a hosted-content decision covers and
// the hosted object it lies under.
type Coverage struct {
	EntityID string
	ObjectID string
	Domain   string
}

// CoveredEntities are the url_pattern entities a violates decision on a
// case covers: without scopePrefix each reported URL under one of the
// hosted objects (in normal form, without its fragment, deduplicated, in
// report order); with scopePrefix the one prefix entity (ScopeProblem
// says whether it is acceptable). Reported URLs outside every object are
// not ours to restrict and are left out.
func CoveredEntities(objects []HostedObject, reported []string, scopePrefix string) []Coverage {
	if strings.TrimSpace(scopePrefix) != "" {
		p, err := normalScopePrefix(scopePrefix)
		if err != nil {
			return nil
		}
		if o, ok := objectWithin(objects, p); ok {
			return []Coverage{{EntityID: p + PrefixMark, ObjectID: o.ObjectID, Domain: o.Domain}}
		}
		return nil
	}
	var out []Coverage
	seen := map[string]bool{}
	for _, r := range reported {
		u, err := urlnorm.URL(r)
		if err != nil || seen[u] {
			continue
		}
		if o, ok := objectOf(objects, u); ok {
			seen[u] = true
			out = append(out, Coverage{EntityID: u, ObjectID: o.ObjectID, Domain: o.Domain})
		}
	}
	return out
}

// MaxScopePrefix bounds a scope prefix (the column holds 2100).
const MaxScopePrefix = 2000

// ScopeProblem says why scopePrefix cannot be a decision's scope, or ""
// when it can: it must be an http(s) URL without a query, lie within one
// hosted object of the case (never wider than what the customer stores
// with us) and cover at least one reported URL (only reported content is
// restricted).
func ScopeProblem(objects []HostedObject, reported []string, scopePrefix string) string {
	if len(scopePrefix) > MaxScopePrefix {
		return fmt.Sprintf("the scope prefix is longer than %d characters", MaxScopePrefix)
	}
	p, err := normalScopePrefix(scopePrefix)
	if err != nil {
		return "the scope prefix is not an http(s) URL: " + err.Error()
	}
	if strings.Contains(p, "?") {
		return "the scope prefix is a path prefix: leave out the query"
	}
	if _, within := objectWithin(objects, p); !within {
		return fmt.Sprintf("the scope prefix %s lies outside every hosted object of the case", p)
	}
	for _, r := range reported {
		if u, err := urlnorm.URL(r); err == nil && (urlnorm.Under(u, p) || urlnorm.Under(otherScheme(u), p)) {
			return ""
		}
	}
	return fmt.Sprintf("the scope prefix %s covers none of the reported URLs", p)
}

func normalScopePrefix(s string) (string, error) {
	return urlnorm.URL(strings.TrimSuffix(strings.TrimSpace(s), PrefixMark))
}

// objectWithin finds the hosted object whose prefix the prefix p (normal
// form) begins with, under either scheme: a scope is never wider than an
// object.
func objectWithin(objects []HostedObject, p string) (HostedObject, bool) {
	for _, o := range objects {
		op := urlnorm.Prefix(o.URLPrefix)
		if strings.HasPrefix(p, op) || strings.HasPrefix(otherScheme(p), op) {
			return o, true
		}
	}
	return HostedObject{}, false
}

// objectOf finds the hosted object u (normal form) lies under, under
// either scheme.
func objectOf(objects []HostedObject, u string) (HostedObject, bool) {
	for _, o := range objects {
		p := urlnorm.Prefix(o.URLPrefix)
		if urlnorm.Under(u, p) || urlnorm.Under(otherScheme(u), p) {
			return o, true
		}
	}
	return HostedObject{}, false
}

// otherScheme swaps https and http of a URL in normal form.
func otherScheme(u string) string {
	if rest, ok := strings.CutPrefix(u, "https://"); ok {
		return "http://" + rest
	}
	if rest, ok := strings.CutPrefix(u, "http://"); ok {
		return "https://" + rest
	}
	return u
}

// EntityCovers reports whether an entity covers url (an http(s) URL in
// normal form, with its query if any). Account entities are decided by the
// caller (the domain's account) and answer false here.
func EntityCovers(t MitigationEntity, id, url string) bool {
	switch t {
	case EntityURLPattern:
		if prefix, ok := strings.CutSuffix(id, PrefixMark); ok {
			return urlnorm.Under(url, urlnorm.Prefix(prefix))
		}
		p := urlnorm.Prefix(id)
		if strings.Contains(p, "?") {
			return url == p
		}
		path, _, _ := strings.Cut(url, "?")
		return path == p
	case EntityZone:
		zone, err := urlnorm.Host(id)
		if err != nil {
			return false
		}
		host := HostOfURL(url)
		return host == zone || strings.HasSuffix(host, "."+zone)
	}
	return false
}

// HostOfURL is the host name of an http(s) URL in normal form, without
// its port.
func HostOfURL(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	end := strings.IndexAny(rest, "/?")
	if end >= 0 {
		rest = rest[:end]
	}
	if strings.HasPrefix(rest, "[") {
		if i := strings.Index(rest, "]"); i >= 0 {
			return rest[:i+1]
		}
	}
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		return rest[:i]
	}
	return rest
}
