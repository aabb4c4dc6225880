package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestThreatAuthorities: threat_authorities is read from the environment
// (CODE=address,...) or a YAML map, codes in any case; every bad entry is
// one problem naming the key.
func TestThreatAuthorities(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("ABUSEDESK_THREAT_AUTHORITIES", " de=lka@polizei.example, FR=pharos@interieur.example ,EU=o2@europol.example")
	c, err := Load("")
	require.NoError(t, err)
	require.Equal(t, []ThreatAuthority{{"DE", "lka@polizei.example"}, {"FR", "pharos@interieur.example"}, {"EU", "o2@europol.example"}}, c.ThreatAuthorities)
	a, ok := c.ThreatAuthorityFor("fr")
	require.True(t, ok)
	require.Equal(t, "pharos@interieur.example", a.Contact)
	_, ok = c.ThreatAuthorityFor("IT")
	require.False(t, ok)
	require.Equal(t, []string{"DE", "FR", "EU"}, c.ThreatMemberStates())

	t.Setenv("ABUSEDESK_THREAT_AUTHORITIES", "US=fbi@fbi.example,DE=not an address,FR,DE=a@b.example,DE=c@d.example,XX=x@y.example")
	_, err = Load("")
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{`"US" is not an EU/EEA member state`, `DE: "not an address" is not a plain email address`,
		`"FR" is not CODE=address`, "DE is named twice", `"XX" is not an EU/EEA member state`} {
		require.Contains(t, msg, want)
	}
	require.Contains(t, msg, "threat_authorities (ABUSEDESK_THREAT_AUTHORITIES)")

	require.NoError(t, os.Unsetenv("ABUSEDESK_THREAT_AUTHORITIES")) // t.Setenv restores it
	file := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(file, []byte("threat_authorities:\n  at: bk@bmi.example\n  BE: fcci@police.example\n"), 0o600))
	c, err = Load(file)
	require.NoError(t, err)
	require.Equal(t, []ThreatAuthority{{"AT", "bk@bmi.example"}, {"BE", "fcci@police.example"}}, c.ThreatAuthorities)
}
