package desk

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// mitigationEngine is fakeEngine standing in for the Mitigation workflow:
// a start stores the mitigation as the workflow's first activity does, an
// update or signal records itself and moves the record on.
type mitigationEngine struct {
	*fakeEngine
	d       *Desk
	started []workflows.MitigationInput
	signals []string
	reviews []workflows.MitigationReview
}

func (m *mitigationEngine) StartMitigation(ctx context.Context, id string, in workflows.MitigationInput) error {
	m.started = append(m.started, in)
	st := models.MitigationActive
	if in.Pending {
		st = models.MitigationPending
	}
	_, _, err := store.CreateMitigation(ctx, m.d.DB, models.Mitigation{ID: in.MitigationID, CaseID: in.CaseID, Step: in.Step,
		Type: in.Type, EntityType: in.EntityType, EntityID: in.EntityID, Status: st, EffectiveDate: in.EffectiveDate,
		Countries: strings.Join(in.Countries, ","), Reason: in.Reason, UpdatedBy: in.By}, nil)
	return err
}

func (m *mitigationEngine) Signal(ctx context.Context, wfID, name string, arg any) error {
	m.signals = append(m.signals, name+" "+wfID)
	return nil
}

func (m *mitigationEngine) Update(ctx context.Context, wfID, name string, arg, out any) error {
	r := arg.(workflows.MitigationReview)
	m.reviews = append(m.reviews, r)
	id := wfID[len("Mitigation:"):]
	_, _, err := store.ChangeMitigation(ctx, m.d.DB, store.MitigationChange{ID: id, Kind: models.MitigationEventStatus,
		To: models.MitigationActive, ReviewDecision: r.Decision, Actor: r.Analyst, At: time.Now()}, nil)
	return err
}

func mitigationDesk(t *testing.T) (*Desk, *mitigationEngine) {
	d, fe := testDesk(t)
	e := &mitigationEngine{fakeEngine: fe, d: d}
	d.Engine = e
	d.Cfg.InterstitialGrace = 24 * time.Hour
	return d, e
}

func addCDNCase(t *testing.T, d *Desk, id string, cat models.Category) {
	require.NoError(t, d.DB.Create(&models.Case{ID: id, Category: cat, Service: models.ServiceCDN, Domain: "shop.example",
		AccountID: "acct-1", Status: models.StatusClosed, CreatedAt: time.Now().UTC()}).Error)
	for i, u := range []string{"https://shop.example/login", "https://shop.example/pay?x=1"} {
		require.NoError(t, d.DB.Create(&models.CaseURL{CaseID: id, Seq: i, URL: u, Host: "shop.example"}).Error)
	}
}

// TestPlaceInterstitial: an interstitial on a CDN phishing case is one
// pending mitigation per reported URL, effective after the grace period,
// and its reason says the forwards still happened.
func TestPlaceInterstitial(t *testing.T) {
	d, e := mitigationDesk(t)
	addCDNCase(t, d, "C1", models.CategoryPhishing)
	ms, err := d.PlaceMitigation(context.Background(), "C1", PlaceMitigationRequest{Type: "phishing_interstitial",
		URLs: []string{"https://SHOP.example/login", "https://shop.example/pay?x=1"}, Reason: "confirmed phishing kit"}, "ana")
	require.NoError(t, err)
	require.Len(t, ms, 2)
	require.Equal(t, models.MitigationPending, ms[0].Status)
	require.Equal(t, "https://shop.example/login", ms[0].EntityID)
	require.WithinDuration(t, time.Now().Add(24*time.Hour), ms[0].EffectiveDate, time.Minute)
	require.Contains(t, ms[0].Reason, "in addition to those forwards")
	require.Len(t, ms[0].Events, 1)
	require.True(t, e.started[0].Pending)

	// A prefix that covers a reported URL is one mitigation on "<prefix>*".
	ms, err = d.PlaceMitigation(context.Background(), "C1", PlaceMitigationRequest{Type: "legal_block",
		PathPrefix: "https://shop.example/pay", Countries: []string{"de", "FR"}, Reason: "court order 1 O 23/26"}, "ana")
	require.NoError(t, err)
	require.Len(t, ms, 1)
	require.Equal(t, "https://shop.example/pay*", ms[0].EntityID)
	require.Equal(t, []string{"DE", "FR"}, ms[0].Countries)
	require.Equal(t, models.MitigationActive, ms[0].Status, "a legal block applies at once")

	all, err := d.CaseMitigations(context.Background(), "C1")
	require.NoError(t, err)
	require.Len(t, all, 3)
}

