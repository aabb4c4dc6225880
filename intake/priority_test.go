package intake

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestPriority: CSAM first (emergency or not), then reports of an
// immediate danger to life or safety, then ncsei removal requests, then
// the rest.
func TestPriority(t *testing.T) {
	for _, tc := range []struct {
		cat       models.Category
		emergency bool
		want      int
	}{
		{models.CategoryCSAM, false, store.PriorityCSAM},
		{models.CategoryCSAM, true, store.PriorityCSAM},
		{models.CategoryViolentThreat, true, store.PriorityEmergency},
		{models.CategoryNCSEI, true, store.PriorityEmergency},
		{models.CategoryNCSEI, false, store.PriorityNCSEI},
		{models.CategoryPhishing, false, store.PriorityOther},
		{models.CategoryViolentThreat, false, store.PriorityOther},
	} {
		require.Equal(t, tc.want, priority(models.ReportRequest{Category: tc.cat, Emergency: tc.emergency}), "%s emergency=%v", tc.cat, tc.emergency)
	}
	require.Less(t, store.PriorityCSAM, store.PriorityEmergency)
	require.Less(t, store.PriorityEmergency, store.PriorityNCSEI)
	require.Less(t, store.PriorityNCSEI, store.PriorityOther)
}
