package mailintake

import (
	"regexp"
	"strings"
)

// ipLabel matches a labelled address in a plain report: "Offending IP:",
// "Source IP:", "Offending/Source IP:", "Infringer's IP Address:".
var ipLabel = regexp.MustCompile(`(?im)^[ \t-]*(?:offending|source|attacker|attacking|infringer'?s|malicious)[^:\n]{0,20}\bip(?:[- ]?address)?[ \t]*:[ \t]*([0-9A-Fa-f.:]+)[ \t]*\r?$`)

// ipLine matches an address alone on its line, with an optional short
// tag in parentheses ("192.0.2.19 (H)", as Project Honey Pot writes).
var ipLine = regexp.MustCompile(`^([0-9A-Fa-f.:]+)(?:[ \t]+\(\w{1,12}\))?$`)

// plainIPEvents reads the addresses a plain-text report is about: labelled
// lines ("Offending IP: 192.0.2.1"), and addresses alone on their line
// under a heading that speaks of IPs ("IPs Engaged In Harvesting On Your
// Network:", "... from the following IP address:"), as scanners and
// honeypots write them. An address in running text is not taken: it may
// be the victim's, a relay's, or the sender's own.
func plainIPEvents(text string) []IPEvent {
	var evs []IPEvent
	seen := map[string]bool{}
	add := func(ip, kind, line string) {
		if ip = normalizeIP(ip); ip != "" && !seen[ip] {
			seen[ip] = true
			evs = append(evs, IPEvent{IP: ip, Kind: kind, Evidence: strings.TrimSpace(line)})
		}
	}
	for _, m := range ipLabel.FindAllStringSubmatch(text, -1) {
		add(m[1], "labelled", m[0])
	}
	heading := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "<br />"))
		m := ipLine.FindStringSubmatch(line)
		switch {
		case line == "" || strings.HasPrefix(line, "-"):
			continue // details under an address do not start a new list
		case m != nil && normalizeIP(m[1]) != "":
			if strings.Contains(strings.ToLower(heading), "ip") {
				add(m[1], strings.TrimSuffix(heading, ":"), heading+" "+line)
			}
		default:
			heading = line
		}
		if len(evs) >= maxIPEvents {
			break
		}
	}
	return evs
}
