package mailintake

import "testing"

// FuzzParseDSN: any input parses without panic; a notice id found is one
// a notice can have, and an Action is lower case.
func FuzzParseDSN(f *testing.F) {
	f.Add([]byte("Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\nFinal-Recipient: rfc822; a@b\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\nX-Abusedesk-Notice: n_1\r\n--b--\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, ok := ParseDSN(raw)
		if !ok && (b.NoticeID != "" || len(b.Recipients) != 0) {
			t.Fatalf("not a DSN but %+v", b)
		}
		if b.NoticeID != "" && !validNoticeID(b.NoticeID) {
			t.Fatalf("notice id %q", b.NoticeID)
		}
		for _, r := range b.Recipients {
			for _, c := range r.Action {
				if c >= 'A' && c <= 'Z' {
					t.Fatalf("action %q", r.Action)
				}
			}
		}
	})
}
