package config

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestREADMEListsEveryKey keeps the README's table in step with Keys
// (regenerate it with `abusedesk config --markdown`).
func TestREADMEListsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	for _, k := range Keys {
		require.True(t, strings.Contains(string(b), "`ABUSEDESK_"+strings.ToUpper(k.Name)+"`"), "README.md lacks %s", k.Name)
	}
}
