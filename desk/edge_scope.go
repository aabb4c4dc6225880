package desk

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/internal/urlnorm"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// BlocklistEntry is one restriction edge nodes poll (GET /v1/blocklist):
// the fields old edge nodes read (object_id, url_prefix, removed, case_id)
// and the mitigation's own.
type BlocklistEntry struct {
	ObjectID     string                  `json:"object_id"`
	URLPrefix    string                  `json:"url_prefix"`
	Removed      bool                    `json:"removed"`
	CaseID       string                  `json:"case_id"`
	MitigationID string                  `json:"mitigation_id"`
	Type         models.MitigationType   `json:"type"`
	EntityType   models.MitigationEntity `json:"entity_type"`
	EntityID     string                  `json:"entity_id"`
	Countries    []string                `json:"countries"`
	Status       models.MitigationStatus `json:"status"`
}

// Blocklist lists every mitigation that restricts now (active or
// in_review), by ID. An account mitigation is listed once per domain of
// the account, so that each entry's url_prefix names one site.
func (d *Desk) Blocklist(ctx context.Context) ([]BlocklistEntry, error) {
	ms, err := store.RestrictingMitigations(ctx, d.DB)
	if err != nil {
		return nil, err
	}
	var domains []string
	for _, m := range ms {
		domains = append(domains, m.Domain)
	}
	objs, err := store.HostedObjectsOfDomains(ctx, d.DB, domains)
	if err != nil {
		return nil, err
	}
	out := make([]BlocklistEntry, 0, len(ms))
	for _, m := range ms {
		e := BlocklistEntry{CaseID: m.CaseID, Removed: m.Type == models.MitigationContentRemoved, MitigationID: m.ID,
			Type: m.Type, EntityType: m.EntityType, EntityID: m.EntityID, Countries: Countries(m.Countries), Status: m.Status}
		switch m.EntityType {
		case models.EntityURLPattern:
			e.URLPrefix = urlnorm.Prefix(strings.TrimSuffix(m.EntityID, models.PrefixMark))
			e.ObjectID = objectOfEntity(m, objs)
			out = append(out, e)
		case models.EntityZone:
			e.URLPrefix = "https://" + m.EntityID + "/"
			out = append(out, e)
		case models.EntityAccount:
			names, err := store.DomainsOfAccount(ctx, d.DB, m.EntityID)
			if err != nil {
				return nil, err
			}
			for _, n := range names {
				e.URLPrefix = "https://" + n + "/"
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// objectOfEntity names the hosted object a url_pattern mitigation lies
// in: the one of a migrated block, else the object whose prefix covers it.
func objectOfEntity(m models.Mitigation, objs []models.HostedObject) string {
	if id, ok := strings.CutPrefix(m.Step, "migrated-block:"); ok {
		return id
	}
	u := urlnorm.Prefix(strings.TrimSuffix(m.EntityID, models.PrefixMark))
	for _, o := range objs {
		if o.Domain == m.Domain && urlnorm.Under(u, urlnorm.Prefix(o.URLPrefix)) {
			return o.ObjectID
		}
	}
	return ""
}

// BlockedStatement is the public statement behind a 451: what is
// restricted, why, under which case; no personal data.
type BlockedStatement struct {
	MitigationID string                  `json:"mitigation_id,omitempty"`
	ObjectID     string                  `json:"object_id,omitempty"`
	URLPrefix    string                  `json:"url_prefix"`
	CaseID       string                  `json:"case_id"`
	Type         models.MitigationType   `json:"type"`
	EntityType   models.MitigationEntity `json:"entity_type,omitempty"`
	EntityID     string                  `json:"entity_id,omitempty"`
	Countries    []string                `json:"countries"`
	Status       models.MitigationStatus `json:"status,omitempty"`
	Restriction  string                  `json:"restriction"`
	Ground       string                  `json:"ground"`
	Since        time.Time               `json:"since"`
}

// restrictionWords say what each type does, for the public statement.
var restrictionWords = map[models.MitigationType]string{
	models.MitigationContentDisabled:        "access disabled",
	models.MitigationContentRemoved:         "removed",
	models.MitigationLegalBlock:             "blocked under a legal order",
	models.MitigationPhishingInterstitial:   "shown behind a phishing warning",
	models.MitigationMisleadingInterstitial: "shown behind a warning",
}

// Blocked reads the statement of a mitigation, or of the block of an
// object (links given before mitigations existed name the object).
func (d *Desk) Blocked(ctx context.Context, id string) (BlockedStatement, error) {
	m, err := store.MitigationByID(ctx, d.DB, id)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		m, err = store.MitigationByID(ctx, d.DB, store.MigratedBlockID(id))
	}
	if err == nil {
		s := BlockedStatement{MitigationID: m.ID, CaseID: m.CaseID, Type: m.Type, EntityType: m.EntityType, EntityID: m.EntityID,
			Countries: Countries(m.Countries), Status: m.Status, Restriction: restrictionWords[m.Type], Ground: m.Reason, Since: m.EffectiveDate}
		if m.EntityType == models.EntityURLPattern {
			s.URLPrefix = urlnorm.Prefix(strings.TrimSuffix(m.EntityID, models.PrefixMark))
		}
		s.ObjectID, _ = strings.CutPrefix(m.Step, "migrated-block:")
		if s.ObjectID == m.Step {
			s.ObjectID = ""
		}
		if s.Restriction == "" {
			s.Restriction = string(m.Type)
		}
		return s, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return BlockedStatement{}, err
	}
	b, err := store.Block(ctx, d.DB, id)
	if err != nil {
		return BlockedStatement{}, err
	}
	t := models.MitigationContentDisabled
	if b.Removed {
		t = models.MitigationContentRemoved
	}
	return BlockedStatement{ObjectID: b.ObjectID, URLPrefix: urlnorm.Prefix(b.URLPrefix), CaseID: b.CaseID, Type: t,
		Countries: []string{}, Restriction: restrictionWords[t], Ground: b.Reason, Since: b.CreatedAt}, nil
}

// maxScopeURLs bounds the reported URLs the decision form's scope reads.
const maxScopeURLs = 1000

// DecisionScope is what a violates decision on a case would cover: shown
// in the analyst's form before deciding, and checked when deciding.
type DecisionScope struct {
	// Covered are the url_pattern entities (exact URLs, or the prefix with
	// a trailing "*"), each with its hosted object.
	Covered []models.Coverage
	// NotHosted are reported URLs outside every hosted object of the case
	// (not restricted by a hosting decision).
	NotHosted []string
	// Objects are the hosted objects the reported URLs' domains store.
	Objects []models.HostedObject
	// Truncated: the case has more URLs than the scope read.
	Truncated bool
	// Prefix is the scope prefix asked about, and Problem why the case
	// cannot take it ("" when it can).
	Prefix, Problem string
	reported        []string
}

// DecisionScope computes the scope of a violates decision on a case, with
// scopePrefix when the analyst gives one (models.CoveredEntities).
func (d *Desk) DecisionScope(ctx context.Context, caseID, scopePrefix string) (DecisionScope, error) {
	us, err := store.CaseScopeURLs(ctx, d.DB, caseID, maxScopeURLs+1)
	if err != nil {
		return DecisionScope{}, err
	}
	var s DecisionScope
	if len(us) > maxScopeURLs {
		us, s.Truncated = us[:maxScopeURLs], true
	}
	seen := map[string]bool{}
	var domains []string
	for _, u := range us {
		s.reported = append(s.reported, u.URL)
		h, err := urlnorm.Host(u.Host)
		if err != nil {
			continue
		}
		for _, p := range parentDomains(h) {
			if !seen[p] {
				seen[p] = true
				domains = append(domains, p)
			}
		}
	}
	if s.Objects, err = store.HostedObjectsOfDomains(ctx, d.DB, domains); err != nil {
		return DecisionScope{}, err
	}
	s.Covered = models.CoveredEntities(s.Objects, s.reported, "")
	if s.Prefix = strings.TrimSpace(scopePrefix); s.Prefix != "" {
		if s.Problem = models.ScopeProblem(s.Objects, s.reported, s.Prefix); s.Problem == "" {
			s.Covered = models.CoveredEntities(s.Objects, s.reported, s.Prefix)
		}
	}
	for _, r := range s.reported {
		if len(models.CoveredEntities(s.Objects, []string{r}, "")) == 0 {
			s.NotHosted = append(s.NotHosted, r)
		}
	}
	return s, nil
}

// checkScope refuses a scope prefix the decision cannot take: on another
// verdict than violates, or one models.ScopeProblem refuses; against the
// field scope_prefix (the workflow's validator says the same).
func (d *Desk) checkScope(ctx context.Context, caseID string, dec workflows.Decision) error {
	if dec.ScopePrefix == "" {
		return nil
	}
	if dec.Verdict != workflows.VerdictViolates {
		return Invalid("scope_prefix", "only a violates decision has a scope; leave the scope prefix empty")
	}
	s, err := d.DecisionScope(ctx, caseID, "")
	if err != nil {
		return err
	}
	if p := models.ScopeProblem(s.Objects, s.reported, dec.ScopePrefix); p != "" {
		return Invalid("scope_prefix", "%s", p)
	}
	return nil
}
