// Command abusedesk is the abuse desk: one binary whose subcommands run the
// all-in-one embedded default (serve), one role each (server, worker), a
// Temporal server on PostgreSQL (temporal-server), and the admin and
// auditor tools.
package main

import (
	"os"

	"github.com/spf13/cobra"
)

var configFile string

func main() {
	os.Exit(execute(newRoot(), os.Args[1:], os.Stderr))
}

// newRoot is the command tree.
func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "abusedesk",
		Short: "The abuse desk of an internet infrastructure provider, on Temporal",
		RunE:  func(cmd *cobra.Command, args []string) error { return runServe(cmd.Context()) },
	}
	withSettings(root)
	root.PersistentFlags().StringVar(&configFile, "config", "", "configuration file (default ./abusedesk.yaml when present)")
	root.AddCommand(serveCmd(), serverCmd(), workerCmd(), importCmd(), temporalServerCmd(), auditCmd(), configCmd(), benchCmd(), dkimRecordCmd())
	return root
}
