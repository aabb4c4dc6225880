package statements

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/store"
)

// SubmitPath is the Transparency Database's batch endpoint, under its base URL.
const SubmitPath = "/api/v1/statements"

// Submitter posts pending statements to the DSA Transparency Database in
// batches of at most PageSize. It never drops a statement: one the database
// stores gets its remote id, one it refuses (422) keeps the database's
// reason in SubmitError for an analyst, and any other failure leaves the
// batch pending for the next attempt.
type Submitter struct {
	DB    *gorm.DB
	URL   string // base URL (config dsa_submit_url)
	Token string // Bearer token (config dsa_submit_token)
	// Client makes the calls; nil is a client with a 30 s timeout.
	Client *http.Client
	Log    *slog.Logger
	// Backoff is the first wait after a failed call (default 1 s); each
	// further failure doubles it, up to MaxBackoff (default 5 min).
	Backoff, MaxBackoff time.Duration
	// Attempts is how many failed calls in a row SubmitPending makes before
	// it gives up until the next round (default 6). Waits asked for with
	// 429 and Retry-After are not failures.
	Attempts int
}

// SubmitResult counts what one SubmitPending did.
type SubmitResult struct {
	Submitted int
	Rejected  int
	Batches   int
}

// submitLock is the PostgreSQL advisory lock that keeps two processes from
// submitting the same statements at once.
const submitLock = 727002

// Run submits pending statements every interval until ctx ends.
func (s *Submitter) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := s.round(ctx); err != nil && ctx.Err() == nil {
			s.log().Warn("statement submission failed; the statements stay pending", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// round runs SubmitPending, on PostgreSQL only in the process that holds
// the advisory lock.
func (s *Submitter) round(ctx context.Context) error {
	if !store.IsPostgres(s.DB) {
		_, err := s.SubmitPending(ctx)
		return err
	}
	return s.DB.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		var locked bool
		if err := conn.Raw("SELECT pg_try_advisory_lock(?)", submitLock).Scan(&locked).Error; err != nil {
			return err
		}
		if !locked {
			return nil
		}
		defer conn.Exec("SELECT pg_advisory_unlock(?)", submitLock)
		_, err := s.SubmitPending(ctx)
		return err
	})
}

// SubmitPending submits every pending statement, oldest first, in batches
// of at most PageSize, until none is left or the calls keep failing.
func (s *Submitter) SubmitPending(ctx context.Context) (SubmitResult, error) {
	var res SubmitResult
	wait, failures := s.backoff(), 0
	for {
		var batch []Statement
		if err := s.DB.WithContext(ctx).Where("submit_status = ?", StatusPending).Order("id").Limit(PageSize).Find(&batch).Error; err != nil {
			return res, fmt.Errorf("statements: pending: %w", err)
		}
		if len(batch) == 0 {
			return res, nil
		}
		res.Batches++
		out, err := s.post(ctx, batch)
		var later retryLater
		switch {
		case err == nil:
			failures, wait = 0, s.backoff()
			n, m, err := s.apply(ctx, batch, out)
			res.Submitted += n
			res.Rejected += m
			if err != nil {
				return res, err
			}
			continue
		case errors.As(err, &later):
			s.log().Info("transparency database rate limit; waiting", "wait", later.wait)
			err = sleep(ctx, later.wait)
		default:
			failures++
			if failures >= s.attempts() {
				return res, err
			}
			s.log().Warn("statement submission failed; retrying", "err", err, "wait", wait)
			err = sleep(ctx, wait)
			wait = min(2*wait, s.maxBackoff())
		}
		if err != nil {
			return res, err
		}
	}
}

// outcome is what the database said about each statement of a batch:
// stored (remote id), or refused (reason). Statements in neither stay
// pending.
type outcome struct {
	stored  map[uint]string
	refused map[uint]string
}

// retryLater is a 429: wait, then send the same batch again.
type retryLater struct{ wait time.Duration }

func (e retryLater) Error() string { return fmt.Sprintf("rate limited for %s", e.wait) }

// post sends one batch and reads the answer.
func (s *Submitter) post(ctx context.Context, batch []Statement) (outcome, error) {
	out := outcome{stored: map[uint]string{}, refused: map[uint]string{}}
	var body bytes.Buffer
	body.WriteString(`{"statements":[`)
	for i, st := range batch {
		if i > 0 {
			body.WriteByte(',')
		}
		body.WriteString(st.Body)
	}
	body.WriteString("]}")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+SubmitPath, &body)
	if err != nil {
		return out, err
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := s.client().Do(req)
	if err != nil {
		return out, fmt.Errorf("statements: post: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return out, fmt.Errorf("statements: read answer: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated:
		stored(raw, batch, out)
		return out, nil
	case resp.StatusCode == http.StatusUnprocessableEntity:
		refused(raw, batch, out)
		return out, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		return out, retryLater{wait: retryAfter(resp.Header.Get("Retry-After"), s.backoff())}
	}
	return out, fmt.Errorf("statements: transparency database answered %s: %s", resp.Status, clip(strings.TrimSpace(string(raw)), 300))
}

// apply records a batch's outcome.
func (s *Submitter) apply(ctx context.Context, batch []Statement, out outcome) (submitted, rejected int, err error) {
	now := time.Now().UTC()
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		submitted, rejected = 0, 0
		for _, st := range batch {
			q := tx.Model(&Statement{}).Where("id = ? AND submit_status = ?", st.ID, StatusPending)
			if id, ok := out.stored[st.ID]; ok {
				if err := q.Updates(map[string]any{"submit_status": StatusSubmitted, "remote_id": id,
					"submitted_at": now, "submit_error": "", "updated_at": now}).Error; err != nil {
					return err
				}
				submitted++
			} else if why, ok := out.refused[st.ID]; ok {
				if err := q.Updates(map[string]any{"submit_status": StatusRejected,
					"submit_error": clip(why, 4000), "updated_at": now}).Error; err != nil {
					return err
				}
				rejected++
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("statements: record submission: %w", err)
	}
	if rejected > 0 {
		s.log().Warn("transparency database refused statements; see submit_error in GET /v1/statements", "count", rejected)
	}
	return submitted, rejected, nil
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); without
// one it waits def. Waits are bounded by an hour.
func retryAfter(h string, def time.Duration) time.Duration {
	d := def
	if n, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = time.Until(t)
	}
	return max(0, min(d, time.Hour))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (s *Submitter) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return &http.Client{Timeout: 30 * time.Second}
}

func (s *Submitter) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Submitter) backoff() time.Duration {
	if s.Backoff > 0 {
		return s.Backoff
	}
	return time.Second
}

func (s *Submitter) maxBackoff() time.Duration {
	if s.MaxBackoff > 0 {
		return s.MaxBackoff
	}
	return 5 * time.Minute
}

func (s *Submitter) attempts() int {
	if s.Attempts > 0 {
		return s.Attempts
	}
	return 6
}
