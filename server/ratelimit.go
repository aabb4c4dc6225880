package server

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/internal/webguard"
)

// intakeRoutes are the routes that take a public report, by method and
// route path: the JSON API, X-ARF over HTTP and the report form.
var intakeRoutes = map[string]bool{
	http.MethodPost + " /v1/reports":      true,
	http.MethodPost + " /v1/reports/xarf": true,
	http.MethodPost + " /":                true,
}

// intakeLimit is one rate limit of the public intake: a token bucket per
// client or per reporter address (golang.org/x/time/rate, in Echo's memory
// store), named by its configuration key in the 429's body.
type intakeLimit struct {
	key   string // configuration key
	what  string // "this client", "this reporter address"
	rate  config.Rate
	store *middleware.RateLimiterMemoryStore
}

func newIntakeLimit(key, what string, r config.Rate) *intakeLimit {
	if r.Off() {
		return nil
	}
	// A bucket left alone for r.Per is full again: forgetting it then
	// changes nothing.
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(r.PerSecond()), Burst: r.Burst, ExpiresIn: r.Per})
	return &intakeLimit{key: key, what: what, rate: r, store: store}
}

// allow takes one report from id's bucket, or answers 429 with
// Retry-After: the time one token takes to come back, an upper bound of
// the wait since the bucket held less than one.
func (l *intakeLimit) allow(c echo.Context, id string) error {
	if l == nil || id == "" {
		return nil
	}
	if ok, _ := l.store.Allow(id); ok {
		return nil
	}
	wait := int(math.Ceil(1 / l.rate.PerSecond()))
	c.Response().Header().Set("Retry-After", strconv.Itoa(wait))
	reportsRejected.WithLabelValues("429").Inc()
	unit := map[time.Duration]string{time.Second: "second", time.Minute: "minute", time.Hour: "hour"}[l.rate.Per]
	return fail(http.StatusTooManyRequests, l.key, "too many reports from %s: at most %d per %s (%s); retry after %d s",
		l.what, l.rate.Burst, unit, l.key, wait)
}

// intakeLimiter is the middleware of the public intake's rate limits:
// per client IP (intake_rate_per_client), checked before the body is read,
// then per reporter address named in the body (intake_rate_per_reporter).
// Requests with a valid API key or console session are trusted and
// exempt (the load driver files with its key). The buckets live in this
// process's memory: each server process of a deployment counts on its own.
func (s *Server) intakeLimiter(l config.Limits) echo.MiddlewareFunc {
	perClient := newIntakeLimit("intake_rate_per_client", "this client", l.IntakePerClient)
	perReporter := newIntakeLimit("intake_rate_per_reporter", "this reporter address", l.IntakePerReporter)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !intakeRoutes[c.Request().Method+" "+c.Path()] || (perClient == nil && perReporter == nil) {
				return next(c)
			}
			if _, trusted := s.authenticate(c); trusted {
				return next(c)
			}
			if err := perClient.allow(c, clientID(c)); err != nil {
				return err
			}
			if perReporter != nil {
				reporter, err := reporterOf(c)
				if err != nil {
					return err
				}
				if err := perReporter.allow(c, reporter); err != nil {
					return err
				}
			}
			return next(c)
		}
	}
}

// clientID is the client a request counts against: its IP as the
// connection shows it (headers such as X-Forwarded-For are believed only
// when an IPExtractor that trusts a proxy is configured), an IPv6 address
// by its /64, which one subscriber usually holds whole.
func clientID(c echo.Context) string { return webguard.Client(c) }

// reporterOf reads the reporter's email address of an intake request (""
// when it names none) and leaves the body for the handler to read again.
// Only the address is looked at; the handler validates everything.
func reporterOf(c echo.Context) (string, error) {
	if c.Path() == "/" {
		return normalAddress(c.FormValue("email")), nil
	}
	body, err := readBody(c)
	if err != nil {
		return "", err
	}
	c.Request().Body = io.NopCloser(bytes.NewReader(body))
	var doc struct {
		Reporter struct {
			Email   any `json:"email"`   // POST /v1/reports
			Contact any `json:"contact"` // X-ARF v4
		} `json:"reporter"`
	}
	_ = json.Unmarshal(body, &doc)
	return normalAddress(firstString(doc.Reporter.Email, doc.Reporter.Contact)), nil
}

func firstString(vs ...any) string {
	for _, v := range vs {
		if s, ok := v.(string); ok && s != "" {
			return s
		}
	}
	return ""
}

func normalAddress(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
