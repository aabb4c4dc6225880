package mailintake

import (
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// validatingSubmitter is a fakeSubmitter that also validates, as the real
// Submitter does through the Validator interface.
type validatingSubmitter struct {
	*fakeSubmitter
}

func (validatingSubmitter) ValidateReport(r models.ReportRequest) []models.FieldError {
	var out []models.FieldError
	if len(r.URLs) == 0 {
		out = append(out, models.FieldError{Field: "urls", Message: "at least one URL is required"})
	}
	if r.Copyright != nil && r.Copyright.Signature == "" {
		out = append(out, models.FieldError{Field: "copyright.signature", Message: "a signature is required"})
	}
	return out
}

func TestSMTPIntakeReplyListsEveryProblem(t *testing.T) {
	sub := validatingSubmitter{&fakeSubmitter{cases: map[string]string{}}}
	rep := &fakeReplier{}
	srv := NewServer("127.0.0.1:0", serverConfig, sub, rep, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, srv.Listen())
	go func() { _ = srv.ListenAndServe() }()
	defer srv.Close()

	// No URL, no statements; the source is a host, not an IP address (a
	// report about an IP is answered as such, without the URL problems).
	doc := xarf4JSON("copyright", "p2p", map[string]any{"work_title": "Movie", "source_identifier": "tracker.example"})
	require.NoError(t, send(t, srv.Addr(), "copyright@tvb.example", []string{"copyright@abusedesk.test"}, withHeader(xarf4ReportMail(doc, "application/json"), dmarcPass("tvb.example"))))
	calls, _, _ := sub.snapshot()
	require.Empty(t, calls)
	replies := rep.snapshot()
	require.Len(t, replies, 1)
	require.Equal(t, "copyright@tvb.example", replies[0].to)
	fields := []string{}
	for _, p := range replies[0].problems {
		fields = append(fields, p.Field)
	}
	require.Equal(t, []string{"urls", "copyright.signature"}, fields, "the mail's own problem, then the validator's others")
}
