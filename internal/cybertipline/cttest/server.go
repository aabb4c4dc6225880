// Package cttest is a local server that follows the CyberTipline Reporting
// API protocol (reference/compliance.md): Basic authentication on every
// call; GET /status; POST /submit takes a <report>; POST /upload a
// multipart file of an open report; POST /fileinfo the <fileDetails> of an
// uploaded file; POST /finish closes a report; POST /retract withdraws one
// not finished. Answers are <reportResponse> (or <reportDoneResponse> for
// finish) with responseCode and responseDescription. Tests make uploads
// fail with FailUploads.
package cttest

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
)

// Response codes the server answers.
const (
	CodeOK          = 0
	CodeServerError = 1000
	CodeNotFound    = 4100
	CodeBadRequest  = 4000
	CodeClosed      = 4200
)

// Report is what the server holds of one report.
type Report struct {
	ID        string
	Document  string // the <report> XML as submitted
	Files     map[string][]byte
	FileNames map[string]string
	Details   map[string]string // fileId -> <fileDetails> XML
	Finished  bool
	Retracted bool
}

// Server is the test service.
type Server struct {
	*httptest.Server
	Username, Password string

	mu      sync.Mutex
	next    int
	reports map[string]*Report
	// failUploads is how many uploads to answer with a server error.
	failUploads int
	calls       []string
}

// New starts a server that accepts username and password.
func New(username, password string) *Server {
	s := &Server{Username: username, Password: password, next: 1000, reports: map[string]*Report{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// FailUploads makes the next n uploads fail with responseCode 1000.
func (s *Server) FailUploads(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failUploads = n
}

// Calls lists the calls received, as "METHOD /path".
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// Report returns a copy of the report id.
func (s *Server) Report(id string) (Report, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.reports[id]
	if !ok {
		return Report{}, false
	}
	return *r, true
}

type answer struct {
	XMLName     xml.Name
	Code        int      `xml:"responseCode"`
	Description string   `xml:"responseDescription"`
	ReportID    string   `xml:"reportId,omitempty"`
	FileID      string   `xml:"fileId,omitempty"`
	Hash        string   `xml:"hash,omitempty"`
	Files       []string `xml:"files>fileId,omitempty"`
}

func write(w http.ResponseWriter, status int, a answer) {
	if a.XMLName.Local == "" {
		a.XMLName.Local = "reportResponse"
	}
	if a.Description == "" && a.Code == CodeOK {
		a.Description = "Success"
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(a)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, r.Method+" "+r.URL.Path)
	if u, p, ok := r.BasicAuth(); !ok || u != s.Username || p != s.Password {
		w.Header().Set("WWW-Authenticate", `Basic realm="ispws"`)
		write(w, http.StatusUnauthorized, answer{Code: 4010, Description: "Unauthorized"})
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/status":
		write(w, http.StatusOK, answer{})
	case r.Method == http.MethodPost && r.URL.Path == "/submit":
		s.submit(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/upload":
		s.upload(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/fileinfo":
		s.fileinfo(w, r)
	case r.Method == http.MethodPost && (r.URL.Path == "/finish" || r.URL.Path == "/retract"):
		s.close(w, r)
	default:
		write(w, http.StatusNotFound, answer{Code: CodeNotFound, Description: "no such call"})
	}
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var doc struct {
		XMLName  xml.Name `xml:"report"`
		Incident struct {
			Type string `xml:"incidentType"`
			Date string `xml:"incidentDateTime"`
		} `xml:"incidentSummary"`
	}
	if err := xml.Unmarshal(raw, &doc); err != nil || doc.Incident.Type == "" || doc.Incident.Date == "" {
		write(w, http.StatusOK, answer{Code: CodeBadRequest, Description: "report fails the schema: incidentSummary needs incidentType and incidentDateTime"})
		return
	}
	s.next++
	id := strconv.Itoa(s.next)
	s.reports[id] = &Report{ID: id, Document: string(raw), Files: map[string][]byte{}, FileNames: map[string]string{}, Details: map[string]string{}}
	write(w, http.StatusOK, answer{ReportID: id})
}

func (s *Server) open(w http.ResponseWriter, id string) *Report {
	rep, ok := s.reports[id]
	switch {
	case !ok:
		write(w, http.StatusOK, answer{Code: CodeNotFound, Description: "no report " + id})
	case rep.Finished || rep.Retracted:
		write(w, http.StatusOK, answer{Code: CodeClosed, Description: "report " + id + " is closed"})
	default:
		return rep
	}
	return nil
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		write(w, http.StatusOK, answer{Code: CodeBadRequest, Description: "not multipart: " + err.Error()})
		return
	}
	rep := s.open(w, r.FormValue("id"))
	if rep == nil {
		return
	}
	if s.failUploads > 0 {
		s.failUploads--
		write(w, http.StatusOK, answer{Code: CodeServerError, Description: "Server error: upload failed"})
		return
	}
	f, h, err := r.FormFile("file")
	if err != nil {
		write(w, http.StatusOK, answer{Code: CodeBadRequest, Description: "no file"})
		return
	}
	defer func() { _ = f.Close() }()
	data, _ := io.ReadAll(f)
	fid := fmt.Sprintf("%s-f%d", rep.ID, len(rep.Files)+1)
	rep.Files[fid], rep.FileNames[fid] = data, h.Filename
	write(w, http.StatusOK, answer{ReportID: rep.ID, FileID: fid, Hash: fmt.Sprintf("%d-bytes", len(data))})
}

func (s *Server) fileinfo(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var d struct {
		ReportID string `xml:"reportId"`
		FileID   string `xml:"fileId"`
	}
	if err := xml.Unmarshal(raw, &d); err != nil {
		write(w, http.StatusOK, answer{Code: CodeBadRequest, Description: "bad fileDetails"})
		return
	}
	rep := s.open(w, d.ReportID)
	if rep == nil {
		return
	}
	if _, ok := rep.Files[d.FileID]; !ok {
		write(w, http.StatusOK, answer{Code: CodeNotFound, Description: "no file " + d.FileID})
		return
	}
	rep.Details[d.FileID] = string(raw)
	write(w, http.StatusOK, answer{ReportID: rep.ID})
}

func (s *Server) close(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		write(w, http.StatusOK, answer{Code: CodeBadRequest, Description: "bad form"})
		return
	}
	rep := s.open(w, r.FormValue("id"))
	if rep == nil {
		return
	}
	if r.URL.Path == "/retract" {
		rep.Retracted = true
		write(w, http.StatusOK, answer{ReportID: rep.ID})
		return
	}
	rep.Finished = true
	files := make([]string, 0, len(rep.Files))
	for id := range rep.Files {
		files = append(files, id)
	}
	write(w, http.StatusOK, answer{XMLName: xml.Name{Local: "reportDoneResponse"}, ReportID: rep.ID, Files: files})
}
