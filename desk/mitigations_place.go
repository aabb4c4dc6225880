package desk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/abusedesk/abusedesk/internal/urlnorm"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// Bounds of a placed mitigation.
const (
	maxMitigationURLs   = 100
	maxMitigationReason = 2000
	maxCountries        = 60
	maxReportedURLs     = 10000
)

// forwardedNote ends the reason (and so the statement of reasons) of a
// mitigation placed on a pass-through case: the forwards still happened.
const forwardedNote = " The report was forwarded to the website's operator and its hosting provider as usual; " +
	"this mitigation is in addition to those forwards."

// PlaceMitigationRequest is an analyst's mitigation on a pass-through
// (CDN) case: an interstitial for confirmed phishing or malware, or a
// legal block answering 451 in the countries a court or authority named.
// It covers the reported URLs given, or one path prefix the analyst chose.
type PlaceMitigationRequest struct {
	Type       string   `json:"type"`
	URLs       []string `json:"urls"`
	PathPrefix string   `json:"path_prefix"`
	Countries  []string `json:"countries"`
	Reason     string   `json:"reason"`
}

// placeable are the types an analyst places on a CDN case.
var placeable = map[models.MitigationType]bool{
	models.MitigationPhishingInterstitial: true, models.MitigationMisleadingInterstitial: true, models.MitigationLegalBlock: true,
}

