package intake

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// v4Body is a valid form report of act as a JSON object.
func v4Body(act string) map[string]any {
	b := map[string]any{"act": act, "email": "rep@brand.example", "email2": "rep@brand.example", "name": "Rita Reporter",
		"urls": "https://shop.example/login\nhttps://shop.example/pay", "owner_notification": "send", "host_notification": "send"}
	switch act {
	case "abuse_dmca":
		for k, v := range map[string]any{"address1": "1 Main St", "agent_name": "Studio", "agree": 1, "city": "Springfield",
			"country": "US", "state": "IL", "original_work": "Film X", "signature": "Rita Reporter"} {
			b[k] = v
		}
	case "abuse_trademark":
		b["justification"], b["trademark_number"], b["trademark_office"], b["trademark_symbol"] = "fake shop", "123", "USPTO", "BRAND"
	case "abuse_children":
		b["justification"], b["owner_notification"], b["ncmec_notification"] = "see page 2", "none", "send-anon"
	case "abuse_registrar_whois":
		delete(b, "host_notification")
	case "abuse_ncsei":
		b["ncsei_subject_representation"], b["signature"], b["agree"], b["owner_notification"] = true, "Rita Reporter", 1, "send-anon"
	default:
		b["justification"] = "fake login page"
	}
	return b
}

func v4Request(t *testing.T, body map[string]any, reportType string) (models.ReportRequest, []models.FieldError) {
	t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	return ParseV4Report(raw, reportType)
}

// TestV4FormEveryType: a valid report of each of the reference's types is
// accepted and becomes a report of its category with the reporter's
// contact, URLs and choices.
func TestV4FormEveryType(t *testing.T) {
	want := map[string]models.Category{"abuse_dmca": models.CategoryCopyright, "abuse_trademark": models.CategoryTrademark,
		"abuse_general": models.CategoryOther, "abuse_phishing": models.CategoryPhishing, "abuse_children": models.CategoryCSAM,
		"abuse_threat": models.CategoryViolentThreat, "abuse_registrar_whois": models.CategoryRegistrarWhois, "abuse_ncsei": models.CategoryNCSEI}
	require.Len(t, V4Acts, len(want))
	for act, cat := range want {
		t.Run(act, func(t *testing.T) {
			r, errs := v4Request(t, v4Body(act), act)
			require.Empty(t, errs)
			require.Equal(t, cat, r.Category)
			require.Equal(t, []string{"https://shop.example/login", "https://shop.example/pay"}, r.URLs)
			require.Equal(t, "rep@brand.example", r.Reporter.Email)
			require.Equal(t, SourceV4, r.Source)
			require.NotEmpty(t, r.Description)
		})
	}
	r, _ := v4Request(t, v4Body("abuse_dmca"), "abuse_dmca")
	require.Equal(t, &models.CopyrightClaim{Work: "Film X (copyright owner: Studio)", GoodFaith: true, AccurateUnderPenalty: true, Signature: "Rita Reporter"}, r.Copyright)
	require.Empty(t, CopyrightMissing(&r))
	r, _ = v4Request(t, v4Body("abuse_ncsei"), "abuse_ncsei")
	require.Equal(t, &models.NCSEIClaim{Signature: "Rita Reporter", GoodFaithNotConsensual: true}, r.NCSEI)
	require.Equal(t, models.NotifySendAnon, r.OwnerNotification)
}

