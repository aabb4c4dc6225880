package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNCSEIKeys: the escalation share defaults to half the 48-hour window
// and must lie strictly between 0 and 1; the escalation address is
// optional and must look like one.
func TestNCSEIKeys(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := Load("")
	require.NoError(t, err)
	require.Equal(t, 0.5, c.NCSEIEscalateShare)
	require.Empty(t, c.NCSEIEscalationEmail)

	t.Setenv("ABUSEDESK_NCSEI_ESCALATE_SHARE", "0.75")
	t.Setenv("ABUSEDESK_NCSEI_ESCALATION_EMAIL", "oncall@desk.example")
	c, err = Load("")
	require.NoError(t, err)
	require.Equal(t, 0.75, c.NCSEIEscalateShare)
	require.Equal(t, "oncall@desk.example", c.NCSEIEscalationEmail)

	for _, bad := range []string{"0", "1", "1.5", "-0.2", "half"} {
		t.Setenv("ABUSEDESK_NCSEI_ESCALATE_SHARE", bad)
		_, err = Load("")
		require.ErrorContains(t, err, "ncsei_escalate_share", bad)
	}
	t.Setenv("ABUSEDESK_NCSEI_ESCALATE_SHARE", "0.5")
	t.Setenv("ABUSEDESK_NCSEI_ESCALATION_EMAIL", "nobody")
	_, err = Load("")
	require.ErrorContains(t, err, "ncsei_escalation_email")
}
