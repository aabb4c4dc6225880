package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/internal/cybertipline"
	"github.com/abusedesk/abusedesk/internal/cybertipline/cttest"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

func clearinghouseRow(t *testing.T, db *gorm.DB, caseID string) models.ClearinghouseReport {
	r, ok, err := store.ClearinghouseReportOf(context.Background(), db, caseID)
	require.NoError(t, err)
	require.True(t, ok)
	return r
}

// TestClearinghouseWithoutAPIIsPrepared: with no clearinghouse configured
// the report is prepared, not filed, and waits for an analyst; nothing is
// preserved for a limited time yet (kept until filed).
func TestClearinghouseWithoutAPIIsPrepared(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		newCase(t, db, "Ccsam", models.CategoryCSAM, "https://pages.example/a/1")
		a := &activities.Activities{DB: db}
		res, err := a.FileClearinghouseReport(context.Background(), activities.ClearinghouseInput{CaseID: "Ccsam"})
		require.NoError(t, err)
		require.Equal(t, string(models.ClearinghousePrepared), res.State)
		require.Empty(t, res.Reference)
		r := clearinghouseRow(t, db, "Ccsam")
		require.Equal(t, models.ClearinghousePrepared, r.State)
		require.False(t, r.Filed)
		require.True(t, r.ByHand, "waits for an analyst")
		require.Nil(t, r.FiledAt)
		require.Nil(t, r.PreserveUntil)

		// An analyst files it by hand.
		at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		got, err := store.MarkClearinghouseFiled(context.Background(), db, "Ccsam", "151515", "ana", at, func(*gorm.DB) error { return nil })
		require.NoError(t, err)
		require.Equal(t, models.ClearinghouseFinished, got.State)
		r = clearinghouseRow(t, db, "Ccsam")
		require.Equal(t, "151515", r.ReportID)
		require.Equal(t, "ana", r.FiledBy)
		require.True(t, r.Filed)
		require.Equal(t, at.Add(models.ClearinghousePreservation), r.PreserveUntil.UTC())
		_, err = store.MarkClearinghouseFiled(context.Background(), db, "Ccsam", "2", "ana", at, func(*gorm.DB) error { return nil })
		require.ErrorIs(t, err, store.ErrClearinghouseFiled)
		// The activity run again (a retry) leaves the hand-filed report.
		res, err = a.FileClearinghouseReport(context.Background(), activities.ClearinghouseInput{CaseID: "Ccsam"})
		require.NoError(t, err)
		require.Equal(t, "151515", res.Reference)
	})
}

// TestClearinghouseFilesThroughTheAPI: a report is submitted, its file
// uploaded and described, and finished; an upload the service refuses
// retracts that report and the retry files a new one; a filed report is
// never filed twice.
func TestClearinghouseFilesThroughTheAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		srv := cttest.New("esp", "pw")
		defer srv.Close()
		c, err := cybertipline.New(srv.URL, "esp", "pw")
		require.NoError(t, err)
		now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		a := &activities.Activities{DB: db, Clearinghouse: activities.Clearinghouse{API: c, Contact: "abuse@provider.example"},
			Now: func() time.Time { return now }}
		newCase(t, db, "Ccsam", models.CategoryCSAM, "https://pages.example/a/1", "https://pages.example/a/2")
		require.NoError(t, db.Table(activities.EvidenceTable).Create(map[string]any{
			"case_id": "Ccsam", "key_hash": "k1", "source": "email", "format": "plain", "size": 9, "sha256": "ab",
			"raw": []byte("raw email"), "truncated": false, "created_at": now}).Error)

		srv.FailUploads(1)
		_, err = a.FileClearinghouseReport(ctx, activities.ClearinghouseInput{CaseID: "Ccsam"})
		require.Error(t, err)
		require.Contains(t, err.Error(), "Server error: upload failed")
		r := clearinghouseRow(t, db, "Ccsam")
		require.Equal(t, models.ClearinghouseRetracted, r.State)
		require.Contains(t, r.Error, "responseCode 1000")
		first := r.ReportID
		rep, ok := srv.Report(first)
		require.True(t, ok)
		require.True(t, rep.Retracted, "a report missing its file is withdrawn")

		res, err := a.FileClearinghouseReport(ctx, activities.ClearinghouseInput{CaseID: "Ccsam"})
		require.NoError(t, err)
		require.Equal(t, string(models.ClearinghouseFinished), res.State)
		r = clearinghouseRow(t, db, "Ccsam")
		require.NotEqual(t, first, r.ReportID)
		require.Equal(t, r.ReportID, res.Reference)
		require.True(t, r.Filed)
		require.Empty(t, r.Error)
		require.Equal(t, 1, r.FilesUploaded)
		require.Equal(t, now, r.FiledAt.UTC())
		require.Equal(t, now.Add(365*24*time.Hour), r.PreserveUntil.UTC())
		rep, _ = srv.Report(r.ReportID)
		require.True(t, rep.Finished)
		require.Contains(t, rep.Document, "<url>https://pages.example/a/2</url>")
		require.Contains(t, rep.Document, "<email>abuse@provider.example</email>")
		require.Len(t, rep.Files, 1)
		for fid, data := range rep.Files {
			require.Equal(t, "raw email", string(data))
			require.Contains(t, rep.Details[fid], "originalFileName")
		}

		calls := len(srv.Calls())
		res, err = a.FileClearinghouseReport(ctx, activities.ClearinghouseInput{CaseID: "Ccsam"})
		require.NoError(t, err)
		require.Equal(t, r.ReportID, res.Reference)
		require.Len(t, srv.Calls(), calls, "a filed report is not filed again")
	})
}

