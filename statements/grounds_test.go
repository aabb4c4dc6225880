package statements

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// truth checks a statement against the Transparency Database's rules
// (Validate) and against what abusedesk did (docs/DESIGN.md step 8): the
// ground the decision rests on, a counter-notice only for copyright
// notices, the content date, no doubled stops.
type truth struct {
	terms       bool   // the decision rests on terms or an agreement
	illegal     bool   // the content is also illegal as such
	counter     bool   // the 512(g) counter-notice is offered
	contentDate string // when the content was first known to be online
}

func requireTrue(t *testing.T, s SOR, w truth) {
	t.Helper()
	require.Empty(t, Validate(s), "%+v", s)
	require.NotContains(t, s.DecisionFacts, "..", s.DecisionFacts)
	require.NotContains(t, s.IllegalContentExplanation+s.IncompatibleContentExplanation, "..")
	require.Equal(t, w.contentDate, s.ContentDate)
	for _, word := range []string{"Terms of service", "clause", "agreement", "policy"} {
		require.NotContains(t, s.IllegalContentLegalGround, word, "a terms clause is never a legal ground")
	}
	if w.terms {
		require.Equal(t, "DECISION_GROUND_INCOMPATIBLE_CONTENT", s.DecisionGround)
		require.Empty(t, s.IllegalContentLegalGround)
		if w.illegal {
			require.Equal(t, "Yes", s.IncompatibleContentIllegal)
		} else {
			require.Empty(t, s.IncompatibleContentIllegal)
		}
	} else {
		require.Equal(t, "DECISION_GROUND_ILLEGAL_CONTENT", s.DecisionGround)
		require.Empty(t, s.IncompatibleContentIllegal)
	}
	require.Equal(t, w.counter, strings.Contains(s.DecisionFacts, "counter-notice"), s.DecisionFacts)
	require.Equal(t, w.counter, strings.Contains(s.DecisionFacts, "512(g)"), s.DecisionFacts)
}

// TestEveryRestrictionPathSaysTheTrueGround builds the statement of every
// restriction path (hosted disable after a decision, disable on receipt,
// removal after no answer, removal after a decision, registrar hold) for
// every category, with reasons that end in stops and ellipses.
func TestEveryRestrictionPathSaysTheTrueGround(t *testing.T) {
	obj := &models.HostedObject{ObjectID: "pages-site-1", Product: "pages"}
	for _, cat := range models.Categories {
		illegal := categoryOf(cat).legal != ""
		for _, reason := range []string{"Sells a counterfeit product.", "and so on...", "confirmed.."} {
			violates := &models.Decision{Verdict: "violates", Clause: "phishing_fraud", Reason: reason}
			for _, tc := range []struct {
				name string
				f    Facts
				w    truth
			}{
				{"disabled", Facts{Kind: KindRestriction, Decision: violates, Object: obj, Reason: "phishing_fraud"},
					truth{terms: true, illegal: illegal, counter: cat == models.CategoryCopyright}},
				{"disabled-on-receipt", Facts{Kind: KindRestriction, Object: obj, Reason: "csam"},
					truth{terms: !illegal}},
				{"removed-no-response", Facts{Kind: KindRemoval, Decision: violates, Object: obj, Reason: "no response"},
					truth{terms: true, illegal: illegal}},
				{"removed", Facts{Kind: KindRemoval, Decision: violates, Object: obj, Reason: "csam"},
					truth{terms: true, illegal: illegal}},
				{"domain-hold", Facts{Kind: KindDomainRestriction, Decision: &models.Decision{Verdict: "uphold", Reason: reason}},
					truth{terms: true, illegal: illegal}},
			} {
				f := tc.f
				f.Category, f.ReportedAt, f.At, f.CaseID = cat, reported, applied, "Cabc"
				f.DedupKey = f.Kind + ":Cabc:" + tc.name
				tc.w.contentDate = "2026-03-02"
				s := Build(f)
				t.Run(string(cat)+"/"+tc.name, func(t *testing.T) { requireTrue(t, s, tc.w) })
				if f.Decision != nil && f.Kind != KindDomainRestriction {
					require.Contains(t, s.IncompatibleContentGround, "Terms of service, clause phishing_fraud")
				}
			}
		}
	}
	// A copyright complaint lacking 512(c)(3) elements offers no counter-notice.
	s := Build(Facts{Kind: KindRestriction, Category: models.CategoryCopyright, Complaint: true, CaseID: "C", DedupKey: "k",
		ReportedAt: reported, At: applied, Object: obj, Decision: &models.Decision{Verdict: "violates", Clause: "ip", Reason: "r"}})
	requireTrue(t, s, truth{terms: true, illegal: true, contentDate: "2026-03-02"})
	// Whois data is a breach of the agreement, not illegal content; the
	// domain resolves again once it is corrected. Another ground does not
	// promise that.
	whois := Build(Facts{Kind: KindDomainRestriction, Category: models.CategoryRegistrarWhois, CaseID: "C", DedupKey: "k", At: applied,
		Decision: &models.Decision{Verdict: "uphold", Reason: "not corrected"}})
	require.Contains(t, whois.IncompatibleContentGround, "accurate registration data")
	require.Contains(t, whois.DecisionFacts, "until the registration data is corrected")
	phish := Build(Facts{Kind: KindDomainRestriction, Category: models.CategoryPhishing, CaseID: "C", DedupKey: "k", At: applied,
		Decision: &models.Decision{Verdict: "uphold", Reason: "phishing kit"}})
	require.NotContains(t, phish.DecisionFacts, "registration data")
}

