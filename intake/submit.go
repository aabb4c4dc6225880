package intake

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/links"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// Service creates cases.
type Service struct {
	DB *gorm.DB
	// Engine starts the cases' workflows (desk.Temporal, the one gateway
	// to Temporal).
	Engine    CaseStarter
	TaskQueue string
	Timers    workflows.Timers
	PublicURL string
	// Secret seals the reporter token of an idempotent submission so a
	// retry can be answered with the same token.
	Secret []byte
	Log    *slog.Logger
	// OwnProvider is the provider's own name in the customer records'
	// networks (configuration provider_name): a reported IP address in
	// one of its networks is ours even when no customer names it as an
	// origin (network.go). Empty: only customers' origin IPs match.
	OwnProvider string
	// DeferStarts leaves the workflows of stored cases to the workers
	// (ClaimStarts): the split deployment's server, which runs no worker,
	// so its own starts could never hand a first task over eagerly. The
	// case is answered once stored, as with a start queue.
	DeferStarts bool
	// Admit, when set, is waited for before each background start: the
	// worker this process runs has a free workflow-task slot, so the
	// start hands it the case's first task (worker.Slots.WaitFree).
	Admit func(ctx context.Context) error

	// starts, when set (StartInBackground), starts stored cases' workflows
	// after the answer.
	starts *startQueue
	// intake counts the reports being stored, which go before the
	// background starts (intakeGate; set with starts).
	intake *intakeGate
}

// Created is the answer to an accepted report.
type Created struct {
	CaseID    string `json:"case_id"`
	Status    string `json:"status"`
	Token     string `json:"token"`
	StatusURL string `json:"status_url"`
	Replayed  bool   `json:"-"`
}

// ErrUnavailable means the case could not be stored now (the database
// away); nothing was kept, the caller may retry.
var ErrUnavailable = errors.New("intake unavailable")

// Invalid carries every problem of a rejected report.
type Invalid struct{ Problems []models.FieldError }

func (e *Invalid) Error() string { return fmt.Sprintf("%d problems in the report", len(e.Problems)) }

// Submit validates a report, stores it and starts its workflow.
// idemKey (may be empty) is an Idempotency-Key: the same request sent
// again with it answers the same case; another request with it is refused
// (Invalid, naming "Idempotency-Key").
func (s *Service) Submit(ctx context.Context, r models.ReportRequest, idemKey string) (Created, error) {
	return s.SubmitOnce(ctx, r, Dedup{Scope: ScopeIdempotency, Key: idemKey})
}

// SubmitOnce validates a report, stores it and starts its workflow, unless
// d recognises it as a submission made before (see Dedup): then it answers
// the earlier case. With a start queue (StartInBackground) the start comes
// after the answer. Once the case is stored it is never removed: when the
// workflow start fails (a timeout may even mean it started) the case is
// answered as received and Reconcile starts it later.
func (s *Service) SubmitOnce(ctx context.Context, r models.ReportRequest, d Dedup) (Created, error) {
	return s.submitOnce(ctx, r, d, "")
}

// categoryByReporter is how the category of a report from the API, the
// form or an X-ARF document was chosen.
const categoryByReporter = "report: the category the reporter chose"

// submitOnce is SubmitOnce recording how the category was chosen
// (categoryBy; "" for the reporter's own choice).
func (s *Service) submitOnce(ctx context.Context, r models.ReportRequest, d Dedup, categoryBy string) (Created, error) {
	if s.intake != nil {
		s.intake.enter()
		defer s.intake.leave()
	}
	urls, problems := Validate(&r)
	if len(problems) > 0 {
		return Created{}, &Invalid{Problems: problems}
	}
	if d.Key != "" && d.Digest == "" {
		d.Digest = RequestDigest(r)
	}
	if d.Key != "" {
		if c, ok, err := s.findSubmission(ctx, d); err != nil || ok {
			return c, err
		}
	}
	c, token, err := s.newCase(r, d.Key != "")
	if err != nil {
		return Created{}, err
	}
	if c.CategoryBy = categoryBy; categoryBy == "" {
		c.CategoryBy = categoryByReporter
	}
	rows := make([]models.CaseURL, len(urls))
	for i, u := range urls {
		rows[i] = models.CaseURL{CaseID: c.ID, Seq: i, URL: u.URL, Host: u.Host}
	}
	subs := submissionRows(d, c.ID)
	if !s.DeferStarts {
		claimed := c.CreatedAt
		c.StartClaimedAt = &claimed
	}
	if err := store.CreateCase(ctx, s.DB, &c, rows, subs); err != nil {
		if d.Key != "" && store.IsUniqueViolation(err) {
			// A concurrent submission with the same key won.
			if c, ok, err := s.findSubmission(ctx, d); err != nil || ok {
				return c, err
			}
		}
		return Created{}, fmt.Errorf("%w: store case: %v", ErrUnavailable, err)
	}
	s.keepNCSEI(ctx, c.ID, &r)
	if !s.DeferStarts && !s.enqueueStart(c) {
		s.startLogged(ctx, c)
	}
	return s.created(c.ID, token, false), nil
}