// TestClearinghousePreservationSurvivesThePurge: the material of a case
// with a clearinghouse report is kept by the personal-data purge while the
// report waits to be filed and for a year after it was filed, then
// released; a case without a report goes at once.
func TestClearinghousePreservationSurvivesThePurge(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		closed := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
		filed := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
		for _, id := range []string{"Cfiled", "Cprepared", "Cplain"} {
			cat := models.CategoryCSAM
			if id == "Cplain" {
				cat = models.CategoryPhishing
			}
			newCase(t, db, id, cat, "https://pages.example/a/"+id)
			require.NoError(t, db.Model(&models.Case{}).Where("id = ?", id).
				Updates(map[string]any{"status": models.StatusClosed, "closed_at": closed}).Error)
			require.NoError(t, db.Table(activities.EvidenceTable).Create(map[string]any{
				"case_id": id, "key_hash": "k-" + id, "source": "email", "format": "plain", "raw": []byte("raw " + id), "created_at": closed}).Error)
		}
		a := &activities.Activities{DB: db}
		_, err := a.FileClearinghouseReport(ctx, activities.ClearinghouseInput{CaseID: "Cprepared"})
		require.NoError(t, err)
		_, err = a.FileClearinghouseReport(ctx, activities.ClearinghouseInput{CaseID: "Cfiled"})
		require.NoError(t, err)
		_, err = store.MarkClearinghouseFiled(ctx, db, "Cfiled", "77", "ana", filed, func(*gorm.DB) error { return nil })
		require.NoError(t, err)

		purge := func(at time.Time) activities.PurgeResult {
			a.Now = func() time.Time { return at }
			res, err := a.ErasePersonalData(ctx, activities.PurgeInput{ClosedBefore: at})
			require.NoError(t, err)
			return res
		}
		erased := func(id string) bool {
			var cs models.Case
			require.NoError(t, db.Where("id = ?", id).Take(&cs).Error)
			return cs.Description == activities.ErasedText
		}
		raw := func(id string) []byte {
			var ev struct{ Raw []byte }
			require.NoError(t, db.Table(activities.EvidenceTable).Select("raw").Where("case_id = ?", id).Take(&ev).Error)
			return ev.Raw
		}

		res := purge(filed.Add(30 * 24 * time.Hour))
		require.Equal(t, 1, res.Cases, "only the case without a report")
		require.True(t, erased("Cplain"))
		require.False(t, erased("Cfiled"), "preserved within a year of the report")
		require.Equal(t, "raw Cfiled", string(raw("Cfiled")), "the reported material is kept")
		require.False(t, erased("Cprepared"))

		res = purge(filed.Add(models.ClearinghousePreservation - time.Hour))
		require.Zero(t, res.Cases)

		res = purge(filed.Add(models.ClearinghousePreservation + time.Hour))
		require.Equal(t, 1, res.Cases, "released a year after the report")
		require.True(t, erased("Cfiled"))
		require.Nil(t, raw("Cfiled"))
		require.False(t, erased("Cprepared"), "a report not filed yet keeps its material")
		require.Equal(t, "raw Cprepared", string(raw("Cprepared")))
	})
}

// TestClearinghouseKeepsAnAnonymousReporterOut: a reporter who chose
// send-anon towards the clearinghouse is named neither in the report nor
// by an attached report as received.
func TestClearinghouseKeepsAnAnonymousReporterOut(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		srv := cttest.New("esp", "pw")
		defer srv.Close()
		c, err := cybertipline.New(srv.URL, "esp", "pw")
		require.NoError(t, err)
		a := &activities.Activities{DB: db, Clearinghouse: activities.Clearinghouse{API: c, Contact: "abuse@provider.example"}}
		newCase(t, db, "Canon", models.CategoryCSAM, "https://pages.example/a/9")
		require.NoError(t, db.Model(&models.Case{}).Where("id = ?", "Canon").Updates(map[string]any{
			"ncmec_notification": models.NotifySendAnon, "description": "abuse imagery. Regards, Rita"}).Error)
		require.NoError(t, db.Table(activities.EvidenceTable).Create(map[string]any{
			"case_id": "Canon", "key_hash": "k-anon", "source": "email", "format": "plain", "raw": []byte("From: rita@r.example"), "created_at": time.Now()}).Error)
		res, err := a.FileClearinghouseReport(context.Background(), activities.ClearinghouseInput{CaseID: "Canon"})
		require.NoError(t, err)
		rep, ok := srv.Report(res.Reference)
		require.True(t, ok)
		require.True(t, rep.Finished)
		require.Empty(t, rep.Files, "the report as received names the reporter")
		require.NotContains(t, rep.Document, "Rita")
		require.NotContains(t, rep.Document, "rita@")
		require.Contains(t, rep.Document, "asked to stay anonymous")
		require.Contains(t, rep.Document, "abuse imagery")
	})
}
