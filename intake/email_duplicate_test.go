package intake_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEmailReportSaysWhenItIsADuplicate: a mail delivered again is the
// earlier case and is said to be a duplicate, so that the listener can
// tell an authenticated sender which case (issue 14, "No silence"); a
// different mail with the same Message-ID from an unauthenticated sender
// is a case of its own, not a duplicate (issue 13).
func TestEmailReportSaysWhenItIsADuplicate(t *testing.T) {
	s, _, _ := newService(t, nil)
	ctx := context.Background()
	raw := phishingMail("pass")
	id, dup, problems, err := s.SubmitEmailReportOnce(ctx, parse(t, raw), raw)
	require.NoError(t, err)
	require.Empty(t, problems)
	require.False(t, dup, "the first delivery is no duplicate")

	again, dup, _, err := s.SubmitEmailReportOnce(ctx, parse(t, raw), raw)
	require.NoError(t, err)
	require.True(t, dup)
	require.Equal(t, id, again)

	// An authenticated resend of the same Message-ID with another text is
	// the same sender's report again: a duplicate of its case.
	edited := []byte(strings.Replace(string(raw), "imitates my bank's", "still imitates my bank's", 1))
	third, dup, _, err := s.SubmitEmailReportOnce(ctx, parse(t, edited), edited)
	require.NoError(t, err)
	require.True(t, dup)
	require.Equal(t, id, third)

	// Unauthenticated and different: a case of its own.
	other := []byte(strings.Replace(string(phishingMail("none")), "imitates my bank's", "copies my bank's", 1))
	fourth, dup, _, err := s.SubmitEmailReportOnce(ctx, parse(t, other), other)
	require.NoError(t, err)
	require.False(t, dup)
	require.NotEqual(t, id, fourth)
}
