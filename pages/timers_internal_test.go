package pages

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/abusedesk/abusedesk/codec"
)

// recordedTimeline builds the timeline of a history the workflows package
// recorded (workflows/testdata), decoded with its payload keys.
func recordedTimeline(t *testing.T, name string) []string {
	t.Helper()
	dir := filepath.Join("..", "workflows", "testdata")
	keys, err := os.ReadFile(filepath.Join(dir, "payload.keys"))
	require.NoError(t, err)
	ring, err := codec.ParseKeyRing(strings.TrimSpace(string(keys)))
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	h, err := client.HistoryFromJSON(strings.NewReader(string(raw)), client.HistoryJSONOptions{})
	require.NoError(t, err)
	var timers []string
	for _, e := range buildTimeline(h, codec.DataConverter(ring)) {
		if e.Kind == "timer" {
			timers = append(timers, e.What+" | "+e.Extra)
		}
	}
	return timers
}

// Each timer of a case is named (which timer, what stops it), never by its
// internal event id.
func TestTimelineNamesTimers(t *testing.T) {
	for name, want := range map[string][]string{
		"hosted-no-answer.history.json": {"Timer set: the operator's reminder", "Timer fired: the operator's reminder",
			"Timer set: the operator's deadline", "Timer fired: the operator's deadline"},
		"hosted-removed.history.json":              {"Timer set: the operator's reminder, 2s", "Timer set: the operator's deadline, 8s"},
		"hosted-counter-notice-court.history.json": {"Timer set: the counter-notice wait, 14 days", "unless a court action is reported first"},
		"need-info-no-violation.history.json":      {"Timer set: the reporter's answer window, 30s | fires at 2026-11-26 12:11:56 UTC unless the reporter answers first"},
		"registrar-whois-suspended.history.json": {"Timer set: the registrant's reminder", "Timer fired: the registrant's reminder",
			"Timer set: the WHOIS correction deadline", "Timer fired: the WHOIS correction deadline"},
	} {
		t.Run(name, func(t *testing.T) {
			timers := recordedTimeline(t, name)
			require.NotEmpty(t, timers)
			all := strings.Join(timers, "\n")
			for _, w := range want {
				require.Contains(t, all, w)
			}
			require.NotRegexp(t, `Timer \d`, all, "no internal timer ids")
			require.NotContains(t, all, "a timer", "every timer of a case is named")
		})
	}
}
