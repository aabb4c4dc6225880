package app

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/models"
)

// TestEmailIntakeTakesRepliesToNotices: when the intake lists its
// addresses, the notices' From address (smtp_from) is one of them, so an
// operator's reply to a notice reaches the case; an intake that takes every
// address is left as it is.
func TestEmailIntakeTakesRepliesToNotices(t *testing.T) {
	cfg := &config.Config{SMTPFrom: "Abuse Desk <Desk@Abusedesk.Example>"}
	c := EmailIntakeConfig(cfg, config.Privacy{IntakeAddresses: []string{"abuse@abusedesk.example"}})
	require.Equal(t, []string{"abuse@abusedesk.example", "Desk@Abusedesk.Example"}, c.Addresses)
	require.True(t, c.Accepts("desk@abusedesk.example"))

	c = EmailIntakeConfig(cfg, config.Privacy{IntakeAddresses: []string{"desk@abusedesk.example"}})
	require.Equal(t, []string{"desk@abusedesk.example"}, c.Addresses, "listed once")

	c = EmailIntakeConfig(cfg, config.Privacy{})
	require.Empty(t, c.Addresses, "an intake without a list takes every address")
}

// TestPartialReplyNamesCaseAndItemsNotTaken: the reply to a mail that made
// a case of part of what it reported names the case and every item left
// out, and does not say that nothing was kept.
func TestPartialReplyNamesCaseAndItemsNotTaken(t *testing.T) {
	text := partialText("C-123", []models.FieldError{
		{Field: "urls", Message: `"http://*MUNGED*/" was not taken: the host is masked`},
		{Field: "urls", Message: `"hxxp://x" was not taken: not a URL`},
	})
	require.Contains(t, text, "report C-123")
	require.Contains(t, text, `  - urls: "http://*MUNGED*/" was not taken: the host is masked`)
	require.Contains(t, text, `  - urls: "hxxp://x" was not taken: not a URL`)
	require.NotContains(t, text, "nothing of it was kept")
}
