package transparency

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestPageHasHeaderAndCollapsesEmptyMonths: the public page carries the
// site header, lists months without any figure on one line instead of a
// table of zeros each, and labels our removals apart from the operator's.
func TestPageHasHeaderAndCollapsesEmptyMonths(t *testing.T) {
	r, err := newReport(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Len(t, r.Months, 3)
	r.Months[2].Total.ReportsReceived = 1
	r.Months[2].Total.RemovedByOperator = 1
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, r))
	page := b.String()
	require.Contains(t, page, `<header class="site">`)
	require.Contains(t, page, `No reports and no actions in 2026-01, 2026-02.`)
	require.NotContains(t, page, "<h2>2026-01</h2>")
	require.NotContains(t, page, "<h2>2026-02</h2>")
	require.Equal(t, 1, strings.Count(page, "<h2>"), "one table: the month with data")
	require.Contains(t, page, "<h2>2026-03</h2>")
	require.Contains(t, page, "Content removed by us (no answer by the deadline, or CSAM)")
	require.Contains(t, page, "Content removed by the website operator after our notice</th><td>1</td>")
}
