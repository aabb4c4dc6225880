package desk

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/url"
	"sort"
	"strings"

	"github.com/abusedesk/abusedesk/internal/urlnorm"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// The edge (docs/DESIGN.md "Mitigations", the edge): what an edge node
// does with a request for host/path from a country, decided from the
// mitigations that restrict now (active or in_review; pending, cancelled
// and removed ones never affect the edge). Old block rows are not read.

// EdgeAction is what the edge does with a request.
type EdgeAction string

// Edge actions.
const (
	EdgePass         EdgeAction = "pass"         // serve the content (200)
	EdgeBlock        EdgeAction = "block"        // 451 with the statement link (RFC 7725)
	EdgeInterstitial EdgeAction = "interstitial" // a warning page instead of the content
)

// Edge query parameters: the edge's own, never part of the content URL.
const (
	EdgeContinueParam = "abusedesk_continue"
	EdgeCountryParam  = "country"
)

// MaxEdgeTarget bounds the host, path and query of an edge request.
const MaxEdgeTarget = 8192

// EdgeRequest is one request at the edge, as sent (still percent-encoded).
type EdgeRequest struct {
	Host, Path, Query string
	// Country is the client's ISO 3166-1 alpha-2 country; "" unknown.
	Country string
}

// EdgeAnswer is the edge's decision.
type EdgeAnswer struct {
	Action EdgeAction
	// Host and Path are the request's in normal form; URL is the content
	// URL (https, the edge's own parameters left out).
	Host, Path, URL string
	// Mitigation is the one that applies (Action other than pass).
	Mitigation models.Mitigation
	// Continue is the token of the continue link of a
	// misleading_interstitial ("" for a phishing one: no way on).
	Continue string
}

// edgeRank orders the types the edge enforces, strongest first; other
// types act elsewhere (the registry, the account) and the edge ignores
// them.
var edgeRank = map[models.MitigationType]int{
	models.MitigationContentRemoved:         0,
	models.MitigationContentDisabled:        1,
	models.MitigationLegalBlock:             2,
	models.MitigationPhishingInterstitial:   3,
	models.MitigationMisleadingInterstitial: 4,
}

// EdgeDecide decides what the edge answers for r.
func (d *Desk) EdgeDecide(ctx context.Context, r EdgeRequest) (EdgeAnswer, error) {
	if len(r.Host)+len(r.Path)+len(r.Query) > MaxEdgeTarget {
		return EdgeAnswer{}, Fail(KindBadRequest, "path", "host, path and query are longer than %d bytes", MaxEdgeTarget)
	}
	country, err := edgeCountry(r.Country)
	if err != nil {
		return EdgeAnswer{}, err
	}
	content, token := edgeQuery(r.Query)
	var candidates []string
	var a EdgeAnswer
	for _, scheme := range []string{"https", "http"} {
		for _, q := range []string{content, r.Query} {
			raw := scheme + "://" + r.Host + r.Path
			if q != "" {
				raw += "?" + q
			}
			u, err := urlnorm.URL(raw)
			if err != nil {
				return EdgeAnswer{}, Fail(KindBadRequest, "host", "%v", err)
			}
			if a.URL == "" {
				a.URL = u
				a.Host, _, _ = strings.Cut(strings.TrimPrefix(u, "https://"), "/")
				a.Path, _, _ = strings.Cut(strings.TrimPrefix(u, "https://"+a.Host), "?")
			}
			candidates = append(candidates, u)
		}
	}
	ms, err := store.EdgeMitigations(ctx, d.DB, parentDomains(a.Host))
	if err != nil {
		return EdgeAnswer{}, err
	}
	best, found := models.Mitigation{}, false
	for _, m := range ms {
		rank, enforced := edgeRank[m.Type]
		if !enforced || !edgeCovers(m, candidates) || !inCountries(m, country) {
			continue
		}
		if m.Type == models.MitigationMisleadingInterstitial && hmac.Equal([]byte(token), []byte(d.ContinueToken(m.ID, a.URL))) {
			continue // the visitor chose to go on
		}
		if !found || rank < edgeRank[best.Type] {
			best, found = m, true
		}
	}
	a.Action = EdgePass
	if !found {
		return a, nil
	}
	a.Mitigation = best
	switch best.Type {
	case models.MitigationPhishingInterstitial:
		a.Action = EdgeInterstitial
	case models.MitigationMisleadingInterstitial:
		a.Action, a.Continue = EdgeInterstitial, d.ContinueToken(best.ID, a.URL)
	default:
		a.Action = EdgeBlock
	}
	return a, nil
}

// ContinueToken is the token of the continue link of a misleading
// interstitial for one content URL: an HMAC under the token secret, so a
// link works for that URL and mitigation only.
func (d *Desk) ContinueToken(mitigationID, contentURL string) string {
	var secret []byte
	if d.Cfg != nil {
		secret = []byte(d.Cfg.TokenSecret)
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("edge-continue:" + mitigationID + "\n" + contentURL))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// edgeCountry checks a client country: two letters, upper-cased; "XX"
// (unknown) and "T1" (Tor) are unknown, as an empty one.
func edgeCountry(c string) (string, error) {
	c = strings.ToUpper(strings.TrimSpace(c))
	if c == "" || c == "XX" || c == "T1" {
		return "", nil
	}
	if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
		return "", Fail(KindBadRequest, "country", "the client's country must be an ISO 3166-1 alpha-2 code of two letters, not %q", bounded(c, 20))
	}
	return c, nil
}

func bounded(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// edgeQuery splits the edge's own parameters from a raw query: the
// content's query as sent otherwise, and the continue token.
func edgeQuery(raw string) (content, token string) {
	if raw == "" {
		return "", ""
	}
	var kept []string
	for _, part := range strings.Split(raw, "&") {
		name, val, _ := strings.Cut(part, "=")
		switch name {
		case EdgeContinueParam:
			token, _ = url.QueryUnescape(val)
		case EdgeCountryParam:
		default:
			kept = append(kept, part)
		}
	}
	return strings.Join(kept, "&"), token
}

// inCountries reports whether a mitigation applies in country: a legal
// block only in the countries it names (all when it names none; an
// unknown country fails closed, the edge cannot show the client is
// outside them); every other type everywhere.
func inCountries(m models.Mitigation, country string) bool {
	cs := Countries(m.Countries)
	if m.Type != models.MitigationLegalBlock || len(cs) == 0 || country == "" {
		return true
	}
	for _, c := range cs {
		if c == country {
			return true
		}
	}
	return false
}

// Countries splits a mitigation's comma-separated countries, upper case.
func Countries(s string) []string {
	out := []string{}
	for _, c := range strings.Split(s, ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// edgeCovers: an account entity was chosen by the store through the
// host's domain; the others are matched against every candidate URL.
func edgeCovers(m models.Mitigation, candidates []string) bool {
	if m.EntityType == models.EntityAccount {
		return true
	}
	for _, u := range candidates {
		if models.EntityCovers(m.EntityType, m.EntityID, u) {
			return true
		}
	}
	return false
}

// parentDomains are a host's name and every parent domain
// (img.pages.example, pages.example, example): mitigations are recorded
// under the customer domain, which may be a parent of the host.
func parentDomains(host string) []string {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	labels := strings.Split(name, ".")
	out := make([]string, 0, len(labels))
	for i := range labels {
		out = append(out, strings.Join(labels[i:], "."))
	}
	sort.Strings(out)
	return out
}
