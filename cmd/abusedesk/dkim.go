package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/abusedesk/abusedesk/app"
	"github.com/abusedesk/abusedesk/config"
)

func dkimRecordCmd() *cobra.Command {
	return &cobra.Command{Use: "dkim-record",
		Short: "Print the DNS TXT record that publishes the DKIM key of notices (generates data_dir/dkim.key on the embedded default)",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			return dkimRecord(cfg, cmd.OutOrStdout())
		}}
}

// dkimRecord prints selector._domainkey.domain IN TXT "v=DKIM1; ...".
func dkimRecord(cfg *config.Config, out io.Writer) error {
	d, err := app.DKIM(cfg)
	if err != nil {
		return err
	}
	rec, err := d.Record()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, rec)
	return err
}
