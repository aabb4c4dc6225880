package mailintake

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// updateCorpus rewrites each testdata/real/*/expected.json from the
// parser's output. Only for a new sample: review the diff by hand, since
// the table is the statement of what each real mail must become.
var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/real/*/expected.json")

// corpusOutcome is the expected outcome of one real message: a case with
// these URLs and this category, IP rows, or a refusal whose reply names
// the problem (Refusal is a substring of the problems' text).
type corpusOutcome struct {
	Format   string   `json:"format"`
	Category string   `json:"category,omitempty"`
	URLs     []string `json:"urls,omitempty"`
	IPRows   int      `json:"ip_rows,omitempty"`
	Unusable []string `json:"unusable,omitempty"`
	Refusal  string   `json:"refusal,omitempty"`
}

// corpusRcpt is the address the corpus is sent to: no category of its own,
// so that the category comes from the report.
const corpusRcpt = "abuse@provider.example"

// corpusMessage reads one sample as a mail; an X-ARF JSON document is sent
// as an attachment, as senders mail it.
func corpusMessage(t *testing.T, path string) []byte {
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	if strings.HasSuffix(path, ".json") {
		raw = xarf4AttachmentMail("<"+filepath.Base(path)+"@corpus.test>", raw)
	}
	return raw
}

func outcomeOf(p Parsed) corpusOutcome {
	o := corpusOutcome{Format: p.Format, URLs: p.Report.URLs, IPRows: len(p.IPEvents)}
	if len(p.Problems) == 0 {
		o.Category = string(p.Report.Category)
	}
	for _, u := range p.Unusable {
		o.Unusable = append(o.Unusable, u.Text)
	}
	if len(p.Problems) > 0 {
		o.Refusal = p.Problems[0].Field + ": " + p.Problems[0].Message
		if len(o.Refusal) > 90 {
			o.Refusal = o.Refusal[:90]
		}
	}
	return o
}

// TestRealCorpus runs every real sample of testdata/real through the
// parser and compares the outcome with the directory's expected.json.
func TestRealCorpus(t *testing.T) {
	dirs, err := filepath.Glob("testdata/real/*")
	require.NoError(t, err)
	total := 0
	for _, dir := range dirs {
		_, err := os.Stat(filepath.Join(dir, "SOURCE"))
		require.NoError(t, err, "%s: every sample directory names its source", dir)
		want := map[string]corpusOutcome{}
		if !*updateCorpus {
			b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(b, &want))
		}
		got := map[string]corpusOutcome{}
		files, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, f := range files {
			if f.Name() == "SOURCE" || f.Name() == "expected.json" {
				continue
			}
			total++
			path := filepath.Join(dir, f.Name())
			p, err := ParseMessage(corpusMessage(t, path), corpusRcpt, Config{})
			require.NoError(t, err, path)
			checkInvariants(t, path, p)
			got[f.Name()] = outcomeOf(p)
			if !*updateCorpus {
				require.Contains(t, want, f.Name(), "%s has no expected outcome", path)
				require.Equal(t, want[f.Name()], got[f.Name()], path)
			}
		}
		if *updateCorpus {
			b, err := json.MarshalIndent(got, "", "  ")
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "expected.json"), append(b, '\n'), 0o644))
		} else {
			require.Len(t, want, len(got), "%s: expected.json names samples that are not there", dir)
		}
	}
	require.GreaterOrEqual(t, total, 150, "the corpus holds at least 150 real messages")
}

// checkInvariants asserts what no real mail may become, whatever its
// table says: a case about the sender's own or boilerplate links, URLs
// from a report about IPs, or a case with an unknown category.
func checkInvariants(t *testing.T, path string, p Parsed) {
	f := urlFilter{own: senderDomains(p.From, nil)}
	for _, u := range p.Report.URLs {
		ok, why := f.keep(u)
		require.True(t, ok, "%s: reported URL %s is %s", path, u, why)
	}
	if len(p.IPEvents) > 0 && len(p.Report.URLs) == 0 {
		require.NotEmpty(t, p.Problems, "%s: a report about IPs must not become a URL case", path)
	}
	if p.Format == FormatCSV {
		require.Empty(t, p.Report.URLs, "%s: a CSV report of IP rows makes no URL case", path)
	}
	if len(p.Problems) == 0 {
		require.True(t, p.Report.Category.Valid(), "%s: category %q", path, p.Report.Category)
		require.NotEmpty(t, p.CategoryBy, "%s: how the category was chosen is recorded", path)
	}
}

// TestRealCorpusTargets checks the targets on the corpus: every
// X-ARF v4 content and copyright sample that names a URL makes a case on
// it, the v3 samples are converted, no Shadowserver row is a URL case,
// and every ACNS notice is copyright.
func TestRealCorpusTargets(t *testing.T) {
	v4, _ := filepath.Glob("testdata/real/xarf-spec-v4/*.json")
	sort.Strings(v4)
	for _, path := range v4 {
		name := filepath.Base(path)
		if name == "expected.json" {
			continue
		}
		p, err := ParseMessage(corpusMessage(t, path), corpusRcpt, Config{})
		require.NoError(t, err)
		switch {
		case name == "copyright-usenet.json":
			// A Usenet article is named by its Message-ID on a news server,
			// not by a URL: refused, saying so.
			require.Equal(t, "urls", p.Problems[0].Field)
		case name == "messaging-bulk-messaging.json":
			// Its source is a mail server's name, not an address: refused
			// by category, saying why.
			require.Equal(t, "category", p.Problems[0].Field)
		case strings.HasPrefix(name, "content-"), strings.HasPrefix(name, "copyright-") && len(p.IPEvents) == 0:
			require.Empty(t, p.Problems, name)
			require.NotEmpty(t, p.Report.URLs, name)
		default:
			require.NotEmpty(t, p.IPEvents, "%s: a report about an IP is an IP event", name)
			require.Equal(t, IPReportField, p.Problems[0].Field, name)
		}
	}
	v3, _ := filepath.Glob("testdata/real/xarf-spec-v3/*.json")
	for _, path := range v3 {
		if filepath.Base(path) == "expected.json" {
			continue
		}
		p, _ := ParseMessage(corpusMessage(t, path), corpusRcpt, Config{})
		require.Equal(t, FormatXARF4, p.Format, path)
		require.True(t, len(p.Report.URLs) > 0 || len(p.IPEvents) > 0, "%s converted to a URL or an IP", path)
	}
	acns, _ := filepath.Glob("testdata/real/abuseio-ip-echelon/*.eml")
	for _, path := range acns {
		p, _ := ParseMessage(corpusMessage(t, path), corpusRcpt, Config{})
		require.Equal(t, FormatACNS, p.Format, path)
		require.Equal(t, models.CategoryCopyright, p.Report.Category, path)
		require.Len(t, p.IPEvents, 1, path)
	}
}
