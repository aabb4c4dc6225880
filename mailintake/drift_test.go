package mailintake

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// recordingDrift keeps the outcomes the listener reports.
type recordingDrift struct {
	mu  sync.Mutex
	out []MailOutcome
}

func (r *recordingDrift) RecordMail(_ context.Context, o MailOutcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out = append(r.out, o)
}

func (r *recordingDrift) snapshot() []MailOutcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]MailOutcome(nil), r.out...)
}

// statesOf folds outcomes into per-format records, as the store does.
func statesOf(outs []MailOutcome) []SenderState {
	var states []SenderState
	for _, o := range outs {
		i := 0
		for i < len(states) && states[i].Format != o.Format {
			i++
		}
		if i == len(states) {
			states = append(states, SenderState{Format: o.Format})
		}
		states[i].Recent += string(o.Letter())
		if !containsString(states[i].Fingerprints, o.Fingerprint) {
			states[i].Fingerprints = append(states[i].Fingerprints, o.Fingerprint)
		}
	}
	return states
}

const brandAuth = "Authentication-Results: " + authservID + "; dkim=pass header.d=brand-protect.example; dmarc=pass header.from=brand-protect.example"

func realDoc(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/real/xarf-spec-v4", name))
	require.NoError(t, err)
	return b
}

// TestDriftFirstMailOfNewLayoutAlerts: a sender's real X-ARF reports make
// cases through the SMTP listener; its next mail carries the same report
// in a layout the parser does not know (no xarf_version), which parses to
// nothing. That one mail is recorded as such, under the same sender, and
// the drift rule names it.
func TestDriftFirstMailOfNewLayoutAlerts(t *testing.T) {
	srv, sub, rep := startServer(t, serverConfig)
	rec := &recordingDrift{}
	srv.Drift = rec
	abuse := []string{"abuse@abusedesk.test"}
	for i, name := range []string{"content-phishing.json", "content-malware.json", "content-fraud.json"} {
		mail := xarf4AttachmentMail(name+"@brand-protect.example", realDoc(t, name), brandAuth)
		require.NoError(t, send(t, srv.Addr(), "bounces@brand-protect.example", abuse, mail), i)
	}
	_, _, cases := sub.snapshot()
	require.Equal(t, 3, cases)
	good := rec.snapshot()
	require.Len(t, good, 3)
	for _, o := range good {
		require.Equal(t, "brand-protect.example", o.Sender)
		require.Equal(t, FormatXARF4, o.Format)
		require.Equal(t, OutcomeCase, o.Outcome)
		require.Equal(t, 1, o.URLs)
		require.Equal(t, good[0].Fingerprint, o.Fingerprint, "type-specific fields are not the layout")
	}
	require.Empty(t, DriftReason(good[2], statesOf(good[:2])), "a working sender is not drifting")

	changed := bytes.Replace(realDoc(t, "content-phishing.json"), []byte(`"xarf_version"`), []byte(`"schema_version"`), 1)
	changed = bytes.Replace(changed, []byte(`"report_id": "`), []byte(`"report_id": "v5-`), 1)
	mail := xarf4AttachmentMail("v5@brand-protect.example", changed, brandAuth)
	require.NoError(t, send(t, srv.Addr(), "bounces@brand-protect.example", abuse, mail))

	all := rec.snapshot()
	require.Len(t, all, 4)
	bad := all[3]
	require.Equal(t, "brand-protect.example", bad.Sender)
	require.Equal(t, FormatPlain, bad.Format)
	require.Equal(t, OutcomeEmpty, bad.Outcome)
	require.Zero(t, bad.URLs)
	require.Contains(t, bad.Problem, "urls: ")
	require.Len(t, rep.snapshot(), 1, "the sender was also told")
	why := DriftReason(bad, statesOf(good))
	require.Contains(t, why, "xarf4: 3 of the last 3")
	require.Contains(t, why, "parsed to no URL and no IP row")
}

// TestDriftLayoutOfRealFixtures: layouts name what a sender's format is
// made of, and the same mail always gives the same fingerprint.
func TestDriftLayoutOfRealFixtures(t *testing.T) {
	cases := map[string][]string{
		"abuseio-shadowserver/2015-01-01-scan_ntp-sample-asn.csv.zip.eml": {"format=csv", "fields=", "ip"},
		"netcraft-parser/Netcraft_Example_10.eml":                         {"format=xarf4", "version=", "reporterinfo"},
		"sisimai-arf/bsd-arf-01.eml":                                      {"format=arf", "feedback-type"},
	}
	for name, want := range cases {
		raw, err := os.ReadFile(filepath.Join("testdata/real", name))
		require.NoError(t, err)
		p, err := ParseMessage(raw, corpusRcpt, Config{})
		require.NoError(t, err, name)
		o := describeMail(context.Background(), p, raw, "", "", p.Problems)
		for _, w := range want {
			require.Contains(t, o.Layout, w, name)
		}
		again := describeMail(context.Background(), p, raw, "", "", p.Problems)
		require.Equal(t, o.Fingerprint, again.Fingerprint)
		require.Len(t, o.Fingerprint, 12)
		require.True(t, strings.HasPrefix(o.Sender, "unauthenticated:"), "no authserv-id configured: %s", o.Sender)
	}
}

