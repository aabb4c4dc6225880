package server

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
)

var param = regexp.MustCompile(`(:[a-z_]+|\{[a-z_]+\})`)

func norm(p string) string {
	p = strings.Replace(p, "/*", "/{path}", 1)
	return param.ReplaceAllString(p, "{}")
}

// TestOpenAPIDocumentsEveryRoute: every API route the server registers is
// in /openapi.json with its method, and every documented operation has an
// owner role.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	s := &Server{Cfg: &config.Config{MaxBodyBytes: 1 << 20}}
	doc := OpenAPIDocument()
	paths := map[string]map[string]any{}
	for p, item := range doc["paths"].(map[string]any) {
		paths[norm(p)] = item.(map[string]any)
		for _, op := range item.(map[string]any) {
			require.Contains(t, op.(map[string]any)["description"], "Owner role:", p)
		}
	}
	for _, r := range s.Handler().Routes() {
		if r.Method == "echo_route_not_found" {
			continue
		}
		if !strings.HasPrefix(r.Path, "/v1/") && !strings.HasPrefix(r.Path, "/edge/") && r.Path != "/healthz" && r.Path != "/metrics" && r.Path != "/openapi.json" {
			continue
		}
		item, ok := paths[norm(r.Path)]
		require.True(t, ok, "route %s %s is not in the OpenAPI document", r.Method, r.Path)
		_, ok = item[strings.ToLower(r.Method)]
		require.True(t, ok, "method %s of %s is not in the OpenAPI document", r.Method, r.Path)
	}
	require.Equal(t, "3.0.3", doc["openapi"])
}
