// Package cybertipline is a client of the child-safety clearinghouse's ESP
// web service, NCMEC's CyberTipline Reporting API
// (reference/compliance.md "The child-safety clearinghouse"): XML over
// HTTPS with HTTP Basic authentication. A report is submitted as a
// <report> document, its files are uploaded one by one and described, and
// it is finished; a report not finished can be retracted. Every answer
// carries a responseCode (0 = success) and a responseDescription; a
// non-zero code is an *Error naming the call.
package cybertipline

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxAnswer bounds the body of one answer read from the service.
const maxAnswer = 1 << 20

// Client calls the service at BaseURL (e.g. https://report.cybertip.org/ispws).
type Client struct {
	BaseURL  string
	Username string
	Password string
	// HTTP is the client used (nil: one with a 20 s timeout).
	HTTP *http.Client
}

// New returns a client of the service at baseURL.
func New(baseURL, username, password string) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("cybertipline: %q is not an http(s) URL", baseURL)
	}
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), Username: username, Password: password,
		HTTP: &http.Client{Timeout: 20 * time.Second}}, nil
}

// Error is an answer whose responseCode is not 0, or an HTTP status that is
// not 200.
type Error struct {
	Call        string // status, submit, upload, fileinfo, finish, retract
	HTTPStatus  int
	Code        int
	Description string
}

func (e *Error) Error() string {
	return fmt.Sprintf("cybertipline %s: HTTP %d, responseCode %d: %s", e.Call, e.HTTPStatus, e.Code, e.Description)
}

// IsRejection reports whether err is an answer of the service (not a
// network failure): the same request would be refused again.
func IsRejection(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// Response is the service's answer to one call (reportResponse, or
// reportDoneResponse for finish).
type Response struct {
	Code        int    `xml:"responseCode"`
	Description string `xml:"responseDescription"`
	ReportID    string `xml:"reportId"`
	FileID      string `xml:"fileId"`
	Hash        string `xml:"hash"`
	// Files are the report's file ids (finish).
	Files []string `xml:"files>fileId"`
}

// Status checks that the service answers and takes the credentials.
func (c *Client) Status(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/status", nil)
	if err != nil {
		return err
	}
	_, err = c.do("status", req)
	return err
}

// Submit opens a report and returns its id.
func (c *Client) Submit(ctx context.Context, r Report) (string, error) {
	body, err := xml.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("cybertipline submit: %w", err)
	}
	resp, err := c.postXML(ctx, "submit", append([]byte(xml.Header), body...))
	if err != nil {
		return "", err
	}
	if resp.ReportID == "" {
		return "", &Error{Call: "submit", HTTPStatus: http.StatusOK, Code: resp.Code, Description: "no reportId in the answer"}
	}
	return resp.ReportID, nil
}

// Upload adds one file to the report and returns its file id.
func (c *Client) Upload(ctx context.Context, reportID, name string, data []byte) (string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("id", reportID); err != nil {
		return "", err
	}
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		return "", err
	}
	if _, err := fw.Write(data); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+"/upload", &buf)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := c.do("upload", req)
	if err != nil {
		return "", err
	}
	if resp.FileID == "" {
		return "", &Error{Call: "upload", HTTPStatus: http.StatusOK, Code: resp.Code, Description: "no fileId in the answer"}
	}
	return resp.FileID, nil
}

// FileInfo describes an uploaded file.
func (c *Client) FileInfo(ctx context.Context, d FileDetails) error {
	body, err := xml.Marshal(d)
	if err != nil {
		return fmt.Errorf("cybertipline fileinfo: %w", err)
	}
	_, err = c.postXML(ctx, "fileinfo", append([]byte(xml.Header), body...))
	return err
}

// Finish closes the report; the answer lists its files.
func (c *Client) Finish(ctx context.Context, reportID string) (Response, error) {
	return c.postID(ctx, "finish", reportID)
}

// Retract withdraws a report that is not finished.
func (c *Client) Retract(ctx context.Context, reportID string) error {
	_, err := c.postID(ctx, "retract", reportID)
	return err
}

func (c *Client) postID(ctx context.Context, call, reportID string) (Response, error) {
	form := url.Values{"id": {reportID}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+"/"+call, strings.NewReader(form.Encode()))
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(call, req)
}

func (c *Client) postXML(ctx context.Context, call string, body []byte) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+"/"+call, bytes.NewReader(body))
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	return c.do(call, req)
}

// do sends req with the credentials and reads the answer: an HTTP status
// other than 200 or a responseCode other than 0 is an *Error.
func (c *Client) do(call string, req *http.Request) (Response, error) {
	req.SetBasicAuth(c.Username, c.Password)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	res, err := hc.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("cybertipline %s: %w", call, err)
	}
	defer func() { _ = res.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if err != nil {
		return Response{}, fmt.Errorf("cybertipline %s: %w", call, err)
	}
	var out Response
	perr := xml.Unmarshal(raw, &out)
	if res.StatusCode != http.StatusOK {
		desc := out.Description
		if perr != nil || desc == "" {
			desc = strings.TrimSpace(string(raw))
			if len(desc) > 200 {
				desc = desc[:200]
			}
		}
		return out, &Error{Call: call, HTTPStatus: res.StatusCode, Code: out.Code, Description: desc}
	}
	if perr != nil {
		return out, fmt.Errorf("cybertipline %s: unreadable answer: %w", call, perr)
	}
	if out.Code != 0 {
		return out, &Error{Call: call, HTTPStatus: res.StatusCode, Code: out.Code, Description: out.Description}
	}
	return out, nil
}
