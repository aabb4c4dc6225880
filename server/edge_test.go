package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// scopeServer is a server over a fresh SQLite database with one customer
// domain, pages.example (account acct-1), whose hosted object is the whole
// site. It returns the database so a test can put mitigations in it.
func scopeServer(t *testing.T) (http.Handler, *gorm.DB) {
	db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "edge.db"), "")
	require.NoError(t, err)
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	require.NoError(t, store.Migrate(db))
	require.NoError(t, db.Create(&models.Domain{Name: "pages.example", AccountID: "acct-1", Services: "hosting:pages"}).Error)
	require.NoError(t, db.Create(&models.HostedObject{ObjectID: "site", Domain: "pages.example", AccountID: "acct-1",
		URLPrefix: "https://pages.example/"}).Error)
	cfg := &config.Config{PublicURL: "http://abusedesk.test", MaxBodyBytes: 1 << 20, TokenSecret: "edge-test-secret",
		Edge: config.Edge{CountryHeader: "X-Client-Country"}}
	s := &Server{Cfg: cfg, Desk: &desk.Desk{Cfg: cfg, DB: db}}
	return s.Handler(), db
}

// putMitigation records a mitigation as the workflows would.
func putMitigation(t *testing.T, db *gorm.DB, m models.Mitigation) {
	if m.CaseID == "" {
		m.CaseID = "case-1"
	}
	if m.Step == "" {
		m.Step = "test:" + m.ID
	}
	if m.Domain == "" {
		m.Domain = "pages.example"
	}
	if m.EntityType == "" {
		m.EntityType = models.EntityURLPattern
	}
	require.NoError(t, db.Create(&m).Error)
}

func setStatus(t *testing.T, db *gorm.DB, id string, st models.MitigationStatus) {
	require.NoError(t, db.Model(&models.Mitigation{}).Where("id = ?", id).Update("status", st).Error)
}

