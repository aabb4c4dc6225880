package mailintake

import (
	"context"
	"testing"
	"time"

	"github.com/abusedesk/abusedesk/models"
)

// FuzzReadReply feeds arbitrary mails to the reply reader and its answer
// classifier: they must never panic, name at most maxReplyCandidates
// notices, all of notice-id form, and keep at most MaxReplyTextBytes of
// text, and suggest one of the known answers. The seed corpus in
// testdata/fuzz/FuzzReadReply holds replies by In-Reply-To, References and
// a quoted X-Abusedesk-Notice.
func FuzzReadReply(f *testing.F) {
	f.Add(plainMail("abuse@abusedesk.test", "r@ops.example", "We have removed the page.", "In-Reply-To: <n_abc@abusedesk>"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p, _ := ParseMessageContext(ctx, raw, "abuse@abusedesk.test", testConfig)
		r, ok := ReadReply(ctx, p, "ops@ops.example", raw)
		if !ok {
			return
		}
		if len(r.NoticeIDs) == 0 || len(r.NoticeIDs) > maxReplyCandidates {
			t.Fatalf("%d notice ids", len(r.NoticeIDs))
		}
		for _, id := range r.NoticeIDs {
			if !noticeIDPattern.MatchString(id) {
				t.Fatalf("not a notice id: %q", id)
			}
		}
		if len(r.Text) > MaxReplyTextBytes {
			t.Fatalf("text of %d bytes", len(r.Text))
		}
		switch a := SuggestAnswer(r.Text); a {
		case "", models.SuggestRemoved, models.SuggestCounterNotice:
		default:
			t.Fatalf("suggested %q", a)
		}
	})
}
