package pages

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// TestTimelineShowsBounces: a bounce, which the case's own history does
// not hold, appears in the timeline at the time the DSN arrived, with its
// reason and the notice it was sent again as; a delivery without a bounce
// adds nothing.
func TestTimelineShowsBounces(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	es := []entry{{At: t0, What: "Case opened"}, {At: t0.Add(time.Minute), What: "Send notice: done"}, {At: t0.Add(time.Hour), What: "Case closed"}}
	bounced := t0.Add(10 * time.Minute)
	out := withDeliveries(es, []models.NoticeDelivery{
		{NoticeID: "n-host", State: models.NoticeRedirected, BounceReason: "5.1.1 user unknown", BouncedAt: &bounced, RedirectedTo: "n-host-redirect"},
		{NoticeID: "n-none", State: models.NoticeDelivered},
	})
	require.Len(t, out, 4)
	require.Equal(t, "Notice n-host bounced; sent again as n-host-redirect", out[2].What)
	require.Equal(t, "5.1.1 user unknown", out[2].Extra)
	require.Equal(t, "failure", out[2].Kind)
	require.Equal(t, "Case closed", out[3].What, "entries stay in time order")
}