// TestV4FormFieldRules: the reference's field rules and limits, each
// problem named by the form's field, every problem listed at once.
func TestV4FormFieldRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	var many []string
	for i := 0; i < 251; i++ {
		many = append(many, fmt.Sprintf("https://shop.example/%d", i))
	}
	for _, tc := range []struct {
		name, act string
		mutate    func(b map[string]any)
		want      []string
	}{
		{"email2 differs", "abuse_general", func(b map[string]any) { b["email2"] = "other@brand.example" }, []string{"email2"}},
		{"email missing", "abuse_general", func(b map[string]any) { delete(b, "email"); delete(b, "email2") }, []string{"email"}},
		{"bad email", "abuse_general", func(b map[string]any) { b["email"], b["email2"] = "nope", "nope" }, []string{"email"}},
		{"name missing", "abuse_general", func(b map[string]any) { delete(b, "name") }, []string{"name"}},
		{"name too long", "abuse_general", func(b map[string]any) { b["name"] = long(256) }, []string{"name"}},
		{"more than 250 URLs", "abuse_general", func(b map[string]any) { b["urls"] = strings.Join(many, "\n") }, []string{"urls"}},
		{"two hostnames", "abuse_general", func(b map[string]any) { b["urls"] = "https://a.example/1\nhttps://b.example/2" }, []string{"urls"}},
		{"URL twice", "abuse_general", func(b map[string]any) { b["urls"] = "https://a.example/1\nhttps://a.example/1" }, []string{"urls"}},
		{"bad URL", "abuse_general", func(b map[string]any) { b["urls"] = "ftp://a.example/1" }, []string{"urls"}},
		{"no URL", "abuse_general", func(b map[string]any) { b["urls"] = "\n" }, []string{"urls"}},
		{"comments too long", "abuse_general", func(b map[string]any) { b["comments"] = long(2001) }, []string{"comments"}},
		{"company too long", "abuse_general", func(b map[string]any) { b["company"] = long(101) }, []string{"company"}},
		{"tele too long", "abuse_general", func(b map[string]any) { b["tele"] = long(21) }, []string{"tele"}},
		{"title too long", "abuse_general", func(b map[string]any) { b["title"] = long(256) }, []string{"title"}},
		{"reported_country not 2 letters", "abuse_general", func(b map[string]any) { b["reported_country"] = "USA" }, []string{"reported_country"}},
		{"user agent too long", "abuse_general", func(b map[string]any) { b["reported_user_agent"] = long(256) }, []string{"reported_user_agent"}},
		{"justification missing", "abuse_phishing", func(b map[string]any) { delete(b, "justification") }, []string{"justification"}},
		{"justification too long", "abuse_children", func(b map[string]any) { b["justification"] = long(5001) }, []string{"justification"}},
		{"dmca without its fields", "abuse_dmca", func(b map[string]any) {
			for _, k := range []string{"address1", "agent_name", "city", "country", "state", "original_work", "signature", "agree"} {
				delete(b, k)
			}
		}, []string{"address1", "agent_name", "agree", "city", "country", "original_work", "signature", "state"}},
		{"dmca agree 0 and signature not the name", "abuse_dmca", func(b map[string]any) { b["agree"], b["signature"] = 0, "Someone" },
			[]string{"agree", "signature"}},
		{"dmca limits", "abuse_dmca", func(b map[string]any) {
			b["address1"], b["agent_name"], b["original_work"] = long(101), long(61), long(256)
		},
			[]string{"address1", "agent_name", "original_work"}},
		{"dmca cannot be anonymous", "abuse_dmca", func(b map[string]any) { b["owner_notification"], b["host_notification"] = "send-anon", "send-anon" },
			[]string{"host_notification", "owner_notification"}},
		{"trademark cannot be anonymous", "abuse_trademark", func(b map[string]any) { b["owner_notification"] = "none" }, []string{"owner_notification"}},
		{"general has no none", "abuse_general", func(b map[string]any) { b["owner_notification"] = "none" }, []string{"owner_notification"}},
		{"owner choice required", "abuse_threat", func(b map[string]any) { delete(b, "owner_notification") }, []string{"owner_notification"}},
		{"host choice required", "abuse_threat", func(b map[string]any) { delete(b, "host_notification") }, []string{"host_notification"}},
		{"csam never to the operator", "abuse_children", func(b map[string]any) { b["owner_notification"] = "send" }, []string{"owner_notification"}},
		{"csam needs the clearinghouse choice", "abuse_children", func(b map[string]any) { delete(b, "ncmec_notification") }, []string{"ncmec_notification"}},
		{"whois has no host choice", "abuse_registrar_whois", func(b map[string]any) { b["host_notification"] = "send" }, []string{"host_notification"}},
		{"ncsei needs signature, statement and representation", "abuse_ncsei", func(b map[string]any) {
			delete(b, "signature")
			delete(b, "ncsei_subject_representation")
			b["agree"] = 0
		}, []string{"agree", "ncsei_subject_representation", "signature"}},
		{"field of another type", "abuse_general", func(b map[string]any) { b["trademark_number"] = "1" }, []string{"trademark_number"}},
		{"unknown field", "abuse_general", func(b map[string]any) { b["colour"] = "red" }, []string{"colour"}},
		{"wrong types", "abuse_general", func(b map[string]any) { b["name"], b["agree"] = 5, "yes" }, []string{"agree", "name"}},
		{"bad source IPs", "abuse_general", func(b map[string]any) { b["source_ips"] = "192.0.2.1\nnot-an-ip\n192.0.2.1" }, []string{"source_ips", "source_ips"}},
		{"unknown act", "abuse_general", func(b map[string]any) { b["act"] = "abuse_spam" }, []string{"act"}},
		{"act differs from the path", "abuse_phishing", func(b map[string]any) { b["act"] = "abuse_general" }, []string{"report_type"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := v4Body(tc.act)
			tc.mutate(b)
			_, errs := v4Request(t, b, tc.act)
			got := fields(errs)
			sortStrings(got)
			require.Equal(t, tc.want, got, "%v", errs)
		})
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestV4FormTelephoneOnlyWhenSent: the telephone number, identifying and
// not a field of the case, is kept in the description only where every
// recipient is sent the reporter's contact.
func TestV4FormTelephoneOnlyWhenSent(t *testing.T) {
	b := v4Body("abuse_phishing")
	b["tele"] = "+1 555 0100"
	r, errs := v4Request(t, b, "abuse_phishing")
	require.Empty(t, errs)
	require.Contains(t, r.Description, "+1 555 0100")
	b["owner_notification"] = "send-anon"
	r, errs = v4Request(t, b, "abuse_phishing")
	require.Empty(t, errs)
	require.NotContains(t, r.Description, "555")
}
