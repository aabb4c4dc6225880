package config

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/viper"
)

// MinRawKeyLen is the shortest raw API key the configuration accepts
// (bootstrap_admin_key): a shorter one can be guessed.
const MinRawKeyLen = 16

// The roles an API key may have. admin, analyst and auditor own the
// endpoints of their name (models.Role.Allows); customer and authority
// keys are accepted for the portals of later issues and reach none of them.
var apiKeyRoles = []string{"admin", "analyst", "auditor", "customer", "authority"}

func init() {
	Keys = append(Keys, Key{"local_admin_key", true,
		"serve generates data_dir/admin.key (printed at start with its file) and accepts it as an admin key, also when api_keys or bootstrap_admin_key are set; false: only the configured keys"})
}

// loadAPIKeys reads api_keys: a list in the file, or JSON in
// ABUSEDESK_API_KEYS (`[{"name":"ops","hash":"<sha256 hex>","role":"auditor"}]`),
// and checks every entry. Problems are appended to errs.
func loadAPIKeys(v *viper.Viper, errs []string) ([]APIKey, []string) {
	var keys []APIKey
	raw := v.Get("api_keys")
	if s, ok := raw.(string); ok {
		s = strings.TrimSpace(s)
		if s != "" {
			dec := json.NewDecoder(strings.NewReader(s))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&keys); err != nil {
				errs = append(errs, fmt.Sprintf(`api_keys (ABUSEDESK_API_KEYS): not a JSON list like [{"name":"ops","hash":"<sha256 hex>","role":"auditor"}]: %v`, err))
				return nil, errs
			}
		}
	} else if err := v.UnmarshalKey("api_keys", &keys); err != nil {
		errs = append(errs, fmt.Sprintf("api_keys: %v", err))
		return nil, errs
	}
	names := map[string]bool{}
	for i := range keys {
		keys[i].Hash = strings.ToLower(strings.TrimSpace(keys[i].Hash))
		errs = checkAPIKey(i, keys[i], names, errs)
	}
	return keys, errs
}

// checkAPIKey checks one configured key.
func checkAPIKey(i int, k APIKey, names map[string]bool, errs []string) []string {
	at := fmt.Sprintf("api_keys[%d]", i)
	if k.Name == "" {
		errs = append(errs, at+".name: must not be empty (it names the key in the audit log)")
	} else if names[k.Name] {
		errs = append(errs, fmt.Sprintf("%s.name: %q is used twice", at, k.Name))
	}
	names[k.Name] = true
	if len(k.Hash) != 64 || strings.Trim(k.Hash, "0123456789abcdef") != "" {
		errs = append(errs, at+".hash: must be 64 hex characters (SHA-256 of the key)")
	}
	known := false
	for _, r := range apiKeyRoles {
		known = known || k.Role == r
	}
	switch {
	case !known:
		errs = append(errs, fmt.Sprintf("%s.role: %q is not one of %s", at, k.Role, strings.Join(apiKeyRoles, ", ")))
	case k.Role == "customer" && k.Account == "":
		errs = append(errs, at+".account: a customer key needs the account id it speaks for")
	case k.Role != "customer" && k.Account != "":
		errs = append(errs, fmt.Sprintf("%s.account: only customer keys have an account (role is %s)", at, k.Role))
	}
	return errs
}

// checkRawKey checks a raw (unhashed) key given in the configuration.
func checkRawKey(key, value string, errs []string) []string {
	if value != "" && len(value) < MinRawKeyLen {
		errs = append(errs, fmt.Sprintf("%s (ABUSEDESK_%s): must be at least %d characters (it is %d); generate one with: openssl rand -hex 24",
			key, strings.ToUpper(key), MinRawKeyLen, len(value)))
	}
	return errs
}