// seedTermination writes an account with hosting and CDN domains, two
// hosted objects and strikes of three cases (phishing, malware, a
// withdrawn one that is not behind the termination), and the review.
func seedTermination(t *testing.T, db *gorm.DB, services string) time.Time {
	review := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	require.NoError(t, db.Create(&models.Account{ID: "acct-1"}).Error)
	require.NoError(t, db.Create(&models.Domain{Name: "a.example", AccountID: "acct-1", Services: services}).Error)
	for _, o := range []string{"o1", "o2"} {
		require.NoError(t, db.Create(&models.HostedObject{ObjectID: o, Domain: "a.example", AccountID: "acct-1", Product: "pages"}).Error)
	}
	withdrawn := review.Add(-time.Hour)
	for i, c := range []struct {
		id  string
		cat models.Category
		at  time.Time
		wd  *time.Time
	}{
		{"Cold", models.CategoryPhishing, time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC), nil},
		{"Cmid", models.CategoryMalware, time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC), nil},
		{"Cwd", models.CategoryDefamation, time.Date(2025, 12, 1, 8, 0, 0, 0, time.UTC), &withdrawn},
		{"Ctrig", models.CategoryPhishing, time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), nil},
	} {
		require.NoError(t, db.Create(&models.Case{ID: c.id, Category: c.cat, Status: models.StatusClosed, CreatedAt: c.at}).Error)
		require.NoError(t, db.Create(&models.Strike{CaseID: c.id, AccountID: "acct-1", Category: c.cat, NoMeaningfulStep: true,
			CreatedAt: c.at.Add(time.Duration(i+1) * time.Hour), WithdrawnAt: c.wd}).Error)
	}
	require.NoError(t, db.Create(&models.Review{ID: "TerminationReview:acct-1:hosting", AccountID: "acct-1", Kind: "hosting",
		TriggerCaseID: "Ctrig", CreatedAt: review}).Error)
	return review
}

func recorded(t *testing.T, db *gorm.DB, kind, caseID string) (SOR, bool) {
	var st []Statement
	require.NoError(t, db.Where("kind = ? AND case_id = ?", kind, caseID).Find(&st).Error)
	if len(st) == 0 {
		return SOR{}, false
	}
	require.Len(t, st, 1)
	require.Equal(t, StatusPending, st[0].SubmitStatus, st[0].SubmitError)
	var s SOR
	require.NoError(t, json.Unmarshal([]byte(st[0].Body), &s))
	return s, true
}

