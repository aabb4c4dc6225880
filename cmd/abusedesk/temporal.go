package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/abusedesk/abusedesk/app"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/temporalserver"
)

func temporalServerCmd() *cobra.Command {
	var db, pgURL string
	cmd := &cobra.Command{Use: "temporal-server", Short: "Run a Temporal server as its own process (SQLite or PostgreSQL persistence)",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			if db == "postgres" && pgURL == "" {
				pgURL = cfg.DatabaseURL
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			stopProfiler, err := app.StartProfiler(cfg.PprofAddr, slog.Default())
			if err != nil {
				return err
			}
			defer stopProfiler()
			s, err := temporalserver.Start(ctx, temporalserver.Options{
				Address: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace, DataDir: cfg.DataDir,
				DB: db, PostgresURL: pgURL, Retention: cfg.TemporalRetention, SearchAttributes: app.SearchAttributes(),
				UIAddr: cfg.UIAddr, ArchivalDir: filepath.Join(cfg.DataDir, "archive"),
				UIGate: configKeyGate(cfg), Logger: app.NewLogger(cfg.LogLevel).With("component", "temporal-server"),
			})
			if err != nil {
				return err
			}
			defer s.Stop()
			fmt.Printf("temporal server on %s (%s persistence)\n", s.Address(), db)
			<-ctx.Done()
			return nil
		}}
	cmd.Flags().StringVar(&db, "db", "sqlite", "persistence: sqlite (data_dir/temporal.db) or postgres")
	cmd.Flags().StringVar(&pgURL, "postgres-url", "", "postgres://user@host:port/dbname (default: database_url); visibility goes to <dbname>_visibility")
	return cmd
}

// configKeyGate guards the Web UI of a standalone Temporal server. This
// process has no console sessions, so only a Bearer key of the auditor or
// admin role from api_keys (or bootstrap_admin_key) gets in; the UI behind
// it is read-only like the embedded one. People reach the UI of the
// all-in-one process with their console session instead.
func configKeyGate(cfg *config.Config) func(http.Handler) http.Handler {
	keys := map[string]config.APIKey{}
	for _, k := range cfg.APIKeys {
		keys[k.Hash] = k
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			k, ok := keys[config.HashKey(strings.TrimSpace(tok))]
			if tok == "" || !ok || !models.Role(k.Role).Allows(models.RoleAuditor) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="abusedesk"`)
				http.Error(w, "the Temporal Web UI needs an auditor's or admin's API key (Authorization: Bearer <key>)", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
