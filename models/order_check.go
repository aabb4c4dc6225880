package models

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/abusedesk/abusedesk/internal/urlnorm"
)

// What an order must carry and what makes it manifestly wrong (docs/legal.md
// "Orders", README "Order refusals"). An order that lacks an element the
// law says it carries cannot be given effect for insufficient information;
// one whose elements contradict the law or cannot be applied has a manifest
// error. Either way the authority is told why and asked for clarification
// (Regulation (EU) 2021/784 Art. 3(7)-(8) and Annex III; for DSA orders
// Art. 9(1) and 10(1): "if and when" effect is given). The same checks
// answer an authority filing through the API (422, it can fix its
// request) and refuse an order an admin recorded from paper (a received
// order is answered, never dropped).

// OrderEEAStates are the member states (with the EEA's) an authority of a
// DSA or TCO order is from.
const OrderEEAStates = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK"

// ISOCountries are the ISO 3166-1 alpha-2 codes.
const ISOCountries = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
	"MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
	"UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

// CodeIn reports whether code is one of the space-separated codes of list.
func CodeIn(list, code string) bool {
	return len(code) == 2 && strings.Contains(" "+list+" ", " "+code+" ")
}

// MaxOrderURLLen bounds one URL of an order.
const MaxOrderURLLen = 2000

// OrderDefect is one thing wrong with an order itself: Reason is
// OrderRefusalManifestError or OrderRefusalInsufficientInf, Field the
// field of POST /v1/orders (urls[2], territorial_scope[0]).
type OrderDefect struct {
	Reason  string
	Field   string
	Message string
}

// mustCarry: per element, the provision of each kind that requires it;
// a kind without an entry need not carry the element. A court order's
// elements are what we need to act and to write our own statement of
// reasons (DSA Art. 17(3)(d): the legal ground and why the content is
// illegal on it).
var mustCarry = map[string]map[OrderKind]string{
	"authority.name": {OrderDSAArt9: "Regulation (EU) 2022/2065 Art. 9(2)(a)(iii)", OrderDSAArt10: "Regulation (EU) 2022/2065 Art. 10(2)(a)(ii)",
		OrderTCORemoval: "Regulation (EU) 2021/784 Art. 3(4)(a)", OrderCourt: "the issuing court"},
	"legal_basis": {OrderDSAArt9: "Regulation (EU) 2022/2065 Art. 9(2)(a)(i)", OrderDSAArt10: "Regulation (EU) 2022/2065 Art. 10(2)(a)(i)",
		OrderTCORemoval: "Regulation (EU) 2021/784 Art. 3(4)(d)", OrderCourt: "our statement of reasons, Regulation (EU) 2022/2065 Art. 17(3)(d)"},
	"statement_of_reasons": {OrderDSAArt9: "Regulation (EU) 2022/2065 Art. 9(2)(a)(ii)", OrderDSAArt10: "Regulation (EU) 2022/2065 Art. 10(2)(a)(iv)",
		OrderTCORemoval: "Regulation (EU) 2021/784 Art. 3(4)(b)", OrderCourt: "our statement of reasons, Regulation (EU) 2022/2065 Art. 17(3)(d)"},
	"urls": {OrderDSAArt9: "Regulation (EU) 2022/2065 Art. 9(2)(a)(iv)", OrderDSAArt10: "Regulation (EU) 2022/2065 Art. 10(2)(a)(iii): the recipients concerned, by the URLs of their content",
		OrderTCORemoval: "Regulation (EU) 2021/784 Art. 3(4)(c)", OrderCourt: "the content concerned"},
	"redress": {OrderDSAArt9: "Regulation (EU) 2022/2065 Art. 9(2)(a)(v)", OrderDSAArt10: "Regulation (EU) 2022/2065 Art. 10(2)(a)(v)",
		OrderTCORemoval: "Regulation (EU) 2021/784 Art. 3(4)(f)"},
	"territorial_scope": {OrderDSAArt9: "Regulation (EU) 2022/2065 Art. 9(2)(b)", OrderCourt: "where the order applies"},
}

// OrderMustCarry is the provision that requires kind to carry field ("":
// not required). An unknown kind carries what every kind carries.
func OrderMustCarry(kind OrderKind, field string) string {
	if !kind.Valid() {
		if len(mustCarry[field]) == len(OrderKinds) {
			return "every order"
		}
		return ""
	}
	return mustCarry[field][kind]
}