// TestTerminationSaysWhatItApplied records terminations through Record
// (the path the activities take): a hosting termination of an account that
// also has a CDN service is a partial termination with its objects
// disabled, names every case behind it and their categories, and dates the
// content from the oldest report; the account's only service ended is a
// total termination of the account.
func TestTerminationSaysWhatItApplied(t *testing.T) {
	for _, tc := range []struct {
		services string
		service  string
		legal    string
	}{
		{"cdn, hosting:pages", "hosting", ""},
		{"hosting:pages", "hosting", ""},
		{"cdn, hosting:pages", "cdn", "Order of the Tribunal de Paris, RG 26/0001."},
	} {
		t.Run(tc.services+"/"+tc.service, func(t *testing.T) {
			db := openDB(t)
			review := seedTermination(t, db, tc.services)
			id := "TerminationReview:acct-1:hosting"
			require.NoError(t, db.Create(&models.Termination{ReviewID: id, AccountID: "acct-1", Kind: "hosting", Service: tc.service,
				Reason: "Three violations, no steps.", LegalBasis: tc.legal, CreatedAt: review.Add(time.Hour)}).Error)
			require.NoError(t, Record(db, review.Add(time.Hour), id, KindTermination, "termination:"+id,
				map[string]any{"account": "acct-1", "service": tc.service, "kind": "hosting", "legal_basis": tc.legal}))
			s, ok := recorded(t, db, KindTermination, id)
			require.True(t, ok)
			requireTrue(t, s, truth{terms: tc.legal == "", illegal: tc.legal == "", contentDate: "2026-01-05"})
			require.Equal(t, "SOURCE_VOLUNTARY", s.SourceType)
			require.Equal(t, "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", s.Category, "the triggering case's category first")
			require.Equal(t, []string{"STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"}, s.CategoryAddition, "and every other category behind it")
			for _, c := range []string{"case Cold (phishing", "case Cmid (malware", "case Ctrig (phishing"} {
				require.Contains(t, s.DecisionFacts, c)
			}
			require.NotContains(t, s.DecisionFacts, "Cwd", "a withdrawn strike is not behind the termination")
			total := !strings.Contains(tc.services, "cdn")
			if total {
				require.Equal(t, "DECISION_PROVISION_TOTAL_TERMINATION", s.DecisionProvision)
				require.Equal(t, "DECISION_ACCOUNT_TERMINATED", s.DecisionAccount)
			} else {
				require.Equal(t, "DECISION_PROVISION_PARTIAL_TERMINATION", s.DecisionProvision)
				require.Empty(t, s.DecisionAccount, "the account keeps another service")
				require.Contains(t, s.DecisionFacts, "were not terminated")
			}
			if tc.service == "hosting" {
				require.Equal(t, []string{"DECISION_VISIBILITY_CONTENT_DISABLED"}, s.DecisionVisibility)
				require.Contains(t, s.DecisionFacts, "disabled (2)")
			} else {
				require.Empty(t, s.DecisionVisibility, "a CDN termination disables no hosted content")
				require.Equal(t, "Order of the Tribunal de Paris, RG 26/0001.", s.IllegalContentLegalGround)
			}
		})
	}
}

// TestRecordedPathsThroughTheDatabase: the restriction paths recorded
// through Record from a case and its decisions: a disable after a dispute
// was upheld stands on the clause of the decision upheld; a registrar lock
// against hijacking restricts nobody and gets no statement.
func TestRecordedPathsThroughTheDatabase(t *testing.T) {
	db := openDB(t)
	require.NoError(t, db.Create(&models.Case{ID: "C1", Category: models.CategoryTrademark, Status: models.StatusClosed, CreatedAt: reported}).Error)
	require.NoError(t, db.Create(&models.HostedObject{ObjectID: "o1", AccountID: "acct-1", Product: "images"}).Error)
	require.NoError(t, db.Create(&models.Decision{CaseID: "C1", Step: "decide", Verdict: "violates", Clause: "ip", Reason: "fake brand."}).Error)
	require.NoError(t, db.Create(&models.Decision{CaseID: "C1", Step: "dispute", Verdict: "uphold", Reason: "the dispute shows nothing new."}).Error)
	require.NoError(t, Record(db, applied, "C1", KindRemoval, "removal:C1:remove:o1", map[string]any{"object_id": "o1", "reason": "ip"}))
	s, ok := recorded(t, db, KindRemoval, "C1")
	require.True(t, ok)
	requireTrue(t, s, truth{terms: true, illegal: true, contentDate: "2026-03-02"})
	require.Contains(t, s.IncompatibleContentGround, "clause ip")
	require.Equal(t, []string{"CONTENT_TYPE_IMAGE"}, s.ContentType)

	require.NoError(t, db.Create(&models.Case{ID: "C2", Category: models.CategoryRegistrarHijacking, Status: models.StatusClosed, CreatedAt: reported}).Error)
	require.NoError(t, Record(db, applied, "C2", KindDomainRestriction, "domain_restriction:C2:lock",
		map[string]any{"domain": "x.example", "status": workflows.EPPClientTransferProhibited}))
	_, ok = recorded(t, db, KindDomainRestriction, "C2")
	require.False(t, ok, "a lock protects the registrant: no statement")

	require.NoError(t, db.Create(&models.Case{ID: "C3", Category: models.CategoryRegistrarWhois, Status: models.StatusClosed, CreatedAt: reported}).Error)
	require.NoError(t, db.Create(&models.Decision{CaseID: "C3", Step: "whois", Verdict: "uphold", Reason: "not corrected"}).Error)
	require.NoError(t, Record(db, applied, "C3", KindDomainRestriction, "domain_restriction:C3:suspend",
		map[string]any{"domain": "y.example", "status": workflows.EPPServerHold}))
	s, ok = recorded(t, db, KindDomainRestriction, "C3")
	require.True(t, ok)
	requireTrue(t, s, truth{terms: true, contentDate: "2026-03-02"})
	require.Equal(t, "AUTOMATED_DECISION_NOT_AUTOMATED", s.AutomatedDecision)
	require.True(t, slices.Contains([]string{"DECISION_PROVISION_TOTAL_SUSPENSION"}, s.DecisionProvision))
}
