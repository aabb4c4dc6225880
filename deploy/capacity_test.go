package deploy

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
)

// The scripts built on split.sh (deploy/*.sh besides it) parse, are
// executable and name only real configuration keys.
func TestSplitToolScriptsParse(t *testing.T) {
	keys := map[string]bool{}
	for _, k := range config.Keys {
		keys["ABUSEDESK_"+strings.ToUpper(k.Name)] = true
	}
	re := regexp.MustCompile(`ABUSEDESK_[A-Z_]+`)
	for _, f := range []string{"capacity.sh"} {
		st, err := os.Stat(f)
		require.NoError(t, err)
		require.NotZero(t, st.Mode()&0o111, "%s is executable", f)
		out, err := exec.Command("bash", "-n", f).CombinedOutput()
		require.NoError(t, err, string(out))
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, k := range re.FindAllString(string(b), -1) {
			require.True(t, keys[k], "%s names %s, which is not a configuration key", f, k)
		}
	}
}