// Defects lists what is wrong with the order itself, in field order.
func (o Order) Defects() []OrderDefect {
	var ds []OrderDefect
	missing := func(field, v, what string) {
		if src := OrderMustCarry(o.Kind, field); src != "" && strings.TrimSpace(v) == "" {
			ds = append(ds, OrderDefect{OrderRefusalInsufficientInf, field, "missing: " + what + " (" + src + ")"})
		}
	}
	manifest := func(field, format string, args ...any) {
		ds = append(ds, OrderDefect{OrderRefusalManifestError, field, fmt.Sprintf(format, args...)})
	}
	missing("authority.name", o.AuthorityName, "the issuing authority")
	// A removal order concerns terrorist content only (Regulation (EU)
	// 2021/784 Arts. 2(7), 3(1)).
	if o.Kind == OrderTCORemoval && o.ContentType != "terrorist_content" && orderTypeKnown(o.ContentType) {
		manifest("content_type", "a removal order under Regulation (EU) 2021/784 concerns terrorist content only (Arts. 2(7), 3(1)); this one names %s", o.ContentType)
	}
	missing("legal_basis", o.LegalBasis, "the legal basis")
	// Art. 3(4)(d): a removal order refers to the Regulation as its legal basis.
	if o.Kind == OrderTCORemoval && strings.TrimSpace(o.LegalBasis) != "" && !strings.Contains(o.LegalBasis, "2021/784") {
		ds = append(ds, OrderDefect{OrderRefusalInsufficientInf, "legal_basis",
			"does not refer to Regulation (EU) 2021/784, the legal basis a removal order must name (Art. 3(4)(d))"})
	}
	missing("statement_of_reasons", o.StatementOfReasons, "the statement of reasons, why the content is illegal")
	missing("redress", o.Redress, "the information on redress")
	var urls []string
	_ = json.Unmarshal([]byte(o.URLs), &urls)
	if len(urls) == 0 {
		missing("urls", "", "the exact URLs")
	}
	for i, u := range urls {
		if why := OrderURLProblem(u); why != "" {
			// The order must identify the content by its exact URL (DSA
			// Art. 9(2)(a)(iv), 10(2)(a)(iii); TCO Art. 3(4)(c)).
			manifest(fmt.Sprintf("urls[%d]", i), "%q %s", clipOrderText(u, 200), why)
		}
	}
	ds = append(ds, scopeDefects(o)...)
	return ds
}

// scopeDefects: a territorial scope is countries or everywhere (DSA Art.
// 9(2)(b)); a code that is not a country cannot be applied.
func scopeDefects(o Order) []OrderDefect {
	s := strings.TrimSpace(o.TerritorialScope)
	if s == "" {
		if src := OrderMustCarry(o.Kind, "territorial_scope"); src != "" {
			return []OrderDefect{{OrderRefusalInsufficientInf, "territorial_scope", "missing: the territorial scope (" + src + ")"}}
		}
		return nil
	}
	codes := strings.Split(s, ",")
	if len(codes) == 1 && strings.EqualFold(codes[0], OrderEverywhere) {
		return nil
	}
	var ds []OrderDefect
	for i, c := range codes {
		f := fmt.Sprintf("territorial_scope[%d]", i)
		switch c = strings.TrimSpace(c); {
		case strings.EqualFold(c, OrderEverywhere):
			ds = append(ds, OrderDefect{OrderRefusalManifestError, f, `"everywhere" stands alone, not with country codes`})
		case !CodeIn(ISOCountries, strings.ToUpper(c)):
			ds = append(ds, OrderDefect{OrderRefusalManifestError, f, fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 code (a territorial scope names countries, Regulation (EU) 2022/2065 Art. 9(2)(b))", clipOrderText(c, 10))})
		}
	}
	return ds
}

// OrderURLProblem says why u is not an exact URL we can act on ("": it is).
func OrderURLProblem(u string) string {
	if len(u) > MaxOrderURLLen {
		return fmt.Sprintf("is longer than %d characters", MaxOrderURLLen)
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "is not an absolute http(s) URL naming a host"
	}
	if _, err := urlnorm.URL(u); err != nil {
		return "is not a URL we can match: " + err.Error()
	}
	return ""
}

// OrderRefusal is the reason and the detail (at most 2000 bytes, in words
// for the authority) of an order with defects: a manifest error when any
// defect is one, else insufficient information.
func OrderRefusal(ds []OrderDefect) (reason, detail string) {
	if len(ds) == 0 {
		return "", ""
	}
	reason = OrderRefusalInsufficientInf
	for _, d := range ds {
		if d.Reason == OrderRefusalManifestError {
			reason = OrderRefusalManifestError
		}
	}
	var b strings.Builder
	for i, d := range ds {
		line := "- " + d.Field + ": " + d.Message + "\n"
		if b.Len()+len(line) > 1900 {
			fmt.Fprintf(&b, "- and %d more\n", len(ds)-i)
			break
		}
		b.WriteString(line)
	}
	return reason, strings.TrimSuffix(b.String(), "\n")
}

func orderTypeKnown(t string) bool {
	for _, x := range OrderContentTypes {
		if x == t {
			return true
		}
	}
	return false
}

func clipOrderText(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
