package server

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
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

// attemptLimiter holds the failed attempts of each client.
type attemptLimiter struct {
	limit      config.Rate
	maxLock    time.Duration
	maxClients int

	mu        sync.Mutex
	clients   map[string]*clientAttempts
	lastSweep time.Time
}

// newAttemptLimiter limits failures to limit, with lockouts of at most
// maxLock; nil (no limit) when limit is off.
func newAttemptLimiter(limit config.Rate, maxLock time.Duration) *attemptLimiter {
	if limit.Off() {
		return nil
	}
	if maxLock < lockoutBase {
		maxLock = lockoutBase
	}
	return &attemptLimiter{limit: limit, maxLock: maxLock, maxClients: defaultMaxClients, clients: map[string]*clientAttempts{}}
}

// blocked reports whether client is locked out at now, and for how long.
func (l *attemptLimiter) blocked(client string, now time.Time) (time.Duration, bool) {
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

// failure records a failed authentication of client at now.
func (l *attemptLimiter) failure(client string, now time.Time) {
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
func (l *attemptLimiter) sweep(now time.Time) {
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

// AuthBlocked reports whether the request's client is locked out after
// too many failed authentications; when it is, it sets Retry-After and
// returns the 429 error to answer with.
func (s *Server) AuthBlocked(c echo.Context) error {
	if s.attempts == nil {
		return nil
	}
	d, blocked := s.attempts.blocked(clientID(c), time.Now())
	if !blocked {
		return nil
	}
	secs := int(math.Ceil(d.Seconds()))
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return fail(http.StatusTooManyRequests, "", "too many failed authentications from this address; retry after %d seconds", secs)
}

// NoteAuthFailure counts a failed authentication (a wrong key or token)
// against the request's client.
func (s *Server) NoteAuthFailure(c echo.Context) {
	if s.attempts == nil {
		return
	}
	s.attempts.failure(clientID(c), time.Now())
	authFailures.Inc()
}

var authFailures = prometheus.NewCounter(prometheus.CounterOpts{
	Name: "abusedesk_auth_failures_total", Help: "Failed authentications (wrong API keys and token links) counted by the attempt limiter.",
})

func init() { prometheus.MustRegister(authFailures) }

// GuardToken limits the routes of token links (the reporter's status, the
// operator's notice): a locked-out client gets 429, and an answer of 404
// to a request that carried a token (a wrong token, or a wrong id: the
// two are answered alike) counts as a failure.
func (s *Server) GuardToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.AuthBlocked(c); err != nil {
			return err
		}
		err := next(c)
		code := c.Response().Status
		if err != nil && !c.Response().Committed {
			code, _ = statusOf(err)
		}
		if code == http.StatusNotFound && (c.QueryParam("token") != "" || c.FormValue("token") != "") {
			s.NoteAuthFailure(c)
		}
		return err
	}
}
