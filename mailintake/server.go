package mailintake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/abusedesk/abusedesk/models"
)

// Submitter turns a parsed mail into a case, exactly as POST /v1/reports
// does: it validates p.Report, deduplicates by p.DedupKey (a second
// delivery returns the first case's id), stores raw as evidence and starts
// the workflow, all or nothing. It returns the validation problems and no
// case when the report is invalid, and an error only for a failure worth
// retrying (the sending server is then told to try again later). It is
// called from many connections at once.
type Submitter interface {
	SubmitEmailReport(ctx context.Context, p Parsed, raw []byte) (caseID string, problems []models.FieldError, err error)
}

// Validator may also be implemented by a Submitter. When a mail already has
// problems of its own and so is not submitted, the listener asks the
// Validator for the report's other problems, so that the one reply lists
// every problem at once.
type Validator interface {
	ValidateReport(r models.ReportRequest) []models.FieldError
}

// Replier sends the one reply that lists every problem of a mail that could
// not become a report, to an authenticated sender's envelope address. The reply should carry "Auto-Submitted:
// auto-replied" (RFC 3834) so that other robots do not answer it.
type Replier interface {
	ReplyProblems(ctx context.Context, to string, subject string, problems []models.FieldError) error
}

// PartialReplier may also be implemented by a Replier. When a mail made a
// case but some of what it reported could not be taken (a "*MUNGED*"
// host, a URL that is not one), the listener tells the authenticated
// sender which, by the text it wrote, and the case made of the rest.
type PartialReplier interface {
	ReplyPartial(ctx context.Context, to, subject, caseID string, notTaken []models.FieldError) error
}

// Limits of the listener: how long a client may stay silent or slow to
// read, how long one message may take to submit or answer before the
// sender is told to retry, and how many recipients one message may have.
const (
	readTimeout    = 5 * time.Minute
	writeTimeout   = time.Minute
	processTimeout = 2 * time.Minute
	maxRecipients  = 50
)

// SMTP replies the listener gives besides go-smtp's own (552 5.3.4 for a
// message over Config.MaxBytes comes from go-smtp).
var (
	errUnknownRecipient = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such recipient here"}
	errTryLater         = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, please try again later"}
)

// Server is the SMTP listener of the email intake. It accepts mail for the
// configured addresses, refuses larger messages than Config.MaxBytes during
// DATA (552 5.3.4) and messages over a parsing limit (MaxMIMEDepth,
// MaxMIMEParts, ParseTimeout) at the end of DATA (554 5.6.0, naming the
// limit), and for each other message either submits a report or, when the
// sender is authenticated (DMARC pass at Config.AuthservID), sends one
// reply listing every problem to its envelope address. A message that
// repeats an earlier report is attached to its case, and an authenticated
// sender is told the case's id (reply_duplicate.go); a reply that may not
// be sent is logged and counted. Such a message is
// still answered 250: it was received and answered, and a 5xx would make
// the sender's server bounce a second, less useful notice. A failure to
// submit or to reply is answered 451 4.3.0, so that the sending server
// retries; nothing was kept. Its log carries no address or subject.
type Server struct {
	cfg     Config
	sub     Submitter
	rep     Replier
	log     *slog.Logger
	smtp    *smtp.Server
	replied *recentKeys
	// Replies, when set, takes the mails that reply to a notice (reply.go)
	// before they are read as reports.
	Replies ReplyHandler

	mu     sync.Mutex
	ln     net.Listener
	closed bool
	// limit is the per-client limit on mails (nil: none).
	limit *clientLimit

	// Bounces, when set, takes the delivery status notifications (see
	// dsn.go) before any report parser; BounceLocalPart is the local part
	// of the VERP bounce addresses (<local>+<notice id>@...) it accepts.
	// Set both before serving.
	Bounces         BounceHandler
	BounceLocalPart string
	// Drift, when set, keeps each sender's record of outcomes (drift.go):
	// told of every report mail that made a case or was answered, not of
	// bounces, replies to notices or mails over a limit. Set before serving.
	Drift DriftRecorder
}

// NewServer returns a listener for addr ("127.0.0.1:0" picks a free port;
// Addr tells which) that hands reports to sub and replies through rep.
func NewServer(addr string, cfg Config, sub Submitter, rep Replier, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.Default()
	}
	s := &Server{cfg: cfg, sub: sub, rep: rep, log: logger.With("component", "mailintake"), replied: newRecentKeys(4096),
		limit: newClientLimit(cfg.PerClientBurst, cfg.PerClientPer)}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Addr = addr
	srv.Domain = cfg.hostname()
	srv.MaxMessageBytes = cfg.maxBytes()
	srv.MaxRecipients = maxRecipients
	srv.ReadTimeout = readTimeout
	srv.WriteTimeout = writeTimeout
	srv.ErrorLog = slogPrinter{s.log}
	s.smtp = srv
	return s
}

// Listen binds the listener's address without serving yet, so that Addr is
// known before Serve runs (tests, and logging the bound port).
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return smtp.ErrServerClosed
	}
	if s.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.smtp.Addr)
	if err != nil {
		return fmt.Errorf("mailintake: listen on %s: %w", s.smtp.Addr, err)
	}
	s.ln = ln
	return nil
}

// ListenAndServe binds the address (unless Listen did) and serves until
// Close; it returns nil after Close.
func (s *Server) ListenAndServe() error {
	if err := s.Listen(); err != nil {
		return err
	}
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	s.log.Info("email intake listening", "addr", ln.Addr().String())
	return s.smtp.Serve(ln)
}

// Addr returns the bound address once listening, else the configured one.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return s.ln.Addr().String()
	}
	return s.smtp.Addr
}

// Close stops listening and closes open connections; a message whose DATA
// had not ended is not kept, and its sender will retry.
func (s *Server) Close() error {
	s.mu.Lock()
	ln := s.ln
	s.closed = true
	s.mu.Unlock()
	err := s.smtp.Close()
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	if ln != nil {
		// Serve may not have been called yet; closing twice is harmless.
		_ = ln.Close()
	}
	return err
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	remote := ""
	if nc := c.Conn(); nc != nil {
		remote = nc.RemoteAddr().String()
	}
	return &session{srv: s, conn: c, remote: remote}, nil
}

// slogPrinter lets go-smtp's error log write to slog.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) {
	p.log.Warn("smtp server error", "detail", fmt.Sprintf(format, v...))
}

func (p slogPrinter) Println(v ...any) {
	p.log.Warn("smtp server error", "detail", fmt.Sprint(v...))
}

// recentKeys remembers the last n keys that were answered, so that a mail
// delivered twice gets one reply (in this process; a restart forgets).
type recentKeys struct {
	mu    sync.Mutex
	set   map[string]bool
	order []string
	n     int
}

func newRecentKeys(n int) *recentKeys {
	return &recentKeys{set: make(map[string]bool, n), n: n}
}

func (r *recentKeys) has(k string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.set[k]
}

func (r *recentKeys) add(k string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.set[k] {
		return
	}
	if len(r.order) >= r.n {
		delete(r.set, r.order[0])
		r.order = r.order[1:]
	}
	r.set[k] = true
	r.order = append(r.order, k)
}
