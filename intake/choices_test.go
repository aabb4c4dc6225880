package intake

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// TestChoicesValidation: every reporter's choice per recipient is checked
// as the reference's form allows it, and a request naming both
// forward_to_operator and owner_notification that disagree is refused
// naming both fields.
func TestChoicesValidation(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		name   string
		mutate func(r *models.ReportRequest)
		want   []string
	}{
		{"each owner choice on phishing", func(r *models.ReportRequest) { r.OwnerNotification = models.NotifySendAnon }, nil},
		{"owner none", func(r *models.ReportRequest) { r.OwnerNotification = models.NotifyNone }, nil},
		{"unknown owner choice", func(r *models.ReportRequest) { r.OwnerNotification = "maybe" }, []string{"owner_notification"}},
		{"host send-anon", func(r *models.ReportRequest) { r.HostNotification = models.NotifySendAnon }, nil},
		{"host none is no choice", func(r *models.ReportRequest) { r.HostNotification = models.NotifyNone }, []string{"host_notification"}},
		{"copyright cannot be anonymous to the operator", func(r *models.ReportRequest) {
			copyrightReport(r)
			r.OwnerNotification = models.NotifySendAnon
		}, []string{"owner_notification"}},
		{"copyright cannot skip the operator", func(r *models.ReportRequest) {
			copyrightReport(r)
			r.OwnerNotification = models.NotifyNone
		}, []string{"owner_notification"}},
		{"trademark cannot be anonymous to the host", func(r *models.ReportRequest) {
			r.Category = models.CategoryTrademark
			r.HostNotification = models.NotifySendAnon
		}, []string{"host_notification"}},
		{"csam never to the operator", func(r *models.ReportRequest) {
			r.Category = models.CategoryCSAM
			r.OwnerNotification = models.NotifySend
		}, []string{"owner_notification"}},
		{"csam clearinghouse send-anon", func(r *models.ReportRequest) {
			r.Category = models.CategoryCSAM
			r.NcmecNotification = models.NotifySendAnon
		}, nil},
		{"clearinghouse none is no choice", func(r *models.ReportRequest) {
			r.Category = models.CategoryCSAM
			r.NcmecNotification = models.NotifyNone
		}, []string{"ncmec_notification"}},
		{"clearinghouse only for csam", func(r *models.ReportRequest) { r.NcmecNotification = models.NotifySend }, []string{"ncmec_notification"}},
		{"forward true agrees with send-anon", func(r *models.ReportRequest) {
			r.ForwardToOperator, r.OwnerNotification = &yes, models.NotifySendAnon
		}, nil},
		{"forward false agrees with none", func(r *models.ReportRequest) {
			r.ForwardToOperator, r.OwnerNotification = &no, models.NotifyNone
		}, nil},
		{"forward true disagrees with none", func(r *models.ReportRequest) {
			r.ForwardToOperator, r.OwnerNotification = &yes, models.NotifyNone
		}, []string{"forward_to_operator", "owner_notification"}},
		{"forward false disagrees with send", func(r *models.ReportRequest) {
			r.ForwardToOperator, r.OwnerNotification = &no, models.NotifySend
		}, []string{"forward_to_operator", "owner_notification"}},
		{"ncsei valid", ncseiReport, nil},
		{"ncsei without its statements", func(r *models.ReportRequest) {
			ncseiReport(r)
			r.NCSEI = nil
		}, []string{"ncsei"}},
		{"ncsei without signature and good faith", func(r *models.ReportRequest) {
			ncseiReport(r)
			r.NCSEI = &models.NCSEIClaim{Signature: " "}
		}, []string{"ncsei.good_faith_not_consensual", "ncsei.signature"}},
		{"ncsei without contact", func(r *models.ReportRequest) {
			ncseiReport(r)
			r.Reporter.Email = ""
		}, []string{"reporter.email"}},
		{"ncsei statements on another category", func(r *models.ReportRequest) {
			r.NCSEI = &models.NCSEIClaim{Signature: "A", GoodFaithNotConsensual: true}
		}, []string{"ncsei"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := valid()
			tc.mutate(&r)
			_, errs := Validate(&r)
			require.Equal(t, tc.want, fields(errs), "%v", errs)
		})
	}
}

