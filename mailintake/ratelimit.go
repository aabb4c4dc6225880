package mailintake

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/time/rate"
)

// maxTrackedClients bounds the per-client buckets kept in memory; past it
// the table starts again (a flood of addresses cannot grow it without end).
const maxTrackedClients = 100_000

// clientLimit is the per-client (remote IP, an IPv6 /64) limit on mails
// the intake takes: Burst at once, refilled at Burst per Per. A client over
// it gets a temporary 450 at MAIL FROM, so a real MTA queues and retries
// later and nothing is lost. Counted in this process.
type clientLimit struct {
	burst int
	every rate.Limit
	mu    sync.Mutex
	seen  map[string]*rate.Limiter
}

func newClientLimit(burst int, per time.Duration) *clientLimit {
	if burst <= 0 || per <= 0 {
		return nil
	}
	return &clientLimit{burst: burst, every: rate.Limit(float64(burst) / per.Seconds()), seen: map[string]*rate.Limiter{}}
}

// allow takes one mail from the client at remote ("host:port").
func (l *clientLimit) allow(remote string, now time.Time) bool {
	if l == nil {
		return true
	}
	key := clientKey(remote)
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.seen[key]
	if lim == nil {
		if len(l.seen) >= maxTrackedClients {
			l.seen = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(l.every, l.burst)
		l.seen[key] = lim
	}
	return lim.AllowN(now, 1)
}

// clientKey is the remote's IP, or its /64 for IPv6.
func clientKey(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	if a = a.Unmap(); a.Is6() {
		if p, err := a.Prefix(64); err == nil {
			return p.String()
		}
	}
	return a.String()
}

// errClientRateLimited answers a client over intake_mail_rate_per_client.
var errClientRateLimited = &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 7, 1},
	Message: "Too many messages from your address; try again later (limit intake_mail_rate_per_client)"}
