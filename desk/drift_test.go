package desk

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/internal/pgtest"
	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// caseMaker stands in for the case pipeline: every report makes a case.
type caseMaker struct {
	mu sync.Mutex
	n  int
}

func (c *caseMaker) SubmitEmailReport(context.Context, mailintake.Parsed, []byte) (string, []models.FieldError, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return fmt.Sprintf("case-%d", c.n), nil, nil
}

type noReplies struct{}

func (noReplies) ReplyProblems(context.Context, string, string, []models.FieldError) error {
	return nil
}

const driftAuthserv = "mx.provider.test"

// xarfMail is an X-ARF mail of brand-protect.example as its mail server
// received it: DMARC passed, the document attached as JSON.
func xarfMail(id string, doc []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(doc)
	var b64 strings.Builder
	for len(enc) > 76 {
		b64.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b64.WriteString(enc)
	return []byte(strings.Join([]string{
		"Authentication-Results: " + driftAuthserv + "; dmarc=pass header.from=brand-protect.example",
		"From: Brand Protection <takedown@brand-protect.example>",
		"To: abuse@provider.test",
		"Subject: X-ARF report " + id,
		"Message-ID: <" + id + "@brand-protect.example>",
		"MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="b1"`,
		"",
		"--b1",
		"Content-Type: text/plain; charset=utf-8",
		"",
		"Please find our X-ARF report attached.",
		"--b1",
		`Content-Type: application/json; name="report.json"`,
		`Content-Disposition: attachment; filename="report.json"`,
		"Content-Transfer-Encoding: base64",
		"",
		b64.String(),
		"--b1--",
		"",
	}, "\r\n"))
}

func sendMail(t *testing.T, addr string, msg []byte) {
	t.Helper()
	c, err := smtp.Dial(addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello("mx.provider.test"))
	require.NoError(t, c.SendMail("bounces@brand-protect.example", []string{"abuse@provider.test"}, bytes.NewReader(msg)))
	require.NoError(t, c.Quit())
}

// startIntake runs the real SMTP listener on loopback with the tracker.
func startIntake(t *testing.T, db *gorm.DB) *mailintake.Server {
	t.Helper()
	cfg := mailintake.Config{AuthservID: driftAuthserv, Addresses: []string{"abuse@provider.test"}, Hostname: "intake.provider.test"}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := mailintake.NewServer("127.0.0.1:0", cfg, &caseMaker{}, noReplies{}, log)
	srv.Drift = &SenderTracker{DB: db, Log: log}
	require.NoError(t, srv.Listen())
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.NoError(t, <-done)
	})
	return srv
}

func realXARF(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "mailintake", "testdata", "real", "xarf-spec-v4", name))
	require.NoError(t, err)
	return b
}

// TestDriftSenderAlertedByFirstMail: brand-protect.example's real X-ARF
// reports make cases; its next mail carries its report in a new layout
// (no xarf_version) that parses to nothing. From that one mail the record
// the analysts read says the sender is drifting, with why, and the metric
// says so too. On SQLite and on PostgreSQL.
func TestDriftSenderAlertedByFirstMail(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		d, _ := testDesk(t)
		driftScenario(t, d)
	})
	t.Run("postgres", func(t *testing.T) {
		db, err := store.Open(pgtest.DB(t), "")
		require.NoError(t, err)
		t.Cleanup(func() {
			if s, err := db.DB(); err == nil {
				s.Close()
			}
		})
		require.NoError(t, store.Migrate(db))
		driftScenario(t, &Desk{DB: db})
	})
}

