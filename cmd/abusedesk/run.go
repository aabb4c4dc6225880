package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/abusedesk/abusedesk/app"
	"github.com/abusedesk/abusedesk/config"
)

func serveCmd() *cobra.Command {
	return withSettings(&cobra.Command{Use: "serve", Short: "Run everything in one process (embedded Temporal, SQLite, worker, HTTP)",
		RunE: func(cmd *cobra.Command, args []string) error { return runServe(cmd.Context()) }})
}

func serverCmd() *cobra.Command {
	return withSettings(&cobra.Command{Use: "server", Short: "Run only the HTTP server against an external Temporal",
		RunE: func(cmd *cobra.Command, args []string) error { return runRole(cmd.Context(), app.RoleServer) }})
}

func workerCmd() *cobra.Command {
	return withSettings(&cobra.Command{Use: "worker", Short: "Run only a worker against an external Temporal",
		RunE: func(cmd *cobra.Command, args []string) error { return runRole(cmd.Context(), app.RoleWorker) }})
}

func loadConfig() (*config.Config, error) { return config.Load(configFile) }

func runServe(ctx context.Context) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	adminKey := ""
	if cfg.LocalAdminKey {
		if adminKey, err = localAdminKey(cfg); err != nil {
			return err
		}
	}
	return run(ctx, cfg, app.RoleAll, adminKey)
}

func runRole(ctx context.Context, role app.Role) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	return run(ctx, cfg, role, "")
}

func run(ctx context.Context, cfg *config.Config, role app.Role, adminKey string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.Start(ctx, cfg, app.Options{Role: role})
	if err != nil {
		return err
	}
	printBanner(cfg, role, adminKey)
	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "abusedesk: shutting down")
	a.Stop()
	fmt.Fprintln(os.Stderr, "abusedesk: stopped")
	return nil
}

// localAdminKey gives the embedded default an admin key (unless
// local_admin_key is false), besides any configured keys: generated once
// into the data dir and printed at start with its file. Configuring an
// auditor key must not lock out the admin who configured it.
func localAdminKey(cfg *config.Config) (string, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return "", fmt.Errorf("data_dir: %w", err)
	}
	p := filepath.Join(cfg.DataDir, "admin.key")
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		buf := make([]byte, 24)
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		b = []byte("adk_" + hex.EncodeToString(buf))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	key := strings.TrimSpace(string(b))
	cfg.APIKeys = append(cfg.APIKeys, config.APIKey{Name: "local-admin", Hash: config.HashKey(key), Role: "admin"})
	return key, nil
}

// bannerOut is where the start banner goes (tests read it).
var bannerOut io.Writer = os.Stdout

func printBanner(cfg *config.Config, role app.Role, adminKey string) {
	w := bannerOut
	fmt.Fprintln(w, "abusedesk is running.")
	if role != app.RoleWorker {
		fmt.Fprintf(w, "  Report form and console:  %s/\n", cfg.PublicURL)
		fmt.Fprintf(w, "  API (OpenAPI):             %s/openapi.json\n", cfg.PublicURL)
	}
	if role == app.RoleAll && cfg.TemporalEmbedded {
		fmt.Fprintf(w, "  Temporal (gRPC):           %s\n", cfg.TemporalAddress)
		if cfg.UIAddr != "" {
			fmt.Fprintf(w, "  Temporal Web UI:           http://%s/namespaces/%s/workflows\n", cfg.UIAddr, cfg.TemporalNamespace)
		}
		fmt.Fprintf(w, "  Data directory:            %s\n", cfg.DataDir)
	}
	if adminKey != "" {
		fmt.Fprintf(w, "  Admin API key:             %s   (kept in %s)\n", adminKey, filepath.Join(cfg.DataDir, "admin.key"))
		if n := len(cfg.APIKeys) - 1; n > 0 {
			fmt.Fprintf(w, "  It is accepted besides the %d configured API keys; local_admin_key: false turns it off.\n", n)
		}
	}
	if cfg.SMTPAddr == "" && role != app.RoleWorker {
		fmt.Fprintln(w, "  Notices stay in the outbox (no smtp_addr): GET /v1/admin/outbox")
	}
	fmt.Fprintln(w, "Load the demo customers with: go run ./cmd/abusedesk import --demo   ·   Ctrl-C stops.")
}