// PlaceMitigation starts one mitigation per URL (or one on the prefix):
// an interstitial pending for interstitial_grace, so the customer can act
// first; a legal block active at once. It answers the mitigations as
// stored.
func (d *Desk) PlaceMitigation(ctx context.Context, caseID string, req PlaceMitigationRequest, analyst string) ([]MitigationView, error) {
	typ := models.MitigationType(req.Type)
	reason := trimmed(req.Reason)
	countries, ps := checkPlacement(typ, req, reason)
	if len(ps) > 0 {
		return nil, Problems(KindInvalid, ps)
	}
	cs, err := store.Case(ctx, d.DB, caseID)
	if err != nil {
		return nil, err
	}
	if cs.Service != models.ServiceCDN {
		return nil, Conflict("type", "mitigations are placed on pass-through (cdn) cases; this is a %s case", cs.Service)
	}
	if typ != models.MitigationLegalBlock && cs.Category != models.CategoryPhishing && cs.Category != models.CategoryMalware {
		return nil, Invalid("type", "an interstitial is for confirmed phishing or malware, not %s", cs.Category)
	}
	reported, err := store.CaseURLs(ctx, d.DB, caseID, "", maxReportedURLs)
	if err != nil {
		return nil, err
	}
	entities, ps := placementEntities(req, reported, cs.Domain)
	if len(ps) > 0 {
		return nil, Problems(KindInvalid, ps)
	}
	now := time.Now().UTC()
	out := make([]MitigationView, 0, len(entities))
	for _, e := range entities {
		id := newMitigationID()
		in := workflows.MitigationInput{MitigationID: id, CaseID: cs.ID, Step: "placed:" + id, AccountID: cs.AccountID,
			Domain: cs.Domain, Type: typ, EntityType: models.EntityURLPattern, EntityID: e, Countries: countries,
			Reason: reason + forwardedNote, By: analyst, EffectiveDate: now, ReviewWindow: d.Cfg.MitigationReviewWindow}
		if typ != models.MitigationLegalBlock {
			grace := d.Cfg.InterstitialGrace
			if grace <= 0 {
				grace = 24 * time.Hour
			}
			in.Pending, in.EffectiveDate = true, now.Add(grace)
		}
		if err := d.Engine.StartMitigation(ctx, workflows.MitigationWorkflowID(id), in); err != nil {
			return nil, err
		}
		v, err := d.settledMitigation(ctx, id, "")
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// checkPlacement checks a placement on its own and answers the countries
// in normal form; every problem is listed.
func checkPlacement(typ models.MitigationType, req PlaceMitigationRequest, reason string) ([]string, []models.FieldError) {
	var ps []models.FieldError
	add := func(field, format string, args ...any) {
		ps = append(ps, models.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !placeable[typ] {
		add("type", "must be phishing_interstitial, misleading_interstitial or legal_block")
	}
	prefix := strings.TrimSpace(req.PathPrefix)
	switch {
	case len(req.URLs) == 0 && prefix == "":
		add("urls", "name the reported URLs to cover, or a path_prefix")
	case len(req.URLs) > 0 && prefix != "":
		add("path_prefix", "give either urls or a path_prefix, not both")
	case len(req.URLs) > maxMitigationURLs:
		add("urls", "at most %d URLs", maxMitigationURLs)
	case len(prefix) > models.MaxScopePrefix:
		add("path_prefix", "at most %d characters", models.MaxScopePrefix)
	}
	var countries []string
	switch {
	case typ == models.MitigationLegalBlock && len(req.Countries) == 0:
		add("countries", "a legal block names the countries of the order (ISO 3166-1 alpha-2)")
	case typ != models.MitigationLegalBlock && len(req.Countries) > 0:
		add("countries", "countries go with a legal_block only")
	case len(req.Countries) > maxCountries:
		add("countries", "at most %d countries", maxCountries)
	default:
		seen := map[string]bool{}
		for i, c := range req.Countries {
			c = strings.ToUpper(strings.TrimSpace(c))
			if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
				add(fmt.Sprintf("countries[%d]", i), "%q is not an ISO 3166-1 alpha-2 code", req.Countries[i])
				continue
			}
			if !seen[c] {
				seen[c] = true
				countries = append(countries, c)
			}
		}
	}
	switch {
	case reason == "":
		add("reason", "required: the facts and the ground (it goes into the statement of reasons)")
	case len(reason) > maxMitigationReason-len(forwardedNote):
		add("reason", "at most %d bytes", maxMitigationReason-len(forwardedNote))
	}
	return countries, ps
}

// placementEntities are the url_pattern entities of a placement: each URL
// given must be a reported URL of the case; a path prefix (no query) must
// cover one and lie on the case's domain.
func placementEntities(req PlaceMitigationRequest, reported []string, domain string) ([]string, []models.FieldError) {
	normal := map[string]bool{}
	var all []string
	for _, r := range reported {
		if u, err := urlnorm.URL(r); err == nil {
			normal[u] = true
			all = append(all, u)
		}
	}
	onDomain := func(u string) bool {
		h := models.HostOfURL(u)
		return h == domain || strings.HasSuffix(h, "."+domain)
	}
	var out []string
	var ps []models.FieldError
	if p := strings.TrimSpace(req.PathPrefix); p != "" {
		n, err := urlnorm.URL(strings.TrimSuffix(p, models.PrefixMark))
		switch {
		case err != nil:
			return nil, []models.FieldError{{Field: "path_prefix", Message: "not an http(s) URL"}}
		case strings.Contains(n, "?"):
			return nil, []models.FieldError{{Field: "path_prefix", Message: "a path prefix has no query"}}
		case !onDomain(n):
			return nil, []models.FieldError{{Field: "path_prefix", Message: "not on the case's domain " + domain}}
		}
		for _, u := range all {
			if urlnorm.Under(u, n) {
				return []string{n + models.PrefixMark}, nil
			}
		}
		return nil, []models.FieldError{{Field: "path_prefix", Message: "covers none of the reported URLs"}}
	}
	seen := map[string]bool{}
	for i, raw := range req.URLs {
		u, err := urlnorm.URL(raw)
		if err != nil || !normal[u] || !onDomain(u) {
			ps = append(ps, models.FieldError{Field: fmt.Sprintf("urls[%d]", i), Message: "not a reported URL of the case on " + domain})
			continue
		}
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out, ps
}
