package config

import (
	"fmt"
	"strings"
)

// MarkdownTable is the README's table of every key.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| key | environment | default | meaning |\n|---|---|---|---|\n")
	for _, k := range Keys {
		def := ""
		if k.Default != nil {
			def = fmt.Sprint(k.Default)
		}
		if def != "" {
			def = "`" + def + "`"
		}
		fmt.Fprintf(&b, "| `%s` | `ABUSEDESK_%s` | %s | %s |\n", k.Name, strings.ToUpper(k.Name), def, strings.ReplaceAll(k.Help, "|", "\\|"))
	}
	return b.String()
}
