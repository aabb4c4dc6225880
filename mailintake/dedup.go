package mailintake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/emersion/go-message/mail"

	"github.com/abusedesk/abusedesk/internal/jsondoc"
)

// XARFDigest is the digest of an X-ARF v4 document in its canonical JSON
// form, the same whether the document came by mail or over HTTP: with the
// document's report key (XARFDedupKey) it says whether a report is the same
// document as one received before. A report id alone says nothing: anyone
// can copy or predict one.
func XARFDigest(doc []byte) string { return jsondoc.Digest(bytes.TrimPrefix(doc, utf8BOM)) }

// messageDigest is the digest of what a redelivery of a mail keeps and a
// different report changes: the From address, subject, date, Message-ID
// and the body after the header (the headers the servers on the way add
// are left out).
func messageDigest(p Parsed, h mail.Header, raw []byte) string {
	body := raw
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		body = raw[i:]
	} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		body = raw[i:]
	}
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\n%s\n%s\n%s\n", normalizeAddr(p.From), p.Subject, h.Get("Date"), p.MessageID)
	sum.Write(body)
	return hex.EncodeToString(sum.Sum(nil))
}