func driftScenario(t *testing.T, d *Desk) {
	ctx := context.Background()
	senderMails.Reset() // the metrics are the package's: each run starts clean
	senderDrifting.Reset()
	senderDrifts.Reset()
	reg := prometheus.NewRegistry()
	require.NoError(t, RegisterDriftMetrics(reg))
	require.NoError(t, RegisterDriftMetrics(reg), "registering twice is no error")
	base := metricValue(t, reg, "abusedesk_intake_sender_mails_total", map[string]string{"sender": "brand-protect.example", "format": "xarf4", "outcome": "case"})
	srv := startIntake(t, d.DB)

	for _, name := range []string{"content-phishing.json", "content-malware.json", "content-fraud.json"} {
		sendMail(t, srv.Addr(), xarfMail(name, realXARF(t, name)))
	}
	rows, err := d.Senders(ctx, 10)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Equal(t, "brand-protect.example", rows[0].Sender)
	require.Equal(t, "xarf4", rows[0].Format)
	require.Equal(t, int64(3), rows[0].Mails)
	require.Equal(t, int64(3), rows[0].Cases)
	require.Equal(t, 1.0, rows[0].URLsPerMail)
	require.Equal(t, "ccc", rows[0].Recent)
	require.Len(t, rows[0].Fingerprints, 1, "one layout")
	require.False(t, rows[0].Drifting)
	require.Equal(t, base+3, metricValue(t, reg, "abusedesk_intake_sender_mails_total", map[string]string{"sender": "brand-protect.example", "format": "xarf4", "outcome": "case"}))
	require.Zero(t, metricValue(t, reg, "abusedesk_intake_sender_drifting", map[string]string{"sender": "brand-protect.example", "format": "xarf4"}))

	changed := bytes.Replace(realXARF(t, "content-phishing.json"), []byte(`"xarf_version"`), []byte(`"schema_version"`), 1)
	sendMail(t, srv.Addr(), xarfMail("v5-layout", changed))

	rows, err = d.Senders(ctx, 10)
	require.NoError(t, err)
	require.Len(t, rows, 2)
	alert := rows[0]
	require.True(t, alert.Drifting, "drifting first: %+v", rows)
	require.Equal(t, "brand-protect.example", alert.Sender)
	require.Equal(t, "plain", alert.Format)
	require.Equal(t, int64(1), alert.Empty)
	require.Equal(t, "e", alert.Recent)
	require.Contains(t, alert.DriftReason, "xarf4: 3 of the last 3")
	require.Contains(t, alert.DriftReason, "parsed to no URL and no IP row")
	require.Contains(t, alert.LastProblem, "urls: ")
	require.NotNil(t, alert.DriftAt)
	require.False(t, rows[1].Drifting)
	require.Equal(t, 1.0, metricValue(t, reg, "abusedesk_intake_sender_drifting", map[string]string{"sender": "brand-protect.example", "format": "plain"}))
	require.Equal(t, 1.0, metricValue(t, reg, "abusedesk_intake_sender_drift_mails_total", map[string]string{"sender": "brand-protect.example", "format": "plain"}))
	require.Equal(t, 1.0, metricValue(t, reg, "abusedesk_intake_sender_mails_total", map[string]string{"sender": "brand-protect.example", "format": "plain", "outcome": "empty"}))

	senderDrifting.Reset() // as in a restarted process
	require.Zero(t, metricValue(t, reg, "abusedesk_intake_sender_drifting", map[string]string{"sender": "brand-protect.example", "format": "plain"}))
	require.NoError(t, (&SenderTracker{DB: d.DB}).RestoreGauges(ctx))
	require.Equal(t, 1.0, metricValue(t, reg, "abusedesk_intake_sender_drifting", map[string]string{"sender": "brand-protect.example", "format": "plain"}))

	_, err = d.Senders(ctx, MaxSendersPage+1)
	code, _ := StatusOf(err)
	require.Equal(t, 400, code, "the read is bounded")
}

// TestDriftRecordBounds: a drift ends after working mails; the metric
// labels stop at maxSenderLabels distinct senders; the known layouts and
// recent outcomes stay bounded.
func TestDriftRecordBounds(t *testing.T) {
	r := &store.IntakeSender{Drifting: true, Recent: "cce"}
	for i := 0; i < mailintake.RecentMails+5; i++ {
		applyOutcome(r, mailintake.MailOutcome{Outcome: mailintake.OutcomeCase, Fingerprint: fmt.Sprintf("f%02d", i)}, "")
		require.Equal(t, i < 2, r.Drifting, "mail %d", i)
	}
	require.Len(t, r.Recent, mailintake.RecentMails)
	require.Len(t, splitList(r.Fingerprints), mailintake.MaxFingerprints)
	require.True(t, strings.HasSuffix(r.Fingerprints, "f24"))

	reg := prometheus.NewRegistry()
	require.NoError(t, RegisterDriftMetrics(reg))
	l := &senderLabels{known: map[string]bool{}, other: map[string]map[string]bool{}}
	for i := 0; i < maxSenderLabels; i++ {
		require.Equal(t, fmt.Sprintf("s%d.example", i), l.sender(fmt.Sprintf("s%d.example", i)))
	}
	require.Equal(t, otherLabel, l.sender("late.example"))
	require.Equal(t, "s1.example", l.sender("s1.example"))
	require.Equal(t, otherLabel, formatLabel("yaml-of-the-week"))
	require.Equal(t, "unauthenticated", l.sender("unauthenticated:bank.example"), "claimed domains use no label of their own")
	l.setDrifting("late.example", "csv", otherLabel, "csv", true)
	l.setDrifting("later.example", "csv", otherLabel, "csv", true)
	require.Equal(t, 2.0, metricValue(t, reg, "abusedesk_intake_sender_drifting", map[string]string{"sender": otherLabel, "format": "csv"}))
	l.setDrifting("late.example", "csv", otherLabel, "csv", false)
	require.Equal(t, 1.0, metricValue(t, reg, "abusedesk_intake_sender_drifting", map[string]string{"sender": otherLabel, "format": "csv"}))
}

// metricValue reads one series through the registry, as /metrics would.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if labels[lp.GetName()] != lp.GetValue() {
					continue series
				}
			}
			if m.GetGauge() != nil {
				return m.GetGauge().GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
