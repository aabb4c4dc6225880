package cybertipline_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/cybertipline"
	"github.com/abusedesk/abusedesk/internal/cybertipline/cttest"
)

func report() cybertipline.Report {
	return cybertipline.Report{
		IncidentSummary: cybertipline.IncidentSummary{IncidentType: cybertipline.IncidentCSAM, IncidentDateTime: "2026-03-02T09:00:00Z"},
		InternetDetails: []cybertipline.InternetDetail{{WebPage: cybertipline.WebPageIncident{URL: "https://pages.example/gallery/1"}}},
		Reporter:        cybertipline.Reporter{ReportingPerson: cybertipline.ReportingPerson{Email: "abuse@provider.example"}},
		Reported:        &cybertipline.PersonReported{ESPIdentifier: "acct-1", ESPService: "hosting"},
	}
}

// TestClientFollowsTheProtocol files a whole report (status, submit,
// upload, fileinfo, finish) against a server of the documented protocol.
func TestClientFollowsTheProtocol(t *testing.T) {
	srv := cttest.New("esp", "s3cret")
	defer srv.Close()
	ctx := context.Background()
	c, err := cybertipline.New(srv.URL, "esp", "s3cret")
	require.NoError(t, err)

	require.NoError(t, c.Status(ctx))
	id, err := c.Submit(ctx, report())
	require.NoError(t, err)
	require.NotEmpty(t, id)
	fid, err := c.Upload(ctx, id, "report.eml", []byte("raw report"))
	require.NoError(t, err)
	require.NoError(t, c.FileInfo(ctx, cybertipline.FileDetails{ReportID: id, FileID: fid, OriginalFileName: "report.eml"}))
	done, err := c.Finish(ctx, id)
	require.NoError(t, err)
	require.Equal(t, id, done.ReportID)
	require.Equal(t, []string{fid}, done.Files)

	got, ok := srv.Report(id)
	require.True(t, ok)
	require.True(t, got.Finished)
	require.Contains(t, got.Document, "<incidentType>"+cybertipline.IncidentCSAM+"</incidentType>")
	require.Contains(t, got.Document, "<url>https://pages.example/gallery/1</url>")
	require.Equal(t, "raw report", string(got.Files[fid]))
	require.Contains(t, got.Details[fid], "<originalFileName>report.eml</originalFileName>")
	require.Equal(t, []string{"GET /status", "POST /submit", "POST /upload", "POST /fileinfo", "POST /finish"}, srv.Calls())

	// A finished report cannot be retracted: the service says why.
	err = c.Retract(ctx, id)
	var e *cybertipline.Error
	require.True(t, errors.As(err, &e), "%v", err)
	require.Equal(t, cttest.CodeClosed, e.Code)
	require.Equal(t, "retract", e.Call)
	require.Contains(t, e.Description, "closed")
}

// TestClientFailingUploadAndRetract: a refused upload is an *Error with the
// service's code and description; the report is retracted and no longer
// takes files or a finish.
func TestClientFailingUploadAndRetract(t *testing.T) {
	srv := cttest.New("esp", "s3cret")
	defer srv.Close()
	ctx := context.Background()
	c, err := cybertipline.New(srv.URL, "esp", "s3cret")
	require.NoError(t, err)

	id, err := c.Submit(ctx, report())
	require.NoError(t, err)
	srv.FailUploads(1)
	_, err = c.Upload(ctx, id, "report.eml", []byte("raw"))
	require.True(t, cybertipline.IsRejection(err), "%v", err)
	var e *cybertipline.Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, "upload", e.Call)
	require.Equal(t, cttest.CodeServerError, e.Code)
	require.Equal(t, "Server error: upload failed", e.Description)

	require.NoError(t, c.Retract(ctx, id))
	got, _ := srv.Report(id)
	require.True(t, got.Retracted)
	require.Empty(t, got.Files)
	_, err = c.Finish(ctx, id)
	require.True(t, errors.As(err, &e))
	require.Equal(t, cttest.CodeClosed, e.Code)
}

// TestClientErrors: wrong credentials, a report the schema refuses, an
// unreachable service.
func TestClientErrors(t *testing.T) {
	srv := cttest.New("esp", "s3cret")
	ctx := context.Background()
	bad, err := cybertipline.New(srv.URL, "esp", "wrong")
	require.NoError(t, err)
	err = bad.Status(ctx)
	var e *cybertipline.Error
	require.True(t, errors.As(err, &e), "%v", err)
	require.Equal(t, 401, e.HTTPStatus)
	require.Equal(t, "Unauthorized", e.Description)

	c, _ := cybertipline.New(srv.URL+"/", "esp", "s3cret")
	_, err = c.Submit(ctx, cybertipline.Report{})
	require.True(t, errors.As(err, &e), "%v", err)
	require.Equal(t, cttest.CodeBadRequest, e.Code)
	require.True(t, strings.Contains(e.Description, "incidentType"), e.Description)

	srv.Close()
	err = c.Status(ctx)
	require.Error(t, err)
	require.False(t, cybertipline.IsRejection(err), "a network failure is no answer of the service")

	_, err = cybertipline.New("ftp://x", "a", "b")
	require.Error(t, err)
}
