package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAPIKeysFromEnvJSON: ABUSEDESK_API_KEYS used to be unparseable in any
// form; it takes a JSON list, also customer keys with their account.
func TestAPIKeysFromEnvJSON(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("ABUSEDESK_API_KEYS", `[{"name":"ops","hash":"`+strings.ToUpper(HashKey("ops-key-0123456789"))+`","role":"auditor"},
		{"name":"shop","hash":"`+HashKey("shop-key-0123456789")+`","role":"customer","account":"acct-1"},
		{"name":"police","hash":"`+HashKey("authority-key-012345")+`","role":"authority"}]`)
	c, err := Load("")
	require.NoError(t, err)
	require.Equal(t, []APIKey{
		{Name: "ops", Hash: HashKey("ops-key-0123456789"), Role: "auditor"},
		{Name: "shop", Hash: HashKey("shop-key-0123456789"), Role: "customer", Account: "acct-1"},
		{Name: "police", Hash: HashKey("authority-key-012345"), Role: "authority"},
	}, c.APIKeys)
	require.True(t, c.LocalAdminKey, "the generated admin key stays unless turned off")
}

func TestAPIKeysInvalid(t *testing.T) {
	h := HashKey("k")
	for _, tc := range []struct{ name, val, want string }{
		{"not json", "ops:" + h + ":auditor", "ABUSEDESK_API_KEYS"},
		{"unknown field", `[{"name":"a","hash":"` + h + `","role":"auditor","rol":"x"}]`, "rol"},
		{"short hash", `[{"name":"a","hash":"abc","role":"auditor"}]`, "api_keys[0].hash"},
		{"unknown role", `[{"name":"a","hash":"` + h + `","role":"root"}]`, "api_keys[0].role"},
		{"customer without account", `[{"name":"a","hash":"` + h + `","role":"customer"}]`, "api_keys[0].account"},
		{"account on an auditor", `[{"name":"a","hash":"` + h + `","role":"auditor","account":"x"}]`, "api_keys[0].account"},
		{"same name twice", `[{"name":"a","hash":"` + h + `","role":"auditor"},{"name":"a","hash":"` + h + `","role":"analyst"}]`, "api_keys[1].name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			t.Setenv("ABUSEDESK_API_KEYS", tc.val)
			_, err := Load("")
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestAPIKeysFromFileWithAccount(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "c.yaml")
	require.NoError(t, os.WriteFile(f, []byte("local_admin_key: false\napi_keys:\n  - name: shop\n    role: customer\n    account: acct-9\n    hash: "+HashKey("k")+"\n"), 0o600))
	c, err := Load(f)
	require.NoError(t, err)
	require.Equal(t, []APIKey{{Name: "shop", Hash: HashKey("k"), Role: "customer", Account: "acct-9"}}, c.APIKeys)
	require.False(t, c.LocalAdminKey)
}

func TestBootstrapAdminKeyMinLength(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("ABUSEDESK_BOOTSTRAP_ADMIN_KEY", "test-admin-key")
	_, err := Load("")
	require.ErrorContains(t, err, "bootstrap_admin_key (ABUSEDESK_BOOTSTRAP_ADMIN_KEY): must be at least 16 characters (it is 14)")
}
