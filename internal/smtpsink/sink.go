// Package smtpsink is a real SMTP server on loopback that keeps every
// message it receives, for tests that assert which notices arrived and how
// often. It can be stopped and started again on the same address to play
// an outage of the relay.
package smtpsink

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one received message.
type Message struct {
	From     string
	To       []string
	NoticeID string // X-Abusedesk-Notice header
	Subject  string
	Body     string // the text/plain part
	HTML     string // the text/html alternative, if any
	Raw      []byte
}

// Sink is the SMTP server.
type Sink struct {
	mu   sync.Mutex
	msgs []Message
	addr string
	srv  *smtp.Server
}

// Start listens on addr ("127.0.0.1:0" for a free port).
func Start(addr string) (*Sink, error) {
	s := &Sink{}
	if err := s.listen(addr); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Sink) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	s.mu.Lock()
	s.srv, s.addr = srv, ln.Addr().String()
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// Addr is the listening address.
func (s *Sink) Addr() string { s.mu.Lock(); defer s.mu.Unlock(); return s.addr }

// Stop closes the server: new connections are refused until Restart, and
// the transactions in flight are let finish (for up to two seconds) before
// the rest are cut. Cutting a session between its recorded DATA and the
// 250 reply would make the sender retry a message the sink already holds,
// a duplicate that the relay outage did not cause but the test harness did.
func (s *Sink) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close()
	}
}

// Restart listens again on the same address.
func (s *Sink) Restart() error {
	var err error
	for i := 0; i < 50; i++ {
		if err = s.listen(s.Addr()); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// Messages returns a copy of every message received so far.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// To returns the messages addressed to rcpt.
func (s *Sink) To(rcpt string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		for _, t := range m.To {
			if strings.EqualFold(t, rcpt) {
				out = append(out, m)
			}
		}
	}
	return out
}

// Duplicates counts notice ids received more than once (0 is the only
// right answer).
func (s *Sink) Duplicates() int {
	seen := map[string]int{}
	for _, m := range s.Messages() {
		if m.NoticeID != "" {
			seen[m.NoticeID]++
		}
	}
	n := 0
	for _, c := range seen {
		if c > 1 {
			n++
		}
	}
	return n
}

// WaitFor polls until cond holds on the messages or the timeout passes.
func (s *Sink) WaitFor(timeout time.Duration, cond func([]Message) bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond(s.Messages()) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond(s.Messages())
}

type backend struct{ s *Sink }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Sink
	from string
	to   []string
}

func (x *session) AuthPlain(string, string) error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}
func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Message{From: x.from, To: x.to, Raw: raw}
	if pm, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.NoticeID = pm.Header.Get("X-Abusedesk-Notice")
		m.Subject = decodeHeader(pm.Header.Get("Subject"))
		m.Body, m.HTML = readBodies(pm)
	}
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, m)
	x.s.mu.Unlock()
	return nil
}
func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
