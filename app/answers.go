package app

import (
	"context"
	"time"
)

// The answer reconciler (issue 13, answers that can be lost): every
// answer_redelivery_interval, each process that serves HTTP signals the
// case workflows of operators' and reporters' answers that were recorded
// but whose signal failed (server.Server.RedeliverAnswers), beside the
// intake reconciler of app.go.
func init() {
	OnStart(func(ctx context.Context, a *App) error { return a.startAnswerRedelivery() })
}

// answerGrace leaves an answer just recorded to its own request's signal.
const answerGrace = 5 * time.Second

func (a *App) startAnswerRedelivery() error {
	if a.Role == RoleWorker || a.Server == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	a.AddStop(func() { cancel(); <-done })
	go func() {
		defer close(done)
		t := time.NewTicker(a.Cfg.AnswerRedeliveryInterval)
		defer t.Stop()
		for {
			rctx, rcancel := context.WithTimeout(ctx, time.Minute)
			if n, err := a.Server.RedeliverAnswers(rctx, answerGrace); err != nil && ctx.Err() == nil {
				a.Log.Warn("answer redelivery failed", "err", err)
			} else if n > 0 {
				a.Log.Info("delivered recorded answers", "count", n)
			}
			rcancel()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return nil
}
