package activities_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"net/mail"
	"os"
	"path/filepath"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/internal/smtpsink"
)

// sendSigned sends one notice through the SMTP mailer to a loopback sink
// and returns the raw message received.
func sendSigned(t *testing.T, d *activities.DKIM, m activities.Message) []byte {
	t.Helper()
	sink, err := smtpsink.Start("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(sink.Stop)
	mailer := &activities.SMTPMailer{Addr: sink.Addr(), From: "abuse@desk.example.org", DKIM: d}
	require.NoError(t, mailer.Send(context.Background(), m))
	msgs := sink.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, []string{m.To}, msgs[0].To)
	return msgs[0].Raw
}

// verify checks the message's DKIM signatures against d's published key.
func verify(t *testing.T, d *activities.DKIM, raw []byte) []*dkim.Verification {
	t.Helper()
	txt, err := d.TXTValue()
	require.NoError(t, err)
	name := d.Selector + "._domainkey." + d.Domain
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: func(domain string) ([]string, error) {
			require.Equal(t, name, domain)
			return []string{txt}, nil
		}})
	require.NoError(t, err)
	return vs
}

func TestSMTPMailerSignsNoticesWithDKIM(t *testing.T) {
	dir := t.TempDir()
	d, err := activities.NewDKIM("sel1", "", "Abuse Desk <abuse@desk.example.org>", "", dir)
	require.NoError(t, err)
	require.Equal(t, "desk.example.org", d.Domain)
	info, err := os.Stat(filepath.Join(dir, activities.DKIMKeyFile))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	raw := sendSigned(t, d, activities.Message{ID: "n-1", To: "abuse@host.example.net",
		Subject: "Abuse notice: phishing on example.com", Text: "Line one.\nLine two with trailing space \n", HTML: "<p>Hi</p>"})
	vs := verify(t, d, raw)
	require.Len(t, vs, 1)
	require.NoError(t, vs[0].Err)
	require.Equal(t, "desk.example.org", vs[0].Domain)
	pm, err := mail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	require.Equal(t, "auto-generated", pm.Header.Get("Auto-Submitted"))
	require.Contains(t, pm.Header.Get("DKIM-Signature"), "c=relaxed/relaxed")
	require.Contains(t, pm.Header.Get("DKIM-Signature"), "a=rsa-sha256")

	// The same key is read back from the data dir, and a tampered message fails.
	d2, err := activities.NewDKIM("sel1", "", "abuse@desk.example.org", "", dir)
	require.NoError(t, err)
	require.True(t, d.Key.Public().(*rsa.PublicKey).Equal(d2.Key.Public()))
	tampered := bytes.Replace(raw, []byte("Line two"), []byte("Line 2"), 1)
	vs = verify(t, d, tampered)
	require.Len(t, vs, 1)
	require.Error(t, vs[0].Err)
}

func TestSMTPMailerRepliesKeepTheirAutoSubmitted(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	d := &activities.DKIM{Domain: "desk.example.org", Selector: "ed", Key: priv}
	raw := sendSigned(t, d, activities.Message{ID: "r-1", To: "reporter@example.com", Subject: "Re: your report",
		Text: "Received.", Headers: map[string]string{"Auto-Submitted": "auto-replied"}})
	vs := verify(t, d, raw)
	require.Len(t, vs, 1)
	require.NoError(t, vs[0].Err)
	pm, err := mail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	require.Equal(t, []string{"auto-replied"}, pm.Header["Auto-Submitted"])
}
