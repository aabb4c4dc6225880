package desk

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
)

// TestAttemptLimiter: a client is locked out by the failure that finds its
// bucket empty, for a minute, then two, then four, up to the maximum;
// other clients are not affected; a quiet period starts over.
func TestAttemptLimiter(t *testing.T) {
	l := NewAttempts(config.Rate{Burst: 10, Per: time.Minute}, 3*time.Minute)
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	fail := func(client string, at time.Time, n int) {
		for i := 0; i < n; i++ {
			l.Failure(client, at)
		}
	}
	fail("a", t0, 10)
	_, blocked := l.Blocked("a", t0)
	require.False(t, blocked, "ten failures a minute are allowed")
	fail("a", t0, 1)
	d, blocked := l.Blocked("a", t0)
	require.True(t, blocked)
	require.Equal(t, time.Minute, d)
	_, blocked = l.Blocked("b", t0)
	require.False(t, blocked, "another client")

	// The bucket refilled during the lockout; the next lockout is longer.
	t1 := t0.Add(time.Minute)
	_, blocked = l.Blocked("a", t1)
	require.False(t, blocked)
	fail("a", t1, 11)
	d, _ = l.Blocked("a", t1)
	require.Equal(t, 2*time.Minute, d)
	t2 := t1.Add(2 * time.Minute)
	fail("a", t2, 11)
	d, _ = l.Blocked("a", t2)
	require.Equal(t, 3*time.Minute, d, "capped at the maximum")

	// Quiet for longer than the maximum lockout: the first lockout again.
	t3 := t2.Add(10 * time.Minute)
	fail("a", t3, 11)
	d, _ = l.Blocked("a", t3)
	require.Equal(t, time.Minute, d)
}

// TestAttemptLimiterFull: past its bound, new clients share one bucket
// rather than going uncounted.
func TestAttemptLimiterFull(t *testing.T) {
	l := NewAttempts(config.Rate{Burst: 2, Per: time.Minute}, time.Hour)
	l.maxClients = 2
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	l.Failure("a", t0)
	l.Failure("b", t0)
	for _, c := range []string{"c", "d", "e"} {
		l.Failure(c, t0)
	}
	_, blocked := l.Blocked("f", t0)
	require.True(t, blocked, "the shared bucket of the overflow")
	_, blocked = l.Blocked("a", t0)
	require.False(t, blocked)
}