func get(h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// expect checks the status of every target.
func expect(t *testing.T, h http.Handler, want map[string]int, header ...string) {
	t.Helper()
	for target, code := range want {
		rec := get(h, target, header...)
		require.Equal(t, code, rec.Code, "%s %v: %s", target, header, rec.Body.String())
	}
}

// TestEdgeOneURLBlocksThatURL: the report of issue 17. A violates decision
// on one reported URL of a hosted site covers that URL (any query, any
// spelling) and not its siblings, the rest of the site or the directory;
// a reported URL with a query covers that query only.
func TestEdgeOneURLBlocksThatURL(t *testing.T) {
	h, db := scopeServer(t)
	objs := []models.HostedObject{{ObjectID: "site", Domain: "pages.example", URLPrefix: "https://pages.example/"}}
	cov := models.CoveredEntities(objs, []string{"https://pages.example/secure-bank/login.html", "http://PAGES.example/item.php?id=7#top",
		"https://elsewhere.example/x"}, "")
	require.Equal(t, []models.Coverage{
		{EntityID: "https://pages.example/secure-bank/login.html", ObjectID: "site", Domain: "pages.example"},
		{EntityID: "http://pages.example/item.php?id=7", ObjectID: "site", Domain: "pages.example"},
	}, cov, "what the analyst's form lists and the mitigations cover")
	for i, c := range cov {
		putMitigation(t, db, models.Mitigation{ID: "m" + string(rune('1'+i)), Type: models.MitigationContentDisabled,
			EntityID: c.EntityID, Status: models.MitigationActive, Domain: c.Domain})
	}
	expect(t, h, map[string]int{
		"/edge/pages.example/secure-bank/login.html":           451,
		"/edge/pages.example/secure-bank/login.html?lang=de":   451,
		"/edge/pages.example/secure-bank/./%6Cogin.html":       451,
		"/edge/pages.example/item.php?id=7":                    451,
		"/edge/pages.example/item.php?id=8":                    200,
		"/edge/pages.example/item.php":                         200,
		"/edge/pages.example/index.html":                       200,
		"/edge/pages.example/":                                 200,
		"/edge/pages.example/secure-bank/":                     200,
		"/edge/pages.example/secure-bank/logout.html":          200,
		"/edge/pages.example/secure-bank/login.html.bak":       200,
		"/edge/pages.example/secure-bank/login.html/evil.html": 200,
	})
	rec := get(h, "/edge/pages.example/secure-bank/login.html")
	require.Equal(t, `<http://abusedesk.test/v1/blocked/m1>; rel="blocked-by"`, rec.Header().Get("Link"))
	st := get(h, "/v1/blocked/m1")
	require.Equal(t, 200, st.Code)
	require.Contains(t, st.Body.String(), `"entity_id":"https://pages.example/secure-bank/login.html"`)
	require.Contains(t, st.Body.String(), `"restriction":"access disabled"`)
}

// TestEdgePrefixScope: a path prefix the analyst chose covers everything
// under it and nothing beside it.
func TestEdgePrefixScope(t *testing.T) {
	h, db := scopeServer(t)
	putMitigation(t, db, models.Mitigation{ID: "p", Type: models.MitigationContentDisabled,
		EntityID: "https://pages.example/secure-bank/*", Status: models.MitigationActive})
	expect(t, h, map[string]int{
		"/edge/pages.example/secure-bank/login.html": 451,
		"/edge/pages.example/secure-bank/a/b.png":    451,
		"/edge/pages.example/secure-bank":            451,
		"/edge/pages.example/secure-banking/":        200,
		"/edge/pages.example/index.html":             200,
	})
}

// TestEdgeLegalBlockCountries: a legal block answers 451 in the countries
// its order names (header or ?country=) and 200 elsewhere; a country the
// edge cannot place fails closed; a malformed one is refused.
func TestEdgeLegalBlockCountries(t *testing.T) {
	h, db := scopeServer(t)
	putMitigation(t, db, models.Mitigation{ID: "lb", Type: models.MitigationLegalBlock, EntityID: "https://pages.example/banned/*",
		Countries: "DE,FR", Status: models.MitigationActive})
	const p = "/edge/pages.example/banned/page.html"
	expect(t, h, map[string]int{p: 451}, "X-Client-Country", "DE")
	expect(t, h, map[string]int{p: 451}, "X-Client-Country", "fr")
	expect(t, h, map[string]int{p: 200, "/edge/pages.example/free.html": 200}, "X-Client-Country", "US")
	expect(t, h, map[string]int{p: 200}, "X-Client-Country", "CH")
	expect(t, h, map[string]int{p + "?country=DE": 451, p + "?country=US": 200, p: 451, p + "?country=XX": 451})
	expect(t, h, map[string]int{p: 400}, "X-Client-Country", "Germany")
	rec := get(h, p, "X-Client-Country", "DE")
	require.Contains(t, rec.Body.String(), `"type":"legal_block"`)
	require.Equal(t, `<http://abusedesk.test/v1/blocked/lb>; rel="blocked-by"`, rec.Header().Get("Link"))

	// Without countries the order applies everywhere.
	putMitigation(t, db, models.Mitigation{ID: "lb-all", Type: models.MitigationLegalBlock, EntityID: "https://pages.example/all.html",
		Status: models.MitigationActive})
	expect(t, h, map[string]int{"/edge/pages.example/all.html": 451}, "X-Client-Country", "US")
}

var continueHref = regexp.MustCompile(`id="continue" href="([^"]+)"`)

// TestEdgeInterstitials: phishing content gets a warning page without a
// way on; misleading content a warning with a continue link that, when
// followed, serves the content; a forged token does not.
func TestEdgeInterstitials(t *testing.T) {
	h, db := scopeServer(t)
	putMitigation(t, db, models.Mitigation{ID: "ph", Type: models.MitigationPhishingInterstitial,
		EntityID: "https://pages.example/phish.html", Status: models.MitigationActive})
	putMitigation(t, db, models.Mitigation{ID: "mi", Type: models.MitigationMisleadingInterstitial,
		EntityID: "https://pages.example/claims.html", Status: models.MitigationActive})

	rec := get(h, "/edge/pages.example/phish.html")
	require.Equal(t, 200, rec.Code)
	require.Contains(t, rec.Header().Get("Content-Type"), "text/html")
	require.Equal(t, "phishing_interstitial; id=ph", rec.Header().Get("X-Abusedesk-Mitigation"))
	require.Contains(t, rec.Body.String(), "Warning: suspected phishing")
	require.NotContains(t, rec.Body.String(), `id="continue"`)
	require.NotContains(t, rec.Body.String(), desk.EdgeContinueParam)
	// A token of another mitigation's kind does not get past phishing.
	rec = get(h, "/edge/pages.example/phish.html?abusedesk_continue=x")
	require.Contains(t, rec.Body.String(), "Warning: suspected phishing")

	rec = get(h, "/edge/pages.example/claims.html?ref=mail")
	require.Equal(t, 200, rec.Code)
	require.Equal(t, "misleading_interstitial; id=mi", rec.Header().Get("X-Abusedesk-Mitigation"))
	m := continueHref.FindStringSubmatch(rec.Body.String())
	require.NotNil(t, m, rec.Body.String())
	link := strings.ReplaceAll(m[1], "&amp;", "&")
	require.True(t, strings.HasPrefix(link, "/edge/pages.example/claims.html?ref=mail&abusedesk_continue="), link)

	rec = get(h, link)
	require.Equal(t, 200, rec.Code)
	require.Empty(t, rec.Header().Get("X-Abusedesk-Mitigation"), "continued: the content")
	var ok map[string]string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &ok))
	require.Equal(t, "ok", ok["status"])

	forged := get(h, "/edge/pages.example/claims.html?ref=mail&abusedesk_continue=AAAA")
	require.Contains(t, forged.Body.String(), `id="continue"`, "a forged token shows the warning again")
	other := get(h, strings.Replace(link, "ref=mail", "ref=web", 1))
	require.Contains(t, other.Body.String(), `id="continue"`, "a token is for one URL")
}

