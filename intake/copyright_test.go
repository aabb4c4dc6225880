package intake_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// Issue 14, 17 U.S.C. 512(c)(3)(B)(ii): a mailed X-ARF copyright report
// that names the work, the URL and the complainant but makes none of the
// statements is a case, flagged incomplete with what it lacks, and its
// workflow starts knowing it.
func TestEmailCopyrightWithoutStatementsIsIncomplete(t *testing.T) {
	s, tc, db := newService(t, nil)
	p := mailintake.Parsed{DedupKey: "msgid:c@y/1", Format: mailintake.FormatXARF4, Report: models.ReportRequest{
		Category: models.CategoryCopyright, URLs: []string{"https://shop.example/song.mp3"}, Description: "a pirated song",
		Reporter: models.Reporter{Name: "Label Rights", Email: "rights@label.example"}, Source: mailintake.SourceXARF,
		Copyright: &models.CopyrightClaim{Work: "Song", AccurateUnderPenalty: true},
	}}
	id, problems, err := s.SubmitEmailReport(context.Background(), p, []byte("raw"))
	require.NoError(t, err)
	require.Empty(t, problems)
	require.NotEmpty(t, id)
	var c models.Case
	require.NoError(t, db.First(&c, "id = ?", id).Error)
	require.True(t, c.CopyrightIncomplete)
	require.Equal(t, "good_faith,signature", c.CopyrightMissing)
	require.Equal(t, "Song", c.CopyrightWork)
	tc.AssertCalled(t, "ExecuteWorkflow", mock.Anything, mock.Anything, workflows.WorkflowCase3, mock.MatchedBy(func(in workflows.CaseInput) bool {
		return in.CaseID == id && in.CopyrightIncomplete
	}))

	// A complete notice is no complaint.
	p.DedupKey = "msgid:c@y/2"
	p.Report.Copyright = &models.CopyrightClaim{Work: "Song", GoodFaith: true, AccurateUnderPenalty: true, Signature: "/L R/"}
	id, problems, err = s.SubmitEmailReport(context.Background(), p, []byte("raw2"))
	require.NoError(t, err)
	require.Empty(t, problems)
	var full models.Case
	require.NoError(t, db.First(&full, "id = ?", id).Error)
	require.False(t, full.CopyrightIncomplete)
	require.Empty(t, full.CopyrightMissing)
}
