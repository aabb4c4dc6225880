package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/store"
)

func auditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Auditor tools"}
	var checkpoint string
	verify := &cobra.Command{Use: "verify", Short: "Recompute the audit log's Merkle tree, check signatures and consistency; exit 0 only when all holds",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			return auditVerify(cmd.Context(), cfg, checkpoint, cmd.OutOrStdout())
		}}
	verify.Flags().StringVar(&checkpoint, "checkpoint", "", "a signed checkpoint an auditor kept, to check consistency with")
	cmd.AddCommand(verify)
	return cmd
}

// auditVerify verifies the configured desk's audit log. It creates nothing:
// no database, data directory or key. Run in the wrong directory it refuses
// and says where it looked, instead of verifying a new, empty log.
func auditVerify(ctx context.Context, cfg *config.Config, checkpoint string, out io.Writer) error {
	where := "the PostgreSQL database of database_url"
	if !strings.HasPrefix(cfg.DatabaseURL, "postgres://") && !strings.HasPrefix(cfg.DatabaseURL, "postgresql://") {
		path := strings.TrimPrefix(cfg.DatabaseURL, "sqlite:")
		if path == "" {
			path = filepath.Join(cfg.DataDir, "abusedesk.db")
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		where = path
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("audit verify: no abusedesk database at %s (data_dir %q): run it where the desk runs, or pass --config or ABUSEDESK_DATA_DIR / ABUSEDESK_DATABASE_URL; nothing was created", path, cfg.DataDir)
		} else if err != nil {
			return fmt.Errorf("audit verify: %s: %w", path, err)
		}
	}
	vkey, err := verifierKey(cfg)
	if err != nil {
		return err
	}
	db, err := store.Open(cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	if !audit.HasLog(db) {
		return fmt.Errorf("audit verify: the database at %s has no audit log (no audit tables): not an abusedesk database, or one that never started", where)
	}
	fmt.Fprintf(out, "database: %s\n", where)
	return audit.RunVerify(ctx, db, vkey, checkpoint, out)
}

// verifierKey is the audit log's public key: from audit_signing_key, else
// read (never generated) from the data dir.
func verifierKey(cfg *config.Config) (string, error) {
	if cfg.AuditSigningKey != "" {
		return audit.VerifierKey(cfg.AuditSigningKey)
	}
	return audit.ReadVerifierKey(cfg.DataDir)
}
