package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/abusedesk/abusedesk/app"
	"github.com/abusedesk/abusedesk/audit"
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
				DB: db, PostgresURL: pgURL, Retention: cfg.TemporalRetention, SearchAttributes: app.SearchAttributes,
				UIAddr: cfg.UIAddr, ArchivalDir: filepath.Join(cfg.DataDir, "archive"),
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

func auditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Auditor tools"}
	var checkpoint string
	verify := &cobra.Command{Use: "verify", Short: "Recompute the audit log's Merkle tree, check signatures and consistency; exit 0 only when all holds",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			db, err := openDB(cfg)
			if err != nil {
				return err
			}
			_, vkey, err := app.AuditKeys(cfg)
			if err != nil {
				return err
			}
			return audit.RunVerify(cmd.Context(), db, vkey, checkpoint, os.Stdout)
		}}
	verify.Flags().StringVar(&checkpoint, "checkpoint", "", "a signed checkpoint an auditor kept, to check consistency with")
	cmd.AddCommand(verify)
	return cmd
}
