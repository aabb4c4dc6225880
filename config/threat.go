package config

import (
	"fmt"
	"net/mail"
	"sort"
	"strings"

	"github.com/spf13/viper"
)

// ThreatAuthority is the law-enforcement or judicial authority of one
// member state that the desk informs of a suspicion of a criminal offence
// involving a threat to someone's life or safety (DSA Art. 18(1)).
type ThreatAuthority struct {
	// MemberState is an EU/EEA member state's ISO 3166-1 alpha-2 code, or
	// EU for Europol (Art. 18(2): the member state cannot be told).
	MemberState string
	Contact     string // a plain email address
}

// threatMemberStates are the codes threat_authorities takes: the EU and
// EEA member states, and EU for Europol.
const threatMemberStates = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK EU"

// ThreatAuthorityFor is the configured authority of a member state (the
// code in any case); ok is false when none is configured.
func (c *Config) ThreatAuthorityFor(memberState string) (ThreatAuthority, bool) {
	code := strings.ToUpper(strings.TrimSpace(memberState))
	for _, a := range c.ThreatAuthorities {
		if a.MemberState == code {
			return a, true
		}
	}
	return ThreatAuthority{}, false
}

// ThreatMemberStates are the member states with a configured authority,
// in order.
func (c *Config) ThreatMemberStates() []string {
	out := make([]string, 0, len(c.ThreatAuthorities))
	for _, a := range c.ThreatAuthorities {
		out = append(out, a.MemberState)
	}
	return out
}

// loadThreatAuthorities reads threat_authorities: "DE=lka@polizei.example,
// FR=pharos@interieur.example" (also a YAML map of code to address). Every
// bad entry is a problem naming the key.
func loadThreatAuthorities(v *viper.Viper, errs []string) ([]ThreatAuthority, []string) {
	fail := func(format string, args ...any) {
		errs = append(errs, "threat_authorities (ABUSEDESK_THREAT_AUTHORITIES): "+fmt.Sprintf(format, args...))
	}
	var pairs [][2]string
	switch raw := v.Get("threat_authorities").(type) {
	case nil:
	case string:
		for _, item := range strings.Split(raw, ",") {
			if item = strings.TrimSpace(item); item == "" {
				continue
			}
			code, addr, ok := strings.Cut(item, "=")
			if !ok {
				fail("%q is not CODE=address (like DE=lka@polizei.example)", item)
				continue
			}
			pairs = append(pairs, [2]string{code, addr})
		}
	case map[string]any:
		for code, addr := range raw {
			pairs = append(pairs, [2]string{code, fmt.Sprint(addr)})
		}
		sort.Slice(pairs, func(i, j int) bool { return pairs[i][0] < pairs[j][0] })
	default:
		fail("not a list like DE=lka@polizei.example,FR=pharos@interieur.example")
	}
	var out []ThreatAuthority
	seen := map[string]bool{}
	for _, p := range pairs {
		code, addr := strings.ToUpper(strings.TrimSpace(p[0])), strings.TrimSpace(p[1])
		switch {
		case len(code) != 2 || !strings.Contains(" "+threatMemberStates+" ", " "+code+" "):
			fail("%q is not an EU/EEA member state's ISO 3166-1 alpha-2 code (or EU for Europol)", p[0])
			continue
		case seen[code]:
			fail("%s is named twice", code)
			continue
		}
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr || len(addr) > 320 {
			fail("%s: %q is not a plain email address such as lka@polizei.example", code, addr)
			continue
		}
		seen[code] = true
		out = append(out, ThreatAuthority{MemberState: code, Contact: addr})
	}
	return out, errs
}