// TestDriftOneLayoutPerRealSender: every real sample of one sender (and
// format) has one layout, so that the sender's usual mail never looks
// like a drift: the layout leaves out what varies with the report's type
// (Shadowserver's scan columns, X-ARF 0.2's type fields, ARF's optional
// fields), and ACNS notices of one sender share their elements.
func TestDriftOneLayoutPerRealSender(t *testing.T) {
	for _, dir := range []string{"abuseio-shadowserver", "abuseio-ip-echelon", "abuseio-copyrightcompliance",
		"abuseio-netcraft", "abuseio-spamexperts", "abuseio-feedback-loop"} {
		files, err := filepath.Glob(filepath.Join("testdata/real", dir, "*.eml"))
		require.NoError(t, err)
		require.NotEmpty(t, files, dir)
		layouts := map[string]bool{}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			p, err := ParseMessage(raw, corpusRcpt, Config{})
			require.NoError(t, err)
			caseID := ""
			if len(p.Problems) == 0 {
				caseID = "case-1" // as the pipeline makes of it
			}
			o := describeMail(context.Background(), p, raw, "", caseID, p.Problems)
			require.True(t, o.Good(), "%s: %s %s", f, o.Outcome, o.Problem)
			layouts[o.Fingerprint+" "+o.Layout] = true
		}
		require.Len(t, layouts, 1, "%s: %v", dir, layouts)
	}
}

// TestDriftReasonRules covers the one-mail rule.
func TestDriftReasonRules(t *testing.T) {
	working := []SenderState{{Format: FormatXARF4, Recent: "ccr", Fingerprints: []string{"aaa"}}}
	good := MailOutcome{Format: FormatXARF4, Outcome: OutcomeCase, Fingerprint: "aaa"}
	require.Empty(t, DriftReason(good, working))
	require.Empty(t, DriftReason(MailOutcome{Format: FormatXARF4, Outcome: OutcomeRefused}, nil), "a new sender has nothing to drift from")
	require.Empty(t, DriftReason(MailOutcome{Format: FormatXARF4, Outcome: OutcomeRefused},
		[]SenderState{{Format: FormatXARF4, Recent: "rre"}}), "a sender that never worked")

	refused := MailOutcome{Format: FormatXARF4, Outcome: OutcomeRefused, Problem: "category: unknown"}
	require.Contains(t, DriftReason(refused, working), "was refused: category: unknown")

	newLayout := good
	newLayout.Fingerprint, newLayout.Layout = "bbb", "format=xarf4 fields=x"
	require.Contains(t, DriftReason(newLayout, working), "new xarf4 layout bbb")

	plain := MailOutcome{Format: FormatPlain, Outcome: OutcomeCase, Fingerprint: "ppp"}
	require.Contains(t, DriftReason(plain, working), "format its working mail never used")
	withPlain := append(working, SenderState{Format: FormatPlain, Recent: "c", Fingerprints: []string{"qqq"}})
	require.Empty(t, DriftReason(plain, withPlain), "plain mail changes shape: no layout alert")

	long := refused
	long.Problem = strings.Repeat("x", 2*MaxProblemText)
	require.LessOrEqual(t, len(DriftReason(long, working)), MaxProblemText)
}

// TestDriftSenderKey: the sender is what authentication vouches for.
func TestDriftSenderKey(t *testing.T) {
	hdr := []string{authservID + "; dkim=pass (good) header.d=mail.Sender.example header.s=s1; dmarc=none"}
	forged := []string{"evil.example; dkim=pass header.d=bank.example"}
	require.Equal(t, "sender.example", senderKey(Parsed{From: "x@sender.example"}, hdr, authservID))
	require.Equal(t, "unauthenticated:other.example", senderKey(Parsed{From: "x@a.other.example"}, forged, authservID))
	require.Equal(t, "other.example", senderKey(Parsed{From: "x@a.other.example", Authenticated: true}, nil, authservID))
	require.Equal(t, "unauthenticated:unknown", senderKey(Parsed{}, nil, authservID))
	long := senderKey(Parsed{From: "x@" + strings.Repeat("a", 300) + ".example"}, nil, authservID)
	require.LessOrEqual(t, len(long), MaxSenderKey)
	require.Equal(t, "unauthenticated:a.example", boundKey("unauthenticated:A<>\"\x00.example"))
	require.Equal(t, OutcomeIPReport, MailOutcome{Outcome: OutcomeIPReport}.Outcome)
	o, _ := classifyOutcome(Parsed{IPEvents: []IPEvent{{IP: "192.0.2.1"}}}, "", []models.FieldError{{Field: IPReportField}})
	require.Equal(t, OutcomeIPReport, o)
}
