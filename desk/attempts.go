package desk

import (
	"errors"
	"math"
	"net/netip"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/abusedesk/abusedesk/config"
)

// Attempt limiting of failed authentications (issue 13, hole 8): wrong API
// keys at the console sign-in, wrong Bearer keys, wrong notice and
// reporter tokens. Each client (remote address; an IPv6 client by its /64)
// has a token bucket of auth_failure_rate failures (10 at once, refilled
// at 10 a minute by default); a failure that finds the bucket empty locks the client out for a minute, doubling with
// each further lockout up to auth_lockout_max. A locked-out client gets
// 429 with Retry-After for every authenticated attempt, the right key
// included (so the answer tells it nothing); other clients are not
// affected and a success resets nothing. The counts live in this process:
// a deployment with several server processes multiplies the allowance by
// their number.

// lockoutBase is the first lockout; each further one doubles.
const lockoutBase = time.Minute

// defaultMaxClients bounds the tracked clients; past it (after dropping
// quiet ones) new clients share one bucket, so an attacker with many
// addresses slows newcomers rather than getting unlimited guesses.
const defaultMaxClients = 100000

type clientAttempts struct {
	bucket       *rate.Limiter
	lockouts     int
	blockedUntil time.Time
	lastFailure  time.Time
}

// Attempts holds the failed authentications of each client, for both
// front ends (one count per process).
type Attempts struct {
	limit      config.Rate
	maxLock    time.Duration
	maxClients int

	mu        sync.Mutex
	clients   map[string]*clientAttempts
	lastSweep time.Time
}

// NewAttempts limits failures to limit, with lockouts of at most maxLock;
// nil (no limit) when limit is off.
func NewAttempts(limit config.Rate, maxLock time.Duration) *Attempts {
	if limit.Off() {
		return nil
	}
	if maxLock < lockoutBase {
		maxLock = lockoutBase
	}
	return &Attempts{limit: limit, maxLock: maxLock, maxClients: defaultMaxClients, clients: map[string]*clientAttempts{}}
}

// Blocked reports whether client is locked out at now, and for how long.
// A nil Attempts blocks no one.
func (l *Attempts) Blocked(client string, now time.Time) (time.Duration, bool) {
	if l == nil {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.clients[client]
	if a == nil {
		a = l.clients["*"]
	}
	if a == nil || !now.Before(a.blockedUntil) {
		return 0, false
	}
	return a.blockedUntil.Sub(now), true
}

// Failure records a failed authentication of client at now (nil: none).
func (l *Attempts) Failure(client string, now time.Time) {
	if l == nil {
		return
	}
	authFailures.Inc()
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.clients[client]
	if a == nil {
		if len(l.clients) >= l.maxClients {
			l.sweep(now)
		}
		if len(l.clients) >= l.maxClients {
			client = "*"
		}
		if a = l.clients[client]; a == nil {
			a = &clientAttempts{bucket: rate.NewLimiter(rate.Limit(l.limit.PerSecond()), l.limit.Burst)}
			l.clients[client] = a
		}
	}
	if now.Sub(a.lastFailure) > l.maxLock {
		a.lockouts = 0 // quiet for longer than the longest lockout: start over
	}
	a.lastFailure = now
	if a.bucket.AllowN(now, 1) {
		return
	}
	d := l.maxLock
	if a.lockouts < 30 {
		d = time.Duration(math.Min(float64(lockoutBase)*math.Pow(2, float64(a.lockouts)), float64(l.maxLock)))
	}
	a.lockouts++
	a.blockedUntil = now.Add(d)
}

// sweep drops clients quiet for longer than the longest lockout; at most
// once a minute.
func (l *Attempts) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	for k, a := range l.clients {
		if now.Sub(a.lastFailure) > l.maxLock && !now.Before(a.blockedUntil) {
			delete(l.clients, k)
		}
	}
}

var authFailures = prometheus.NewCounter(prometheus.CounterOpts{
	Name: "abusedesk_auth_failures_total", Help: "Failed authentications (wrong API keys and token links) counted by the attempt limiter.",
})

// ReportsAccepted counts reports that were accepted, by category and
// channel.
var ReportsAccepted = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "abusedesk_reports_accepted_total", Help: "Reports accepted (202) by category and source.",
}, []string{"category", "source"})

// RegisterMetrics registers the attempt limiter's and the intake's
// counters on reg (the composition root calls it once; again is no error).
func RegisterMetrics(reg prometheus.Registerer) error {
	return register(reg, authFailures, ReportsAccepted)
}

// register registers each collector, taking one already registered as done.
func register(reg prometheus.Registerer, cs ...prometheus.Collector) error {
	for _, c := range cs {
		var already prometheus.AlreadyRegisteredError
		if err := reg.Register(c); err != nil && !errors.As(err, &already) {
			return err
		}
	}
	return nil
}

// ClientID is the client an address counts for: an IPv6 client by its
// /64, so that one host cannot spread its attempts over its addresses.
func ClientID(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		if p, err := a.Prefix(64); err == nil {
			return p.String()
		}
	}
	return a.String()
}