// newCase makes the row of a new case and its reporter token; sealed keeps
// the token for answering the same submission again.
func (s *Service) newCase(r models.ReportRequest, sealed bool) (models.Case, string, error) {
	id, err := newCaseID()
	if err != nil {
		return models.Case{}, "", err
	}
	token, err := s.reporterToken(id)
	if err != nil {
		return models.Case{}, "", err
	}
	fwd := true
	if r.ForwardToOperator != nil {
		fwd = *r.ForwardToOperator
	}
	c := models.Case{ID: id, Category: r.Category, Priority: priority(r), Emergency: r.Emergency, Service: models.ServiceNone,
		Status: models.StatusReceived, Description: r.Description, ReporterName: r.Reporter.Name,
		ReporterEmail: r.Reporter.Email, ReporterOrg: r.Reporter.Organization, ReporterTitle: r.Reporter.Title,
		ForwardToOperator: fwd, Source: r.Source, Untrusted: r.Untrusted, TokenHash: HashToken(token)}
	applyChoices(&c, &r)
	if r.Copyright != nil {
		c.CopyrightWork, c.CopyrightSig = r.Copyright.Work, r.Copyright.Signature
	}
	if missing := CopyrightMissing(&r); len(missing) > 0 {
		c.CopyrightIncomplete, c.CopyrightMissing = true, strings.Join(missing, ",")
	}
	if c.Source == "" {
		c.Source = "api"
	}
	if sealed {
		c.TokenSealed = s.seal(token)
	}
	return c, token, nil
}

// CaseStarter starts the workflow of a stored case on a task queue, or
// finds it running (which is no error).
type CaseStarter interface {
	StartCase(ctx context.Context, taskQueue string, in workflows.CaseInput) error
}

// Start starts (or finds running) the workflow of a stored case and marks
// the case started. Safe to call again.
func (s *Service) Start(ctx context.Context, c models.Case) error {
	if err := s.start(ctx, c); err != nil {
		return err
	}
	if err := store.MarkStarted(ctx, s.DB, c.ID); err != nil {
		return fmt.Errorf("%w: %v", errNotMarked, err)
	}
	return nil
}

// start starts (or finds running) the workflow of a stored case without
// marking it: the intake's path, where the case's first status write marks
// it (activities.SetStatus), so a report costs one database write less; a
// case whose workflow writes no status within the reconciler's wait is
// started again by Reconcile, which finds it running and marks it.
func (s *Service) start(ctx context.Context, c models.Case) error {
	return s.Engine.StartCase(ctx, s.TaskQueue, workflows.CaseInput{
		CaseID: c.ID, Category: c.Category, ForwardToOperator: c.ForwardToOperator, Timers: s.Timers,
		CopyrightIncomplete: c.CopyrightIncomplete, ReceivedAt: c.CreatedAt.UTC(),
	})
}

// errNotMarked: the case's workflow runs, but the row could not be marked
// started (the database went away in between). The case must stay.
var errNotMarked = errors.New("workflow started, case not marked started")

// Reconcile starts the workflows of cases stored but never started (a crash
// between the two steps of Submit, or a start that failed or timed out),
// so nothing stored is ever dropped. A case whose start fails does not hold
// up the others; it returns how many started and the failures.
func (s *Service) Reconcile(ctx context.Context, olderThan time.Duration) (int, error) {
	cs, err := store.UnstartedCases(ctx, s.DB, time.Now().UTC().Add(-olderThan), 1000)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, c := range cs {
		if err := s.Start(ctx, c); err != nil {
			errs = append(errs, fmt.Errorf("case %s: %w", c.ID, err))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

func (s *Service) created(id, token string, replayed bool) Created {
	return Created{CaseID: id, Status: string(models.StatusReceived), Token: token, Replayed: replayed,
		StatusURL: fmt.Sprintf("%s/status/%s?token=%s", s.PublicURL, id, token)}
}

// priority is a new case's rank in the analyst's queue (lower first):
// CSAM, then a report of an immediate danger to someone's life or safety,
// then an ncsei removal request (48 hours under the TAKE IT DOWN Act),
// then every other case by its next deadline (store.OpenQueueOrder).
func priority(r models.ReportRequest) int {
	switch {
	case r.Category == models.CategoryCSAM:
		return store.PriorityCSAM
	case r.Emergency:
		return store.PriorityEmergency
	case r.Category == models.CategoryNCSEI:
		return store.PriorityNCSEI
	}
	return store.PriorityOther
}

func idemScope(k string) string {
	h := sha256.Sum256([]byte("idem:" + k))
	return hex.EncodeToString(h[:])
}

// HashToken is how reporter tokens are stored.
func HashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// reporterToken is the token of a new case's status link: derived from
// the server's secret (links.Links.ReporterToken) so the receipt can
// carry the link without it being stored or passed through the workflow;
// random when no secret is set.
func (s *Service) reporterToken(caseID string) (string, error) {
	if len(s.Secret) == 0 {
		return randomToken()
	}
	return links.Links{Secret: s.Secret}.ReporterToken(caseID), nil
}

func randomToken() (string, error) {
	b := make([]byte, 24) // 192 bits
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func newCaseID() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "C" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

func (s *Service) aead() cipher.AEAD {
	k := sha256.Sum256(append([]byte("idempotency-seal:"), s.Secret...))
	b, _ := aes.NewCipher(k[:])
	g, _ := cipher.NewGCM(b)
	return g
}

func (s *Service) seal(token string) string {
	g := s.aead()
	nonce := make([]byte, g.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawStdEncoding.EncodeToString(g.Seal(nonce, nonce, []byte(token), nil))
}

func (s *Service) unseal(v string) string {
	raw, err := base64.RawStdEncoding.DecodeString(v)
	g := s.aead()
	if err != nil || len(raw) < g.NonceSize() {
		return ""
	}
	pt, err := g.Open(nil, raw[:g.NonceSize()], raw[g.NonceSize():], nil)
	if err != nil {
		return ""
	}
	return string(pt)
}
