package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// settingFlags are the configuration keys serve, server and worker take as
// flags too: --http-addr sets http_addr, over the file and the environment.
var settingFlags = []struct{ key, help string }{
	{"http_addr", "address of the HTTP API and pages"},
	{"data_dir", "where the embedded default keeps its SQLite files and keys"},
	{"database_url", "empty: SQLite in data_dir; postgres://...: PostgreSQL"},
	{"temporal_address", "where the embedded Temporal server listens, or the cluster to join"},
	{"ui_addr", "embedded Temporal Web UI address; empty: no UI"},
	{"smtp_addr", "SMTP relay host:port for notices"},
	{"log_level", "debug, info, warn or error"},
}

// flagName is the flag of a configuration key: http_addr is --http-addr.
func flagName(key string) string { return strings.ReplaceAll(key, "_", "-") }

// withSettings adds the setting flags to cmd. A flag given on the command
// line is applied by setting its ABUSEDESK_ variable before the
// configuration loads: config.Load already puts the environment over the
// file and validates each key under its name, so a flag is parsed and
// checked exactly like the variable, and config.go stays as it is.
func withSettings(cmd *cobra.Command) *cobra.Command {
	for _, s := range settingFlags {
		cmd.Flags().String(flagName(s.key), "", s.help+" (sets "+envName(s.key)+")")
	}
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error { return applySettings(cmd.Flags()) }
	return cmd
}

func envName(key string) string { return "ABUSEDESK_" + strings.ToUpper(key) }

// applySettings sets the variable of every setting flag given.
func applySettings(fs *pflag.FlagSet) error {
	for _, s := range settingFlags {
		f := fs.Lookup(flagName(s.key))
		if f == nil || !f.Changed {
			continue
		}
		if err := os.Setenv(envName(s.key), f.Value.String()); err != nil {
			return fmt.Errorf("--%s: %w", f.Name, err)
		}
	}
	return nil
}

// flagError adds to an unknown flag where the settings are.
func flagError(cmd *cobra.Command, err error) error {
	if strings.Contains(err.Error(), "unknown flag") || strings.Contains(err.Error(), "unknown shorthand flag") {
		return fmt.Errorf("%w (settings: flags of serve, server and worker such as --http-addr, ABUSEDESK_* variables or the config file; `abusedesk config` lists them)", err)
	}
	return err
}

// execute runs the command line args and returns the exit code. Cobra
// prints neither errors nor usage: the one error line is printed here.
func execute(root *cobra.Command, args []string, stderr io.Writer) int {
	root.SilenceErrors = true
	root.SilenceUsage = true
	root.SetFlagErrorFunc(flagError)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		fmt.Fprintln(stderr, "abusedesk:", err)
		return 1
	}
	return 0
}
