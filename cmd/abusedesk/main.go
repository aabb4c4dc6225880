// Command abusedesk is the abuse desk: one binary whose subcommands run the
// all-in-one embedded default (serve), one role each (server, worker), a
// Temporal server on PostgreSQL (temporal-server), and the admin and
// auditor tools.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

var configFile string

func main() {
	root := &cobra.Command{
		Use:          "abusedesk",
		Short:        "The abuse desk of an internet infrastructure provider, on Temporal",
		SilenceUsage: true,
		RunE:         func(cmd *cobra.Command, args []string) error { return runServe(cmd.Context()) },
	}
	root.PersistentFlags().StringVar(&configFile, "config", "", "configuration file (default ./abusedesk.yaml when present)")
	root.AddCommand(serveCmd(), serverCmd(), workerCmd(), importCmd(), temporalServerCmd(), auditCmd(), configCmd(), benchCmd(), dkimRecordCmd())
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "abusedesk:", err)
		os.Exit(1)
	}
}
