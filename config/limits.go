package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// The keys of the intake rate limits, the cap on mails to one reporter
// address and the HTTP server's timeouts (issue 13: a desk under attack).
// They are appended to Keys so that Load accepts them in a file and README
// lists them; Load reads them into Config.Limits.
func init() {
	Keys = append(Keys,
		Key{"intake_rate_per_client", "30/m", "public reports (POST /v1/reports, /v1/reports/xarf, the report form) one client IP (an IPv6 /64) may file: N/s, N/m or N/h, up to N at once, then refilled at that rate; 429 with Retry-After above; requests with a valid API key are exempt; off: no limit. Counted in each server process"},
		Key{"intake_rate_per_reporter", "60/h", "public reports naming one reporter email address, over every client, in the same form as intake_rate_per_client; off: no limit. Counted in each server process"},
		Key{"reporter_mail_per_hour", 20, "most mails one address gets in any hour from the desk's mails to reporters (receipts, replies) and the email intake's problem replies; the rest are kept in the outbox as suppressed (never notices to operators, registrants or hosts). Counted in the database, across processes; 0: no limit"},
		Key{"http_read_timeout", "30s", "longest time to read one request, headers and body (a body trickled in slower is cut off)"},
		Key{"intake_mail_rate_per_client", "120/m", "mails the email intake takes from one client IP (an IPv6 /64), in the same form as intake_rate_per_client; above it MAIL FROM gets 450 4.7.1, so the sending server retries later; off: no limit. Counted in each process"},
		Key{"trusted_proxies", "", "comma-separated networks (CIDR) of reverse proxies in front of the HTTP server; only from these is X-Forwarded-For believed, so the intake and sign-in limits count the real client. Empty: the TCP peer is the client"},
		Key{"http_write_timeout", "5m", "longest time from the end of a request's headers to the end of its response (history downloads and the blocklist are the longest)"},
	)
}

// Rate is a token-bucket rate limit: Burst requests at once, refilled at
// Burst per Per. The zero Rate is no limit.
type Rate struct {
	Burst int
	Per   time.Duration
}

// Off reports whether the rate limits nothing.
func (r Rate) Off() bool { return r.Burst <= 0 || r.Per <= 0 }

// PerSecond is the refill rate in requests per second.
func (r Rate) PerSecond() float64 {
	if r.Off() {
		return 0
	}
	return float64(r.Burst) / r.Per.Seconds()
}

// String writes the rate as it is configured ("30/m", "off").
func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	unit := map[time.Duration]string{time.Second: "s", time.Minute: "m", time.Hour: "h"}[r.Per]
	return fmt.Sprintf("%d/%s", r.Burst, unit)
}

// ParseRate reads "N/s", "N/m" or "N/h" (also "N/second", "N/minute",
// "N/hour"); "off", "0" and "" are no limit.
func ParseRate(s string) (Rate, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "", "off", "0":
		return Rate{}, nil
	}
	num, unit, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if !ok || err != nil || n <= 0 || n > 1_000_000 {
		return Rate{}, fmt.Errorf("%q is not a rate like 30/m (N per s, m or h) or off", s)
	}
	per, found := map[string]time.Duration{"s": time.Second, "second": time.Second, "m": time.Minute, "minute": time.Minute,
		"h": time.Hour, "hour": time.Hour}[strings.TrimSpace(unit)]
	if !found {
		return Rate{}, fmt.Errorf("%q is not a rate like 30/m (N per s, m or h) or off", s)
	}
	return Rate{Burst: n, Per: per}, nil
}

// Limits is the configuration of the intake rate limits, the reporter mail
// cap and the HTTP timeouts: the keys this file adds to Keys.
type Limits struct {
	// IntakePerClient limits public reports per client IP (per process).
	IntakePerClient Rate
	// IntakePerReporter limits public reports per reporter address (per
	// process).
	IntakePerReporter Rate
	// ReporterMailPerHour caps the mails to one reporter address in any
	// hour (in the database); 0 is no cap.
	ReporterMailPerHour int
	// HTTPReadTimeout and HTTPWriteTimeout are the HTTP server's.
	HTTPReadTimeout  time.Duration
	HTTPWriteTimeout time.Duration
	// IntakeMailPerClient limits mails to the email intake per client IP
	// (per process).
	IntakeMailPerClient Rate
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
}

// loadLimits reads the keys of this file from v; problems are appended to
// errs, each naming its key.
func loadLimits(v *viper.Viper, errs []string) (Limits, []string) {
	var l Limits
	bad := func(key, msg string) {
		errs = append(errs, fmt.Sprintf("%s (ABUSEDESK_%s): %s", key, strings.ToUpper(key), msg))
	}
	rate := func(key string) Rate {
		r, err := ParseRate(v.GetString(key))
		if err != nil {
			bad(key, err.Error())
		}
		return r
	}
	l.IntakePerClient = rate("intake_rate_per_client")
	l.IntakePerReporter = rate("intake_rate_per_reporter")
	l.IntakeMailPerClient = rate("intake_mail_rate_per_client")
	n, err := strconv.Atoi(strings.TrimSpace(v.GetString("reporter_mail_per_hour")))
	if err != nil || n < 0 {
		bad("reporter_mail_per_hour", fmt.Sprintf("%q is not a number of mails (0: no limit)", v.GetString("reporter_mail_per_hour")))
	}
	l.ReporterMailPerHour = n
	timeout := func(key string) time.Duration {
		s := v.GetString(key)
		t, err := time.ParseDuration(s)
		if err != nil || t < 100*time.Millisecond {
			bad(key, fmt.Sprintf("%q is not a duration of at least 100ms like 30s", s))
		}
		return t
	}
	l.HTTPReadTimeout = timeout("http_read_timeout")
	l.HTTPWriteTimeout = timeout("http_write_timeout")
	for _, f := range strings.Split(v.GetString("trusted_proxies"), ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			if a, aerr := netip.ParseAddr(f); aerr == nil {
				p, err = a.Prefix(a.BitLen())
			}
		}
		if err != nil {
			bad("trusted_proxies", fmt.Sprintf("%q is not a network like 10.0.0.0/8 or an address", f))
			continue
		}
		l.TrustedProxies = append(l.TrustedProxies, p.Masked())
	}
	return l, errs
}
