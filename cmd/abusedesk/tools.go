package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/demo"
	"github.com/abusedesk/abusedesk/store"
)

func importCmd() *cobra.Command {
	var useDemo bool
	cmd := &cobra.Command{Use: "import [FILE]", Short: "Load customer records (YAML or JSON), upserting by id",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var data []byte
			switch {
			case useDemo:
				data = demo.Customers
			case len(args) == 1:
				var err error
				if data, err = os.ReadFile(args[0]); err != nil {
					return err
				}
			default:
				return fmt.Errorf("name a FILE or use --demo")
			}
			var doc store.CustomerDoc
			if err := decodeCustomerDoc(data, &doc); err != nil {
				return err
			}
			if errs := store.ValidateCustomers(&doc); len(errs) > 0 {
				var b strings.Builder
				for _, e := range errs {
					fmt.Fprintf(&b, "\n  %s: %s", e.Field, e.Message)
				}
				return fmt.Errorf("the customer records have %d problems:%s", len(errs), b.String())
			}
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			db, err := openDB(cfg)
			if err != nil {
				return err
			}
			res, err := store.LoadCustomers(db, &doc, nil)
			if err != nil {
				return err
			}
			fmt.Printf("loaded %d accounts, %d domains, %d hosted objects, %d networks\n", res.Accounts, res.Domains, res.Hosted, res.Networks)
			return nil
		}}
	cmd.Flags().BoolVar(&useDemo, "demo", false, "load the demo data set shipped with abusedesk")
	return cmd
}

// decodeCustomerDoc reads JSON or YAML, refusing unknown fields.
func decodeCustomerDoc(data []byte, doc *store.CustomerDoc) error {
	trim := strings.TrimSpace(string(data))
	if strings.HasPrefix(trim, "{") {
		dec := json.NewDecoder(strings.NewReader(trim))
		dec.DisallowUnknownFields()
		return dec.Decode(doc)
	}
	dec := yaml.NewDecoder(strings.NewReader(trim))
	dec.KnownFields(true)
	return dec.Decode(doc)
}

func openDB(cfg *config.Config) (*gorm.DB, error) {
	db, err := store.Open(cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	return db, store.Migrate(db)
}

func configCmd() *cobra.Command {
	var markdown bool
	cmd := &cobra.Command{Use: "config", Short: "Print every configuration key with its default (--markdown: the README table)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := loadConfig(); err != nil {
				return err
			}
			if markdown {
				fmt.Print(config.MarkdownTable())
				return nil
			}
			for _, k := range config.Keys {
				fmt.Printf("%-26s ABUSEDESK_%-26s default %-16v %s\n", k.Name, strings.ToUpper(k.Name), k.Default, k.Help)
			}
			return nil
		}}
	cmd.Flags().BoolVar(&markdown, "markdown", false, "print the README's markdown table")
	return cmd
}