func copyrightReport(r *models.ReportRequest) {
	r.Category = models.CategoryCopyright
	r.Copyright = &models.CopyrightClaim{Work: "My photo", GoodFaith: true, AccurateUnderPenalty: true, Signature: "R"}
}

func ncseiReport(r *models.ReportRequest) {
	r.Category = models.CategoryNCSEI
	r.NCSEI = &models.NCSEIClaim{Signature: "Jane Roe", GoodFaithNotConsensual: true}
}

// TestResolveChoices: the defaults per category, and forward_to_operator
// read as owner send/none.
func TestResolveChoices(t *testing.T) {
	no := false
	for _, tc := range []struct {
		name   string
		mutate func(r *models.ReportRequest)
		want   Choices
	}{
		{"default", func(r *models.ReportRequest) {}, Choices{Owner: "send", Host: "send"}},
		{"forward_to_operator false", func(r *models.ReportRequest) { r.ForwardToOperator = &no }, Choices{Owner: "none", Host: "send"}},
		{"chosen", func(r *models.ReportRequest) {
			r.OwnerNotification, r.HostNotification = models.NotifySendAnon, models.NotifySendAnon
		}, Choices{Owner: "send-anon", Host: "send-anon"}},
		{"ncsei defaults to send-anon", ncseiReport, Choices{Owner: "send-anon", Host: "send-anon"}},
		{"ncsei not to the operator, still anonymous to the host", func(r *models.ReportRequest) {
			ncseiReport(r)
			r.ForwardToOperator = &no
		}, Choices{Owner: "none", Host: "send-anon"}},
		{"ncsei with the reporter's own choices", func(r *models.ReportRequest) {
			ncseiReport(r)
			r.OwnerNotification, r.HostNotification = models.NotifySend, models.NotifySend
		}, Choices{Owner: "send", Host: "send"}},
		{"csam", func(r *models.ReportRequest) { r.Category = models.CategoryCSAM }, Choices{Owner: "none", Host: "send", Ncmec: "send"}},
		{"anonymous csam", func(r *models.ReportRequest) {
			r.Category, r.Reporter = models.CategoryCSAM, models.Reporter{}
		}, Choices{Owner: "none", Host: "send", Ncmec: "send-anon"}},
		{"copyright", copyrightReport, Choices{Owner: "send", Host: "send"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := valid()
			tc.mutate(&r)
			require.Equal(t, tc.want, ResolveChoices(&r))
			var c models.Case
			applyChoices(&c, &r)
			require.Equal(t, tc.want.Owner != models.NotifyNone, c.ForwardToOperator)
		})
	}
}

// TestReporterSeenBy: send-anon (and none) empties every identifying field
// for that recipient and withholds them inside the description; send and
// the reporter's own notices keep them.
func TestReporterSeenBy(t *testing.T) {
	c := models.Case{ReporterName: "Alice Example", ReporterEmail: "alice.ex@corp.example", ReporterOrg: "Corp Inc",
		ReporterTitle: "Brand Protection Lead", Description: "Phishing kit. Regards, Alice (alice.ex@corp.example), Corp Inc, Brand Protection Lead",
		OwnerNotification: models.NotifySendAnon, HostNotification: models.NotifySend}
	r, anon := c.ReporterSeenBy(models.RoleOperator)
	require.True(t, anon)
	require.Equal(t, models.Reporter{}, r)
	d := c.DescriptionSeenBy(models.RoleOperator)
	for _, s := range []string{"Alice", "alice.ex", "corp.example", "Corp Inc", "Brand Protection Lead"} {
		require.NotContains(t, d, s)
	}
	require.Contains(t, d, "Phishing kit.")
	r, anon = c.ReporterSeenBy(models.RoleHostingProvider)
	require.False(t, anon)
	require.Equal(t, "alice.ex@corp.example", r.Email)
	require.Equal(t, c.Description, c.DescriptionSeenBy(models.RoleHostingProvider))
	r, _ = c.ReporterSeenBy(models.RoleReporter)
	require.Equal(t, "Alice Example", r.Name)
	c.OwnerNotification = models.NotifyNone
	require.True(t, c.Anonymous(models.RoleOperator))
	require.True(t, c.Anonymous(models.RoleRegistrant))
}
