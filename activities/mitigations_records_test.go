package activities_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// served lists the mitigations of a case that restrict now, "type entity".
func served(t *testing.T, db *gorm.DB, caseID string) []string {
	t.Helper()
	ms, err := store.CaseMitigations(context.Background(), db, caseID)
	require.NoError(t, err)
	var out []string
	for _, m := range ms {
		if !m.Status.Ended() {
			out = append(out, string(m.Type)+" "+m.EntityID)
		}
	}
	return out
}

// TestCSAMPathRecordsMitigations: hosted CSAM disabled on receipt is a
// content_disabled mitigation of exactly the reported URL (the edge serves
// mitigations only), written once however often the activity runs; an
// upheld decision turns it into content_removed, a no-violation ends it.
func TestCSAMPathRecordsMitigations(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		a := &activities.Activities{DB: db, Journal: &recordingJournal{}, Hosting: activities.DBHosting{}}
		newCase(t, db, "cs1", models.CategoryCSAM, "https://pages.example/a/img.png")
		in := activities.ObjectsInput{CaseID: "cs1", Step: "disable-csam", ObjectIDs: []string{"obj-a"}, Reason: "csam"}
		require.NoError(t, a.DisableObjects(ctx, in))
		require.NoError(t, a.DisableObjects(ctx, in), "a retry writes nothing twice")
		require.Equal(t, []string{"content_disabled https://pages.example/a/img.png"}, served(t, db, "cs1"))

		in.Step = "remove-csam"
		require.NoError(t, a.RemoveObjects(ctx, in))
		require.Equal(t, []string{"content_removed https://pages.example/a/img.png"}, served(t, db, "cs1"))

		newCase(t, db, "cs2", models.CategoryCSAM, "https://pages.example/a/other.png")
		require.NoError(t, a.DisableObjects(ctx, activities.ObjectsInput{CaseID: "cs2", Step: "disable-csam", ObjectIDs: []string{"obj-a"}}))
		require.NoError(t, a.RestoreObjects(ctx, activities.ObjectsInput{CaseID: "cs2", Step: "restore-csam", ObjectIDs: []string{"obj-a"}}))
		require.Empty(t, served(t, db, "cs2"), "no violation: nothing restricts")

		// Other steps' mitigations are the workflow's, not the activity's.
		newCase(t, db, "h1", models.CategoryPhishing, "https://pages.example/a/login")
		require.NoError(t, a.DisableObjects(ctx, activities.ObjectsInput{CaseID: "h1", Step: "disable", ObjectIDs: []string{"obj-a"}}))
		require.Empty(t, served(t, db, "h1"))
	})
}

// TestRegistrarAndTerminationRecordMitigations: a domain hold or lock is a
// zone mitigation until its case releases it; a hosting termination is a
// service_termination on the account and disables every hosted object.
func TestRegistrarAndTerminationRecordMitigations(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		a := &activities.Activities{DB: db, Journal: &recordingJournal{}, Hosting: activities.DBHosting{},
			Registrar: activities.DBRegistrar{}}
		hold := activities.DomainInput{CaseID: "r1", Step: "suspend:parked.example", Domain: "parked.example", Status: "serverHold"}
		require.NoError(t, a.SetDomainStatus(ctx, hold))
		require.NoError(t, a.SetDomainStatus(ctx, hold))
		require.Equal(t, []string{"domain_hold parked.example"}, served(t, db, "r1"))
		lock := activities.DomainInput{CaseID: "r1", Step: "lock:parked.example", Domain: "parked.example", Status: "clientTransferProhibited"}
		require.NoError(t, a.SetDomainStatus(ctx, lock))
		lock.Clear, lock.Step = true, "unlock:parked.example"
		require.NoError(t, a.SetDomainStatus(ctx, lock))
		require.Equal(t, []string{"domain_hold parked.example"}, served(t, db, "r1"), "the lifted lock ended")

		term := activities.TerminateInput{ReviewID: "rev-host", AccountID: "host", Kind: "hosting", Service: "hosting", Analyst: "ana"}
		require.NoError(t, a.TerminateAccount(ctx, term))
		require.NoError(t, a.TerminateAccount(ctx, term))
		require.ElementsMatch(t, []string{"service_termination host", "content_disabled https://pages.example/a/*"}, served(t, db, "rev-host"))
	})
}