// TestPlaceMitigationRefusals lists every problem of a placement, refuses
// an interstitial outside phishing and malware, and any non-CDN case.
func TestPlaceMitigationRefusals(t *testing.T) {
	d, _ := mitigationDesk(t)
	addCDNCase(t, d, "C1", models.CategoryPhishing)
	addCDNCase(t, d, "C2", models.CategoryCopyright)
	ctx := context.Background()
	_, err := d.PlaceMitigation(ctx, "C1", PlaceMitigationRequest{Type: "network_block", Countries: []string{"Germany"}}, "ana")
	k, ps := Classify(err)
	require.Equal(t, KindInvalid, k)
	var fields []string
	for _, p := range ps {
		fields = append(fields, p.Field)
	}
	require.Equal(t, []string{"type", "urls", "countries", "reason"}, fields)
	_, err = d.PlaceMitigation(ctx, "C1", PlaceMitigationRequest{Type: "legal_block", Countries: []string{"DE", "Germany"},
		URLs: []string{"https://shop.example/login"}, Reason: "order"}, "ana")
	_, ps = Classify(err)
	require.Equal(t, "countries[1]", ps[0].Field)
	_, err = d.PlaceMitigation(ctx, "C1", PlaceMitigationRequest{Type: "phishing_interstitial",
		URLs: []string{"https://shop.example/other"}, Reason: "r"}, "ana")
	k, ps = Classify(err)
	require.Equal(t, KindInvalid, k)
	require.Equal(t, "urls[0]", ps[0].Field, "only reported URLs are covered")
	_, err = d.PlaceMitigation(ctx, "C2", PlaceMitigationRequest{Type: "phishing_interstitial",
		URLs: []string{"https://shop.example/login"}, Reason: "r"}, "ana")
	k, _ = Classify(err)
	require.Equal(t, KindInvalid, k)
	require.NoError(t, d.DB.Model(&models.Case{}).Where("id = ?", "C1").Update("service", models.ServiceHosting).Error)
	_, err = d.PlaceMitigation(ctx, "C1", PlaceMitigationRequest{Type: "legal_block", Countries: []string{"DE"},
		URLs: []string{"https://shop.example/login"}, Reason: "r"}, "ana")
	k, _ = Classify(err)
	require.Equal(t, KindConflict, k)
	_, err = d.PlaceMitigation(ctx, "nope", PlaceMitigationRequest{Type: "legal_block", Countries: []string{"DE"},
		URLs: []string{"https://shop.example/login"}, Reason: "r"}, "ana")
	k, _ = Classify(err)
	require.Equal(t, KindNotFound, k)
}

// TestAppealAndReviewMitigation: only a mitigation in force is appealed,
// once; only one in review takes an analyst's answer.
func TestAppealAndReviewMitigation(t *testing.T) {
	d, e := mitigationDesk(t)
	ctx := context.Background()
	addCDNCase(t, d, "C1", models.CategoryPhishing)
	ms, err := d.PlaceMitigation(ctx, "C1", PlaceMitigationRequest{Type: "phishing_interstitial",
		URLs: []string{"https://shop.example/login"}, Reason: "kit"}, "ana")
	require.NoError(t, err)
	id := ms[0].ID
	appeal := workflows.MitigationAppeal{Reason: "removed", Statement: "we deleted the kit", By: "account:acct-1"}
	k, _ := Classify(d.AppealMitigation(ctx, id, appeal))
	require.Equal(t, KindConflict, k, "a pending mitigation is not in force yet")
	k, ps := Classify(d.AppealMitigation(ctx, id, workflows.MitigationAppeal{Reason: "because"}))
	require.Equal(t, KindInvalid, k)
	require.Len(t, ps, 2)
	k, _ = Classify(d.AppealMitigation(ctx, "mit_none", appeal))
	require.Equal(t, KindNotFound, k)

	_, _, err = store.ChangeMitigation(ctx, d.DB, store.MitigationChange{ID: id, Kind: models.MitigationEventStatus,
		To: models.MitigationActive, At: time.Now()}, nil)
	require.NoError(t, err)
	_, err = d.ReviewMitigation(ctx, id, MitigationReviewRequest{Decision: "uphold"}, "ana")
	k, _ = Classify(err)
	require.Equal(t, KindConflict, k, "an active mitigation takes no review")
	require.NoError(t, d.AppealMitigation(ctx, id, appeal))
	require.Equal(t, []string{workflows.SignalMitigationAppeal + " " + workflows.MitigationWorkflowID(id)}, e.signals)

	deadline := time.Now().Add(72 * time.Hour)
	_, _, err = store.ChangeMitigation(ctx, d.DB, store.MitigationChange{ID: id, Kind: models.MitigationEventAppeal,
		AppealReason: "removed", AppealStatement: "we deleted the kit", ReviewDeadline: &deadline, At: time.Now()}, nil)
	require.NoError(t, err)
	_, err = d.ReviewMitigation(ctx, id, MitigationReviewRequest{Decision: "keep"}, "ana")
	k, _ = Classify(err)
	require.Equal(t, KindInvalid, k)
	v, err := d.ReviewMitigation(ctx, id, MitigationReviewRequest{Decision: "uphold", Note: "still phishing"}, "ana")
	require.NoError(t, err)
	require.Equal(t, models.MitigationActive, v.Status)
	require.Equal(t, "uphold", v.ReviewDecision)
	require.Equal(t, "removed", v.Appeal.Reason)
	require.Len(t, e.reviews, 1)
	k, _ = Classify(d.AppealMitigation(ctx, id, appeal))
	require.Equal(t, KindConflict, k, "a mitigation is appealed once")
}
