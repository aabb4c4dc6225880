package config

import (
	"fmt"
	"net/textproto"
	"strings"

	"github.com/spf13/viper"
)

// The key of the edge (docs/DESIGN.md "Mitigations", the edge): the
// request header that carries the client's country for territorial legal
// blocks. It is appended to Keys so that Load accepts it in a file and
// README lists it; Load reads it into Config.Edge.
func init() {
	Keys = append(Keys,
		Key{"edge_country_header", "X-Client-Country", "request header of GET /edge/{host}/{path} that carries the client's country (ISO 3166-1 alpha-2, set by the proxy in front that geolocates the client, e.g. CF-IPCountry); a legal_block answers 451 only in the countries its order names; without the header the query parameter country is read; XX, T1 or none: unknown, and a territorial legal block applies (fails closed)"},
	)
}

// Edge is the configuration of the edge endpoint: the key this file adds.
type Edge struct {
	// CountryHeader is the canonical name of the client-country header.
	CountryHeader string
}

// loadEdge reads the key of this file from v; problems are appended to
// errs, each naming its key.
func loadEdge(v *viper.Viper, errs []string) (Edge, []string) {
	h := strings.TrimSpace(v.GetString("edge_country_header"))
	if h == "" || len(h) > 100 || strings.ContainsFunc(h, func(r rune) bool {
		return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z')
	}) {
		errs = append(errs, fmt.Sprintf("edge_country_header (ABUSEDESK_EDGE_COUNTRY_HEADER): %q is not a header name (letters, digits, - and _, at most 100)", h))
	}
	return Edge{CountryHeader: textproto.CanonicalMIMEHeaderKey(h)}, errs
}
