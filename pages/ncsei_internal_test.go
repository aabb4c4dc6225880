package pages

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// TestReportFormNCSEI: the form files ncsei through intake's ncsei object,
// and intake's problems come back beside the form's fields.
func TestReportFormNCSEI(t *testing.T) {
	require.Contains(t, formCategories(), models.CategoryNCSEI)
	f := reportForm{Category: models.CategoryNCSEI, URLs: "https://a.example/p.jpg", Signature: "Jane Roe", NotConsensual: true}
	r := f.request()
	require.Equal(t, &models.NCSEIClaim{Signature: "Jane Roe", GoodFaithNotConsensual: true}, r.NCSEI)
	require.Nil(t, r.Copyright)
	require.Nil(t, (&reportForm{Category: models.CategoryPhishing}).request().NCSEI)
	errs := f.formErrors([]models.FieldError{{Field: "ncsei.signature", Message: "sign"},
		{Field: "ncsei.good_faith_not_consensual", Message: "state"}, {Field: "ncsei", Message: "both"}})
	require.Equal(t, fieldErrors{"signature": {"sign"}, "good_faith_not_consensual": {"state"}, "ncsei": {"both"}}, errs)
	var order []string
	for _, s := range orderedSummary(errs) {
		order = append(order, s.Field)
	}
	require.Equal(t, []string{"ncsei", "good_faith_not_consensual", "signature"}, order)
}
