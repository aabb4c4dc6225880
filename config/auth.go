package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// The keys of the console session lifetime and the limit on failed
// authentications (issue 13: sign-out that holds, no unlimited guessing).
// They are appended to Keys so that Load accepts them in a file and README
// lists them; Load reads them into Config.Auth.
func init() {
	Keys = append(Keys,
		Key{"session_lifetime", "8h", "how long a console session lasts without signing in again (sessions live in the database: a sign-out, or POST /v1/admin/sessions/revoke, holds in every process and across restarts)"},
		Key{"auth_failure_rate", "10/m", "failed authentications (wrong API keys at the console sign-in or as Bearer, wrong reporter or notice token links) one client IP (an IPv6 /64) may make: N/s, N/m or N/h, up to N at once, then refilled at that rate; past it the client gets 429 with Retry-After on every authenticated request for 1m, doubling with each further lockout up to auth_lockout_max; off: no limit. Counted in each server process"},
		Key{"auth_lockout_max", "1h", "longest lockout of a client after failed authentications"},
	)
}

// Auth is the configuration of console sessions and of the limit on
// failed authentications: the keys this file adds to Keys.
type Auth struct {
	// SessionLifetime is how long a console session lasts.
	SessionLifetime time.Duration
	// FailureRate limits failed authentications per client (per process).
	FailureRate Rate
	// LockoutMax is the longest lockout.
	LockoutMax time.Duration
}

// loadAuth reads the keys of this file from v; problems are appended to
// errs, each naming its key.
func loadAuth(v *viper.Viper, errs []string) (Auth, []string) {
	var a Auth
	bad := func(key, msg string) {
		errs = append(errs, fmt.Sprintf("%s (ABUSEDESK_%s): %s", key, strings.ToUpper(key), msg))
	}
	dur := func(key string, least time.Duration) time.Duration {
		s := v.GetString(key)
		d, err := time.ParseDuration(s)
		if err != nil || d < least {
			bad(key, fmt.Sprintf("%q is not a duration of at least %s like 8h", s, least))
		}
		return d
	}
	a.SessionLifetime = dur("session_lifetime", time.Minute)
	a.LockoutMax = dur("auth_lockout_max", time.Minute)
	r, err := ParseRate(v.GetString("auth_failure_rate"))
	if err != nil {
		bad("auth_failure_rate", err.Error())
	}
	a.FailureRate = r
	return a, errs
}