// TestEdgeEndedMitigations: pending, cancelled and removed mitigations
// never affect the edge; a mitigation under review still restricts; when
// the operator removed the content (or it was restored) the mitigation
// ends and the URL answers 200 again. Old block rows are not read.
func TestEdgeEndedMitigations(t *testing.T) {
	h, db := scopeServer(t)
	require.NoError(t, db.Create(&models.Block{ObjectID: "site", Domain: "pages.example", URLPrefix: "https://pages.example/", CaseID: "old"}).Error)
	for _, st := range []models.MitigationStatus{models.MitigationPending, models.MitigationCancelled, models.MitigationRemoved} {
		putMitigation(t, db, models.Mitigation{ID: "m-" + string(st), Type: models.MitigationContentDisabled,
			EntityID: "https://pages.example/" + string(st) + ".html", Status: st})
		expect(t, h, map[string]int{"/edge/pages.example/" + string(st) + ".html": 200})
	}
	putMitigation(t, db, models.Mitigation{ID: "live", Type: models.MitigationContentDisabled,
		EntityID: "https://pages.example/live.html", Status: models.MitigationActive})
	expect(t, h, map[string]int{"/edge/pages.example/live.html": 451, "/edge/pages.example/index.html": 200})
	setStatus(t, db, "live", models.MitigationInReview)
	expect(t, h, map[string]int{"/edge/pages.example/live.html": 451})
	setStatus(t, db, "live", models.MitigationRemoved) // the operator removed it, or the case restored it
	expect(t, h, map[string]int{"/edge/pages.example/live.html": 200})
}

// TestEdgeZoneAndAccount: a zone covers its host and subdomains; an
// account every domain of the account.
func TestEdgeZoneAndAccount(t *testing.T) {
	h, db := scopeServer(t)
	require.NoError(t, db.Create(&models.Domain{Name: "shop.example", AccountID: "acct-2"}).Error)
	require.NoError(t, db.Create(&models.Domain{Name: "blog.example", AccountID: "acct-2"}).Error)
	putMitigation(t, db, models.Mitigation{ID: "z", Type: models.MitigationPhishingInterstitial, EntityType: models.EntityZone,
		EntityID: "pages.example", Status: models.MitigationActive})
	putMitigation(t, db, models.Mitigation{ID: "a", Type: models.MitigationContentDisabled, EntityType: models.EntityAccount,
		EntityID: "acct-2", Domain: "-", Status: models.MitigationActive})
	for target, typ := range map[string]string{
		"/edge/pages.example/x":     "phishing_interstitial; id=z",
		"/edge/img.pages.example/x": "phishing_interstitial; id=z",
		"/edge/shop.example/x":      "content_disabled; id=a",
		"/edge/www.blog.example/":   "content_disabled; id=a",
		"/edge/other.example/x":     "",
		"/edge/notpages.example/x":  "",
	} {
		require.Equal(t, typ, get(h, target).Header().Get("X-Abusedesk-Mitigation"), target)
	}
}

// TestBlocklistServesActiveMitigations: the blocklist keeps the fields old
// edge nodes read and adds the mitigation's; only active and in_review.
func TestBlocklistServesActiveMitigations(t *testing.T) {
	h, db := scopeServer(t)
	putMitigation(t, db, models.Mitigation{ID: "a1", Type: models.MitigationContentRemoved, EntityID: "https://pages.example/a.html", Status: models.MitigationActive})
	putMitigation(t, db, models.Mitigation{ID: "a2", Type: models.MitigationLegalBlock, EntityID: "https://pages.example/b/*", Countries: "DE",
		Status: models.MitigationInReview})
	putMitigation(t, db, models.Mitigation{ID: "a3", Type: models.MitigationContentDisabled, EntityID: "https://pages.example/c.html", Status: models.MitigationRemoved})
	rec := get(h, "/v1/blocklist")
	require.Equal(t, 200, rec.Code)
	var body struct {
		Blocks []map[string]any `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	require.Len(t, body.Blocks, 2)
	require.Equal(t, map[string]any{"object_id": "site", "url_prefix": "https://pages.example/a.html", "removed": true, "case_id": "case-1",
		"mitigation_id": "a1", "type": "content_removed", "entity_type": "url_pattern", "entity_id": "https://pages.example/a.html",
		"countries": []any{}, "status": "active"}, body.Blocks[0])
	require.Equal(t, "https://pages.example/b/", body.Blocks[1]["url_prefix"])
	require.Equal(t, []any{"DE"}, body.Blocks[1]["countries"])
	require.Equal(t, "in_review", body.Blocks[1]["status"])
	etag := rec.Header().Get("ETag")
	require.NotEmpty(t, etag)
	require.Equal(t, http.StatusNotModified, get(h, "/v1/blocklist", "If-None-Match", etag).Code)
}
