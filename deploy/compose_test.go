// Package deploy holds the deployment files' checks and the split
// deployment script (split.sh). No Docker engine runs in CI, so the
// compose file is loaded with the compose-spec library, as docker compose
// loads it, and checked against abusedesk's configuration keys.
package deploy

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
)

// loadCompose loads ../docker-compose.yml with an empty environment, so
// every ${VAR:-default} takes its default.
func loadCompose(t *testing.T) *types.Project {
	t.Helper()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  root,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root, "docker-compose.yml")}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName("abusedesk", true) })
	require.NoError(t, err)
	return p
}

func TestComposeFileParses(t *testing.T) {
	p := loadCompose(t)
	for _, name := range []string{"postgres", "temporal", "temporal-ui", "server", "worker"} {
		_, ok := p.Services[name]
		require.True(t, ok, "service %s", name)
	}
	// Public images for what abusedesk does not build.
	require.Regexp(t, `^postgres:\d+`, p.Services["postgres"].Image)
	require.Regexp(t, `^temporalio/ui:\d+\.\d+\.\d+$`, p.Services["temporal-ui"].Image)
	for _, name := range []string{"temporal", "server", "worker"} {
		s := p.Services[name]
		require.NotNil(t, s.Build, "%s is built from the Dockerfile", name)
		require.Equal(t, "abusedesk:local", s.Image)
	}
	require.Equal(t, []string{"temporal-server", "--db", "postgres", "--postgres-url",
		"postgres://abusedesk:abusedesk@postgres:5432/temporal?sslmode=disable"}, []string(p.Services["temporal"].Command))
	require.Equal(t, []string{"server"}, []string(p.Services["server"].Command))
	require.Equal(t, []string{"worker"}, []string(p.Services["worker"].Command))

	w := p.Services["worker"]
	require.NotNil(t, w.Deploy)
	require.NotNil(t, w.Deploy.Replicas)
	require.GreaterOrEqual(t, *w.Deploy.Replicas, 2, "the worker scales out")
	for _, name := range []string{"postgres", "temporal", "server"} {
		require.NotNil(t, p.Services[name].HealthCheck, "%s has a health check", name)
	}
	require.Equal(t, "service_healthy", p.Services["server"].DependsOn["temporal"].Condition)
	require.Equal(t, "service_healthy", p.Services["worker"].DependsOn["server"].Condition)
	require.Equal(t, "service_healthy", p.Services["temporal"].DependsOn["postgres"].Condition)

	// The processes of the split share one database and one Temporal.
	env := func(svc, key string) string {
		v := p.Services[svc].Environment[key]
		require.NotNil(t, v, "%s sets %s", svc, key)
		return *v
	}
	for _, svc := range []string{"server", "worker"} {
		require.Equal(t, "temporal:7233", env(svc, "ABUSEDESK_TEMPORAL_ADDRESS"))
		require.Equal(t, "false", env(svc, "ABUSEDESK_TEMPORAL_EMBEDDED"))
		require.Equal(t, "postgres://abusedesk:abusedesk@postgres:5432/abusedesk?sslmode=disable", env(svc, "ABUSEDESK_DATABASE_URL"))
	}
	require.Equal(t, "0.0.0.0:7233", env("temporal", "ABUSEDESK_TEMPORAL_ADDRESS"))
	require.Equal(t, "0.0.0.0:8080", env("server", "ABUSEDESK_HTTP_ADDR"))
}

// TestComposeSetsOnlyRealKeys requires every ABUSEDESK_* variable the
// compose file sets to be a configuration key (config.Keys): a misspelt
// one would be silently ignored by the container.
func TestComposeSetsOnlyRealKeys(t *testing.T) {
	keys := map[string]bool{}
	for _, k := range config.Keys {
		keys["ABUSEDESK_"+strings.ToUpper(k.Name)] = true
	}
	p := loadCompose(t)
	n := 0
	for name, s := range p.Services {
		for k := range s.Environment {
			if strings.HasPrefix(k, "ABUSEDESK_") {
				require.True(t, keys[k], "service %s sets %s, which is not a configuration key", name, k)
				n++
			}
		}
	}
	require.Greater(t, n, 20)

	// The same for the Dockerfile's ENV and the split deployment script.
	re := regexp.MustCompile(`ABUSEDESK_[A-Z_]+`)
	for _, f := range []string{"../Dockerfile", "split.sh"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, k := range re.FindAllString(string(b), -1) {
			require.True(t, keys[k], "%s names %s, which is not a configuration key", f, k)
		}
	}
}

func TestDockerfileIsMultiStage(t *testing.T) {
	b, err := os.ReadFile("../Dockerfile")
	require.NoError(t, err)
	from := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(string(b), -1)
	require.Len(t, from, 2)
	require.Regexp(t, `^golang:1\.26`, from[0][1])
	require.Contains(t, string(b), "./cmd/abusedesk")
	require.Contains(t, string(b), `ENTRYPOINT ["abusedesk"]`)
}

func TestSplitScriptParses(t *testing.T) {
	st, err := os.Stat("split.sh")
	require.NoError(t, err)
	require.NotZero(t, st.Mode()&0o111, "split.sh is executable")
	out, err := exec.Command("bash", "-n", "split.sh").CombinedOutput()
	require.NoError(t, err, string(out))
}
